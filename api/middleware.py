"""Pure ASGI middleware that keeps the service up under garbage, abuse and overload.

Outermost first: AccessLog (request id, access line, metrics), then CORS (so refusals
below still carry CORS headers a browser widget can read), RateLimit (per client, /api/*),
InFlightLimit (a fast 503 instead of a queue), Deadline (per-request time limit),
BodyLimit (at most max_body_bytes read from the wire, chunked or not).
"""

from __future__ import annotations

import asyncio
import json
import math
import time
from collections.abc import Sequence

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api import logs, metrics
from api.ratelimit import IPNetwork, TokenBuckets, client_key

# Probes and scrapes must answer while the service is saturated: that is when they matter.
UNLIMITED_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})
CLIENT_GONE = 499  # logged when the client left before any response (nginx's convention)


async def send_error(send: Send, status: int, detail: str, headers: dict[str, str] | None = None) -> None:
    body = json.dumps({"detail": detail}).encode()
    raw = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    raw += [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


def route_label(scope: Scope) -> str:
    """The route template, never the raw path (which would make a label per URL anyone types)."""
    path = getattr(scope.get("route"), "path", None)
    return path if isinstance(path, str) else "unrouted"


def retry_after(seconds: float) -> dict[str, str]:
    return {"Retry-After": str(max(1, math.ceil(seconds)))}


class AccessLog:
    """Gives each request an id (X-Request-ID, echoed back), logs one line and records metrics."""

    def __init__(self, app: ASGIApp, log_questions: bool = False) -> None:
        self.app = app
        self.log_questions = log_questions

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id = logs.request_id_from(Headers(scope=scope).get("x-request-id"))
        scope.setdefault("state", {})["request_id"] = request_id
        token = logs.current.set(logs.RequestContext(request_id, self.log_questions))
        status = CLIENT_GONE

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []), (b"x-request-id", request_id.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            if status == CLIENT_GONE:
                status = 500  # what the server error handler outside this middleware will answer
            raise
        finally:
            logs.current.reset(token)
            seconds = time.perf_counter() - started
            metrics.observe_request(scope["method"], route_label(scope), status, seconds)
            logs.log_access(scope["method"], scope["path"], status, seconds, request_id)


class RateLimit:
    """A token bucket per client for paths under `prefix`: 429 with Retry-After when empty."""

    def __init__(
        self,
        app: ASGIApp,
        per_minute: float,
        burst: int,
        trusted_proxies: Sequence[IPNetwork] = (),
        prefix: str = "/api/",
    ) -> None:
        self.app = app
        self.buckets = TokenBuckets(per_minute, burst) if per_minute > 0 else None
        self.per_minute = per_minute
        self.trusted = tuple(trusted_proxies)
        self.prefix = prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.buckets is None or scope["type"] != "http" or not scope["path"].startswith(self.prefix):
            await self.app(scope, receive, send)
            return
        peer = scope["client"][0] if scope.get("client") else None
        forwarded = ",".join(Headers(scope=scope).getlist("x-forwarded-for")) or None
        wait = self.buckets.take(client_key(peer, forwarded, self.trusted))
        if wait > 0:
            metrics.count_rejection("rate_limited")
            detail = f"Too many requests: at most {self.per_minute:g} a minute. Try again in {math.ceil(wait)} s."
            await send_error(send, 429, detail, retry_after(wait))
            return
        await self.app(scope, receive, send)


class InFlightLimit:
    """At most `limit` requests handled at once; the next gets a 503 straight away."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit
        self.active = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in UNLIMITED_PATHS:
            await self.app(scope, receive, send)
            return
        if self.active >= self.limit:
            metrics.count_rejection("overloaded")
            await send_error(send, 503, "The Advisor is busy right now. Try again in a moment.", retry_after(1))
            return
        self.active += 1
        metrics.IN_FLIGHT.inc()
        try:
            await self.app(scope, receive, send)
        finally:
            self.active -= 1
            metrics.IN_FLIGHT.dec()


class Deadline:
    """A request that runs past `seconds` is answered 503, if nothing was sent yet."""

    def __init__(self, app: ASGIApp, seconds: float) -> None:
        self.app = app
        self.seconds = seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        deadline = asyncio.timeout(self.seconds)
        try:
            async with deadline:
                await self.app(scope, receive, tracking_send)
        except TimeoutError:
            if not deadline.expired():
                raise  # the app's own time-out, not ours
            metrics.count_rejection("timeout")
            if not started:
                detail = f"The Advisor took longer than {self.seconds:g} s to answer. Try again in a moment."
                await send_error(send, 503, detail, retry_after(5))


class BodyLimit:
    """Reads at most `max_bytes` of a request body before the app sees any of it: 413 past that.

    The check is on the bytes received, not on Content-Length alone, so a chunked body
    without one is cut off too; what was read is handed on to the app unchanged.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    def _too_large(self) -> str:
        return f"The request body is larger than {self.max_bytes} bytes."

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        if "content-length" not in headers and "transfer-encoding" not in headers:
            await self.app(scope, receive, send)
            return
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            metrics.count_rejection("too_large")
            await send_error(send, 413, self._too_large(), {"Connection": "close"})
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                metrics.count_rejection("too_large")
                await send_error(send, 413, self._too_large(), {"Connection": "close"})
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)
