"""Pure ASGI middleware that keeps the service up under garbage, abuse and overload.

Outermost first: AccessLog (request id, access line, metrics), HeadAsGet (HEAD answered as GET,
without the body), SecureHeaders (api/headers.py), then CORS (so refusals below still carry CORS
headers a browser widget can read), RateLimit (per client, /api/*), InFlightLimit (a fast 503
instead of a queue), Deadline (per-request time limit), BodyLimit (at most max_body_bytes read
from the wire, chunked or not, and never a compressed body).
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import time
from collections.abc import Sequence

from limits.errors import StorageError
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api import logs, metrics
from api.errors import safe_text
from api.ratelimit import ClientLimiter, IPNetwork, client_key

log = logging.getLogger("advisor")

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
        method = scope["method"]  # as sent: HeadAsGet, inside, answers a HEAD as a GET
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
            metrics.observe_request(method, route_label(scope), status, seconds)
            logs.log_access(method, scope["path"], status, seconds, request_id)


class HeadAsGet:
    """HEAD is answered as the GET of the same URL without its body (RFC 9110, 9.3.2): the same status
    and headers, Content-Length included. A URL that takes no GET answers HEAD 405 as well."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return
        scope["method"] = "GET"

        async def without_body(message: Message) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        await self.app(scope, receive, without_body)


class RateLimit:
    """A limit per client (api/ratelimit.py) for paths under `prefix`: 429 with Retry-After past it.

    When the shared storage (Redis) cannot be reached, requests go through unlimited, and the storage is
    tried again `retry_storage_s` later: the Advisor keeps answering while its limiter is down.
    """

    def __init__(
        self,
        app: ASGIApp,
        per_minute: float,
        burst: int,
        storage: str = "memory://",
        trusted_proxies: Sequence[IPNetwork] = (),
        prefix: str = "/api/",
        retry_storage_s: float = 5.0,
    ) -> None:
        self.app = app
        self.limiter = ClientLimiter(storage, per_minute, burst) if per_minute > 0 else None
        self.trusted = tuple(trusted_proxies)
        self.prefix = prefix
        self.retry_storage_s = retry_storage_s
        self._unlimited_until = 0.0
        self._next_log = 0.0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        limiter = self.limiter
        if limiter is None or scope["type"] != "http" or not scope["path"].startswith(self.prefix):
            await self.app(scope, receive, send)
            return
        wait = 0.0
        if time.monotonic() >= self._unlimited_until:
            peer = scope["client"][0] if scope.get("client") else None
            forwarded = ",".join(Headers(scope=scope).getlist("x-forwarded-for")) or None
            try:
                wait = await limiter.wait(client_key(peer, forwarded, self.trusted))
            except StorageError as exc:
                self._storage_down(exc)
        if wait > 0:
            metrics.count_rejection("rate_limited")
            detail = (
                f"Too many requests: at most {limiter.burst} requests in {limiter.window} s."
                f" Try again in {max(1, math.ceil(wait))} s."
            )
            await send_error(send, 429, detail, retry_after(wait))
            return
        await self.app(scope, receive, send)

    def _storage_down(self, exc: StorageError) -> None:
        now = time.monotonic()
        self._unlimited_until = now + self.retry_storage_s
        if now >= self._next_log:
            self._next_log = now + 60
            cause = exc.storage_error
            log.error(
                "rate limit storage cannot be reached; requests go through unlimited until it can: %s: %s",
                cause.__class__.__name__,
                safe_text(cause, 200),
            )


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
        encoding = headers.get("content-encoding", "").strip()
        if encoding and encoding.lower() != "identity":
            # Decompressing would let a small body grow past the limit; no browser compresses what it sends.
            detail = f"Content-Encoding {safe_text(encoding, 50)!r} is not supported: send the body uncompressed."
            await send_error(send, 415, detail, {"Accept-Encoding": "identity"})
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
