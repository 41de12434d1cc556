"""Helpers for driving the widget: its parts, asking, screenshots."""

from __future__ import annotations

import json
from typing import Any

from playwright.sync_api import Locator, Page, Request, Route, expect

from tests.helpers import ROOT

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


def reveal(element: Locator, above: int = 12) -> None:
    """Scroll the conversation at once (no smooth scrolling still under way) so `element` starts `above` px below
    the top of the visible area: for a screenshot of a reply, with the question before it in view."""
    element.evaluate(
        """(el, above) => { const body = el.closest(".body"), top = body.getBoundingClientRect().top;
            const y = body.scrollTop + el.getBoundingClientRect().top - top - above;
            body.scrollTo({ top: y, behavior: "instant" }); }""",
        above,
    )


def question_of(reply: Locator) -> Locator:
    """The applicant's message just before a reply."""
    return reply.locator("xpath=preceding-sibling::*[1]")


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


def ask_for_reply(page: Page, question: str) -> tuple[Locator, dict[str, Any]]:
    """Ask like `ask`, and also return the JSON the API sent back, to compare what is shown with what was said."""
    with page.expect_response(lambda r: r.url.endswith("/api/ask") and r.request.method == "POST") as response:
        message = ask(page, question)
    reply: dict[str, Any] = response.value.json()
    return message, reply


def posted(request: Request) -> dict[str, Any]:
    """The JSON body the widget sent."""
    body: dict[str, Any] = json.loads(request.post_data or "{}")
    return body


def answer_once_with(page: Page, api: str, reply: dict[str, Any]) -> list[str]:
    """The first question gets `reply` (a fixed reply, for what retrieval decides); later ones go to the real API.
    Returns the questions asked, as the widget sent them."""
    asked: list[str] = []

    def canned(route: Route) -> None:
        if route.request.method != "POST":
            route.fallback()
            return
        asked.append(posted(route.request)["question"])
        if len(asked) > 1:
            route.fallback()
            return
        route.fulfill(json=reply, headers={"Access-Control-Allow-Origin": "*"})

    page.route(f"{api}/api/ask", canned)
    return asked


def outside(box: Locator) -> list[str]:
    """Descendants of `box` that stick out of it sideways (overflow a reader would have to scroll or miss)."""
    result: list[str] = box.evaluate(
        """el => { const b = el.getBoundingClientRect();
            return [...el.querySelectorAll("*")].filter(d => { const r = d.getBoundingClientRect();
                return r.width && (r.left < b.left - 0.5 || r.right > b.right + 0.5); })
            .map(d => d.getAttribute("part") || d.tagName.toLowerCase()); }"""
    )
    return result


def focused(page: Page) -> str | None:
    """The part name (else tag) of the element focused inside the widget, if any."""
    result: str | None = page.evaluate(
        """() => {
            const el = document.querySelector("advisor-chat")?.shadowRoot?.activeElement;
            return el ? el.getAttribute("part") || el.tagName.toLowerCase() : null;
        }"""
    )
    return result
