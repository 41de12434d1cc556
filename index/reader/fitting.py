"""Fitting the passage ranker and the abstention check on labelled asks, as the loaded Advisor scores them.

The ranker is fitted listwise (a softmax over each ask's passages) and put on a log-odds scale. The
abstention check is fitted on each ask as scored by a ranker fitted without it (5 folds), as a new
question will be scored, and its threshold refuses at most `max_false_refusals` of the covered asks,
counting those the fact check refuses outright.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from index.answer.advisor import Advisor
from index.ranking import abstention, retrieval
from index.ranking.linear import LinearModel, calibrated, fit_listwise, fit_logistic
from index.reader.labelled import LabelledAsk, answered_by

FOLDS = 5
MAX_FALSE_REFUSALS = 0.03


def placeholder(features: tuple[str, ...]) -> LinearModel:
    n = len(features)
    return LinearModel(features, (0.0,) * n, 0.0, (0.0,) * n, (1.0,) * n)


def blank_models() -> dict[str, LinearModel]:
    return {"ranker": placeholder(retrieval.FEATURES), "abstention": placeholder(abstention.FEATURES)}


def ranking_data(
    advisor: Advisor, asks: Sequence[LabelledAsk], vectors: np.ndarray
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Per covered ask: the features of every passage, and which passages hold a gold phrase."""
    passages = [c.text for c in advisor.retriever.chunks]
    groups = []
    for ask, vector in zip(asks, vectors, strict=True):
        if ask.gold is None:
            continue
        signals = advisor.retriever.signals(advisor.repair(ask.text), vector)
        right = np.zeros(len(passages))
        right[answered_by(ask.gold, passages)] = 1.0
        groups.append((signals.features, right))
    return groups


def coverage_data(
    advisor: Advisor, asks: Sequence[LabelledAsk], vectors: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The abstention features, whether each ask is covered, and whether the fact check refuses it outright."""
    xs, ys, vetoed = [], [], []
    for ask, vector in zip(asks, vectors, strict=True):
        text, asked = advisor.repair(ask.text), advisor.repair(ask.ask)
        signals = advisor.retriever.signals(text, vector)
        xs.append(advisor.coverage.features(text, signals, asked))
        ys.append(0.0 if ask.gold is None else 1.0)
        vetoed.append(advisor.coverage.fact_missing(asked, signals))
    return np.array(xs), np.array(ys), np.array(vetoed, dtype=bool)


def refusal_threshold(scores: np.ndarray, covered: np.ndarray, vetoed: np.ndarray, max_false_refusals: float) -> float:
    """The highest threshold that refuses at most `max_false_refusals` of the covered asks, counting those the
    fact check refuses outright whatever their score."""
    allowed = int(np.floor(max_false_refusals * int((covered == 1).sum()))) - int((vetoed & (covered == 1)).sum())
    candidates = np.sort(scores[(covered == 1) & ~vetoed])
    return float(candidates[min(max(allowed, 0), len(candidates) - 1)] - 1e-6)


def fit_ranker(groups: list[tuple[np.ndarray, np.ndarray]]) -> LinearModel:
    x, y = np.vstack([g[0] for g in groups]), np.concatenate([g[1] for g in groups])
    return calibrated(fit_listwise(groups, retrieval.FEATURES), x, y)


def fit(
    advisor: Advisor, asks: Sequence[LabelledAsk], max_false_refusals: float = MAX_FALSE_REFUSALS
) -> tuple[dict[str, LinearModel], float]:
    """The ranker and the abstention check fitted on `asks` with `advisor`'s index and question encoder (its
    own models are not used), and the share of not-covered asks refused at the chosen threshold."""
    asks = [a for a in asks if a.gold is None or answered_by(a.gold, [c.text for c in advisor.retriever.chunks])]
    vectors = advisor.embedder.encode([advisor.embedding_text(a.text) for a in asks])
    covered = [i for i, a in enumerate(asks) if a.gold is not None]
    groups = ranking_data(advisor, [asks[i] for i in covered], vectors[covered])
    ranker = fit_ranker(groups)
    fold = np.arange(len(asks)) % FOLDS
    parts = []
    for k in range(FOLDS):
        fold_ranker = fit_ranker([g for g, i in zip(groups, covered, strict=True) if fold[i] != k])
        advisor.retriever.ranker = fold_ranker
        chosen = np.flatnonzero(fold == k)
        parts.append(coverage_data(advisor, [asks[i] for i in chosen], vectors[chosen]))
    advisor.retriever.ranker = ranker
    x, y = np.vstack([p[0] for p in parts]), np.concatenate([p[1] for p in parts])
    vetoed = np.concatenate([p[2] for p in parts])
    # the model learns from the asks the fact check leaves to it
    model = fit_logistic(x[~vetoed], y[~vetoed], abstention.FEATURES)
    threshold = refusal_threshold(model.score(x), y, vetoed, max_false_refusals)
    model = LinearModel(model.features, model.weights, model.bias, model.mean, model.scale, threshold)
    refused = float(((model.score(x) < threshold) | vetoed)[y == 0].mean())
    return {"ranker": ranker, "abstention": model}, refused
