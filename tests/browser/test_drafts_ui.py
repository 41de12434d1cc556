"""The widget's "Check my email" mode in a real browser: a draft with two problems shows both findings."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.helpers import GUIDE, open_panel, part, shot

DRAFT = """Subject: Thank you for the interview

Dear Dr. Murphy,

Thank you for the interview on Monday. Could you tell me how you will rank me? I am begging you, <b>please</b>.

Sincerely,
Hassan Raza"""


def test_check_my_email_shows_both_problems_with_quotes_and_citations(page: Page, host: str, live_server: str) -> None:
    page.goto(f"{host}/embed.html")
    open_panel(page)
    page.get_by_role("tab", name="Check my email").click()
    expect(part(page, "draft")).to_be_focused()
    expect(part(page, "input")).to_be_hidden()
    part(page, "draft").fill(DRAFT)
    part(page, "check").click()

    findings = part(page, "finding")
    expect(findings).to_have_count(2)
    expect(part(page, "summary")).to_contain_text("2 problems")
    first, second = findings.nth(0), findings.nth(1)
    expect(first.locator(".sev")).to_have_text("Problem")
    expect(first.locator("blockquote")).to_have_text("Could you tell me how you will rank me?")
    expect(first).to_contain_text("how the program will rank you")
    expect(second.locator("blockquote")).to_have_text("I am begging you, <b>please</b>.")  # shown as text, not markup
    assert findings.locator("b").count() == 0
    link = first.locator("[part=link]").first
    assert (link.get_attribute("href") or "").startswith(f"{live_server}/guides/{GUIDE}#")
    first.locator("summary").first.click()
    expect(first.locator("[part=excerpt]").first).to_contain_text(
        "Ask the program directly about your specific ranking"
    )
    shot(page, "20-check-my-email")
    second.scroll_into_view_if_needed()
    shot(page, "21-check-my-email-second-finding")

    page.get_by_role("tab", name="Ask a question").click()
    expect(part(page, "input")).to_be_focused()
    expect(part(page, "draft")).to_be_hidden()
