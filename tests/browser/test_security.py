"""The service's own pages under its Content-Security-Policy, in the browser: guide pages with the widget, the
home page, the API docs with no network but the service's; and a host page whose advisor-chat is its own."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import ConsoleMessage, Page, Response, Route, expect

from tests.browser.helpers import GUIDE, VISA, ask, open_panel, part, shot

# Recorded before any script of the page runs: what the CSP blocked, if anything.
RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__violations.push(`${e.violatedDirective} ${e.blockedURI}`);
});
"""


@dataclass
class Watch:
    console: list[ConsoleMessage] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)

    def errors(self) -> list[str]:
        return [m.text for m in self.console if m.type in ("error", "warning")]


@pytest.fixture
def watched(page: Page) -> tuple[Page, Watch]:
    watch = Watch()
    page.add_init_script(RECORD_VIOLATIONS)
    page.on("console", lambda message: watch.console.append(message))

    def on_response(response: Response) -> None:
        if response.status >= 400:
            watch.failed.append(f"{response.status} {response.url}")

    page.on("response", on_response)
    page.on("requestfailed", lambda request: watch.failed.append(f"failed {request.url}"))
    return page, watch


def violations(page: Page) -> list[str]:
    found: list[str] = page.evaluate("() => window.__violations")
    return found


def only_from(page: Page, origin: str) -> None:
    """An air-gapped host: every request to another origin fails."""

    def gate(route: Route) -> None:
        parts = urlsplit(route.request.url)
        if f"{parts.scheme}://{parts.netloc}" == origin:
            route.continue_()
        else:
            route.abort("internetdisconnected")

    page.route("**/*", gate)


def test_a_guide_page_and_its_widget_work_under_the_services_csp(watched: tuple[Page, Watch], live_server: str) -> None:
    page, watch = watched
    only_from(page, live_server)
    response = page.goto(f"{live_server}/guides/{GUIDE}")
    assert response is not None and "frame-ancestors 'none'" in response.headers["content-security-policy"]
    open_panel(page)
    reply = ask(page, VISA)
    expect(reply.locator("[part=citation]").first).to_be_visible()
    assert violations(page) == [] and watch.errors() == [] and watch.failed == []


def test_the_home_page_says_what_the_advisor_is_and_shows_the_widget(
    watched: tuple[Page, Watch], live_server: str
) -> None:
    page, watch = watched
    only_from(page, live_server)
    page.goto(f"{live_server}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("The Advisor")
    expect(page.get_by_role("link", name="API documentation")).to_have_attribute("href", "/docs")
    expect(part(page, "panel")).to_be_visible()  # inline: no launcher to open first
    expect(part(page, "launcher")).to_have_count(0)
    reply = ask(page, VISA)
    expect(reply.locator("[part=citation]").first).to_be_visible()
    shot(page, "40-home-page")
    icon = page.evaluate(
        """() => new Promise((done) => {
            const img = new Image();
            img.onload = () => done(img.naturalWidth);
            img.onerror = () => done(0);
            // Another URL for the same file: with requests routed, Chromium keeps a page's favicon URL from an <img>.
            img.src = document.querySelector("link[rel=icon]").href + "?drawn";
        })"""
    )
    assert icon > 0  # the icon the page names is one the browser can draw
    assert violations(page) == [] and watch.errors() == [] and watch.failed == []


def test_the_api_docs_work_offline_under_the_services_csp(watched: tuple[Page, Watch], live_server: str) -> None:
    page, watch = watched
    only_from(page, live_server)
    page.goto(f"{live_server}/docs")
    operation = page.locator(".opblock-summary-path", has_text="/api/ask").first
    expect(operation).to_be_visible()
    operation.click()
    expect(page.get_by_text("Answer a question from the guides, with cited excerpts").first).to_be_visible()
    shot(page, "41-api-docs")
    assert violations(page) == [] and watch.failed == []
    assert watch.errors() == []


def test_a_page_with_its_own_advisor_chat_gets_one_warning_naming_the_clash(
    watched: tuple[Page, Watch], host: str
) -> None:
    page, watch = watched
    page.goto(f"{host}/clash.html")
    page.wait_for_load_state("load")
    page.wait_for_timeout(300)  # the widget runs deferred, after the page's own scripts
    clashes = [m.text for m in watch.console if "advisor-chat" in m.text]
    assert len(clashes) == 1 and [m.type for m in watch.console if "advisor-chat" in m.text] == ["warning"]
    assert "already defined" in clashes[0]
    expect(page.locator("#theirs")).to_have_attribute("data-owner", "host")  # the host's element is left alone
    expect(page.locator("advisor-chat")).to_have_count(1)
