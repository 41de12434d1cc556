"""The bench's HTTP sections: the real server at concurrency 1 and 16, a repeated question, its memory, two
workers, and the load generator against a server that does nothing (scripts/bench.py runs them)."""

from __future__ import annotations

import time
import urllib.request

from api.launch import HOST, free_port, server
from scripts._bench_questions import QUESTIONS, Questions
from scripts._bench_scale import one_search_thread
from scripts._bench_table import Context, Row, ms
from scripts._load import LoadResult, ask_request, canned_server, drive


def _load_rows(label: str, result: LoadResult, bare: float) -> list[Row]:
    return [
        Row(label, "p50", result.ms(50), "ms", result.ms(50) / bare),
        Row(label, "p99", result.ms(99), "ms", result.ms(99) / bare),
    ]


def http_rows(ctx: Context) -> list[Row]:
    from api.settings import usable_cores

    rows: list[Row] = []
    bare = ctx.bare_p50
    questions = Questions()
    with server(ctx.index_dir) as srv:
        port = srv.port

        def requests(questions: list[str]) -> list[bytes]:
            return [ask_request(HOST, port, q) for q in questions]

        drive(HOST, port, requests(questions.take(48)), 4, 30)  # warm-up
        one, bare_beside = one_client(ctx, port, requests(questions.take(100 if ctx.quick else 300)))
        batch = requests(questions.take(800 if ctx.quick else 2400))
        server_cpu, own_cpu = srv.cpu_seconds(), time.process_time()
        sixteen = drive(HOST, port, batch, 16, 10)
        # CPU time per request is what a busy machine distorts least: it bounds the rate on idle cores.
        server_cpu, own_cpu = srv.cpu_seconds() - server_cpu, time.process_time() - own_cpu
        cpu_per_request = (server_cpu + own_cpu) / max(sixteen.count, 1)
        repeated = requests(questions.take(1)) * (200 if ctx.quick else 500)
        drive(HOST, port, repeated[:1], 1, 5)
        cached = drive(HOST, port, repeated, 1, 10)
        ctx.one_worker_rate = sixteen.rate
        with urllib.request.urlopen(
            urllib.request.Request(
                f"http://{HOST}:{port}/api/ask",
                data=repeated[0].split(b"\r\n\r\n", 1)[1],
                headers={"Content-Type": "application/json"},
            )
        ) as reply:
            reply_bytes = len(reply.read())
        rss = srv.peak_rss_mb()
        p99_16 = sixteen.ms(99)
        rows += [
            Row("HTTP, concurrency 1", "bare p50, measured between its blocks", bare_beside, "ms", bare_beside / bare)
        ]
        rows += _load_rows("HTTP, concurrency 1", one, bare_beside)
        rows[-2].target, rows[-2].ok = "≤ 1.3× bare", one.ms(50) <= 1.3 * bare_beside
        rows += [Row("HTTP, concurrency 1", "errors", one.errors, "", target="0", ok=one.errors == 0)]
        rows += _load_rows("HTTP, concurrency 16", sixteen, bare)
        rows[-1].target, rows[-1].ok = "≤ 100 ms", p99_16 <= 100
        rows += [
            Row("HTTP, concurrency 16", "throughput", sixteen.rate, "req/s", target="≥ 300", ok=sixteen.rate >= 300),
            Row("HTTP, concurrency 16", "errors", sixteen.errors, "", target="0", ok=sixteen.errors == 0),
            Row("HTTP, concurrency 16", "server CPU per request", server_cpu / max(sixteen.count, 1) * 1000, "ms"),
            Row("HTTP, concurrency 16", "load generator CPU per request", own_cpu / max(sixteen.count, 1) * 1000, "ms"),
            Row(
                "HTTP, concurrency 16",
                "CPU bound on idle cores (cores / both)",
                usable_cores() / cpu_per_request,
                "req/s",
            ),
        ]
        rows += _load_rows("HTTP, repeated question", cached, bare)
        rows[-2].target, rows[-2].ok = "≤ 2 ms", cached.ms(50) <= 2
        rows += [
            Row("server", "start to ready", srv.ready_seconds, "s", target="≤ 8 s", ok=srv.ready_seconds <= 8),
            Row("server", "peak RSS (VmHWM) after the runs", rss, "MB", target="≤ 700 MB", ok=rss <= 700),
        ]
    rows += loadgen_rows(ctx, reply_bytes)
    return rows


def one_client(ctx: Context, port: int, requests: list[bytes], blocks: int = 5) -> tuple[LoadResult, float]:
    """Concurrency 1 in blocks, each after a block of bare in-process questions; and the bare p50 of those.

    This machine's speed drifts by a quarter between minutes (other tenants), so the ratio compares
    measurements taken side by side rather than a minute apart.
    """
    assert ctx.ask_bare is not None, "bare_rows runs first"
    result, bare_times = LoadResult(), []
    size = -(-len(requests) // blocks)
    with one_search_thread():
        for start in range(0, len(requests), size):
            bare_times += ctx.ask_bare(10 if ctx.quick else 40)
            part = drive(HOST, port, requests[start : start + size], 1, 20 / blocks)
            result.latencies += part.latencies
            result.errors += part.errors
            result.seconds += part.seconds
    return result, ms(bare_times, 50)


def loadgen_rows(ctx: Context, body_bytes: int) -> list[Row]:
    """The load generator against a server that does nothing: its own ceiling and latency."""
    port = free_port()
    process = canned_server(port, body_bytes)
    try:
        request = ask_request(HOST, port, QUESTIONS[0])
        drive(HOST, port, [request] * 200, 16, 5)
        result = drive(HOST, port, [request] * (3000 if ctx.quick else 10000), 16, 5)
    finally:
        process.terminate()
        process.wait(timeout=10)
    return [
        Row("load generator alone", "ceiling at concurrency 16 (no-op server)", result.rate, "req/s"),
        Row("load generator alone", "p50 at concurrency 16 (no-op server)", result.ms(50), "ms"),
    ]


def worker_rows(ctx: Context) -> list[Row]:
    questions = Questions()
    # The cores are shared out between the processes: one model worker each.
    with server(ctx.index_dir, workers=2, model_workers="1") as srv:
        port = srv.port
        drive(HOST, port, [ask_request(HOST, port, q) for q in questions.take(64)], 16, 30)
        result = drive(HOST, port, [ask_request(HOST, port, q) for q in questions.take(2400)], 16, 10)
        rss = srv.peak_rss_mb()
    return [
        Row("workers", "throughput at concurrency 16, 1 worker", ctx.one_worker_rate, "req/s"),
        Row("workers", "throughput at concurrency 16, 2 workers", result.rate, "req/s"),
        Row("workers", "p99 at concurrency 16, 2 workers", result.ms(99), "ms", result.ms(99) / ctx.bare_p50),
        Row("workers", "errors, 2 workers", result.errors, "", target="0", ok=result.errors == 0),
        Row("workers", "start to ready, 2 workers", srv.ready_seconds, "s"),
        Row("workers", "peak RSS, master + 2 workers", rss, "MB"),
    ]
