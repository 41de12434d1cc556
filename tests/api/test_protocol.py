"""Garbage in: a clear 4xx (or a clean answer), never a 500, a traceback or a file path."""

from __future__ import annotations

import json
import socket
import time
from urllib.parse import urlsplit

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api import hardening
from api.settings import Settings

JSON = {"content-type": "application/json"}
LIMIT = Settings.model_fields["max_body_bytes"].default
LEAKS = ("Traceback", 'File "', "/work/", "site-packages", ".py")


def assert_no_leak(text: str) -> None:
    assert not any(marker in text for marker in LEAKS), text


@pytest.mark.parametrize(
    ("body", "status", "says"),
    [
        (b'{"question": ""}', 422, "at least 1 character"),
        (b'{"question": "' + b"x" * 1001 + b'"}', 422, "at most 1000 characters"),
        (b'{"question": "ok", "top_k": 0}', 422, "greater than or equal to 1"),
        (b'{"question": "ok", "top_k": 11}', 422, "less than or equal to 10"),
        (b'{"question": "ok", "top_k": 2.5}', 422, "integer"),
        (b'{"question": "ok", "top_k": true}', 422, "whole number"),
        (b'{"question": "ok", "top_k": "3"}', 422, "whole number"),
        (b'{"question": "ok", "top_k": 1e308}', 422, "integer"),  # pydantic: "exceeded maximum size"
        (b'{"question": 5}', 422, "valid string"),
        (b'{"question": "ok", "extra": 1}', 422, "Extra inputs"),
        (b"{}", 422, "Field required"),
        (b"[]", 422, "JSON object"),
        (b"null", 422, "JSON object"),
        (b"not json", 422, "not valid JSON"),
        (b'{"question": "ok"', 422, "not valid JSON"),
        (b'{"question": "\xff\xfe"}', 422, "not UTF-8"),
        (b'{"question": "\\ud800"}', 422, "unicode"),  # FastAPI's own handler crashes on this one
        (b'{"question": "\\udfff is a lone low surrogate"}', 422, "unicode"),
        (b'{"\\ud800": 1, "question": 5}', 422, "unicode"),
    ],
)
def test_bad_bodies_get_a_readable_422(client: TestClient, body: bytes, status: int, says: str) -> None:
    response = client.post("/api/ask", content=body, headers=JSON)
    assert response.status_code == status, response.text
    detail = response.json()["detail"]
    assert isinstance(detail, list) and detail
    assert all(set(issue) == {"loc", "msg", "type"} for issue in detail)
    assert says.lower() in " ".join(issue["msg"] for issue in detail).lower()
    assert '"input"' not in response.text  # the request is not echoed back
    assert_no_leak(response.text)


@pytest.mark.parametrize("question", ["a\x00b", "\x00", "   ", "???", "\u200b", "😀 visa?", "é" * 1000, "\n\t\r"])
def test_odd_but_valid_questions_get_a_clean_answer(client: TestClient, question: str) -> None:
    response = client.post("/api/ask", json={"question": question})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["question"] == question and isinstance(body["answered"], bool)


@pytest.mark.parametrize(
    "content_type", [None, "text/plain", "application/x-www-form-urlencoded", "multipart/form-data"]
)
def test_a_body_that_is_not_json_is_415(client: TestClient, content_type: str | None) -> None:
    headers = {"content-type": content_type} if content_type else {}
    response = client.post("/api/ask", content=b'{"question": "hi"}', headers=headers)
    assert response.status_code == 415
    assert "application/json" in response.json()["detail"]


def test_json_with_a_charset_or_a_json_suffix_is_accepted(client: TestClient) -> None:
    for content_type in ("application/json; charset=utf-8", "application/vnd.api+json"):
        response = client.post("/api/ask", content=b'{"question": "hi"}', headers={"content-type": content_type})
        assert response.status_code == 200


def test_bodies_over_the_limit_are_413(client: TestClient) -> None:
    response = client.post("/api/ask", content=b'{"question": "' + b"a" * (LIMIT + 1) + b'"}', headers=JSON)
    assert response.status_code == 413 and f"{LIMIT} bytes" in response.json()["detail"]
    assert client.request("GET", "/api/guides", content=b"x" * (LIMIT + 1)).status_code == 413
    under = client.post("/api/ask", content=b'{"question": "hi"}' + b" " * (LIMIT - 100), headers=JSON)
    assert under.status_code == 200


def test_the_largest_valid_question_fits_under_the_limit(client: TestClient) -> None:
    # every character JSON-escaped as a surrogate pair: the most bytes a valid request can take
    turn = {"role": "user", "content": "\U0001f600" * 2000}
    body = json.dumps({"question": "\U0001f600" * 1000, "top_k": 10, "history": [turn] * 10}).encode()
    assert len(body) <= LIMIT
    assert client.post("/api/ask", content=body, headers=JSON).status_code == 200


@pytest.mark.parametrize(("method", "path"), [("GET", "/api/ask"), ("PUT", "/api/ask"), ("DELETE", "/healthz")])
def test_wrong_method_is_405(client: TestClient, method: str, path: str) -> None:
    response = client.request(method, path)
    assert response.status_code == 405 and "allow" in response.headers


def test_unknown_paths_are_a_json_404(client: TestClient) -> None:
    response = client.get("/../../etc/passwd")
    assert response.status_code == 404 and response.json()["detail"]


def test_an_unexpected_error_is_a_plain_500_without_internals() -> None:
    app = FastAPI()
    app.state.advisor, app.state.load_error = None, "starting"

    @app.get("/api/boom")
    async def boom() -> None:
        raise RuntimeError("secret detail at /srv/app/index/store.py line 12")

    hardening.install(app, Settings())
    with TestClient(app, raise_server_exceptions=False) as test_client:
        response = test_client.get("/api/boom", headers={"X-Request-ID": "trace-me-1"})
    assert response.status_code == 500
    assert response.json() == {"detail": "Internal error: the Advisor could not answer this request."}
    assert response.headers["x-request-id"] == "trace-me-1"
    assert "secret" not in response.text
    assert_no_leak(response.text)


def _raw_request(url: str, head: bytes, chunks: int, chunk: bytes) -> tuple[bytes, int]:
    """Sends `head`, then up to `chunks` chunks without ever ending the body; returns (reply, bytes sent)."""
    parts = urlsplit(url)
    sent = 0
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
        sock.sendall(head)
        sock.settimeout(0.001)
        reply = b""
        for _ in range(chunks):
            try:
                sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                sent += len(chunk)
            except (BlockingIOError, TimeoutError, ConnectionError):
                break
            try:
                reply = sock.recv(4096)
            except (BlockingIOError, TimeoutError):
                continue
            break
        sock.settimeout(10)
        deadline = time.monotonic() + 10
        while b"\r\n\r\n" not in reply and time.monotonic() < deadline:
            more = sock.recv(4096)
            if not more:
                break
            reply += more
    return reply, sent


def test_a_chunked_body_without_length_is_cut_off_at_the_limit(live_server: str) -> None:
    host = urlsplit(live_server).netloc.encode()
    head = (
        b"POST /api/ask HTTP/1.1\r\nHost: " + host + b"\r\nContent-Type: application/json\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n"
    )
    # The body never ends: a server that waited for all of it would never answer.
    reply, sent = _raw_request(live_server, head, chunks=4 * LIMIT // 1024, chunk=b"a" * 1024)
    assert reply.startswith(b"HTTP/1.1 413"), reply[:200]
    assert sent < 4 * LIMIT
