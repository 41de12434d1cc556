"""The element's life in a page: settings changed on it apply at once; taken out of the page it stops its
requests, moved within the page it keeps them."""

from __future__ import annotations

from playwright.sync_api import Page, Request, Route, expect

from tests.browser.helpers import GUIDE, VISA, open_panel, part

ELEMENT = "document.querySelector('advisor-chat')"


def hold_questions(page: Page, api: str) -> list[Route]:
    """Questions to /api/ask wait until the test lets them go (route.continue_())."""
    held: list[Route] = []
    page.route(
        f"{api}/api/ask", lambda route: held.append(route) if route.request.method == "POST" else route.fallback()
    )
    return held


def send(page: Page, question: str, held: list[Route]) -> None:
    """Ask, and wait until the question is held."""
    part(page, "input").fill(question)
    part(page, "input").press("Enter")
    expect(part(page, "loading")).to_be_visible()
    for _ in range(100):
        if held:
            return
        page.wait_for_timeout(50)
    raise AssertionError("the question never reached the API")


def test_settings_changed_on_the_element_apply_at_once(page: Page, host: str, dead_origin: str) -> None:
    page.goto(f"{host}/inline.html")
    panel = part(page, "panel")
    expect(part(page, "suggestion").first).to_be_visible()
    dark = panel.evaluate("el => getComputedStyle(el).backgroundColor")

    page.evaluate(f"() => {ELEMENT}.dataset.title = 'Visa questions'")
    expect(part(page, "title")).to_have_text("Visa questions")
    expect(panel).to_have_attribute("aria-label", "Visa questions")
    page.evaluate(f"() => {ELEMENT}.setAttribute('theme', 'light')")
    assert panel.evaluate("el => getComputedStyle(el).backgroundColor") not in (dark, "")
    page.evaluate(f"() => {ELEMENT}.dataset.welcome = 'Ask about visas.'")
    expect(part(page, "message").first).to_have_text("Advisor: Ask about visas.")

    part(page, "suggestion").first.click()
    expect(part(page, "message")).to_have_count(3)
    # Another API is another conversation: the element asks there, and the first comes back with the first API.
    page.evaluate(f"api => {ELEMENT}.dataset.api = api", dead_origin)
    expect(part(page, "message")).to_have_count(1)
    part(page, "input").fill(VISA)
    part(page, "input").press("Enter")
    expect(part(page, "message").last).to_contain_text("cannot be reached")
    page.evaluate(f"() => delete {ELEMENT}.dataset.api")
    expect(part(page, "message")).to_have_count(3)
    expect(part(page, "citation").first).to_be_visible()
    page.evaluate(f"() => {ELEMENT}.setAttribute('guide', 'no-such-guide')")
    expect(part(page, "message")).to_have_count(1)
    expect(part(page, "suggestion").first).to_be_visible()  # no such guide: every guide's questions


def test_moved_within_the_page_it_keeps_its_question(page: Page, host: str, live_server: str) -> None:
    held = hold_questions(page, live_server)
    failed: list[Request] = []
    page.on("requestfailed", lambda request: failed.append(request))
    page.goto(f"{host}/embed.html")
    open_panel(page)
    send(page, VISA, held)
    page.evaluate(f"() => document.querySelector('main').append({ELEMENT})")
    held[0].continue_()
    expect(part(page, "citation").first).to_be_visible()
    assert failed == []
    assert (part(page, "link").first.get_attribute("href") or "").startswith(f"{live_server}/guides/{GUIDE}#")


def test_taken_out_of_the_page_it_stops_its_question(page: Page, host: str, live_server: str) -> None:
    held = hold_questions(page, live_server)
    page.goto(f"{host}/embed.html")
    open_panel(page)
    send(page, VISA, held)
    with page.expect_event("requestfailed", lambda r: r.url.endswith("/api/ask")):
        page.evaluate(f"() => {{ window.advisor = {ELEMENT}; window.advisor.remove(); }}")
    page.evaluate("() => document.body.append(window.advisor)")
    reply = part(page, "message").last
    expect(reply).to_contain_text("stopped before the Advisor answered")
    page.unroute(f"{live_server}/api/ask")
    reply.locator("[part=retry]").click()
    expect(part(page, "citation").first).to_be_visible()
