"""Abuse and overload: per-client rate limit, in-flight cap, per-request deadline."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from api import hardening
from api.ratelimit import TokenBuckets, client_key, parse_networks
from api.settings import Settings


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_bucket_allows_the_burst_then_the_rate() -> None:
    clock = FakeClock()
    buckets = TokenBuckets(per_minute=60, burst=3, clock=clock)
    assert [buckets.take("a") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert buckets.take("a") == pytest.approx(1.0)
    assert buckets.take("b") == 0.0  # another client has its own bucket
    clock.now += 1.0
    assert buckets.take("a") == 0.0
    assert buckets.take("a") > 0


def test_the_bucket_table_stays_bounded() -> None:
    clock = FakeClock()
    buckets = TokenBuckets(per_minute=60, burst=5, max_clients=100, clock=clock)
    for i in range(10_000):
        buckets.take(f"client-{i}")
    assert len(buckets) == 100
    clock.now += 5.0  # every bucket has refilled: an idle client is forgotten
    buckets.take("late")
    assert len(buckets) == 1


def test_an_active_client_is_not_forgotten_while_its_bucket_is_empty() -> None:
    clock = FakeClock()
    buckets = TokenBuckets(per_minute=60, burst=2, clock=clock)
    buckets.take("a"), buckets.take("a")
    clock.now += 0.5
    buckets.take("b")
    assert buckets.take("a") > 0


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

    app.add_middleware(CORSMiddleware, allow_origins=["*"])  # as create_app does, before install
    hardening.install(app, Settings(**settings))
    return app


def client_for(app: FastAPI, peer: str = "127.0.0.1") -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=(peer, 5000)), base_url="http://test")


def test_past_the_burst_a_client_gets_429_with_retry_after() -> None:
    async def scenario() -> None:
        app = small_app(rate_limit_per_minute=60, rate_limit_burst=3)
        async with client_for(app) as client:
            statuses = [(await client.get("/api/ping")).status_code for _ in range(3)]
            limited = await client.get("/api/ping")
            assert (await client.get("/readyz")).status_code == 503  # not limited: not /api/ (503: no index)
        assert statuses == [200, 200, 200]
        assert limited.status_code == 429 and limited.headers["retry-after"] == "1"
        assert "at most 60 a minute" in limited.json()["detail"]
        async with client_for(app, peer="127.0.0.2") as other:
            assert (await other.get("/api/ping")).status_code == 200

    asyncio.run(scenario())


def test_forwarded_for_counts_only_behind_a_trusted_proxy() -> None:
    async def statuses(trusted: str) -> list[int]:
        app = small_app(rate_limit_burst=1, trusted_proxies=trusted)
        async with client_for(app) as client:
            return [
                (await client.get("/api/ping", headers={"X-Forwarded-For": f"198.51.100.{i}"})).status_code
                for i in range(3)
            ]

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
        async with client_for(small_app(rate_limit_burst=1)) as client:
            await client.get("/api/ping", headers={"Origin": "https://guide.example"})
            return await client.get("/api/ping", headers={"Origin": "https://guide.example"})

    response = asyncio.run(scenario())
    assert response.status_code == 429
    assert response.headers["access-control-allow-origin"] == "*"


def test_the_apps_own_time_outs_are_not_mistaken_for_the_deadline() -> None:
    async def scenario() -> httpx.Response:
        transport = httpx.ASGITransport(app=small_app(request_timeout=5), raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return await client.get("/api/own-timeout")

    response = asyncio.run(scenario())
    assert response.status_code == 500 and "Internal error" in response.json()["detail"]
