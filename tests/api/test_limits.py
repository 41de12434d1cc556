"""Abuse and overload: per-client rate limit, in-flight cap, per-request deadline."""

from __future__ import annotations

import asyncio
import logging
import time

import httpx
import pytest
from pydantic import ValidationError

from api.ratelimit import client_key, parse_networks, window_seconds
from api.settings import Settings
from tests.api.helpers import client_for, fresh_window, small_app
from tests.helpers import free_port


def test_the_window_is_the_burst_at_the_rate() -> None:
    assert window_seconds(per_minute=60, burst=30) == 30
    assert window_seconds(per_minute=600, burst=30) == 3
    assert window_seconds(per_minute=7, burst=2) == 18  # 17.1 s, rounded up: the rate is never exceeded
    assert window_seconds(per_minute=1000, burst=1) == 1


@pytest.mark.parametrize("url", ["memcached://127.0.0.1:11211", "redis//no-scheme", "mongodb://x", "file:///tmp/x"])
def test_an_unsupported_rate_limit_storage_is_refused_by_name(url: str) -> None:
    with pytest.raises(ValidationError, match="ADVISOR_RATE_LIMIT_STORAGE"):
        Settings(rate_limit_storage=url)


def test_a_redis_that_cannot_be_reached_lets_requests_through_and_says_so(caplog: pytest.LogCaptureFixture) -> None:
    async def scenario() -> list[int]:
        app = small_app(rate_limit_burst=1, rate_limit_storage=f"redis://127.0.0.1:{free_port()}/0")
        async with client_for(app) as client:
            return [(await client.get("/api/ping")).status_code for _ in range(3)]

    caplog.set_level(logging.ERROR, logger="advisor")
    assert asyncio.run(scenario()) == [200, 200, 200]
    errors = [r.getMessage() for r in caplog.records if r.name == "advisor" and r.levelno >= logging.ERROR]
    assert len(errors) == 1 and "rate limit storage" in errors[0], errors


TRUSTED = parse_networks(["127.0.0.1", "10.0.0.0/8"])


@pytest.mark.parametrize(
    ("peer", "forwarded", "expected"),
    [
        ("203.0.113.9", "198.51.100.1", "203.0.113.9"),  # not a trusted proxy: its header is ignored
        ("127.0.0.1", "198.51.100.1", "198.51.100.1"),
        ("127.0.0.1", "198.51.100.7, 10.1.2.3", "198.51.100.7"),  # through two trusted proxies
        ("127.0.0.1", "6.6.6.6, 198.51.100.7", "198.51.100.7"),  # the client's own claim is not believed
        ("127.0.0.1", "garbage, 198.51.100.7", "198.51.100.7"),
        ("127.0.0.1", "not-an-ip", "127.0.0.1"),
        ("127.0.0.1", None, "127.0.0.1"),
        ("2001:db8:1:2:3:4:5:6", None, "2001:db8:1:2::/64"),
        ("::ffff:198.51.100.3", None, "198.51.100.3"),
        (None, None, "unknown"),
    ],
)
def test_client_key(peer: str | None, forwarded: str | None, expected: str) -> None:
    assert client_key(peer, forwarded, TRUSTED) == expected


def test_past_the_burst_a_client_gets_429_with_retry_after() -> None:
    async def scenario() -> None:
        app = small_app(rate_limit_per_minute=60, rate_limit_burst=3)
        async with client_for(app) as client:
            statuses = [(await client.get("/api/ping")).status_code for _ in range(3)]
            limited = await client.get("/api/ping")
            assert (await client.get("/readyz")).status_code == 503  # not limited: not /api/ (503: no index)
        assert statuses == [200, 200, 200]
        assert limited.status_code == 429 and 1 <= int(limited.headers["retry-after"]) <= 3
        assert "at most 3 requests in 3 s" in limited.json()["detail"]
        async with client_for(app, peer="127.0.0.2") as other:
            assert (await other.get("/api/ping")).status_code == 200

    fresh_window(3)
    asyncio.run(scenario())


def test_forwarded_for_counts_only_behind_a_trusted_proxy() -> None:
    async def statuses(trusted: str) -> list[int]:
        app = small_app(rate_limit_per_minute=1, rate_limit_burst=1, trusted_proxies=trusted)
        async with client_for(app) as client:
            return [
                (await client.get("/api/ping", headers={"X-Forwarded-For": f"198.51.100.{i}"})).status_code
                for i in range(3)
            ]

    fresh_window(60)
    assert asyncio.run(statuses("127.0.0.1")) == [200, 200, 200]  # three clients behind our proxy
    assert asyncio.run(statuses("10.9.9.9")) == [200, 429, 429]  # one client faking the header


def test_the_rate_limit_can_be_turned_off() -> None:
    async def scenario() -> list[int]:
        async with client_for(small_app(rate_limit_per_minute=0, rate_limit_burst=1)) as client:
            return [(await client.get("/api/ping")).status_code for _ in range(50)]

    assert set(asyncio.run(scenario())) == {200}


def test_past_the_in_flight_cap_a_request_gets_a_fast_503() -> None:
    async def scenario() -> None:
        app = small_app(max_in_flight=2, rate_limit_per_minute=0)
        async with client_for(app) as client:
            waiting = [asyncio.create_task(client.get("/api/wait")) for _ in range(2)]
            await asyncio.sleep(0.2)
            started = time.perf_counter()
            refused = await client.get("/api/ping")
            refused_in = time.perf_counter() - started
            health = await client.get("/readyz")  # probes are never refused
            metrics = await client.get("/metrics")
            app.state.release.set()
            done = await asyncio.gather(*waiting)
            after = await client.get("/api/ping")
        assert refused.status_code == 503 and refused.headers["retry-after"] == "1"
        assert "busy" in refused.json()["detail"] and refused_in < 0.5
        assert health.status_code == 503 and metrics.status_code == 200  # 503 here: no index in this app
        assert [r.status_code for r in done] == [200, 200]
        assert after.status_code == 200

    asyncio.run(scenario())


def test_a_request_past_the_deadline_gets_a_503() -> None:
    async def scenario() -> httpx.Response:
        async with client_for(small_app(request_timeout=0.3)) as client:
            return await client.get("/api/slow")

    started = time.perf_counter()
    response = asyncio.run(scenario())
    assert time.perf_counter() - started < 5
    assert response.status_code == 503 and response.headers["retry-after"] == "5"
    assert "longer than 0.3 s" in response.json()["detail"]


def test_refusals_still_carry_cors_headers_for_the_widget() -> None:
    async def scenario() -> httpx.Response:
        async with client_for(small_app(rate_limit_per_minute=1, rate_limit_burst=1)) as client:
            await client.get("/api/ping", headers={"Origin": "https://guide.example"})
            return await client.get("/api/ping", headers={"Origin": "https://guide.example"})

    fresh_window(60)
    response = asyncio.run(scenario())
    assert response.status_code == 429
    assert response.headers["access-control-allow-origin"] == "*"
    exposed = {h.strip().lower() for h in response.headers["access-control-expose-headers"].split(",")}
    assert {"retry-after", "x-request-id"} <= exposed  # so the widget can read when to try again
    assert response.headers["cache-control"] == "no-store"


def test_the_apps_own_time_outs_are_not_mistaken_for_the_deadline() -> None:
    async def scenario() -> httpx.Response:
        transport = httpx.ASGITransport(app=small_app(request_timeout=5), raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return await client.get("/api/own-timeout")

    response = asyncio.run(scenario())
    assert response.status_code == 500 and "Internal error" in response.json()["detail"]
