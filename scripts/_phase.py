"""One phase of the load test (scripts/loadtest.py): what was sent, each reply's status and latency, and how late
the client itself was against its schedule (a late client would hide the server's latency)."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Awaitable
from dataclasses import dataclass, field
from typing import Any

REQUEST_TIMEOUT = 30.0


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q / 100 * len(ordered)))] if ordered else float("nan")


@dataclass
class Phase:
    name: str
    seconds: float = 0.0
    sent: int = 0
    statuses: Counter[str] = field(default_factory=Counter)
    latencies: dict[str, list[float]] = field(default_factory=dict)
    lag: list[float] = field(default_factory=list)  # how late this client sent, against the schedule
    load_before: tuple[float, float, float] = (0.0, 0.0, 0.0)
    load_after: tuple[float, float, float] = (0.0, 0.0, 0.0)
    extra: dict[str, Any] = field(default_factory=dict)

    def record(self, status: str, seconds: float) -> None:
        self.statuses[status] += 1
        self.latencies.setdefault(status, []).append(seconds)

    def ms(self, status: str, q: float) -> float:
        return _quantile(self.latencies.get(status, []), q) * 1000

    def summary(self) -> dict[str, Any]:
        return {
            "phase": self.name,
            "seconds": round(self.seconds, 1),
            "sent": self.sent,
            "rate": round(self.sent / self.seconds, 1) if self.seconds else 0,
            "statuses": dict(sorted(self.statuses.items())),
            "latency_ms": {
                s: {"p50": round(self.ms(s, 50), 1), "p99": round(self.ms(s, 99), 1), "max": round(self.ms(s, 100), 1)}
                for s in sorted(self.latencies)
            },
            "client_lag_ms": {
                "p50": round(_quantile(self.lag, 50) * 1000, 1),
                "p99": round(_quantile(self.lag, 99) * 1000, 1),
            },
            "load_before": self.load_before,
            "load_after": self.load_after,
            **self.extra,
        }


async def timed(phase: Phase, call: Awaitable[tuple[int, bytes]], started: float) -> None:
    phase.lag.append(time.perf_counter() - started)
    try:
        status, _ = await asyncio.wait_for(call, REQUEST_TIMEOUT)
        label = str(status)
    except TimeoutError:
        label = "timeout"
    except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
        label = f"error:{exc.__class__.__name__}"
    phase.record(label, time.perf_counter() - started)
