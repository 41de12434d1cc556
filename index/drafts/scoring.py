"""Scoring the email-draft check on drafts with their expected findings: precision and recall per rule.

A set is JSON lines {"id", "text", "expected": [rule, ...]}. A rule counts once per draft: fired and
expected is a true positive, fired only a false positive, expected only a false negative. A draft is
checked as the API's JSON (`DraftCheckResponse`), in-process or from a running server.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from index.drafts.rules import RULES

Check = Callable[[str], dict[str, Any]]  # a draft's text -> the API's JSON
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
