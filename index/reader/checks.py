"""Fitting the abstention checks on held-out scores: a check's threshold, and the check of the whole message.

Each threshold refuses at most `max_false_refusals` of the covered asks (or messages), each scored by a check
fitted without its fold, as a new question is scored, and counting those refused outright whatever their score
(the fact check's refusals; for a message, those its asks already refuse). The data they are fitted on is
gathered, ask by ask as the loaded Advisor scores it, in index/reader/fitting.py.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from index.errors import ModelError
from index.ranking import abstention
from index.ranking.linear import LinearModel, fit_logistic
from index.reader.labelled import LabelledAsk

FOLDS = 5
MAX_FALSE_REFUSALS = 0.03


def refusal_threshold(scores: np.ndarray, covered: np.ndarray, vetoed: np.ndarray, max_false_refusals: float) -> float:
    """The highest threshold that refuses at most `max_false_refusals` of the covered asks, counting those the
    fact check refuses outright whatever their score."""
    allowed = int(np.floor(max_false_refusals * int((covered == 1).sum()))) - int((vetoed & (covered == 1)).sum())
    candidates = np.sort(scores[(covered == 1) & ~vetoed])
    return float(candidates[min(max(allowed, 0), len(candidates) - 1)] - 1e-6)


def held_out_margins(held_out: np.ndarray, vetoed: np.ndarray, check: LinearModel) -> tuple[np.ndarray, np.ndarray]:
    """Per ask, its held-out score (`held_out`, as fit_abstention gives it) less `check`'s threshold
    (Verdict.margin; at most 0 where the fact check refuses it, `vetoed`), and whether the check answers it."""
    margins = held_out - check.threshold
    return np.where(vetoed, np.minimum(margins, 0.0), margins), (margins >= 0) & ~vetoed


def best_margins(
    asks: Sequence[LabelledAsk], margins: np.ndarray, answers: np.ndarray, message_ids: Sequence[str]
) -> tuple[np.ndarray, np.ndarray]:
    """Per message (`message_ids`, row ids): the best margin of its asks (`margins` and `answers`, per ask of
    `asks`; NaN for a message none of whose asks is among them), and whether any of its asks is answered."""
    best: dict[str, float] = {}
    answered: set[str] = set()
    for ask, margin, answer in zip(asks, margins, answers, strict=True):
        best[ask.row_id] = max(best.get(ask.row_id, -np.inf), float(margin))
        if answer:
            answered.add(ask.row_id)
    return np.array([best.get(r, np.nan) for r in message_ids]), np.array([r in answered for r in message_ids])


def fit_message_check(
    scoped: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]],
    best: np.ndarray,
    answered: np.ndarray,
    max_false_refusals: float,
) -> LinearModel | None:
    """The whole-message check (on abstention.MESSAGE_FEATURES), fitted on the messages whose scope is known: each
    message's best ask margin (`best`) and its held-out score by the scoped check (fitted on `scoped`: x, y, vetoed,
    folds). Its threshold refuses at most `max_false_refusals` of the covered messages, counting those their asks
    already refuse (not `answered`), each scored by the check fitted without its fold. None when too few messages
    of either kind; ModelError (fit_abstention's) when no threshold can be chosen."""
    x = np.vstack([p[0] for p in parts])
    covered, known = np.concatenate([p[1] for p in parts]), np.concatenate([p[2] for p in parts])
    folds = np.concatenate([np.full(len(p[1]), k) for k, p in enumerate(parts)])
    keep = known & ~np.isnan(best)
    if any((covered[keep] == label).sum() < FOLDS for label in (True, False)):
        return None
    whole = held_out_scores(*scoped[:3], abstention.SCOPED_FEATURES, scoped[3], x[keep], folds[keep])
    features, y, none = np.column_stack([best[keep], whole]), covered[keep].astype(float), np.zeros(keep.sum(), bool)
    return fit_abstention(
        features, y, none, abstention.MESSAGE_FEATURES, max_false_refusals, folds[keep], refused=~answered[keep]
    )[0]


def fit_abstention(
    x: np.ndarray,
    y: np.ndarray,
    vetoed: np.ndarray,
    features: tuple[str, ...],
    max_false_refusals: float,
    folds: np.ndarray,
    refused: np.ndarray | None = None,
) -> tuple[LinearModel, np.ndarray]:
    """An abstention check on `features`, and each ask's held-out score (asks,) its threshold was chosen on: x
    (asks, features), y (asks,) 1 for covered, `vetoed` (asks,) those the fact check refuses outright, `folds`
    (asks,) each ask's fold (the asks of one message share one), `refused` (asks,) those refused before this check
    judges them, counted against its budget (default: `vetoed`).

    Fitted on every ask the fact check leaves to it; its threshold refuses at most `max_false_refusals` of the
    covered asks, each scored by the check fitted without its fold, as a new question is scored. Chosen on the
    asks it was fitted on, the threshold refused more covered held-out questions than that (docs/answer-quality.md,
    "What each lever buys": `questions` .038 and `history` .083 against .013 and .056). ModelError when a fold
    leaves too few asks of a kind to fit on."""
    held_out = held_out_scores(x, y, vetoed, features, folds, x, folds)
    model = fit_logistic(x[~vetoed], y[~vetoed], features)
    threshold = refusal_threshold(held_out, y, vetoed if refused is None else refused, max_false_refusals)
    if not np.isfinite(threshold):
        raise ModelError("the abstention check could not be fitted: too few covered or not-covered asks")
    return LinearModel(model.features, model.weights, model.bias, model.mean, model.scale, threshold), held_out


def held_out_scores(
    x: np.ndarray,
    y: np.ndarray,
    vetoed: np.ndarray,
    features: tuple[str, ...],
    folds: np.ndarray,
    queries: np.ndarray,
    query_folds: np.ndarray,
) -> np.ndarray:
    """(queries,): each row of `queries` (n, features), of fold `query_folds`, scored by a check on `features`
    fitted on the asks (x, y, `vetoed` left out) of the other folds, as a new question is scored."""
    scores = np.full(len(queries), np.nan)
    for k in np.unique(query_folds):
        train = (folds != k) & ~vetoed
        scores[query_folds == k] = fit_logistic(x[train], y[train], features).score(queries[query_folds == k])
    return scores
