"""Prometheus metrics, and the small calls the rest of the service makes to record them.

Labels are bounded: routes are the app's route templates (never raw paths), statuses are
HTTP codes, reasons and outcomes are fixed words.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Literal, TypeVar

from prometheus_client import REGISTRY, Counter, Gauge, Histogram, generate_latest

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
BATCH_BUCKETS = (1, 2, 4, 8, 16, 32, 64, 128)

T = TypeVar("T")
Rejection = Literal["rate_limited", "overloaded", "timeout", "too_large"]

REQUESTS = Counter("advisor_http_requests", "HTTP requests answered.", ["method", "route", "status"])
LATENCY = Histogram(
    "advisor_http_request_duration_seconds",
    "Time from the request's arrival to the end of its response.",
    ["method", "route", "status"],
    buckets=LATENCY_BUCKETS,
)
IN_FLIGHT = Gauge("advisor_http_requests_in_flight", "Requests being handled now (health and metrics excluded).")
REJECTIONS = Counter("advisor_rejections", "Requests refused to protect the service.", ["reason"])
ANSWERS = Counter("advisor_answers", "Questions answered from the guides or refused as not covered.", ["outcome"])
CACHE = Counter("advisor_answer_cache", "Answer-cache look-ups.", ["result"])
BATCH_SIZE = Histogram("advisor_batch_size", "Questions embedded together in one model call.", buckets=BATCH_BUCKETS)
READY = Gauge("advisor_ready", "1 when the index is loaded and valid, else 0.")
FEEDBACK = Counter("advisor_feedback", "Votes on answers stored from POST /api/feedback.", ["vote"])


def observe_request(method: str, route: str, status: int, seconds: float) -> None:
    labels = (method, route, str(status))
    REQUESTS.labels(*labels).inc()
    LATENCY.labels(*labels).observe(seconds)


def count_rejection(reason: Rejection) -> None:
    REJECTIONS.labels(reason).inc()


def count_answer(answered: bool) -> None:
    ANSWERS.labels("answered" if answered else "not_covered").inc()


def count_cache(hit: bool) -> None:
    """For the answer cache: one call per look-up."""
    CACHE.labels("hit" if hit else "miss").inc()


def observe_batch_size(n: int) -> None:
    """For the micro-batcher: one call per model call, with the number of questions in it."""
    BATCH_SIZE.observe(n)


def observing_batches(encode: Callable[[Sequence[str]], T]) -> Callable[[Sequence[str]], T]:
    """`encode`, recording the size of every batch it is called with."""

    def observed(texts: Sequence[str]) -> T:
        observe_batch_size(len(texts))
        return encode(texts)

    return observed


def count_feedback(vote: Literal["helpful", "not_helpful"]) -> None:
    FEEDBACK.labels(vote).inc()


def set_ready(ready: bool) -> None:
    READY.set(1 if ready else 0)


def exposition() -> bytes:
    return generate_latest(REGISTRY)
