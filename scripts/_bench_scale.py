"""How the index's cost grows: build and search at 1k, 10k and 100k vectors, exact and approximate."""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

from scripts._bench_table import Row, ms

SCALE_SIZES = (1_000, 10_000, 100_000)
DIM = 384
SEARCH_QUERIES = 200


@contextmanager
def one_search_thread() -> Iterator[None]:
    """FAISS searching as the server does (one query per thread); builds keep all of its threads."""
    import faiss

    from index.store.vectors import search_one_query_per_thread

    threads = faiss.omp_get_max_threads()
    search_one_query_per_thread()
    try:
        yield
    finally:
        faiss.omp_set_num_threads(threads)


def unit_vectors(rng: np.random.Generator, n: int, intrinsic: int | None) -> np.ndarray:
    """Random unit vectors; with `intrinsic`, near a random subspace of that dimension, as sentence
    embeddings are (uniform ones are the worst case for any approximate index: all neighbours tie)."""
    if intrinsic is None:
        x = rng.standard_normal((n, DIM), dtype=np.float32)
    else:
        basis = np.random.default_rng(7).standard_normal((intrinsic, DIM), dtype=np.float32)
        x = rng.standard_normal((n, intrinsic), dtype=np.float32) @ basis
        x += 0.3 * math.sqrt(intrinsic) * rng.standard_normal((n, DIM), dtype=np.float32)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    return x


def _search_times(index: Any, queries: np.ndarray) -> tuple[list[float], list[set[int]]]:
    times, found = [], []
    with one_search_thread():
        for q in queries:
            started = time.perf_counter()
            _, ids = index.search(q.reshape(1, -1), 10)
            times.append(time.perf_counter() - started)
            found.append({int(i) for i in ids[0]})
    return times, found


def scale_rows(quick: bool) -> list[Row]:
    from index.store.vectors import VectorIndex

    rows: list[Row] = []
    rng = np.random.default_rng(0)
    sizes = SCALE_SIZES[:2] if quick else SCALE_SIZES
    cases = [(n, 48, "") for n in sizes] + [(10_000, None, ", uniform (worst case)")]
    for n, intrinsic, note in cases:
        data, queries = unit_vectors(rng, n, intrinsic), unit_vectors(rng, SEARCH_QUERIES, intrinsic)
        truth: list[set[int]] = []
        for approximate in (False, True):
            started = time.perf_counter()
            index = VectorIndex.build(data, approximate=approximate)
            seconds = time.perf_counter() - started
            times, found = _search_times(index, queries)
            if not approximate:
                truth = found
                if note:
                    continue  # the flat rows for these sizes are above
            label = f"{n // 1000}k vectors{note}, {index.kind}"
            p50 = Row("index scale", f"{label}: search p50 (k=10)", ms(times, 50), "ms")
            if approximate and n == 100_000:
                p50.target, p50.ok = "≤ 5 ms", p50.value <= 5
            rows += [
                Row("index scale", f"{label}: build", seconds, "s"),
                p50,
                Row("index scale", f"{label}: search p99", ms(times, 99), "ms"),
            ]
            if approximate:
                recall = float(np.mean([len(f & t) / 10 for f, t in zip(found, truth, strict=True)]))
                target = "info: all neighbours nearly tie" if note else "≥ 0.98"
                rows.append(
                    Row(
                        "index scale",
                        f"{label}: recall@10 vs flat",
                        recall,
                        "",
                        target=target,
                        ok=None if note else recall >= 0.98,
                    )
                )
    return rows
