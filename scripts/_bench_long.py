"""The benchmark's rows for questions as applicants write them, and for the naive pipeline beside the Advisor.

Issue 14's cost target: one question served no slower than the field's tutorial pipeline (MiniLM in torch,
encode + FAISS search) measured in the same run. Long questions (25 words and more, from the reader's own
training questions, index/reader/training/: not an evaluation set) cost more: the Advisor encodes each ask.
"""

from __future__ import annotations

import os
from functools import partial
from pathlib import Path

from index.evaluation import read_jsonl
from index.reader.labelled import TRAINING_DIR
from scripts._bench_questions import QUESTIONS
from scripts._bench_scale import one_search_thread
from scripts._bench_table import Row, ms, timed
from scripts._cli import cli_settings

LONG_WORDS = 25


def long_questions() -> list[str]:
    rows = [row for path in sorted(TRAINING_DIR.glob("written-*.jsonl")) for row in read_jsonl(path)]
    return [row["q"] for row in rows if len(row["q"].split()) >= LONG_WORDS]


def long_rows(content: Path, index_dir: Path, bare_p50: float, quick: bool) -> list[Row]:
    """The served Advisor on long questions, and the naive pipeline (torch MiniLM + FAISS) on short and long."""
    import faiss

    from index.answer.advisor import Advisor
    from index.model.embeddings import SentenceTransformerEmbedder
    from index.reader.encoder import question_encoder

    n = 60 if quick else 200
    questions = long_questions()[:n]
    advisor = Advisor.load(content, index_dir, question_encoder(cli_settings()))
    asks = sum(len(advisor.read(q).asks) for q in questions) / len(questions)
    torch_model = SentenceTransformerEmbedder()
    passages = faiss.IndexFlatIP(advisor.retriever.passage_matrix().shape[1])
    passages.add(advisor.retriever.passage_matrix())
    os.environ.setdefault("OMP_NUM_THREADS", "1")

    def naive(question: str) -> None:
        passages.search(torch_model.encode([question]), 3)

    with one_search_thread():
        for q in questions[:10]:
            advisor.ask(q, 3)
            naive(q)
        long_bare = [timed(partial(advisor.ask, q, 3)) for q in questions]
        naive_short = [timed(partial(naive, q)) for q in (QUESTIONS * 10)[:n]]
        naive_long = [timed(partial(naive, q)) for q in questions]
    long_p50, short_naive_p50, long_naive_p50 = ms(long_bare, 50), ms(naive_short, 50), ms(naive_long, 50)
    return [
        Row("long questions", f"questions of {LONG_WORDS}+ words: asks read per question (mean)", asks, ""),
        Row("long questions", "encode + search + answer, p50", long_p50, "ms", long_p50 / bare_p50),
        Row("long questions", "encode + search + answer, p99", ms(long_bare, 99), "ms", ms(long_bare, 99) / bare_p50),
        Row("naive pipeline", "MiniLM in torch + FAISS search, short questions, p50", short_naive_p50, "ms",
            short_naive_p50 / bare_p50, f"≥ {bare_p50:.2f} ms, the Advisor's", short_naive_p50 >= bare_p50),
        Row("naive pipeline", "the same, long questions, p50", long_naive_p50, "ms", long_naive_p50 / bare_p50,
            f"≥ {long_p50:.2f} ms, the Advisor's", long_naive_p50 >= long_p50),
    ]  # fmt: skip
