#!/usr/bin/env python3
"""How fast the Advisor answers, and how far that is from the cost of the work itself.

Usage: scripts/bench.py [--json] [--quick] [--skip SECTION ...]

Starts the real server (the Dockerfile's CMD on a free loopback port), drives it over HTTP with
bounded request counts and durations, measures the same work in this process without HTTP (the
"bare" cost every latency is compared with), then the index at growing sizes, and prints one table.
Sections: http (server, cache, start-up, memory, load generator), workers, build, scale.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import platform
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scripts._cli import Parser
from scripts._load import LoadResult, ask_request, canned_server, drive
from scripts._server import docker_command, free_port

ROOT = Path(__file__).resolve().parents[1]
CONTENT = ROOT / "content"
HOST = "127.0.0.1"
SECTIONS = ("http", "workers", "build", "scale")
SCALE_SIZES = (1_000, 10_000, 100_000)
DIM = 384
SEARCH_QUERIES = 200

# Applicants' questions about the guide; prefixes and suffixes make each request a distinct
# question after normalisation, so only the "repeated question" row can hit a cache.
QUESTIONS = (
    "can I email about visa sponsorship before interviews",
    "how many letters of intent can I send?",
    "should I ask a program directly for a pre-match offer",
    "can I tell more than one program they are my top choice",
    "what should a thank-you email after the interview say",
    "is it okay if my mentor contacts a program for me",
    "when should I send a letter of interest",
    "how often can I email a program coordinator",
    "what is the difference between pre-match communication and a pre-match offer",
    "does a program saying they are very interested mean I will match there",
    "can I ask whether the program sponsors J-1 or H-1B visas",
    "how do I update a program about a new publication",
    "what are the NRMP rules about post-interview communication",
    "can programs ask me how I will rank them",
    "what makes an IMG a strong fit for PM&R",
    "should I send an LOI to more than one program",
    "how long should a post-interview thank-you note be",
    "is it unprofessional to follow up twice",
    "what should I avoid writing in emails to programs",
    "can I mention other interviews in my letter of intent",
    "how do I ask about visa sponsorship politely",
    "why is PM&R unique for international medical graduates",
    "who should I address my thank-you email to",
    "when is the best time to send a letter of intent",
    "can I call a program instead of emailing",
    "what does the ACGME say about pre-match offers",
    "how can mentors help me ethically before the match",
    "should my letter of intent say I will rank them first",
    "what should I do if a program offers me a position before the match",
    "is USCE important for PM&R programs",
    "can I send a research update after my interview",
    "how do I show genuine interest in a program",
    "what is a good subject line for a thank-you email",
    "should I email the PD or the coordinator",
    "can I ask about my chances of matching",
    "is a letter of interest binding",
    "what to write in a post-interview update with a new achievement",
    "do programs keep track of how often I email them",
    "how do I build rapport without overstepping",
    "what is the rank order list deadline",
)
PREFIXES = (
    "",
    "hi, ",
    "quick question: ",
    "as a non-US IMG, ",
    "please tell me ",
    "I wonder ",
    "sorry, ",
    "so ",
    "hello! ",
)
SUFFIXES = (
    "",
    " thanks",
    " this season",
    " for PM&R",
    " right now",
    " in my case",
    " please",
    " as an IMG",
    " ok",
    " now",
)


@dataclass
class Row:
    section: str
    measure: str
    value: float
    unit: str
    ratio: float | None = None  # to the bare in-process p50
    target: str = ""
    ok: bool | None = None


def question_pool() -> Iterator[str]:
    for suffix in SUFFIXES:
        for prefix in PREFIXES:
            for question in QUESTIONS:
                yield f"{prefix}{question}{suffix}"


class Questions:
    """Hands out each distinct question once: one of these per server (a cache lives in a server)."""

    def __init__(self) -> None:
        self._pool = question_pool()

    def take(self, n: int) -> list[str]:
        taken = [q for _, q in zip(range(n), self._pool, strict=False)]
        if len(taken) < n:
            raise RuntimeError("the question pool is exhausted: lower the request counts")
        return taken


def ms(values: list[float], q: float) -> float:
    return float(np.percentile(values, q) * 1000)


def timed(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


# --- the server --------------------------------------------------------------------------------


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    port: int
    ready_seconds: float

    def peak_rss_mb(self) -> float:
        """VmHWM of the server process and of its worker processes, summed."""
        pids = [self.process.pid, *_children(self.process.pid)]
        return sum(_status_kb(pid, "VmHWM") for pid in pids) / 1024

    def cpu_seconds(self) -> float:
        """User + system CPU time of the server process and of its worker processes."""
        pids = [self.process.pid, *_children(self.process.pid)]
        ticks = sum(
            sum(int(v) for v in Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[11:13]) for pid in pids
        )
        return ticks / os.sysconf("SC_CLK_TCK")


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def _status_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def _healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://{HOST}:{port}/healthz", timeout=2) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


@contextmanager
def server(index_dir: Path, workers: int = 1, timeout: float = 120, **settings: str) -> Iterator[Server]:
    """The image's command on a free port; `settings` are extra ADVISOR_* variables (lower-case names)."""
    port = free_port()
    command = [sys.executable, "-m", *docker_command(HOST, port)]
    if workers > 1:
        command += ["--workers", str(workers)]
    env = {
        **os.environ,
        "ADVISOR_CONTENT_DIR": str(CONTENT),
        "ADVISOR_INDEX_DIR": str(index_dir),
        "ADVISOR_RATE_LIMIT_PER_MINUTE": "0",  # one loopback client would otherwise be throttled
        **{f"ADVISOR_{name.upper()}": value for name, value in settings.items()},
    }
    with tempfile.NamedTemporaryFile("w+b", suffix=".log") as log:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = started + timeout
            # Each worker logs this once its lifespan has loaded the model and index.
            while Path(log.name).read_bytes().count(b"Application startup complete") < workers or not _healthy(port):
                if process.poll() is not None or time.perf_counter() > deadline:
                    raise RuntimeError(f"server did not start:\n{Path(log.name).read_text()[-2000:]}")
                time.sleep(0.01)
            yield Server(process, port, time.perf_counter() - started)
        finally:
            process.terminate()
            process.wait(timeout=30)


