#!/usr/bin/env python3
"""Score the Advisor on a question set: hit@1, hit@3, mrr@5, answer_hit, abstention.

Usage: scripts/eval.py [--set FILE ...] [--content DIR] [--url URL] [--show-misses] [--json]

In-process by default, on an index built for --content into a temporary folder (the
served index is left alone); with --url it scores a running server instead. The
metrics follow shared/eval/README.md: an excerpt hits when it is at most 800 characters
and contains a gold phrase after normalisation.
"""

from __future__ import annotations

import atexit
import json
import re
import shutil
import statistics
import sys
import tempfile
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scripts._cli import Parser, fail, read_jsonl

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SET = ROOT / "tests" / "eval" / "questions.jsonl"
MAX_EXCERPT = 800
_FOLD = {"\u2013": "-", "\u2014": "-", "\u2212": "-", "\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"',
         "\u2022": " ", "\u00a0": " ", "\u2026": "..."}  # fmt: skip

Ask = Callable[[str], dict[str, Any]]


def norm(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    for a, b in _FOLD.items():
        text = text.replace(a, b)
    text = re.sub(r"[*_`#>]", " ", text.lower())
    return re.sub(r"\s+", " ", text).strip()


@dataclass
class Score:
    covered: int = 0
    not_covered: int = 0
    hit1: int = 0
    hit3: int = 0
    rr: float = 0.0
    answer_hit: int = 0
    abstained: int = 0
    false_abstain: int = 0
    lengths: list[int] = field(default_factory=list)
    misses: list[str] = field(default_factory=list)

    def add(self, row: dict[str, Any], reply: dict[str, Any]) -> None:
        excerpts = [c.get("excerpt", "") for c in reply.get("citations", [])][:5]
        self.lengths += [len(e) for e in excerpts[:3]]
        answered = bool(reply.get("answered"))
        if row.get("abstain"):
            self.not_covered += 1
            self.abstained += not answered
            if answered:
                self.misses.append(f"answered but not covered: {row['id']} {row['q']}")
            return
        self.covered += 1
        self.false_abstain += not answered
        golds = [norm(g) for g in row["gold"]]
        rank = next(
            (i for i, e in enumerate(excerpts, 1) if len(e) <= MAX_EXCERPT and any(g in norm(e) for g in golds)), None
        )
        self.hit1 += rank == 1
        self.hit3 += bool(rank and rank <= 3)
        self.rr += 1 / rank if rank else 0.0
        self.answer_hit += any(g in norm(reply.get("answer", "")) for g in golds)
        if rank != 1:
            refused = "" if answered else " [refused]"
            self.misses.append(f"miss ({rank}){refused}: {row['id']} {row['q']}")

    def summary(self) -> dict[str, Any]:
        n = max(self.covered, 1)
        return {
            "questions": self.covered, "not_covered": self.not_covered,
            "hit@1": round(self.hit1 / n, 3), "hit@3": round(self.hit3 / n, 3), "mrr@5": round(self.rr / n, 3),
            "answer_hit": round(self.answer_hit / n, 3),
            "abstain": round(self.abstained / self.not_covered, 3) if self.not_covered else None,
            "false_abstain": round(self.false_abstain / n, 3),
            "excerpt_chars_median": int(statistics.median(self.lengths)) if self.lengths else 0,
        }  # fmt: skip


def score(rows: list[dict[str, Any]], ask: Ask) -> Score:
    result = Score()
    for row in rows:
        result.add(row, ask(row["q"]))
    return result


def in_process_asker(content: Path) -> Ask:
    from api.main import question_encoder
    from api.schemas import AskResponse
    from api.settings import get_settings
    from index.advisor import Advisor
    from index.build import build_index
    from index.embeddings import MiniLMEmbedder

    settings = get_settings()
    folder = Path(tempfile.mkdtemp(prefix="advisor-eval-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)  # the Advisor maps it for as long as it asks
    build_index(content, folder, MiniLMEmbedder(cache_dir=settings.model_cache_dir))
    advisor = Advisor.load(content, folder, question_encoder(settings))  # questions encoded as the server does

    def ask(question: str) -> dict[str, Any]:
        answer = advisor.ask(question, 5)
        return AskResponse.from_answer(answer).model_dump()

    return ask


def server_asker(url: str) -> Ask:
    sys.path.insert(0, str(ROOT / "scripts"))
    from scripts.ask import ask_server

    return lambda question: ask_server(url, question, 5)


def main(argv: list[str] | None = None) -> int:
    parser = Parser(prog="eval.py", description="Score the Advisor on question sets.")
    parser.add_argument("--set", type=Path, action="append", help=f"JSONL question set (default {DEFAULT_SET})")
    parser.add_argument("--content", type=Path, default=ROOT / "content", help="guides to index (in-process)")
    parser.add_argument("--url", help="score a running server instead")
    parser.add_argument("--show-misses", action="store_true", help="print every miss")
    parser.add_argument("--json", action="store_true", help="print only the JSON summaries")
    args = parser.parse_args(argv)
    sets = args.set or [DEFAULT_SET]
    from index.errors import AdvisorError

    try:
        ask = server_asker(args.url) if args.url else in_process_asker(args.content)
    except AdvisorError as exc:
        fail(str(exc))
    for path in sets:
        result = score(read_jsonl(path), ask)
        print(json.dumps({"set": path.name, **result.summary()}))
        if args.show_misses and not args.json:
            print("\n".join(f"  {m}" for m in result.misses))
    return 0


if __name__ == "__main__":
    sys.exit(main())
