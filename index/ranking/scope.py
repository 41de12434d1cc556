"""The ask's scope: is it of a kind the guide answers? Read from its nearest written questions.

Near-miss asks share the guide's words and topic, so how well they match a passage (the ranker) or a
sentence (the reader's head) does not tell them from covered asks. What gives them away is what they
ask: the odds of matching, a score cut-off, a named program's policy, a fee, another specialty. The
reader's question encoder places such asks near the written training questions that ask the same kind
of thing, so the scope of an ask is how much nearer it lies to the covered training asks than to the
not-covered ones: the mean cosine of its NEIGHBOURS nearest covered asks less that of its nearest
not-covered asks.

Measured on the calibration share (asks the reader was not trained on), the ROC AUC of covered against
not covered: a logistic model over the ask's vector (the previous scope model) .869; nearest asks
.925 / .947 / .953 / .950 / .933 for 1 / 3 / 5 / 10 / 20 neighbours. The held-out sets' figures are in
docs/answer-quality.md ("What each lever buys").

It knows only the guides its training questions are about: on a guide added without training questions
it would call every ask out of scope (the second guide's covered long questions were refused .08 → .25
with both guides loaded by the logistic version). So it is fitted for named guides (`guides`), and an
ask whose best passage is in another guide is judged without it (index/ranking/abstention.py).

The same neighbours also say where the answer is: the passages that answer the covered training asks
nearest to an ask (`nearest_answers`), a feature of the ranker used for the same guides
(index/ranking/retrieval.py). Measured before it was built, on the calibration share (rankers fitted on four
folds by message, scored on the fifth), it took hit@1 from .711 to .738 and hit@3 from .886 to .926; the
held-out sets' figures are in docs/answer-quality.md.
"""

from __future__ import annotations

import base64
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

NEIGHBOURS = 5  # chosen on the calibration share's AUC (above), never on an evaluation set


@dataclass(frozen=True, eq=False)
class ScopeModel:
    """The training asks as the served encoder gives them: those the guides answer and those they do not."""

    covered: np.ndarray  # (asks, dim) float32, unit length
    not_covered: np.ndarray  # (asks, dim) float32, unit length
    guides: frozenset[str]  # the slugs of the guides the covered asks are about
    answers: tuple[tuple[str, ...], ...]  # per covered ask, the ids of the passages (Chunk.id) that answer it (≥ 1)
    neighbours: int = NEIGHBOURS

    def __post_init__(self) -> None:
        """ValueError unless both kinds hold at least `neighbours` (≥ 1) vectors of one dimension, `guides`
        names guides and `answers` has one entry of passage ids per covered ask."""
        if self.neighbours < 1 or min(len(self.covered), len(self.not_covered)) < self.neighbours:
            raise ValueError(f"a scope model needs at least {self.neighbours} training asks of each kind")
        if self.covered.ndim != 2 or self.covered.shape[1:] != self.not_covered.shape[1:]:
            raise ValueError("the scope model's two kinds of asks differ in dimension")
        if not all(isinstance(g, str) for g in self.guides):
            raise ValueError("a scope model's guides are slugs")
        if len(self.answers) != len(self.covered) or not all(
            isinstance(ids, tuple) and ids and all(isinstance(i, str) for i in ids) for ids in self.answers
        ):
            raise ValueError("a scope model needs the passage ids that answer each covered ask")

    def score(self, questions: np.ndarray) -> np.ndarray:
        """(n,) for unit-length question vectors (n, dim): the mean cosine of each question's `neighbours` nearest
        covered training asks less that of its nearest not-covered ones, in [-2, 2]; above 0, nearer the covered."""
        k = self.neighbours
        scores: np.ndarray = _nearest(questions, self.covered, k) - _nearest(questions, self.not_covered, k)
        return scores

    def answered(self, passage_ids: Sequence[str]) -> np.ndarray:
        """(covered asks, passages) bool: which of the passages named by `passage_ids` (in corpus order) answer
        each covered training ask. Ids the model does not name (another guide's passages) answer none."""
        column = {pid: j for j, pid in enumerate(passage_ids)}
        matrix = np.zeros((len(self.answers), len(passage_ids)), dtype=bool)
        for i, ids in enumerate(self.answers):
            matrix[i, [column[pid] for pid in ids if pid in column]] = True
        return matrix

    def nearest_answers(self, question: np.ndarray, answered: np.ndarray) -> np.ndarray:
        """(passages,) for a unit-length question vector (dim,) and `answered` (covered asks, passages), as
        `answered` gives it: per passage, the highest cosine of the question with a covered training ask the
        passage answers, in [-1, 1]; -1 for a passage that answers none."""
        sims = self.covered @ np.asarray(question, dtype=np.float32)
        best: np.ndarray = np.where(answered, sims[:, None], -1.0).max(axis=0).astype(np.float64)
        return best

    def to_json(self) -> dict[str, Any]:
        return {
            "guides": sorted(self.guides),
            "answers": [list(ids) for ids in self.answers],
            "neighbours": self.neighbours,
            "dim": int(self.covered.shape[1]),
            "covered_float32_le": _encoded(self.covered),
            "not_covered_float32_le": _encoded(self.not_covered),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ScopeModel:
        """ValueError, KeyError or TypeError when `data` is not a saved scope model."""
        dim = int(data["dim"])
        covered, not_covered = (_decoded(data[f"{kind}_float32_le"], dim) for kind in ("covered", "not_covered"))
        if not isinstance(data["guides"], list) or not all(isinstance(ids, list) for ids in data["answers"]):
            raise TypeError("a scope model's guides are a list, its answers a list of lists of passage ids")
        answers = tuple(tuple(ids) for ids in data["answers"])
        return cls(covered, not_covered, frozenset(data["guides"]), answers, int(data["neighbours"]))


def _encoded(vectors: np.ndarray) -> str:
    return base64.b64encode(np.ascontiguousarray(vectors, dtype="<f4").tobytes()).decode("ascii")


def _decoded(text: str, dim: int) -> np.ndarray:
    return np.frombuffer(base64.b64decode(text, validate=True), dtype="<f4").reshape(-1, dim).astype(np.float32)


def _nearest(questions: np.ndarray, asks: np.ndarray, k: int) -> np.ndarray:
    """The mean of each question's k highest cosines with `asks` (asks, dim)."""
    sims = np.asarray(questions, dtype=np.float32) @ asks.T
    k = min(k, sims.shape[1])
    top: np.ndarray = np.partition(sims, sims.shape[1] - k, axis=1)[:, -k:]
    means: np.ndarray = top.mean(axis=1).astype(np.float64)
    return means


def fit_scope(
    questions: np.ndarray,
    answers: Sequence[Sequence[str]],
    guides: Collection[str],
    neighbours: int = NEIGHBOURS,
) -> ScopeModel | None:
    """The scope model of the training asks: `questions` (n, dim) their vectors as the served encoder gives them,
    `answers` (n) the ids of the passages that answer each (none: not covered), `guides` the slugs the covered
    asks are about. None when no guide has its questions or either kind has fewer than `neighbours` asks: every
    ask is then judged, and ranked, without it."""
    covered = np.array([len(ids) > 0 for ids in answers], dtype=bool)
    if not guides or min(int(covered.sum()), int((~covered).sum())) < neighbours:
        return None
    vectors = np.asarray(questions, dtype=np.float32)
    kept = tuple(tuple(ids) for ids in answers if ids)
    return ScopeModel(vectors[covered], vectors[~covered], frozenset(guides), kept, neighbours)
