"""The widget embedded with one script tag on a page from another origin."""

from __future__ import annotations

from playwright.sync_api import Page, Request, expect

from tests.browser.helpers import GUIDE, OFF_TOPIC, VISA, answer_once_with, ask, open_panel, part, shot


def test_script_tag_on_another_origin_answers_with_citations(page: Page, host: str, live_server: str) -> None:
    page.context.add_cookies([{"name": "session", "value": "secret", "url": live_server}])
    requests: list[Request] = []
    page.on("request", lambda request: requests.append(request) if "/api/" in request.url else None)
    page.goto(f"{host}/embed.html")
    launcher = part(page, "launcher")
    expect(launcher).to_be_visible()
    expect(launcher).to_have_attribute("aria-expanded", "false")
    assert page.locator("advisor-chat").get_attribute("mode") == "launcher"
    shot(page, "01-launcher")

    open_panel(page)
    expect(launcher).to_have_attribute("aria-expanded", "true")
    expect(part(page, "panel")).to_have_attribute("role", "dialog")
    expect(part(page, "suggestion").first).to_be_visible()
    expect(part(page, "message")).to_have_count(1)  # the welcome
    shot(page, "02-open-with-suggestions")

    reply = ask(page, VISA)
    expect(reply).to_contain_text("visa sponsorship")
    expect(reply).to_contain_text("[1]")
    citations = part(page, "citation")
    assert citations.count() >= 1
    first = citations.first
    expect(first).to_contain_text("Pre-interview phase")
    link = first.locator("a")
    assert (link.get_attribute("href") or "").startswith(f"{live_server}/guides/{GUIDE}#")
    assert "noopener" in (link.get_attribute("rel") or "")
    excerpt = first.locator("[part=excerpt]")
    expect(excerpt).to_be_hidden()
    shot(page, "03-answer-with-citations")
    first.locator("summary").click()
    expect(excerpt).to_be_visible()
    expect(excerpt.locator("li").first).to_contain_text("clarify visa sponsorship")
    shot(page, "04-citation-expanded")

    asked = [r for r in requests if r.url.endswith("/api/ask") and r.method == "POST"]
    assert asked and all(r.url.startswith(live_server) for r in asked)
    assert all("cookie" not in r.all_headers() for r in requests), "requests must go without credentials"


def test_not_covered_answer_says_so(page: Page, host: str) -> None:
    page.goto(f"{host}/embed.html")
    open_panel(page)
    reply = ask(page, OFF_TOPIC)
    expect(reply).to_contain_text("The guide doesn't answer that.")
    expect(reply).to_have_class("msg bot nc")
    expect(reply.locator("[part=citation]")).to_have_count(0)
    expect(reply.locator("[part=suggestion]").first).to_be_visible()  # never a dead end


def test_a_reply_from_an_older_server_still_reads(page: Page, host: str, live_server: str) -> None:
    # Before answer_blocks and suggestions: the text answer as it was, and nearest sections as " > " paths.
    section = "Special PM&R Considerations for Non-US Citizen IMGs > Using mentors and networks ethically"
    text = (
        "The guide does not cover this question, so I can't answer it from the guide. "
        f"The nearest sections are: {section}."
    )
    reply = {
        "question": "q",
        "answered": False,
        "answer": text,
        "citations": [],
        "nearest_sections": [section],
        "content_version": "0" * 16,
    }
    asked = answer_once_with(page, live_server, reply)
    page.goto(f"{host}/embed.html")
    open_panel(page)
    message = ask(page, "can I phone the program director?")
    expect(message.locator("p.text")).to_have_text(text)
    expect(message.locator(".label")).to_have_text("Closest in the guide")
    nearest = message.locator("[part=suggestion]")
    expect(nearest).to_have_text(["Using mentors and networks ethically"])
    shot(page, "05-not-covered-older-server")
    nearest.click()
    expect(part(page, "message")).to_have_count(5)
    assert asked == ["can I phone the program director?", "Using mentors and networks ethically"]
    answer = part(page, "message").last
    expect(answer.locator("[part=citation]").first).to_be_visible()
    expect(answer.locator("[part=block]").first).to_be_visible()  # today's server answers in blocks


def test_conversation_survives_a_reload_and_can_be_cleared(page: Page, host: str) -> None:
    page.goto(f"{host}/embed.html")
    open_panel(page)
    ask(page, VISA)
    texts = part(page, "message").all_inner_texts()
    page.reload()
    expect(part(page, "panel")).to_be_visible()  # it was open: it opens again
    expect(part(page, "message")).to_have_count(len(texts))
    assert part(page, "message").all_inner_texts() == texts
    expect(part(page, "suggestion")).to_have_count(0)

    part(page, "clear").click()
    expect(part(page, "message")).to_have_count(1)
    expect(part(page, "suggestion").first).to_be_visible()
    page.reload()
    expect(part(page, "message")).to_have_count(1)


def test_html_typed_as_a_question_stays_text(page: Page, host: str) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    payload = '<img src=x onerror="alert(1)"><script>alert(2)</script><b id="injected">bold</b>"><svg onload=alert(3)>'
    page.goto(f"{host}/embed.html")
    open_panel(page)
    ask(page, payload)
    question = part(page, "message").nth(1)
    expect(question).to_have_class("msg user")
    assert question.locator("p").inner_text() == payload
    injected = page.evaluate(
        "() => document.querySelector('advisor-chat').shadowRoot"
        ".querySelectorAll('img, script, b, svg:not([aria-hidden])').length"
    )
    assert injected == 0
    assert page.locator("#injected").count() == 0
    question.scroll_into_view_if_needed()
    shot(page, "07-payload-as-text")
    page.reload()
    assert part(page, "message").nth(1).locator("p").inner_text() == payload
    page.wait_for_timeout(300)
    assert dialogs == []


def test_a_page_that_places_the_element_gets_it_inline(page: Page, host: str) -> None:
    page.goto(f"{host}/inline.html")
    panel = part(page, "panel")
    expect(panel).to_be_visible()
    expect(panel).to_have_attribute("role", "region")
    expect(panel).to_have_attribute("aria-label", "PM&R pre-match Q&A")
    expect(part(page, "launcher")).to_have_count(0)
    assert page.locator("advisor-chat").count() == 1
    expect(part(page, "suggestion").first).to_have_text(
        "As a non-US citizen IMG, should I directly ask for a pre-match offer in PM&R?"
    )
    # CSS custom properties from the host page theme the widget.
    send = part(page, "send")
    assert send.evaluate("el => getComputedStyle(el).backgroundColor") == "rgb(199, 146, 234)"
    assert "Georgia" in send.evaluate("el => getComputedStyle(el).fontFamily")
    box = panel.bounding_box()
    assert box is not None and box["height"] == 520
    part(page, "suggestion").first.click()
    expect(part(page, "message")).to_have_count(3)
    expect(part(page, "citation").first).to_be_visible()
    shot(page, "06-inline-dark-themed")


def test_after_an_answer_it_suggests_what_to_ask_next(page: Page, host: str) -> None:
    page.goto(f"{host}/embed.html")
    open_panel(page)
    ask(page, VISA)
    chips = part(page, "suggestions")
    expect(chips).to_contain_text("Ask next")
    expect(part(page, "suggestion")).to_have_count(3)
    chips.scroll_into_view_if_needed()
    shot(page, "31-ask-next")
    part(page, "suggestion").first.click()
    expect(part(page, "message")).to_have_count(5)  # welcome, two questions, two answers
