"""HTTP as clients and browsers use it: HEAD, CORS, encoded bodies, secure headers, the home page and the docs."""

from __future__ import annotations

import base64
import gzip
import hashlib
import re

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from starlette.routing import BaseRoute, Route

from tests.api.helpers import preflight

GUIDE = "pre-match-communication-pmr-non-us-img"
VISA = "can I email about visa sponsorship before interviews"
VARYING = {"date", "x-request-id"}


def routes(candidates: list[BaseRoute]) -> list[BaseRoute]:
    """The routes, with those of included routers (FastAPI keeps an included router as one entry)."""
    found = []
    for route in candidates:
        included = getattr(route, "original_router", None)  # the routers have no prefix
        found += routes(included.routes) if included is not None else [route]
    return found


def get_paths(client: TestClient) -> list[str]:
    """Every GET route of the app, with its path parameters filled in, and a file of each static mount."""
    paths = [
        route.path.format(slug=GUIDE)
        for route in routes(client.app.routes)  # type: ignore[attr-defined]
        if isinstance(route, APIRoute | Route) and "GET" in (route.methods or ())
    ]
    return [*paths, "/static/page.css", "/docs/assets/swagger-ui.css"]


def test_every_get_route_answers_head_with_gets_headers_and_no_body(client: TestClient) -> None:
    paths = get_paths(client)
    assert {"/", "/healthz", "/readyz", "/metrics", "/widget.js", "/docs", "/openapi.json", "/favicon.ico"} <= set(
        paths
    )
    for path in paths:
        got, head = client.get(path), client.head(path)
        assert head.status_code == got.status_code == 200, (path, head.status_code, got.status_code)
        assert head.content == b"", path
        same = {k: v for k, v in got.headers.items() if k not in VARYING}
        if path == "/metrics":  # its counters move between the two requests
            same.pop("content-length")
        assert {k: head.headers.get(k) for k in same} == same, path


def test_head_is_refused_where_get_is(client: TestClient) -> None:
    response = client.head("/api/ask")
    assert response.status_code == 405 and response.content == b""
    assert client.head("/guides/no-such-guide").status_code == 404


def test_cors_allows_any_origin_without_credentials(client: TestClient) -> None:
    response = preflight(client, "content-type")
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in response.headers


def test_a_preflight_may_send_a_request_id_and_callers_can_read_it_and_retry_after(client: TestClient) -> None:
    allowed = preflight(client, "content-type, x-request-id")
    assert allowed.status_code == 200, allowed.text
    assert "x-request-id" in allowed.headers["access-control-allow-headers"].lower()
    response = client.post(
        "/api/ask", json={"question": VISA}, headers={"Origin": "https://guide.example", "X-Request-ID": "trace-7"}
    )
    assert response.headers["x-request-id"] == "trace-7"
    exposed = {h.strip().lower() for h in response.headers["access-control-expose-headers"].split(",")}
    assert {"x-request-id", "retry-after"} <= exposed


@pytest.mark.parametrize("encoding", ["gzip", "x-gzip", "deflate", "br", "zstd", "GZIP", "gzip, identity", "rot13"])
@pytest.mark.parametrize("path", ["/api/ask", "/api/feedback", "/api/check-draft"])
def test_an_encoded_body_is_415_naming_the_encoding(client: TestClient, path: str, encoding: str) -> None:
    body = gzip.compress(b'{"question": "can I email about visa sponsorship?"}')
    headers = {"Content-Type": "application/json", "Content-Encoding": encoding}
    response = client.post(path, content=body, headers=headers)
    assert response.status_code == 415, response.text
    assert encoding in response.json()["detail"] and "not supported" in response.json()["detail"]
    assert response.headers["accept-encoding"] == "identity"


def test_an_identity_encoded_body_is_read_as_it_is(client: TestClient) -> None:
    headers = {"Content-Type": "application/json", "Content-Encoding": "identity"}
    response = client.post("/api/ask", content=f'{{"question": "{VISA}"}}'.encode(), headers=headers)
    assert response.status_code == 200 and response.json()["answered"]


def csp(response_headers: dict[str, str] | object) -> dict[str, list[str]]:
    header = response_headers["content-security-policy"]  # type: ignore[index]
    directives = [part.split() for part in header.split(";") if part.strip()]
    return {d[0]: d[1:] for d in directives}


@pytest.mark.parametrize("path", ["/", f"/guides/{GUIDE}", "/docs"])
def test_html_pages_send_the_secure_headers(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    policy = csp(response.headers)
    assert policy["default-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"] and policy["object-src"] == ["'none'"]
    for directive in ("script-src", "style-src"):
        assert "'self'" in policy[directive] and "'unsafe-inline'" not in policy[directive], directive
        assert not any(source.startswith(("http:", "https:", "*")) for source in policy[directive]), directive
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["cross-origin-opener-policy"] == "same-origin"


def test_the_docs_page_allows_its_own_inline_script_by_hash_only(client: TestClient) -> None:
    response = client.get("/docs")
    scripts = re.findall(r"<script>(.*?)</script>", response.text, re.DOTALL)
    assert len(scripts) == 1
    digest = base64.b64encode(hashlib.sha256(scripts[0].encode()).digest()).decode()
    assert csp(response.headers)["script-src"] == ["'self'", f"'sha256-{digest}'"]


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/api/guides", None),
        ("GET", f"/api/suggestions?guide={GUIDE}", None),
        ("POST", "/api/ask", {"question": VISA}),
        ("POST", "/api/ask", {"question": ""}),  # 422
        ("GET", "/api/suggestions?guide=nope", None),  # 404
        ("POST", "/api/check-draft", {"text": "Dear Dr. Smith, I am very interested in your program."}),
    ],
)
def test_api_answers_are_never_stored_by_caches(
    client: TestClient, method: str, path: str, body: dict[str, str] | None
) -> None:
    response = client.request(method, path, json=body)
    assert response.headers["cache-control"] == "no-store", (path, response.status_code)
    assert response.headers["x-content-type-options"] == "nosniff"


def test_the_home_page_says_what_the_advisor_is_and_links_the_guides_the_docs_and_the_widget(
    client: TestClient,
) -> None:
    page = client.get("/").text
    assert "answers" in page and "residency" in page.lower() and "cit" in page  # what it is, in a sentence
    for guide in client.get("/api/guides").json():
        assert f'href="/guides/{guide["slug"]}"' in page
    assert 'href="/docs"' in page and 'href="/openapi.json"' in page
    assert "<advisor-chat" in page and '<script src="/widget.js"' in page
    assert 'rel="icon"' in page


def test_the_favicon_is_served(client: TestClient) -> None:
    response = client.get("/favicon.ico")
    assert response.status_code == 200 and response.headers["content-type"].startswith("image/")
    assert response.content and "max-age" in response.headers["cache-control"]


def test_the_docs_load_nothing_from_another_host(client: TestClient) -> None:
    page = client.get("/docs").text
    sources = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert sources and all(s.startswith("/") and not s.startswith("//") for s in sources), sources
    for source in sources:
        asset = client.get(source)
        assert asset.status_code == 200 and len(asset.content) > 100, source
    assert client.get("/redoc").status_code == 404  # one docs page; ReDoc would need inline styles
