"""How fast the Advisor answers, and how far that is from the cost of the work itself.

Usage: python -m scripts.bench [--json] [--quick] [--skip SECTION ...]

Starts the real server (the Dockerfile's CMD on a free loopback port), drives it over HTTP with
bounded request counts and durations, measures the same work in this process without HTTP (the
"bare" cost every latency is compared with), then the index at growing sizes, and prints one table.
Sections: http (server, cache, start-up, memory, load generator), workers, build, scale, plan (an outreach
plan for 40 programs, scripts/_bench_plan.py).
"""

from __future__ import annotations

import dataclasses
import json
import os
import sys
import tempfile
import time
from functools import partial
from pathlib import Path
from typing import Any

from api.launch import HOST
from scripts._bench_http import http_rows, worker_rows
from scripts._bench_long import long_rows
from scripts._bench_plan import plan_rows
from scripts._bench_questions import Questions
from scripts._bench_scale import one_search_thread, scale_rows
from scripts._bench_table import Context, Row, machine, ms, render, timed
from scripts._cli import Parser, cli_settings

CONTENT = Path(__file__).resolve().parents[1] / "content"
SECTIONS = ("http", "workers", "build", "scale", "plan", "long")


# --- sections ----------------------------------------------------------------------------------


def build_rows(ctx: Context, embedder: Any) -> list[Row]:
    from index.guides.chunks import chunk_guides
    from index.guides.content import load_guides
    from index.reader.folder import current, record_sha256
    from index.store.build import build_store, embed_texts
    from index.store.texts import embedding_texts

    reader = record_sha256(current(cli_settings().model_cache_dir)[0])
    report = build_store(CONTENT, ctx.index_dir, embedder, reader_sha256=reader)
    chunks = chunk_guides(load_guides(CONTENT))
    texts = embedding_texts(chunks)
    embed_seconds = min(timed(lambda: embed_texts(texts, embedder)) for _ in range(2))
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


def bare_rows(ctx: Context) -> list[Row]:
    """The same work as one request, in this process, run as the server runs it (the question graph,
    model threads from the same settings, one FAISS thread); once more with a model thread per core,
    and once with the other question graph, for reference."""
    from api.settings import usable_cores
    from index.answer.advisor import Advisor
    from index.model.embeddings import MiniLMEmbedder
    from index.reader.encoder import question_encoder

    settings = cli_settings()
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
        per_question = min(timed(partial(served.ask_many, group, 3, base)) for _ in range(4 if ctx.quick else 10)) / 16
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


def main(argv: list[str] | None = None) -> int:
    parser = Parser(description="Benchmark the Advisor over loopback HTTP and in-process.")
    parser.add_argument("--json", action="store_true", help="print the rows as JSON instead of a table")
    parser.add_argument("--quick", action="store_true", help="fewer requests and no 100k index (a smoke run)")
    parser.add_argument("--skip", nargs="*", default=[], choices=SECTIONS, help="sections to leave out")
    args = parser.parse_args(argv)
    info = machine()

    from index.model.embeddings import MiniLMEmbedder

    settings = cli_settings()
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="advisor-bench-") as tmp:
        ctx = Context(Path(tmp) / "index", args.quick)
        # Indexes are built in fp32 (the server encodes questions with settings.model_precision).
        build = build_rows(ctx, MiniLMEmbedder(cache_dir=settings.model_cache_dir, threads=settings.model_threads))
        rows += bare_rows(ctx)
        if "long" not in args.skip:
            rows += long_rows(CONTENT, ctx.index_dir, ctx.bare_p50, ctx.quick)
        if "http" not in args.skip:
            rows += http_rows(ctx)
        if "workers" not in args.skip:
            rows += worker_rows(ctx)
        if "build" not in args.skip:
            rows += build
        if "scale" not in args.skip:
            rows += scale_rows(ctx.quick)
        if "plan" not in args.skip:
            rows += plan_rows(ctx.index_dir, 5 if ctx.quick else 20)
    load_after = os.getloadavg()
    if args.json:
        payload = {"machine": {**info, "load_avg_after": load_after}, "rows": [dataclasses.asdict(r) for r in rows]}
        sys.stdout.write(json.dumps(payload, indent=2) + "\n")
    else:
        sys.stdout.write(render(rows, info, load_after))
    return 0


if __name__ == "__main__":
    sys.exit(main())
