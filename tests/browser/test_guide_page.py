"""The service's own guide pages embed the widget; a citation of the page itself scrolls to its section."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.helpers import GUIDE, VISA, ask, open_panel, part, shot

ANCHOR = "pre-interview-phase-brief-and-targeted"


def test_guide_page_citation_scrolls_to_the_section_and_highlights_it(page: Page, live_server: str) -> None:
    page.goto(f"{live_server}/guides/{GUIDE}")
    open_panel(page)
    expect(part(page, "suggestion").first).to_have_text(
        "As a non-US citizen IMG, should I directly ask for a pre-match offer in PM&R?"
    )
    ask(page, VISA)
    link = part(page, "citation").first.locator("a")
    assert link.get_attribute("href") == f"{live_server}/guides/{GUIDE}#{ANCHOR}"
    assert page.evaluate("() => window.scrollY") == 0

    link.click()
    heading = page.locator(f"#{ANCHOR}")
    expect(heading).to_have_class(re.compile(r"\badvisor-highlight\b"))
    page.wait_for_function(f"() => Math.abs(document.getElementById('{ANCHOR}').getBoundingClientRect().top - 16) < 2")
    assert page.evaluate("() => window.scrollY") > 0
    assert len(page.context.pages) == 1, "the link must not open another tab on the guide's own page"
    expect(heading).to_be_focused()
    shot(page, "16-guide-page-highlight")
    expect(heading).not_to_have_class(re.compile(r"\badvisor-highlight\b"), timeout=5_000)
