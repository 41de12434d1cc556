"""Real-browser fixtures: Debian's Chromium driven by Playwright, and host pages served from another origin."""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.helpers import free_port

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PAGES = Path(__file__).with_name("pages")
TYPES = {".html": "text/html; charset=utf-8", ".css": "text/css; charset=utf-8"}


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing; `make browser` installs Debian's chromium"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh context per test, so no test sees another's sessionStorage."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.set_default_timeout(30_000)
    yield context.new_page()
    context.close()


class HostPages(BaseHTTPRequestHandler):
    """Serves tests/browser/pages with {{SCRIPT}} (where widget.js comes from), {{API}} and {{TIMEOUT}} (the
    widget's settings, overridable by ?api= and ?timeout=) filled in; csp*.html gets a strict
    Content-Security-Policy."""

    server: HostServer

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        file = PAGES / (url.path.lstrip("/") or "embed.html")
        if file.parent != PAGES or not file.is_file() or file.suffix not in TYPES:
            self.send_error(404)
            return
        query = {key: values[0] for key, values in parse_qs(url.query).items()}
        tokens = {"SCRIPT": self.server.api, "API": self.server.api, "TIMEOUT": "20"} | {
            key.upper(): value for key, value in query.items()
        }
        text = file.read_text("utf-8")
        for key, value in tokens.items():
            text = text.replace("{{" + key + "}}", value)
        body = text.encode()
        self.send_response(200)
        self.send_header("Content-Type", TYPES[file.suffix])
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        if file.name.startswith("csp"):
            self.send_header(
                "Content-Security-Policy",
                f"default-src 'self'; script-src {tokens['SCRIPT']}; connect-src {tokens['API']}; style-src 'self'",
            )
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


class HostServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, api: str) -> None:
        super().__init__(("127.0.0.1", free_port()), HostPages)
        self.api = api

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


@pytest.fixture(scope="session")
def host(live_server: str) -> Iterator[str]:
    """The origin of a second server, a different origin from the API's, serving the host pages."""
    server = HostServer(live_server)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.origin
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture
def dead_origin() -> str:
    """An origin where nothing listens: connections are refused at once."""
    return f"http://127.0.0.1:{free_port()}"


@pytest.fixture
def silent_origin() -> Iterator[str]:
    """An origin that accepts connections (in the kernel's backlog) and never answers."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(16)
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"


SCREENS: dict[str, dict[str, Any]] = {
    "desktop": {"viewport": {"width": 1280, "height": 800}},
    "360px": {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True},
}


@pytest.fixture(params=list(SCREENS))
def screen(browser: Browser, request: pytest.FixtureRequest) -> Iterator[tuple[Page, str]]:
    """A fresh page on a desktop screen and on a 360 px wide phone, with the screen's name (for screenshots)."""
    context = browser.new_context(**SCREENS[request.param])
    context.set_default_timeout(30_000)
    yield context.new_page(), request.param
    context.close()
