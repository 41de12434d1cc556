"""Score the email-draft check on a set of drafts with their expected findings.

Usage: python -m scripts.eval_drafts [--set FILE] [--url URL] [--show-misses] [--json]

Each line of the set is {"id", "text", "expected": [rule, ...]}. A rule counts once per draft:
fired and expected is a true positive, fired only a false positive, expected only a false negative.
"""

from __future__ import annotations

import functools
import json
import sys
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from index.drafts.rules import RULES
from scripts._cli import Parser, fail, read_jsonl

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SET = ROOT / "tests" / "eval" / "drafts.jsonl"
Check = Callable[[str], dict[str, Any]]
PROBLEMS = frozenset(rule.name for rule in RULES if rule.severity == "problem")


@dataclass
class DraftScore:
    tp: Counter[str] = field(default_factory=Counter)
    fp: Counter[str] = field(default_factory=Counter)
    fn: Counter[str] = field(default_factory=Counter)
    drafts: int = 0
    clean_drafts: int = 0  # drafts expected to have no problem
    clean_with_problems: int = 0
    misses: list[str] = field(default_factory=list)

    def add(self, row: dict[str, Any], reply: dict[str, Any]) -> None:
        expected = set(row["expected"])
        fired = {f["rule"] for f in reply["findings"]}
        self.drafts += 1
        for rule in fired & expected:
            self.tp[rule] += 1
        for rule in fired - expected:
            self.fp[rule] += 1
            self.misses.append(f"{row['id']}: unexpected {rule}")
        for rule in expected - fired:
            self.fn[rule] += 1
            self.misses.append(f"{row['id']}: missed {rule}")
        if not expected & PROBLEMS:
            self.clean_drafts += 1
            self.clean_with_problems += any(f["severity"] == "problem" for f in reply["findings"])

    def rules(self) -> list[str]:
        return sorted(set(self.tp) | set(self.fp) | set(self.fn))

    def table(self) -> dict[str, dict[str, float | int]]:
        rows = {rule: _prf(self.tp[rule], self.fp[rule], self.fn[rule]) for rule in self.rules()}
        rows["overall"] = _prf(sum(self.tp.values()), sum(self.fp.values()), sum(self.fn.values()))
        return rows


def _prf(tp: int, fp: int, fn: int) -> dict[str, float | int]:
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return {"precision": round(precision, 3), "recall": round(recall, 3), "tp": tp, "fp": fp, "fn": fn}


def score(rows: Iterable[dict[str, Any]], check: Check) -> DraftScore:
    result = DraftScore()
    for row in rows:
        result.add(row, check(row["text"]))
    return result


def in_process_checker() -> Check:
    from api.drafts import DraftCheckResponse
    from api.main import question_encoder
    from api.settings import get_settings
    from index.answer.advisor import Advisor
    from index.drafts.check import check_draft

    settings = get_settings()
    advisor = Advisor.load(settings.content_dir, settings.index_dir, question_encoder(settings))
    return lambda text: DraftCheckResponse.from_report(check_draft(text, advisor, "http://127.0.0.1:8000")).model_dump()


def render(result: DraftScore) -> str:
    lines = [f"{'rule':<22}{'precision':>10}{'recall':>8}{'tp':>5}{'fp':>5}{'fn':>5}"]
    for rule, r in result.table().items():
        lines.append(f"{rule:<22}{r['precision']:>10.3f}{r['recall']:>8.3f}{r['tp']:>5}{r['fp']:>5}{r['fn']:>5}")
    lines.append(
        f"{result.drafts} drafts; {result.clean_with_problems} of the {result.clean_drafts} with no expected problem got one"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = Parser(
        prog="python -m scripts.eval_drafts", description="Precision and recall of the email-draft check, per rule."
    )
    parser.add_argument("--set", type=Path, default=DEFAULT_SET, help=f"JSONL draft set (default {DEFAULT_SET.name})")
    parser.add_argument("--url", help="score a running server instead")
    parser.add_argument("--show-misses", action="store_true", help="print every miss and false alarm")
    parser.add_argument("--json", action="store_true", help="print the table as JSON")
    args = parser.parse_args(argv)
    rows = read_jsonl(args.set)
    check: Check
    if args.url:
        from scripts.check_draft import check_server

        check = functools.partial(check_server, args.url)
    else:
        from index.errors import AdvisorError

        try:
            check = in_process_checker()
        except AdvisorError as exc:
            fail(str(exc))
    result = score(rows, check)
    print(json.dumps(result.table()) if args.json else render(result))
    if args.show_misses and not args.json:
        print("\n".join(f"  {m}" for m in result.misses))
    return 0


if __name__ == "__main__":
    sys.exit(main())
