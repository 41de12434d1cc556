"""Answer quality: the metrics of shared/eval/README.md, the multi-part, history and template metrics, and a
readability check of every reply.

A question set is JSON lines: {"id", "q", "gold": [verbatim phrases]} for a covered question,
{"id", "q", "abstain": true} for one the guides do not cover, and optionally
- "parts": [[gold...] | null, ...] - one entry per ask; null for an ask the guides do not answer;
- "history": [earlier user questions] and "follow_up": bool - asked after those turns;
- "template": [verbatim template lines] - lines of a fitting template, [] when none should be quoted;
- "answered_by": {guide slug: [gold...]} - on a not-covered row, another guide that answers it: with that guide
  loaded the row is covered, with its gold (`as_loaded`).

A reply is the API's JSON (`AskResponse`). An excerpt hits when it is at most 800 characters and holds
a gold phrase after `norm` (shared/eval/README.md).
"""

from __future__ import annotations

import json
import re
import statistics
import unicodedata
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from index.guides.content import Guide
from index.guides.markdown import read_blocks
from index.query.reading import split_asks
from index.ranking.retrieval import wants_template
from index.text import fold_typography

# The held-out sets of tests/eval/ about the first guide, and those of tests/eval/second-guide/ about the second, as
# `make eval` (the Makefile's FIRST and SECOND), scripts.ablate and the tests score them (docs/answer-quality.md says
# who wrote each and when).
FIRST_GUIDE_SETS = (
    "questions", "probes", "long", "long2", "long3", "requests", "multipart", "history", "templates", "followups",
)  # fmt: skip
SECOND_GUIDE_SETS = ("questions", "long")
MAX_EXCERPT = 800
ANSWER_CHARS_PER_ASK = 700  # the readability cap: quoted text, lead-ins, markers and the ask's label
TEMPLATE_CHARS = 1100  # added to the cap when a template is asked for (the guide's longest is 963 characters)
_PLACEHOLDER = re.compile(r"\[(?!\d+\])[^\]\n]{2,}\]")  # "[Program Name]", "[Date]"; not a citation's "[1]"
_MARKER = re.compile(r"\s*\[\d+\]\s*")

Reply = dict[str, Any]
Ask = Callable[[str, list[str]], Reply]  # (question, earlier user questions) -> the API's JSON


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """A labelled set, one JSON object a line (blank lines skipped); OSError or ValueError when unreadable."""
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def norm(text: str) -> str:
    text = fold_typography(unicodedata.normalize("NFKC", text)).replace("\u2022", " ")  # NFKC keeps bullets
    text = re.sub(r"[*_`#>]", " ", text.lower())
    return re.sub(r"\s+", " ", text).strip()


def holds(text: str, golds: list[str]) -> bool:
    folded = norm(text)
    return any(norm(g) in folded for g in golds)


@dataclass
class Readability:
    """Replies that break a readability rule, by rule (each reply counted once per rule)."""

    replies: int = 0
    repeated_lead_in: int = 0  # a list's lead-in written twice in one answer
    unasked_placeholder: int = 0  # "[Program Name]" in an answer to a question that asks for no template
    section_cited_twice: int = 0  # two citations of one section
    not_verbatim: int = 0  # a line of the answer that is not the guide's text
    too_long: int = 0  # longer than ANSWER_CHARS_PER_ASK per ask (+ TEMPLATE_CHARS when one is asked for)
    examples: list[str] = field(default_factory=list)

    def check(self, reply: Reply, guides: Sequence[Guide]) -> None:
        """Count the rules `reply` breaks; its text is checked against `guides`."""
        self.replies += 1
        if not reply.get("answered"):
            return
        answer, question = reply.get("answer", ""), reply.get("question", "")
        flat_guide, lead_ins = _guide_text(tuple(guides))
        asks = len(split_asks(question)[0])
        pieces = _block_pieces(reply["answer_blocks"]) if "answer_blocks" in reply else _pieces(answer)
        problems = {
            "repeated_lead_in": any(answer.count(lead) > 1 for lead in lead_ins),
            "unasked_placeholder": bool(_PLACEHOLDER.search(answer)) and not wants_template(question),
            "section_cited_twice": len({(c["guide_slug"], c["section"]) for c in reply["citations"]})
            < len(reply["citations"]),
            "not_verbatim": any(p not in flat_guide for p in pieces),
            "too_long": len(answer) > ANSWER_CHARS_PER_ASK * asks + (TEMPLATE_CHARS if wants_template(question) else 0),
        }
        for name, broken in problems.items():
            if broken:
                setattr(self, name, getattr(self, name) + 1)
                self.examples.append(f"{name}: {question[:80]}")

    def summary(self) -> dict[str, int]:
        return {k: v for k, v in vars(self).items() if isinstance(v, int)}


