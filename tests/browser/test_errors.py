"""The API unreachable or too slow: a clear message and a retry, with a loading state while waiting."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.helpers import VISA, ask, open_panel, part, shot


def test_unreachable_api_shows_an_error_with_retry(page: Page, host: str, dead_origin: str) -> None:
    page.goto(f"{host}/embed.html?api={dead_origin}")
    open_panel(page)
    reply = ask(page, VISA)
    expect(reply).to_have_class("msg bot error")
    expect(reply).to_contain_text("cannot be reached")
    retry = reply.locator("[part=retry]")
    expect(retry).to_be_visible()
    expect(part(page, "suggestion")).to_have_count(0)  # none could be fetched; the panel still works
    shot(page, "13-api-down")

    retry.click()
    expect(part(page, "message")).to_have_count(3)  # the failed reply is replaced, not stacked
    expect(part(page, "message").last).to_contain_text("cannot be reached")
    expect(part(page, "retry")).to_have_count(1)
    expect(part(page, "send")).not_to_have_attribute("aria-disabled", "true")


def test_slow_api_times_out_with_a_clear_message(page: Page, host: str, silent_origin: str) -> None:
    page.goto(f"{host}/embed.html?api={silent_origin}&timeout=2")
    open_panel(page)
    part(page, "input").fill(VISA)
    part(page, "input").press("Enter")
    loading = part(page, "loading")
    expect(loading).to_be_visible()
    expect(loading).to_contain_text("Searching the guides")
    expect(part(page, "send")).to_have_attribute("aria-disabled", "true")
    shot(page, "14-loading")

    expect(loading).to_have_count(0, timeout=10_000)
    reply = part(page, "message").last
    expect(reply).to_contain_text("taking too long")
    expect(reply.locator("[part=retry]")).to_be_visible()
    shot(page, "15-timeout")
