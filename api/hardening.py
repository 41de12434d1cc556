"""Wires the protections into an app: error handlers, middleware, readiness and metrics."""

from __future__ import annotations

from fastapi import FastAPI
from starlette.middleware import Middleware

from api import ops
from api.errors import install_error_handlers
from api.middleware import AccessLog, BodyLimit, Deadline, InFlightLimit, RateLimit
from api.ratelimit import parse_networks
from api.settings import Settings


def install(app: FastAPI, settings: Settings) -> None:
    """Call once, after the other middleware (CORS) is added.

    The access log goes outside everything so that every response is logged and counted;
    the limits go inside CORS so that a browser can read a 429 or 503 and say so.
    """
    install_error_handlers(app)
    app.include_router(ops.router)
    app.user_middleware.insert(0, Middleware(AccessLog, log_questions=settings.log_questions))
    app.user_middleware.extend(
        [
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
    )
