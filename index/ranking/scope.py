"""The ask's scope: is it of a kind the guide answers? Read from its vector alone, for the guides fitted on.

Near-miss asks share the guide's words and topic, so how well they match a passage (the ranker) or a
sentence (the reader's head) does not tell them from covered asks. What gives them away is what they
ask: the odds of matching, a score cut-off, a named program's policy, a fee, another specialty. The
reader's question encoder places such asks apart from the ones a guide answers, and a logistic model
over the ask's vector, fitted on the written training questions (covered against not covered), reads
that off (measured: docs/answer-quality.md, "What each lever buys").

That model knows only the guides its training questions are about: on a guide added without training
questions it calls every ask out of scope (the second guide's covered long questions were refused
.08 → .25 with both guides loaded). So it is fitted for named guides (`notes["guides"]`), and an ask
whose best passage is in another guide is judged without it (index/ranking/abstention.py).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection

import numpy as np

from index.ranking.linear import LinearModel, fit_logistic


def _feature_names(dim: int) -> tuple[str, ...]:
    return tuple(f"vector_{i}" for i in range(dim))


def fit_scope(questions: np.ndarray, covered: np.ndarray, guides: Collection[str]) -> LinearModel:
    """The scope model: log-odds that a guide among `guides` covers an ask, from the ask's vector.

    `questions`: (n, dim) vectors of the training asks as the served encoder gives them; `covered`: (n,)
    1 for an ask the guides answer, 0 for one they do not; `guides`: the slugs the covered asks are about."""
    model = fit_logistic(questions, covered.astype(np.float64), _feature_names(questions.shape[1]))
    return dataclasses.replace(model, notes={"guides": sorted(guides)})


def scope_guides(model: LinearModel) -> frozenset[str]:
    """The guides the scope model was fitted on (those its training asks are about)."""
    return frozenset(model.notes.get("guides", ()))
