"""What several API tests share: a bare app with the protections installed, a client for it, the rate
limit's window, the /metrics samples, and a browser's CORS preflight."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
from fastapi import FastAPI
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from api import hardening
from api.settings import Settings


def fresh_window(seconds: float) -> None:
    """Start a scenario at least 2 s before its rate-limit window ends.

    limits' sliding-window counter aligns windows to multiples of their length and, just past a boundary,
    counts the previous window's requests only in part (by how much of it still overlaps): a burst split
    across a boundary would be let through by one request more.
    """
    left = seconds - time.time() % seconds
    if left < 2:
        time.sleep(left + 0.05)


def small_app(**settings: Any) -> FastAPI:
    """A bare app with the protections installed, and endpoints that wait as told."""
    app = FastAPI()
    app.state.advisor, app.state.load_error = None, "not loaded in this test"
    release = asyncio.Event()
    app.state.release = release

    @app.get("/api/ping")
    async def ping() -> dict[str, str]:
        return {"pong": "yes"}

    @app.get("/api/wait")
    async def wait() -> dict[str, str]:
        await release.wait()
        return {"waited": "yes"}

    @app.get("/api/own-timeout")
    async def own_timeout() -> None:
        raise TimeoutError("a socket of the app's own")

    @app.get("/api/slow")
    async def slow() -> dict[str, str]:
        await asyncio.sleep(30)
        return {"slow": "yes"}

    hardening.install(app, Settings(**settings))
    return app


def client_for(app: FastAPI, peer: str = "127.0.0.1") -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=(peer, 5000)), base_url="http://test")


def samples(client: TestClient) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    response = client.get("/metrics")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(response.text)
        for s in family.samples
    }


def value(table: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str, **labels: str) -> float:
    return table.get((name, frozenset(labels.items())), 0.0)


def preflight(client: TestClient, request_headers: str) -> httpx.Response:
    """A browser's CORS preflight for a POST to /api/ask from another site, asking to send `request_headers`."""
    return client.options(
        "/api/ask",
        headers={
            "Origin": "https://guide.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": request_headers,
        },
    )
