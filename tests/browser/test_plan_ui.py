"""The widget's "My plan" tab in a real browser: the form (typed or pasted), the timeline, a draft, the calendar,
the plan kept for the browser tab, and names shown as text."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from playwright.sync_api import Locator, Page, expect

from tests.browser.helpers import open_panel, outside, part, posted, reveal, shot

TODAY = "2026-11-30T09:00:00"  # the browser's clock: the plan starts on the applicant's own day
# An H-1B applicant, Step 3 planned: five programs with interview dates (one of them J-1 only) and one with none yet.
PROGRAMS = [
    ("Riverside PM&R", "2026-12-09", "both", "top", False),
    ("Lakeside Rehabilitation", "2026-12-15", "J-1", "high", False),
    ("Northfield University PM&R", "2027-01-12", "unknown", "high", False),
    ("Southport Physiatry", "2026-11-20", "H-1B", "high", True),
    ("Harbor City Rehab", "2027-01-06", "both", "normal", False),
    ("Eastgate Medical Center", None, "unknown", "normal", False),
]
PASTED = "\n".join(
    ["Name\tInterview date\tSponsors\tInterest"]  # a spreadsheet's rows, header first
    + [
        f"{name}\t{date or 'pending'}\t{sponsors}\t{'Top choice' if interest == 'top' else interest}"
        for name, date, sponsors, interest, _ in PROGRAMS
    ]
)
MARKUP = '<img src=x onerror="window.pwned=1">Harbor <b>City</b> Rehab'


def open_plan(page: Page, url: str) -> None:
    page.clock.set_fixed_time(TODAY)
    page.goto(url)
    open_panel(page)
    page.get_by_role("tab", name="My plan").click()
    expect(part(page, "plan-form")).to_be_visible()


def program_rows(page: Page) -> Locator:
    return page.get_by_role("list", name="Your programs").get_by_role("listitem")


def fill_program(row: Locator, name: str, date: str | None, sponsors: str, interest: str, seen: bool) -> None:
    row.get_by_label("Program name").fill(name)
    if date:
        row.get_by_label("Interview date (empty: none yet)").fill(date)
    row.get_by_label("What the program sponsors").select_option(sponsors)
    row.get_by_label("Your interest").select_option(interest)
    if seen:
        row.get_by_label("Interviewed or waitlisted").check()


def make_plan(page: Page) -> tuple[dict[str, Any], dict[str, Any]]:
    """Press "Make my plan"; the request the widget sent and the API's reply."""
    with page.expect_response(lambda r: r.url.endswith("/api/plan") and r.request.method == "POST") as response:
        part(page, "plan-make").click()
    request, reply = posted(response.value.request), response.value.json()
    expect(part(page, "plan-card")).to_have_count(len(reply["actions"]))
    return request, reply


def check_timeline(page: Page, reply: dict[str, Any]) -> None:
    """The cards are the reply's actions in date order, grouped under their months; the warnings come first."""
    cards = part(page, "plan-card")
    starts = [str(cards.nth(i).locator("time").get_attribute("datetime")) for i in range(cards.count())]
    assert starts == [a["start"] for a in reply["actions"]] and starts == sorted(starts)
    months = dict.fromkeys(dt.date.fromisoformat(start).strftime("%B %Y") for start in starts)
    assert part(page, "plan-timeline").locator("h4").all_text_contents() == list(months)
    assert len(months) >= 3  # a season: the plan spans months
    for i, action in enumerate(reply["actions"]):
        card = cards.nth(i)
        expect(card.locator("[part=plan-rule]")).to_have_text(f"“{action['rule']}”")
        # The rule's sources on the card; the template a draft starts from (its last citation) beside the draft.
        shown = len(action["citations"]) - (action["draft"] is not None)
        expect(card.locator(".what > .cites > [part=citation]")).to_have_count(shown)
        if action["program"]:
            expect(card.locator(".prog")).to_have_text(action["program"])
    expect(cards.last).to_contain_text("Rank list due")
    warning = part(page, "plan-warning").filter(has_text="Lakeside Rehabilitation")
    expect(warning).to_contain_text("sponsors J-1 only, and you need an H-1B")
    cited = next(w for w in reply["warnings"] if w["program"] == "Lakeside Rehabilitation")
    expect(warning.locator("[part=plan-rule]")).to_have_text(f"“{cited['rule']}”")
    above = part(page, "plan-warning").last.evaluate(
        "(w, t) => !!(w.compareDocumentPosition(t) & Node.DOCUMENT_POSITION_FOLLOWING)",
        part(page, "plan-timeline").element_handle(),
    )
    assert above, "the warnings come before the timeline"


def test_the_form_makes_a_timeline_with_the_visa_warning(screen: tuple[Page, str], host: str) -> None:
    page, name = screen
    open_plan(page, f"{host}/embed.html")
    page.get_by_label("Visa you need").select_option("H-1B")
    page.get_by_label("USMLE Step 3").select_option("planned")
    for i, program in enumerate(PROGRAMS):
        if i:
            page.get_by_role("button", name="+ Add a program").click()
        fill_program(program_rows(page).nth(i), *program)
    page.get_by_role("button", name="+ Add a score, publication or letter").click()
    update = page.get_by_role("list", name="Updates you expect").get_by_role("listitem")
    update.get_by_label("Kind of update").select_option("score")
    update.get_by_label("Expected on").fill("2027-01-10")
    page.evaluate("() => document.querySelector('advisor-chat').shadowRoot.activeElement.blur()")
    reveal(part(page, "plan-form"))
    shot(page, f"50-plan-form-{name}")

    request, reply = make_plan(page)
    assert request["visa"] == "H-1B" and request["step3"] == "planned" and request["today"] == "2026-11-30"
    assert request["updates"] == [{"kind": "score", "date": "2027-01-10"}]
    assert [
        (p["name"], p["interview_date"], p["sponsors"], p["interest"], p["interviewed_or_waitlisted"])
        for p in request["programs"]
    ] == PROGRAMS
    check_timeline(page, reply)
    assert outside(part(page, "plan-form")) == [] and outside(part(page, "plan-timeline")) == []
    reveal(part(page, "plan-ics"), above=16)
    shot(page, f"51-plan-warnings-{name}")
    reveal(part(page, "plan-timeline").locator("h4").nth(1))
    shot(page, f"52-plan-timeline-{name}")


