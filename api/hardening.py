"""Wires the protections into an app: error handlers, middleware, readiness and metrics."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from starlette.middleware import Middleware

from api import ops
from api.errors import install_error_handlers
from api.headers import SecureHeaders
from api.middleware import AccessLog, BodyLimit, Deadline, HeadAsGet, InFlightLimit, RateLimit
from api.ratelimit import parse_networks
from api.settings import Settings

# Headers a browser caller may send, and may read from an answer, beyond the CORS-safelisted ones.
REQUEST_HEADERS = ["Content-Type", "X-Request-ID"]
EXPOSED_HEADERS = ["X-Request-ID", "Retry-After"]


def install(app: FastAPI, settings: Settings) -> None:
    """Call once, after the routes are added.

    The access log goes outside everything so that every response is logged and counted; HEAD and the
    secure headers next, so that every answer, refusals included, has them; the limits go inside CORS so
    that a browser can read a 429 or 503 and say so.
    """
    app.state.settings = settings  # what the routes read: /metrics its allow-list among them
    install_error_handlers(app)
    app.include_router(ops.router)
    app.user_middleware[0:0] = [
        Middleware(AccessLog, log_questions=settings.log_questions),
        Middleware(HeadAsGet),
        Middleware(SecureHeaders),
        Middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_credentials=False,
            allow_methods=["GET", "POST"],
            allow_headers=REQUEST_HEADERS,
            expose_headers=EXPOSED_HEADERS,
            max_age=600,
        ),
        Middleware(
            RateLimit,
            per_minute=settings.rate_limit_per_minute,
            burst=settings.rate_limit_burst,
            storage=settings.rate_limit_storage,
            trusted_proxies=parse_networks(settings.trusted_proxies),
        ),
        Middleware(InFlightLimit, limit=settings.max_in_flight),
        Middleware(Deadline, seconds=settings.request_timeout),
        Middleware(BodyLimit, max_bytes=settings.max_body_bytes),
    ]
