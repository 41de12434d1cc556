"""GET /metrics (Prometheus) and GET /readyz."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from api.metrics import count_cache, observe_batch_size
from api.settings import Settings
from index.model.embeddings import MiniLMEmbedder
from tests.api.helpers import client_for, fresh_window, samples, small_app, value
from tests.helpers import CONTENT, LOOPBACK


def test_metrics_count_requests_answers_and_latency_by_route_and_status(client: TestClient) -> None:
    before = samples(client)
    client.post("/api/ask", json={"question": "can I email about visa sponsorship before interviews"})
    client.post("/api/ask", json={"question": "what's the best pizza in Chicago?"})
    client.post("/api/ask", json={"question": ""})
    after = samples(client)

    def delta(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    ask = {"method": "POST", "route": "/api/ask"}
    assert delta("advisor_http_requests_total", **ask, status="200") == 2
    assert delta("advisor_http_requests_total", **ask, status="422") == 1
    assert delta("advisor_http_request_duration_seconds_count", **ask, status="200") == 2
    assert delta("advisor_http_request_duration_seconds_bucket", **ask, status="200", le="+Inf") == 2
    assert delta("advisor_answers_total", outcome="answered") == 1
    assert delta("advisor_answers_total", outcome="not_covered") == 1
    assert value(after, "advisor_ready") == 1


def test_cache_and_batch_metrics_are_exposed(client: TestClient) -> None:
    before = samples(client)
    count_cache(hit=True)
    count_cache(hit=False)
    observe_batch_size(5)
    after = samples(client)
    assert (
        value(after, "advisor_answer_cache_total", result="hit")
        - value(before, "advisor_answer_cache_total", result="hit")
        == 1
    )
    assert value(after, "advisor_batch_size_count") - value(before, "advisor_batch_size_count") == 1
    assert (
        value(after, "advisor_batch_size_bucket", le="8.0") - value(before, "advisor_batch_size_bucket", le="8.0") == 1
    )


def test_rate_limit_rejections_are_counted(index_dir: Path, served_encoder: MiniLMEmbedder) -> None:
    settings = Settings(content_dir=CONTENT, index_dir=index_dir, rate_limit_per_minute=1, rate_limit_burst=2)
    fresh_window(120)
    with TestClient(create_app(settings, embedder_factory=lambda: served_encoder), client=LOOPBACK) as client:
        before = value(samples(client), "advisor_rejections_total", reason="rate_limited")
        statuses = [client.get("/api/guides").status_code for _ in range(4)]
        after = value(samples(client), "advisor_rejections_total", reason="rate_limited")
    assert statuses == [200, 200, 429, 429]
    assert after - before == 2


def test_readyz_follows_the_index(client: TestClient, tmp_path: Path, served_encoder: MiniLMEmbedder) -> None:
    assert client.get("/readyz").json()["status"] == "ok"
    with TestClient(
        create_app(Settings(content_dir=CONTENT, index_dir=tmp_path), embedder_factory=lambda: served_encoder),
        client=LOOPBACK,
    ) as empty:
        ready = empty.get("/readyz")
        live = empty.get("/metrics")
        assert value(samples(empty), "advisor_ready") == 0
    assert ready.status_code == 503 and ready.headers["retry-after"] == "5"
    assert "no index" in ready.json()["detail"] and str(tmp_path) not in ready.json()["detail"]
    assert live.status_code == 200


@pytest.mark.parametrize(
    ("settings", "peer", "forwarded", "status"),
    [
        ({}, "127.0.0.1", None, 200),
        ({}, "::1", None, 200),
        ({}, "203.0.113.9", None, 403),
        ({}, "10.0.0.5", None, 403),
        ({}, "203.0.113.9", "127.0.0.1", 403),  # a forged header from a peer that is not a trusted proxy
        ({"trusted_proxies": "127.0.0.1"}, "127.0.0.1", "203.0.113.9", 403),  # the public, through our proxy
        ({"metrics_allow": "10.0.0.0/8"}, "10.1.2.3", None, 200),
        ({"metrics_allow": "10.0.0.0/8"}, "127.0.0.1", None, 403),
        ({"metrics_allow": "10.0.0.0/8", "trusted_proxies": "127.0.0.1"}, "127.0.0.1", "10.9.8.7", 200),
        ({"metrics_allow": "2001:db8::/32"}, "2001:db8::7", None, 200),
        ({"metrics_allow": "0.0.0.0/0, ::/0"}, "203.0.113.9", None, 200),
    ],
)
def test_metrics_answer_only_the_addresses_the_operator_allows(
    settings: dict[str, str], peer: str, forwarded: str | None, status: int
) -> None:
    async def scrape() -> tuple[int, int, str]:
        headers = {"X-Forwarded-For": forwarded} if forwarded else {}
        async with client_for(small_app(**settings), peer=peer) as client:
            got = await client.get("/metrics", headers=headers)
            head = await client.head("/metrics", headers=headers)
            return got.status_code, head.status_code, got.text

    got, head, body = asyncio.run(scrape())
    assert got == head == status, body
    if status == 403:
        assert "ADVISOR_METRICS_ALLOW" in body and "advisor_" not in body
    else:
        assert "advisor_http_requests_total" in body