# --- sections ----------------------------------------------------------------------------------


@dataclass
class Context:
    index_dir: Path
    quick: bool
    bare_p50: float = math.nan  # ms
    one_worker_rate: float = math.nan
    ask_bare: Callable[[int], list[float]] | None = None  # n questions answered in-process, seconds each


def build_rows(ctx: Context, embedder: Any) -> list[Row]:
    from index.build import build_index, chunk_guides, unit_texts
    from index.content import load_guides

    report = build_index(CONTENT, ctx.index_dir, embedder)
    chunks = chunk_guides(load_guides(CONTENT))
    texts = [c.embed_text for c in chunks] + unit_texts(chunks)
    embed_seconds = min(timed(lambda: _encode_batches(embedder, texts)) for _ in range(2))
    return [
        Row(
            "guide index",
            f"build ({report.chunks} chunks + {len(texts) - report.chunks} sentences)",
            report.seconds,
            "s",
        ),
        Row("guide index", "build throughput", len(texts) / report.seconds, "texts/s"),
        Row("embedding", "throughput on the guide's text (batches of 64)", len(texts) / embed_seconds, "chunks/s"),
    ]


def _encode_batches(embedder: Any, texts: list[str]) -> None:
    for start in range(0, len(texts), 64):
        embedder.encode(texts[start : start + 64])


@contextmanager
def one_search_thread() -> Iterator[None]:
    """FAISS searching as the server does (one query per thread); builds keep all of its threads."""
    import faiss

    from index.store import search_one_query_per_thread

    threads = faiss.omp_get_max_threads()
    search_one_query_per_thread()
    try:
        yield
    finally:
        faiss.omp_set_num_threads(threads)


