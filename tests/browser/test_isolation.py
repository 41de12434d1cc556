"""Nothing leaks in or out: hostile host CSS, the host's own styles, and a strict Content-Security-Policy."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page, expect

from tests.browser.helpers import VISA, ask, open_panel, part, shot

BEFORE_ASKING = ("suggestion",)
AFTER_ASKING = ("launcher", "panel", "title", "input", "send", "clear", "message", "citation", "link")
PROPERTIES = (
    "color",
    "background-color",
    "display",
    "visibility",
    "font-family",
    "font-size",
    "line-height",
    "padding",
    "margin",
    "border",
    "box-sizing",
    "width",
    "height",
)


def widget_styles(page: Page, parts: tuple[str, ...]) -> dict[str, dict[str, str]]:
    styles: dict[str, dict[str, str]] = {}
    for name in parts:
        styles[name] = part(page, name).first.evaluate(
            "(el, props) => Object.fromEntries(props.map(p => [p, getComputedStyle(el).getPropertyValue(p)]))",
            list(PROPERTIES),
        )
    return styles


def open_and_ask(page: Page, url: str) -> dict[str, dict[str, str]]:
    page.goto(url)
    open_panel(page)
    expect(part(page, "suggestion").first).to_be_visible()
    styles = widget_styles(page, BEFORE_ASKING)
    ask(page, VISA)
    expect(part(page, "citation").first).to_be_visible()
    return styles | widget_styles(page, AFTER_ASKING)


def test_hostile_host_css_changes_nothing_inside(page: Page, host: str) -> None:
    plain = open_and_ask(page, f"{host}/embed.html")
    page.evaluate("() => sessionStorage.clear()")  # same origin, same tab: start the next page afresh
    hostile = open_and_ask(page, f"{host}/hostile.html")
    assert page.locator("#host-button").evaluate("el => getComputedStyle(el).display") == "none"  # the CSS is live
    assert hostile == plain
    assert hostile["send"]["display"] != "none" and hostile["message"]["color"] != "rgb(255, 0, 0)"
    shot(page, "11-hostile-css")


def test_widget_styles_change_nothing_outside(page: Page, host: str, live_server: str) -> None:
    page.goto(f"{host}/bare.html")
    snapshot = """() => (window.hostElements ||= [document.documentElement, ...document.querySelectorAll("*")])
        .map(el => {
            const s = getComputedStyle(el);
            return [...s].map(p => p + ":" + s.getPropertyValue(p)).join(";");
        })"""
    before: list[Any] = page.evaluate(snapshot)
    page.evaluate(
        "src => { const s = document.createElement('script'); s.src = src; document.body.append(s) }",
        f"{live_server}/widget.js",
    )
    open_panel(page)
    expect(part(page, "suggestion").first).to_be_visible()
    after: list[Any] = page.evaluate(snapshot)
    assert after == before


def test_works_under_a_strict_content_security_policy(page: Page, host: str) -> None:
    page.add_init_script(
        """document.addEventListener("securitypolicyviolation", e =>
            (window.violations ||= []).push(e.effectiveDirective + " " + e.blockedURI))"""
    )
    response = page.goto(f"{host}/csp.html")
    assert response is not None and "style-src 'self'" in response.headers["content-security-policy"]
    assert page.evaluate("() => document.documentElement.dataset.inlineScript") is None  # the CSP is enforced
    open_panel(page)
    expect(part(page, "suggestion").first).to_be_visible()
    ask(page, VISA)
    expect(part(page, "citation").first).to_be_visible()
    assert part(page, "launcher").evaluate("el => getComputedStyle(el).backgroundColor") == "rgb(11, 87, 208)"
    assert part(page, "panel").evaluate("el => getComputedStyle(el).position") == "fixed"
    assert page.evaluate("() => window.violations") == ["script-src-elem inline"]  # only the page's own probe
    shot(page, "12-strict-csp")
