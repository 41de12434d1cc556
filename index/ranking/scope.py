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
"""

from __future__ import annotations

import base64
from collections.abc import Collection
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
    neighbours: int = NEIGHBOURS

    def __post_init__(self) -> None:
        """ValueError unless both kinds hold at least `neighbours` (≥ 1) vectors of one dimension and `guides`
        names guides."""
        if self.neighbours < 1 or min(len(self.covered), len(self.not_covered)) < self.neighbours:
            raise ValueError(f"a scope model needs at least {self.neighbours} training asks of each kind")
        if self.covered.ndim != 2 or self.covered.shape[1:] != self.not_covered.shape[1:]:
            raise ValueError("the scope model's two kinds of asks differ in dimension")
        if not all(isinstance(g, str) for g in self.guides):
            raise ValueError("a scope model's guides are slugs")

    def score(self, questions: np.ndarray) -> np.ndarray:
        """(n,) for unit-length question vectors (n, dim): the mean cosine of each question's `neighbours` nearest
        covered training asks less that of its nearest not-covered ones, in [-2, 2]; above 0, nearer the covered."""
        k = self.neighbours
        scores: np.ndarray = _nearest(questions, self.covered, k) - _nearest(questions, self.not_covered, k)
        return scores

    def to_json(self) -> dict[str, Any]:
        return {
            "guides": sorted(self.guides),
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
        if not isinstance(data["guides"], list):
            raise TypeError("a scope model's guides are a list of slugs")
        return cls(covered, not_covered, frozenset(data["guides"]), int(data["neighbours"]))


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
    questions: np.ndarray, covered: np.ndarray, guides: Collection[str], neighbours: int = NEIGHBOURS
) -> ScopeModel | None:
    """The scope model of the training asks: `questions` (n, dim) their vectors as the served encoder gives them,
    `covered` (n,) whether the guides answer each, `guides` the slugs the covered asks are about. None when no
    guide has its questions or either kind has fewer than `neighbours` asks: every ask is then judged
    without a scope."""
    covered = np.asarray(covered, dtype=bool)
    if not guides or min(int(covered.sum()), int((~covered).sum())) < neighbours:
        return None
    vectors = np.asarray(questions, dtype=np.float32)
    return ScopeModel(vectors[covered], vectors[~covered], frozenset(guides), neighbours)
