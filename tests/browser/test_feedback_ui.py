"""Helpful / not helpful under an answer: the vote reaches the database, and the thanks outlives a reload."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from playwright.sync_api import Page, Request, expect

from api.feedback_store import SQLITE_FILE
from tests.browser.helpers import GUIDE, VISA, ask, open_panel, part, shot


def last_id(database: Path) -> int:
    with sqlite3.connect(database) as connection:
        return int(connection.execute("SELECT coalesce(max(id), 0) FROM feedback").fetchone()[0])


def test_helpful_vote_is_stored_and_thanked(page: Page, host: str, live_server: str, data_dir: Path) -> None:
    database = data_dir / SQLITE_FILE  # the live server's: tests/conftest.py points ADVISOR_DATA_DIR at data_dir
    before = last_id(database)
    page.context.add_cookies([{"name": "session", "value": "secret", "url": live_server}])
    votes: list[Request] = []
    page.on("request", lambda request: votes.append(request) if request.url.endswith("/api/feedback") else None)
    page.goto(f"{host}/embed.html")
    open_panel(page)
    reply = ask(page, VISA)
    feedback = reply.locator("[part=feedback]")
    expect(feedback).to_have_attribute("role", "group")
    expect(feedback).to_have_attribute("aria-label", "Was this answer helpful?")
    expect(feedback.get_by_role("button", name="Not helpful", exact=True)).to_be_visible()
    feedback.scroll_into_view_if_needed()
    shot(page, "30-feedback-buttons")

    feedback.get_by_role("button", name="Helpful", exact=True).click()
    expect(feedback.get_by_role("status")).to_have_text("Thanks for your feedback.")
    expect(feedback.get_by_role("button")).to_have_count(0)
    shot(page, "31-feedback-thanks")

    with sqlite3.connect(database) as connection:
        rows = connection.execute(
            "SELECT vote, answered, sections, guide_slugs, question FROM feedback WHERE id > ?", (before,)
        ).fetchall()
    assert len(rows) == 1
    vote, answered, sections, guides, question = rows[0]
    assert (vote, answered, question) == ("helpful", 1, None)
    assert json.loads(sections) and set(json.loads(guides)) == {GUIDE}
    expect(reply.locator("[part=citation]")).to_have_count(len(json.loads(sections)))
    assert len(votes) == 1 and "cookie" not in votes[0].all_headers()

    page.reload()  # the conversation is kept for the tab, and the vote with it
    expect(part(page, "feedback").last).to_contain_text("Thanks for your feedback.")
    expect(part(page, "vote")).to_have_count(0)
