"""Helpers for driving the widget: its parts, asking, screenshots."""

from __future__ import annotations

from playwright.sync_api import Locator, Page, expect

from tests.conftest import ROOT

ARTIFACTS = ROOT / "test-artifacts" / "widget"
GUIDE = "pre-match-communication-pmr-non-us-img"
VISA = "can I email about visa sponsorship before interviews"
OFF_TOPIC = "what's the best pizza in Chicago?"


def part(page: Page, name: str) -> Locator:
    """Elements inside the widget's shadow root by part name (Playwright's CSS pierces open shadow roots)."""
    return page.locator(f"advisor-chat [part={name}]")


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def open_panel(page: Page, tap: bool = False) -> None:
    launcher = part(page, "launcher")
    launcher.tap() if tap else launcher.click()
    settled(page)


def settled(page: Page) -> None:
    """The panel is open and its opening animation is over, so boxes and screenshots are final."""
    panel = part(page, "panel")
    expect(panel).to_be_visible()
    panel.evaluate("el => Promise.all(el.getAnimations().map(a => a.finished))")


def ask(page: Page, question: str) -> Locator:
    """Type a question, press Enter, and return the reply once both messages are in."""
    messages = part(page, "message")
    before = messages.count()
    part(page, "input").fill(question)
    part(page, "input").press("Enter")
    expect(messages).to_have_count(before + 2)
    return messages.last


def focused(page: Page) -> str | None:
    """The part name (else tag) of the element focused inside the widget, if any."""
    result: str | None = page.evaluate(
        """() => {
            const el = document.querySelector("advisor-chat")?.shadowRoot?.activeElement;
            return el ? el.getAttribute("part") || el.tagName.toLowerCase() : null;
        }"""
    )
    return result