def bare_rows(ctx: Context) -> list[Row]:
    """The same work as one request, in this process, run as the server runs it (the question graph,
    model threads from the same settings, one FAISS thread); once more with a model thread per core,
    and once with the other question graph, for reference."""
    from api.main import question_encoder
    from api.settings import Settings, usable_cores
    from index.advisor import Advisor
    from index.embeddings import MiniLMEmbedder

    settings = Settings()
    other = "fp32" if settings.model_precision == "int8" else "int8"
    cores = usable_cores()
    questions = Questions()
    base = f"http://{HOST}:8000"

    def ask_each(advisor: Advisor, n: int, idle: float = 0.0) -> list[float]:
        for question in questions.take(10):
            advisor.ask(question, 3, base)
        times = []
        for question in questions.take(n):
            time.sleep(idle)
            times.append(timed(partial(advisor.ask, question, 3, base)))
        return times

    def together(advisor: Advisor, group: list[str]) -> None:
        vectors = advisor.embedder.encode([advisor.embedding_text(q) for q in group])
        for question, vector in zip(group, vectors, strict=True):
            advisor.answer(question, vector, 3, base)

    def encode_and_search(advisor: Advisor, question: str) -> None:
        advisor.retriever.search(advisor.repair(question), advisor.embed_question(question), 3)

    def encoder(**changes: Any) -> MiniLMEmbedder:
        return question_encoder(settings.model_copy(update=changes))

    served = Advisor.load(CONTENT, ctx.index_dir, encoder())
    every_core = Advisor.load(CONTENT, ctx.index_dir, encoder(model_threads=0))
    other_graph = Advisor.load(CONTENT, ctx.index_dir, encoder(model_precision=other))
    with one_search_thread():
        asked = ask_each(served, 60 if ctx.quick else 200)
        group = questions.take(16)
        per_question = min(timed(partial(together, served, group)) for _ in range(4 if ctx.quick else 10)) / 16
        every_core_p50 = ms(ask_each(every_core, 30 if ctx.quick else 60), 50)
        other_p50 = ms(ask_each(other_graph, 30 if ctx.quick else 60), 50)
        searched = [timed(partial(encode_and_search, served, q)) for q in questions.take(60 if ctx.quick else 200)]
        # One client leaves the cores idle between its requests, and a vCPU woken from idle runs slower for a while.
        idle_p50 = ms(ask_each(served, 60 if ctx.quick else 200, idle=0.001), 50)
    ctx.bare_p50 = ms(asked, 50)
    ctx.ask_bare = partial(ask_each, served)
    threads = settings.model_threads or cores
    label = f"{settings.model_precision} model on {threads} thread{'s' if threads > 1 else ''}"
    return [
        Row("bare, in-process", f"encode + search + answer, p50 ({label})", ctx.bare_p50, "ms", 1.0),
        Row("bare, in-process", "encode + search + answer, p99", ms(asked, 99), "ms", ms(asked, 99) / ctx.bare_p50),
        Row(
            "bare, in-process",
            f"the same p50, model on {cores} threads",
            every_core_p50,
            "ms",
            every_core_p50 / ctx.bare_p50,
        ),
        Row(
            "bare, in-process",
            "encode + search only (no verdict, no answer), p50",
            ms(searched, 50),
            "ms",
            ms(searched, 50) / ctx.bare_p50,
        ),
        Row("bare, in-process", f"the same p50, {other} question graph", other_p50, "ms", other_p50 / ctx.bare_p50),
        Row(
            "bare, in-process", "the same p50, 1 ms idle before each question", idle_p50, "ms", idle_p50 / ctx.bare_p50
        ),
        Row("bare, in-process", "16 questions encoded together, per question", per_question * 1000, "ms"),
        Row("bare, in-process", "ceiling at 16 per encode (1 / per question)", 1 / per_question, "req/s"),
    ]


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


def scale_rows(ctx: Context) -> list[Row]:
    from index.store import VectorIndex

    rows: list[Row] = []
    rng = np.random.default_rng(0)
    sizes = SCALE_SIZES[:2] if ctx.quick else SCALE_SIZES
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


# --- output ------------------------------------------------------------------------------------


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


def main(argv: list[str] | None = None) -> int:
    parser = Parser(prog="bench.py", description="Benchmark the Advisor over loopback HTTP and in-process.")
    parser.add_argument("--json", action="store_true", help="print the rows as JSON instead of a table")
    parser.add_argument("--quick", action="store_true", help="fewer requests and no 100k index (a smoke run)")
    parser.add_argument("--skip", nargs="*", default=[], choices=SECTIONS, help="sections to leave out")
    args = parser.parse_args(argv)
    info = machine()

    from api.settings import Settings
    from index.embeddings import MiniLMEmbedder

    settings = Settings()
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="advisor-bench-") as tmp:
        ctx = Context(Path(tmp) / "index", args.quick)
        # Indexes are built in fp32 (the server encodes questions with settings.model_precision).
        build = build_rows(ctx, MiniLMEmbedder(cache_dir=settings.model_cache_dir, threads=settings.model_threads))
        rows += bare_rows(ctx)
        if "http" not in args.skip:
            rows += http_rows(ctx)
        if "workers" not in args.skip:
            rows += worker_rows(ctx)
        if "build" not in args.skip:
            rows += build
        if "scale" not in args.skip:
            rows += scale_rows(ctx)
    load_after = os.getloadavg()
    if args.json:
        payload = {"machine": {**info, "load_avg_after": load_after}, "rows": [dataclasses.asdict(r) for r in rows]}
        sys.stdout.write(json.dumps(payload, indent=2) + "\n")
    else:
        sys.stdout.write(render(rows, info, load_after))
    return 0


if __name__ == "__main__":
    sys.exit(main())
