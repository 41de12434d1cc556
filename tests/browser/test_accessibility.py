"""Keyboard only, roles and labels, reduced motion, and a 360 px wide screen."""

from __future__ import annotations

from playwright.sync_api import Browser, Page, expect

from tests.browser.helpers import VISA, ask, focused, open_panel, part, settled, shot


def test_keyboard_only_flow(page: Page, host: str) -> None:
    page.goto(f"{host}/embed.html")
    expect(part(page, "launcher")).to_be_visible()
    for _ in range(4):  # past the host page's own link and button
        page.keyboard.press("Tab")
        if focused(page) == "launcher":
            break
    assert focused(page) == "launcher"
    page.keyboard.press("Enter")
    expect(page.get_by_role("dialog", name="Ask the Advisor")).to_be_visible()
    settled(page)
    assert focused(page) == "input"
    expect(page.get_by_role("textbox", name="Your question")).to_be_focused()
    for name in ("Send", "Clear conversation", "Close"):
        expect(page.get_by_role("button", name=name, exact=True)).to_be_visible()
    expect(page.get_by_role("log", name="Conversation")).to_have_attribute("aria-live", "polite")

    page.keyboard.type(VISA)
    page.keyboard.press("Enter")
    expect(part(page, "citation").first).to_be_visible()
    assert focused(page) == "input"

    # Back from the input: the three "Ask next" suggestions, the answer's two feedback buttons, the last
    # citation's link, then its summary, which Enter expands.
    expect(part(page, "suggestion")).to_have_count(3)
    for _ in range(3):
        page.keyboard.press("Shift+Tab")
        assert focused(page) == "suggestion"
    for _ in range(2):
        page.keyboard.press("Shift+Tab")
        assert focused(page) == "vote"
    page.keyboard.press("Shift+Tab")
    assert focused(page) == "link"
    page.keyboard.press("Shift+Tab")
    assert focused(page) == "summary"
    outline = page.evaluate(
        "() => getComputedStyle(document.querySelector('advisor-chat').shadowRoot.activeElement).outlineStyle"
    )
    assert outline == "solid", "keyboard focus must be visible"
    page.keyboard.press("Enter")
    expect(part(page, "citation").last.locator("[part=excerpt]")).to_be_visible()
    shot(page, "08-keyboard-focus")

    page.keyboard.press("Escape")
    expect(part(page, "panel")).to_be_hidden()
    assert focused(page) == "launcher"
    expect(part(page, "launcher")).to_have_attribute("aria-expanded", "false")
    page.keyboard.press("Enter")
    expect(part(page, "panel")).to_be_visible()
    assert focused(page) == "input"


def test_reduced_motion_turns_animation_off(browser: Browser, host: str) -> None:
    for motion, expected in (("no-preference", "pop"), ("reduce", "none")):
        context = browser.new_context(reduced_motion=motion)
        page = context.new_page()
        page.goto(f"{host}/embed.html")
        part(page, "launcher").click()
        assert part(page, "panel").evaluate("el => getComputedStyle(el).animationName") == expected
        context.close()


def test_small_screen_gets_a_full_screen_panel(browser: Browser, host: str) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
    page = context.new_page()
    try:
        page.goto(f"{host}/embed.html")
        launcher = part(page, "launcher")
        expect(launcher).to_be_in_viewport()
        open_panel(page, tap=True)
        panel = part(page, "panel")
        box = panel.bounding_box()
        assert box is not None and [round(v) for v in box.values()] == [0, 0, 360, 740]
        expect(launcher).to_be_hidden()  # it would cover the send button
        expect(part(page, "suggestion").first).to_be_visible()
        shot(page, "09-360px-open")

        ask(page, VISA)
        expect(part(page, "citation").first).to_be_visible()
        for name in ("input", "send", "close"):
            box = part(page, name).bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 360, name
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 360
        widest = part(page, "citation").first.evaluate("el => el.getBoundingClientRect().right")
        assert widest <= 360
        shot(page, "10-360px-answer")

        part(page, "close").tap()
        expect(panel).to_be_hidden()
        expect(launcher).to_be_visible()
    finally:
        context.close()
