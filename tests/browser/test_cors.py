"""ADVISOR_CORS_ORIGINS: any origin by default, never with credentials; a list restricts it."""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Iterator
from email.message import Message
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import VISA, ask, open_panel
from tests.helpers import running_server

ALLOWED = "http://allowed.example"


@pytest.fixture(scope="module")
def restricted_api(index_dir: Path) -> Iterator[str]:
    with running_server(index_dir, ADVISOR_CORS_ORIGINS=ALLOWED) as url:
        yield url


def preflight(api: str, origin: str) -> tuple[int, Message]:
    request = urllib.request.Request(
        f"{api}/api/ask",
        method="OPTIONS",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers
    except urllib.error.HTTPError as error:
        return error.code, error.headers


def simple_get(api: str, origin: str) -> Message:
    request = urllib.request.Request(f"{api}/api/suggestions", headers={"Origin": origin})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.headers


def test_any_origin_by_default_without_credentials(live_server: str) -> None:
    status, headers = preflight(live_server, "https://any.example")
    assert status == 200
    assert headers["access-control-allow-origin"] == "*"
    assert headers["access-control-allow-credentials"] is None
    assert simple_get(live_server, "https://any.example")["access-control-allow-origin"] == "*"


def test_a_list_of_origins_restricts_the_api(restricted_api: str) -> None:
    status, headers = preflight(restricted_api, ALLOWED)
    assert status == 200 and headers["access-control-allow-origin"] == ALLOWED
    assert headers["access-control-allow-credentials"] is None
    status, headers = preflight(restricted_api, "http://evil.example")
    assert status == 400 and headers["access-control-allow-origin"] is None
    assert simple_get(restricted_api, "http://evil.example")["access-control-allow-origin"] is None


def test_the_browser_refuses_answers_to_an_origin_not_in_the_list(page: Page, host: str, restricted_api: str) -> None:
    page.goto(f"{host}/embed.html?api={restricted_api}")
    open_panel(page)
    expect(ask(page, VISA)).to_contain_text("cannot be reached")


def test_a_page_on_another_origin_may_send_a_request_id_and_read_it_back(
    page: Page, host: str, live_server: str
) -> None:
    page.goto(f"{host}/bare.html")
    seen = page.evaluate(
        """async (api) => {
            const response = await fetch(`${api}/api/suggestions?limit=1`, {
                headers: { "X-Request-ID": "browser-trace-42" }, credentials: "omit", mode: "cors",
            });
            return { status: response.status, id: response.headers.get("X-Request-ID") };
        }""",
        live_server,
    )
    assert seen == {"status": 200, "id": "browser-trace-42"}
