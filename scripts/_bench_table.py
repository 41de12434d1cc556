"""The benchmark's rows, their timing helpers, the table they print as, and what its sections share (Context)."""

from __future__ import annotations

import math
import os
import platform
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np


@dataclass
class Row:
    section: str
    measure: str
    value: float
    unit: str
    ratio: float | None = None  # to the bare in-process p50
    target: str = ""
    ok: bool | None = None


def ms(values: list[float], q: float) -> float:
    return float(np.percentile(values, q) * 1000)


def timed(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def machine() -> dict[str, Any]:
    cpu = next(
        (
            ln.split(":", 1)[1].strip()
            for ln in Path("/proc/cpuinfo").read_text().splitlines()
            if ln.startswith("model name")
        ),
        platform.processor(),
    )
    return {"cores": os.cpu_count(), "cpu": cpu, "python": platform.python_version(), "load_avg": os.getloadavg()}


def _number(value: float) -> str:
    if math.isnan(value):
        return "–"
    if value == int(value) and abs(value) >= 1:
        return f"{int(value)}"
    return f"{value:.3g}" if abs(value) < 100 else f"{value:.0f}"


def render(rows: list[Row], info: dict[str, Any], load_after: tuple[float, ...]) -> str:
    header = ("section", "measure", "value", "× bare", "target", "")
    body = [
        (
            r.section,
            r.measure,
            f"{_number(r.value)} {r.unit}".strip(),
            "" if r.ratio is None else f"{r.ratio:.2f}×",
            r.target,
            "" if r.ok is None else ("ok" if r.ok else "MISS"),
        )
        for r in rows
    ]
    widths = [max(len(str(x[i])) for x in [header, *body]) for i in range(len(header))]

    def line(cells: tuple[str, ...]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    out = [
        f"machine: {info['cores']} cores, {info['cpu']}, Python {info['python']}; "
        f"load average {info['load_avg'][0]:.2f} before, {load_after[0]:.2f} after",
        line(header),
        "|" + "|".join("-" * (w + 2) for w in widths) + "|",
        *(line(b) for b in body),
    ]
    return "\n".join(out) + "\n"


@dataclass
class Context:
    """What the bench's sections share: the index they serve, and the bare cost measured first."""

    index_dir: Path
    quick: bool
    bare_p50: float = math.nan  # ms
    one_worker_rate: float = math.nan
    ask_bare: Callable[[int], list[float]] | None = None  # n questions answered in-process, seconds each