@lru_cache(maxsize=8)
def _guide_text(guides: tuple[Guide, ...]) -> tuple[str, frozenset[str]]:
    """The guides' text with whitespace runs folded to one space, and their lead-ins: read once per set of guides."""
    flat = " ".join(" ".join(g.text for g in guides).split())
    return flat, frozenset(lead for g in guides for lead in _lead_ins(g))


def _lead_ins(guide: Guide) -> list[str]:
    """The guide's lead-ins: paragraphs that end with a colon and introduce a list."""
    return [
        " ".join(b.text.split())
        for b in read_blocks(guide.text, guide.body_start)
        if b.kind == "paragraph" and b.text.rstrip().endswith(":")
    ]


def _block_pieces(blocks: list[dict[str, Any]]) -> list[str]:
    """Each lead-in, item and sentence of an answer's blocks (a template's lines one by one)."""
    pieces = []
    for block in blocks:
        items = block["items"][0].splitlines() if block["kind"] == "template" else block["items"]
        pieces += [" ".join(p.split()) for p in [block["lead"] or "", *items] if p.strip()]
    return pieces


def _pieces(answer: str) -> list[str]:
    """The quoted pieces of an answer: its lines without bullets, markers, ask labels and the Advisor's own
    sentences about what the guide does not answer."""
    pieces = []
    for line in answer.splitlines():
        line = _MARKER.sub(" ", line).strip()
        if line.startswith("- "):
            line = line[2:]
        if not line or (line.startswith("“") and line.endswith("”")) or line.startswith("The guide doesn't answer"):
            continue
        pieces.append(" ".join(line.split()))
    return pieces


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
    parts: int = 0  # covered asks of multi-part rows
    parts_answered: int = 0  # ... whose gold the answer quotes
    rows_all_parts: int = 0  # multi-part rows whose covered asks are all answered
    multi_rows: int = 0
    null_parts: int = 0  # asks the guides do not answer
    null_parts_named: int = 0  # ... that the reply names as not answered
    alone_rows: int = 0  # self-contained questions after unrelated history
    same_as_alone: int = 0  # ... answered exactly as when asked alone
    template_asked: int = 0
    template_given: int = 0  # a line of a fitting template is in the answer
    template_unasked: int = 0
    template_withheld: int = 0  # no template placeholder in the answer
    lengths: list[int] = field(default_factory=list)
    misses: list[str] = field(default_factory=list)

    def add(self, row: dict[str, Any], reply: Reply, alone: Reply | None = None) -> None:
        excerpts = [c.get("excerpt", "") for c in reply.get("citations", [])][:5]
        self.lengths += [len(e) for e in excerpts[:3]]
        answered, answer = bool(reply.get("answered")), reply.get("answer", "")
        if alone is not None:
            self.alone_rows += 1
            same = {k: v for k, v in reply.items() if k != "question"} == {
                k: v for k, v in alone.items() if k != "question"
            }
            self.same_as_alone += same
            if not same:
                self.misses.append(f"bent by history: {row['id']} {row['q']}")
        if row.get("abstain"):
            self.not_covered += 1
            self.abstained += not answered
            if answered:
                self.misses.append(f"answered but not covered: {row['id']} {row['q']}")
            return
        self.covered += 1
        self.false_abstain += not answered
        rank = next((i for i, e in enumerate(excerpts, 1) if len(e) <= MAX_EXCERPT and holds(e, row["gold"])), None)
        self.hit1 += rank == 1
        self.hit3 += bool(rank and rank <= 3)
        self.rr += 1 / rank if rank else 0.0
        self.answer_hit += holds(answer, row["gold"])
        if rank != 1:
            self.misses.append(f"miss ({rank}){'' if answered else ' [refused]'}: {row['id']} {row['q']}")
        if "parts" in row:
            self._add_parts(row, reply)
        if "template" in row:
            self._add_template(row, answer)

    def _add_parts(self, row: dict[str, Any], reply: Reply) -> None:
        covered = [p for p in row["parts"] if p is not None]
        answered = [holds(reply.get("answer", ""), p) for p in covered]
        self.multi_rows += 1
        self.parts += len(covered)
        self.parts_answered += sum(answered)
        self.rows_all_parts += all(answered)
        nulls = len(row["parts"]) - len(covered)
        self.null_parts += nulls
        self.null_parts_named += min(nulls, len(reply.get("unanswered", [])))
        if not all(answered):
            self.misses.append(f"part not answered: {row['id']} {row['q']}")

    def _add_template(self, row: dict[str, Any], answer: str) -> None:
        if row["template"]:
            self.template_asked += 1
            given = holds(answer, row["template"])
            self.template_given += given
            if not given:
                self.misses.append(f"template not given: {row['id']} {row['q']}")
        else:
            self.template_unasked += 1
            withheld = not _PLACEHOLDER.search(answer)
            self.template_withheld += withheld
            if not withheld:
                self.misses.append(f"template quoted unasked: {row['id']} {row['q']}")

    def summary(self) -> dict[str, Any]:
        n = max(self.covered, 1)
        out: dict[str, Any] = {
            "questions": self.covered, "not_covered": self.not_covered,
            "hit@1": _share(self.hit1, n), "hit@3": _share(self.hit3, n), "mrr@5": round(self.rr / n, 3),
            "answer_hit": _share(self.answer_hit, n),
            "abstain": _share(self.abstained, self.not_covered) if self.not_covered else None,
            "false_abstain": _share(self.false_abstain, n),
            "excerpt_chars_median": int(statistics.median(self.lengths)) if self.lengths else 0,
        }  # fmt: skip
        if self.multi_rows:
            out |= {
                "parts_answered": _share(self.parts_answered, self.parts),
                "all_parts_answered": _share(self.rows_all_parts, self.multi_rows),
                "unanswered_part_named": _share(self.null_parts_named, self.null_parts) if self.null_parts else None,
            }
        if self.alone_rows:
            out["same_as_alone"] = _share(self.same_as_alone, self.alone_rows)
        if self.template_asked or self.template_unasked:
            out["template_given"] = _share(self.template_given, self.template_asked) if self.template_asked else None
            out["template_withheld"] = (
                _share(self.template_withheld, self.template_unasked) if self.template_unasked else None
            )
        return out


def as_loaded(rows: list[dict[str, Any]], slugs: Collection[str]) -> list[dict[str, Any]]:
    """The rows as labelled with the guides `slugs` loaded, as new dicts where they change (`rows` are left as they
    are): a not-covered row that one of them answers ("answered_by") is a covered row with that guide's gold, labelled
    as a whole (its "parts", written for the other guides, are dropped); every other row is as written."""
    loaded = []
    for row in rows:
        golds = [g for slug, gs in row.get("answered_by", {}).items() if slug in slugs for g in gs]
        if row.get("abstain") and golds:
            row = {k: v for k, v in row.items() if k not in ("abstain", "parts")} | {"gold": golds}
        loaded.append(row)
    return loaded


def _share(part: int, whole: int) -> float:
    return round(part / whole, 3) if whole else 0.0


def score(rows: list[dict[str, Any]], ask: Ask) -> tuple[Score, list[Reply]]:
    """The set's score and every reply (a self-contained question after history is asked alone too)."""
    result = Score()
    replies = []
    for row in rows:
        history = list(row.get("history", []))
        reply = ask(row["q"], history)
        alone = ask(row["q"], []) if history and row.get("follow_up") is False else None
        result.add(row, reply, alone)
        replies.append(reply)
    return result, replies