def test_pasted_programs_a_draft_the_calendar_and_the_plan_kept_for_the_tab(
    page: Page, host: str, live_server: str
) -> None:
    open_plan(page, f"{host}/csp.html")  # a strict Content-Security-Policy: the calendar is saved all the same
    page.get_by_label("Visa you need").select_option("H-1B")
    page.get_by_text("Paste a list").click()
    paste = part(page, "plan-paste")
    paste.fill(PASTED + "\nWestbrook PM&R, 12/20/2026, both, high")
    page.get_by_role("button", name="Add these programs").click()
    expect(page.get_by_role("status").filter(has_text="Line 8 is not as above")).to_be_visible()
    expect(program_rows(page)).to_have_count(1)  # nothing added from a list with a line it cannot read
    reveal(paste, above=60)
    shot(page, "55-plan-paste-error")
    paste.fill(PASTED)
    page.get_by_role("button", name="Add these programs").click()
    expect(program_rows(page)).to_have_count(len(PROGRAMS))
    expect(program_rows(page).nth(5).get_by_label("Program name")).to_have_value("Eastgate Medical Center")
    expect(program_rows(page).nth(0).get_by_label("Your interest")).to_have_value("top")
    expect(program_rows(page).nth(1).get_by_label("What the program sponsors")).to_have_value("J-1")

    request, reply = make_plan(page)
    assert [p["interview_date"] for p in request["programs"]] == [p[1] for p in PROGRAMS]
    warning = part(page, "plan-warning").filter(has_text="Lakeside Rehabilitation")
    expect(warning).to_contain_text("J-1 only")

    drafted = next(i for i, a in enumerate(reply["actions"]) if a["kind"] == "thank_you")
    card = part(page, "plan-card").nth(drafted)
    expect(card.locator("[part=template]")).to_be_hidden()
    card.get_by_text("Show draft").click()
    expect(card.locator("[part=template]")).to_have_text(reply["actions"][drafted]["draft"])
    expect(card.locator("[part=template]")).to_contain_text("Riverside PM&R")
    expect(card.locator("[part=finding]")).to_have_count(len(reply["actions"][drafted]["draft_findings"]))
    expect(card.locator("[part=finding]").first.locator("blockquote")).to_have_text(
        reply["actions"][drafted]["draft_findings"][0]["quote"]
    )
    reveal(card.locator("[part=template]"), above=40)
    shot(page, "53-plan-draft")

    with page.expect_download() as download, page.expect_request(f"{live_server}/api/plan.ics") as sent:
        part(page, "plan-ics").click()
    assert posted(sent.value) == request
    assert download.value.suggested_filename == "outreach-plan.ics"
    calendar = Path(download.value.path()).read_text("utf-8")
    assert calendar.startswith("BEGIN:VCALENDAR") and calendar.count("BEGIN:VEVENT") == len(reply["actions"])
    assert page.url == f"{host}/csp.html"  # saved, not navigated to

    # Kept for this browser tab only: a reload shows the form and the plan without asking again.
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.url) if "/api/plan" in r.url else None)
    page.reload()
    page.get_by_role("tab", name="My plan").click()
    expect(part(page, "plan-card")).to_have_count(len(reply["actions"]))
    expect(program_rows(page)).to_have_count(len(PROGRAMS))
    expect(page.get_by_label("Visa you need")).to_have_value("H-1B")
    assert asked == []
    kept = page.evaluate("() => Object.keys(localStorage).length + document.cookie.length")
    stored = page.evaluate("() => Object.values(sessionStorage).join('')")
    assert kept == 0 and "Northfield University PM&R" in stored and reply["actions"][0]["rule"] in stored


def test_markup_typed_in_a_program_name_is_shown_as_text(page: Page, host: str) -> None:
    open_plan(page, f"{host}/embed.html")
    page.get_by_label("Visa you need").select_option("J-1")
    fill_program(program_rows(page).first, MARKUP, "2026-12-09", "both", "high", False)
    make_plan(page)
    card = page.locator("advisor-chat [part=plan-card].thank_you")
    expect(card.locator(".prog")).to_have_text(MARKUP)
    card.get_by_text("Show draft").click()
    expect(card.locator("[part=template]")).to_contain_text(MARKUP)
    reveal(card)
    shot(page, "54-plan-markup-as-text")
    assert part(page, "plan-timeline").locator("img, b").count() == 0
    assert page.evaluate("() => window.pwned") is None


def test_the_plan_in_an_inline_dark_widget(page: Page, host: str) -> None:
    page.clock.set_fixed_time(TODAY)
    page.goto(f"{host}/inline.html")
    page.get_by_role("tab", name="My plan").click()
    page.get_by_label("Visa you need").select_option("H-1B")
    page.get_by_text("Paste a list").click()
    part(page, "plan-paste").fill(PASTED)
    page.get_by_role("button", name="Add these programs").click()
    _, reply = make_plan(page)
    check_timeline(page, reply)
    assert outside(part(page, "plan-timeline")) == []
    reveal(part(page, "plan-timeline").locator("h4").first)
    shot(page, "56-plan-inline-dark")
