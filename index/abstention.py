"""Does the guide cover the question? A fitted check on the evidence, not a guessed threshold.

Besides how well the best passages match, it asks whether what the question is about
appears in them: the share of the question's words found in the evidence, words the
guides never use, names the guides never mention ("Mayo Clinic"), and questions that
want a number ("how many ...", "average ...") answered by passages that hold none.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from index.linear import LinearModel
from index.retrieval import Retriever, Signals
from index.vocabulary import terms

EVIDENCE_CHUNKS = 3
FEATURES = (
    "ranker_top", "dense_unit_top", "coverage_top1", "coverage_top3", "unknown_words", "unknown_names",
    "number_missing",
)  # fmt: skip
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9&\-]+")
_WANTS_NUMBER = re.compile(
    r"\b(how (many|much)|what percent(age)?|percent(age)?|average|median|how long (does|will|do|did) \w+( \w+)? take"
    r"|what(?:'s| is) the (passing|minimum|cutoff|average) score|how old)\b",
    re.IGNORECASE,
)
_DIGITS = re.compile(r"\d+")
_NUMBER_WORD = re.compile(
    r"\b(one|two|three|four|five|six|seven|eight|nine|ten|single|once|twice|only)\b", re.IGNORECASE
)


@dataclass(frozen=True)
class Verdict:
    covered: bool
    score: float  # log-odds that the guide covers the question
    evidence: dict[str, float]


class CoverageCheck:
    def __init__(self, retriever: Retriever, model: LinearModel) -> None:
        if model.features != FEATURES:
            raise ValueError("the abstention model was fitted on other features: refit it (scripts/fit_models.py)")
        self.retriever = retriever
        self.model = model

    def features(self, question: str, signals: Signals) -> np.ndarray:
        r = self.retriever
        q_terms = signals.question_terms
        top = [int(i) for i in signals.order[:EVIDENCE_CHUNKS]]
        in_top3 = frozenset().union(*(r.chunk_terms[i] for i in top))

        def share(found: frozenset[str]) -> float:
            return len(q_terms & found) / len(q_terms) if q_terms else 0.0

        return np.array(
            [
                float(signals.scores[top[0]]), float(signals.unit_dense.max()), share(r.chunk_terms[top[0]]),
                share(in_top3), 1.0 - share(r.vocabulary) if q_terms else 1.0, float(self._unknown_names(question)),
                float(self._number_missing(question, top[:2])),
            ]
        )  # fmt: skip

    def judge(self, question: str, signals: Signals) -> Verdict:
        x = self.features(question, signals)
        score = float(self.model.score(x.reshape(1, -1))[0])
        return Verdict(score >= self.model.threshold, score, dict(zip(FEATURES, map(float, x), strict=True)))

    def _unknown_names(self, question: str) -> int:
        """Capitalised words inside the question that no guide uses: programs, places, exams it never names."""
        count = 0
        for n, match in enumerate(_WORD.finditer(question)):
            word = match.group(0)
            if n == 0 or not word[0].isupper() or word.lower() in self.retriever.words:
                continue
            stems = terms(word)
            if stems and not any(s in self.retriever.vocabulary for s in stems):
                count += 1
        return count

    def _number_missing(self, question: str, top: list[int]) -> bool:
        """The question wants a number and the best passages hold none (other than the question's own)."""
        if not _WANTS_NUMBER.search(question):
            return False
        asked = set(_DIGITS.findall(question))
        for u in np.flatnonzero(np.isin(self.retriever.unit_chunk, top)):
            text = self.retriever.units[u].text
            if set(_DIGITS.findall(text)) - asked or _NUMBER_WORD.search(text):
                return False
        return True
