"""Answer quality on the project's own held-out question sets, and verified citations.

The floors sit a little under the lowest figures of encoders trained from several seeds (docs/answer-quality.md,
"The spread between seeds": 13-16 before the seventh stop's reading of requests, 13-15 after; since the eighth
stop's training rows, 13-17, per seed in "Eighth stop"), so that a regression fails CI and a retrained encoder's
draw does not; nothing fitted or trained ever saw these questions (see index/reader/training/).
"""

from __future__ import annotations

from typing import Any

import pytest

from api.schemas import AskResponse
from index.answer.advisor import Advisor
from index.evaluation import Score, read_jsonl, score
from index.query.reading import Turn
from tests.helpers import EVAL

FLOORS: dict[str, dict[str, float]] = {
    "questions": {"hit@1": 0.82, "hit@3": 0.93, "mrr@5": 0.87, "answer_hit": 0.89, "abstain": 0.88},
    "long": {"hit@1": 0.8, "hit@3": 0.91, "answer_hit": 0.86, "abstain": 0.88, "parts_answered": 0.78},
    "long2": {"hit@1": 0.86, "hit@3": 0.93, "answer_hit": 0.92, "abstain": 0.92, "parts_answered": 0.8},
    "long3": {"hit@1": 0.76, "hit@3": 0.94, "answer_hit": 0.88, "abstain": 0.85, "parts_answered": 0.8},
    "requests": {"hit@1": 0.78, "hit@3": 0.9, "answer_hit": 0.86, "abstain": 0.85, "parts_answered": 0.75},
    "multipart": {"parts_answered": 0.77, "all_parts_answered": 0.69, "unanswered_part_named": 0.64},
    "history": {"same_as_alone": 1.0, "hit@1": 0.8},
    "templates": {"template_given": 0.85, "template_withheld": 1.0, "answer_hit": 0.93},
}
# issue 14's target, .03; for `history` and `templates`, whose one refused question is already .028 and .033 under
# every seed measured, room for one question more (per-seed figures: docs/answer-quality.md, "Seventh stop")
MAX_FALSE_ABSTAIN = {
    "questions": 0.03,
    "long": 0.03,
    "long2": 0.03,
    "long3": 0.03,
    "requests": 0.03,
    "multipart": 0.03,
    "history": 0.06,
    "templates": 0.04,
}


@pytest.fixture(scope="module")
def scores(advisor: Advisor) -> dict[str, Score]:
    def ask(question: str, history: list[str]) -> dict[str, Any]:
        answer = advisor.ask(question, 5, history=[Turn("user", h) for h in history])
        return AskResponse.from_answer(answer).model_dump()

    return {name: score(read_jsonl(EVAL / f"{name}.jsonl"), ask)[0] for name in FLOORS}


@pytest.mark.parametrize(("name", "metric"), [(n, m) for n, floors in FLOORS.items() for m in floors])
def test_quality_holds_its_floor(scores: dict[str, Score], name: str, metric: str) -> None:
    summary = scores[name].summary()
    assert summary[metric] >= FLOORS[name][metric], "\n".join(scores[name].misses)


@pytest.mark.parametrize("name", sorted(MAX_FALSE_ABSTAIN))
def test_covered_questions_are_rarely_refused(scores: dict[str, Score], name: str) -> None:
    assert scores[name].summary()["false_abstain"] <= MAX_FALSE_ABSTAIN[name]


def test_every_excerpt_is_verbatim_guide_text_at_its_offsets(advisor: Advisor) -> None:
    rows = read_jsonl(EVAL / "questions.jsonl") + read_jsonl(EVAL / "probes.jsonl") + read_jsonl(EVAL / "long.jsonl")
    cited = 0
    for row in rows:
        for citation in advisor.ask(row["q"], 5).citations:
            guide = advisor.guides[citation.guide_slug]
            assert guide.text[citation.start : citation.end] == citation.excerpt
            assert 0 < len(citation.excerpt) <= 600
            assert citation.last_reviewed == guide.last_reviewed
            cited += 1
    assert cited > 500
