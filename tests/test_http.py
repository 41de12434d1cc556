"""HTTP as clients and browsers use it: HEAD, CORS, encoded bodies."""

from __future__ import annotations

import gzip

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from starlette.routing import BaseRoute, Route

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
    return [*paths, "/static/page.css"]


def test_every_get_route_answers_head_with_gets_headers_and_no_body(client: TestClient) -> None:
    paths = get_paths(client)
    assert {"/", "/healthz", "/readyz", "/metrics", "/widget.js", "/docs", "/openapi.json"} <= set(paths)
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


def test_a_preflight_may_send_a_request_id_and_callers_can_read_it_and_retry_after(client: TestClient) -> None:
    preflight = client.options(
        "/api/ask",
        headers={
            "Origin": "https://guide.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type, x-request-id",
        },
    )
    assert preflight.status_code == 200, preflight.text
    assert "x-request-id" in preflight.headers["access-control-allow-headers"].lower()
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
