"""Fitting the passage ranker and the abstention check on labelled asks, as the loaded Advisor scores them.

The ranker is fitted listwise (a softmax over each ask's passages) and put on a log-odds scale; where the
advisor has a scope model, a second ranker is fitted the same way with the passages that answer the nearest
training asks (index/ranking/retrieval.py, SCOPED_FEATURES). The
abstention check is fitted on each ask as scored by a ranker fitted without it (5 folds), as a new
question will be scored, and its threshold refuses at most `max_false_refusals` of the covered asks,
counting those the fact check refuses outright. Where the ask's scope is known (index/ranking/scope.py),
a second abstention model is fitted with it, on the asks that have it, its threshold chosen the same way.
A message of several asks is also judged whole, by a model over its best ask's margin and the scoped check's
score of the whole message, whose threshold refuses at most `max_false_refusals` of the covered messages,
counting those their asks already refuse, each message scored by the checks fitted without its fold. Here the
data is gathered as the loaded Advisor scores it; the checks and their thresholds are fitted in
index/reader/checks.py.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from index.answer.advisor import Advisor
from index.model.embeddings import Embedder
from index.ranking import abstention, retrieval
from index.ranking.linear import LinearModel, calibrated, fit_listwise
from index.ranking.pairs import fit_head
from index.ranking.scope import ScopeModel, fit_scope
from index.reader.checks import (
    FOLDS,
    MAX_FALSE_REFUSALS,
    best_margins,
    fit_abstention,
    fit_message_check,
    held_out_margins,
)
from index.reader.labelled import LabelledAsk, LabelledMessage, answered_by, fold_of, guides_asked_about

MIN_ASKS_PER_GUIDE = 50  # covered training asks a guide needs for the scope model to judge its asks


def placeholder(features: tuple[str, ...]) -> LinearModel:
    n = len(features)
    return LinearModel(features, (0.0,) * n, 0.0, (0.0,) * n, (1.0,) * n)


def blank_models() -> dict[str, LinearModel]:
    return {"ranker": placeholder(retrieval.FEATURES), "abstention": placeholder(abstention.FEATURES)}


def question_models(
    advisor: Advisor, encoder: Embedder, asks: Sequence[LabelledAsk], head: bool = True, scope: bool = True
) -> tuple[dict[str, LinearModel], ScopeModel | None]:
    """The models that read the question's vector, fitted on `asks` encoded as served (through `encoder`):
    the reader's head ("reader", index/ranking/pairs.py), and the scope model (index/ranking/scope.py).
    `advisor` gives the sentences and the text encoded for an ask; its own models are not used."""
    asks = _answerable(advisor, asks)
    questions = encoder.encode([advisor.embedding_text(a.text) for a in asks])
    models, scoped = {}, None
    if head:
        units = [u.text for u in advisor.retriever.units]
        answers = [answered_by(a.gold, units) if a.gold else [] for a in asks]
        models["reader"] = fit_head(questions, answers, advisor.retriever.unit_matrix)
    if scope:
        chunks = advisor.retriever.chunks
        texts = [c.text for c in chunks]
        passages = [[chunks[i].id for i in answered_by(a.gold, texts)] if a.gold else [] for a in asks]
        scoped = fit_scope(questions, passages, guides_asked_about(asks, chunks, MIN_ASKS_PER_GUIDE))
    return models, scoped


def _answerable(advisor: Advisor, asks: Sequence[LabelledAsk]) -> list[LabelledAsk]:
    """The asks the guides do not answer, and those whose gold some passage holds (not those whose gold is lost)."""
    texts = [c.text for c in advisor.retriever.chunks]
    return [a for a in asks if a.gold is None or answered_by(a.gold, texts)]


Group = tuple[np.ndarray, np.ndarray | None, np.ndarray]  # an ask's FEATURES, nearest answers, right passages


def ranking_data(advisor: Advisor, asks: Sequence[LabelledAsk], vectors: np.ndarray) -> list[Group]:
    """Per covered ask: the features of every passage (passages, FEATURES), the passages' nearest answers
    (passages,) where the advisor has a scope model, and which passages hold a gold phrase (passages,)."""
    passages = [c.text for c in advisor.retriever.chunks]
    groups = []
    for ask, vector in zip(asks, vectors, strict=True):
        if ask.gold is None:
            continue
        signals = advisor.retriever.signals(advisor.repair(ask.text), vector)
        right = np.zeros(len(passages))
        right[answered_by(ask.gold, passages)] = 1.0
        groups.append((signals.features, signals.nearest, right))
    return groups


def coverage_data(
    advisor: Advisor, asks: Sequence[LabelledAsk], vectors: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The abstention features, whether each ask is covered, whether the fact check refuses it outright, and
    its scope (NaN where not known)."""
    xs, ys, vetoed, scopes = [], [], [], []
    for ask, vector in zip(asks, vectors, strict=True):
        text, asked = advisor.repair(ask.text), advisor.repair(ask.ask)
        signals = advisor.retriever.signals(text, vector)
        xs.append(advisor.coverage.features(text, signals, asked))
        ys.append(0.0 if ask.gold is None else 1.0)
        vetoed.append(advisor.coverage.fact_missing(asked, signals))
        scopes.append(np.nan if signals.scope is None else signals.scope)
    return np.array(xs), np.array(ys), np.array(vetoed, dtype=bool), np.array(scopes)


def message_data(
    advisor: Advisor, messages: Sequence[LabelledMessage], vectors: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per message: the scoped check's features of the whole message (messages, SCOPED_FEATURES), whether it is
    covered, and whether its scope is known (where it is not, the message is never judged whole)."""
    xs, covered, known = [], [], []
    for message, vector in zip(messages, vectors, strict=True):
        text = advisor.repair(message.text)
        signals = advisor.retriever.signals(text, vector)
        xs.append(advisor.coverage.scoped_features(text, signals))
        covered.append(message.covered)
        known.append(signals.scope is not None)
    width = len(abstention.SCOPED_FEATURES)
    return np.array(xs).reshape(-1, width), np.array(covered, dtype=bool), np.array(known, dtype=bool)


def fit_rankers(groups: list[Group], nearest: bool = True) -> dict[str, LinearModel]:
    """The ranker ("ranker") and, when `nearest` and every group has its nearest answers, the ranker that reads
    them too ("ranker_scoped"), each fitted on every group: the asks written for fitting are all about the guides
    the scope model knows, so every one of them is of the kind the scoped ranker ranks. ValueError (numpy's)
    when `groups` is empty."""
    plain = [(features, right) for features, _, right in groups]
    models = {"ranker": _fit_ranker(plain, retrieval.FEATURES)}
    if nearest and groups and all(n is not None for _, n, _ in groups):
        scoped = [(np.hstack([f, n[:, None]]), right) for f, n, right in groups if n is not None]
        models["ranker_scoped"] = _fit_ranker(scoped, retrieval.SCOPED_FEATURES)
    return models


def _fit_ranker(groups: list[tuple[np.ndarray, np.ndarray]], features: tuple[str, ...]) -> LinearModel:
    x, y = np.vstack([g[0] for g in groups]), np.concatenate([g[1] for g in groups])
    return calibrated(fit_listwise(groups, features), x, y)


def fit(
    advisor: Advisor,
    asks: Sequence[LabelledAsk],
    messages: Sequence[LabelledMessage] = (),
    max_false_refusals: float = MAX_FALSE_REFUSALS,
    nearest: bool = True,
) -> tuple[dict[str, LinearModel], float]:
    """The rankers (`fit_rankers`, the scoped one when `nearest` and the advisor has a scope model), the
    abstention check ("abstention") and, where the advisor's scope model judges some of `asks`, the check that
    reads it ("abstention_scoped"), fitted on `asks` with `advisor`'s index and question encoder (its own
    rankers and checks are not used), and the check of whole `messages` of several asks ("abstention_message",
    when there are enough of them); and the share of not-covered asks refused.

    Each check is fitted on the scores of the ranker that ranks the asks it judges: the plain check on the
    first ranker's (it judges asks about other guides, which the scoped ranker never ranks), the scoped
    check on the scoped ranker's."""
    asks = _answerable(advisor, asks)
    vectors = advisor.embedder.encode([advisor.embedding_text(a.text) for a in asks])
    covered = [i for i, a in enumerate(asks) if a.gold is not None]
    groups = ranking_data(advisor, [asks[i] for i in covered], vectors[covered])
    rankers = fit_rankers(groups, nearest)
    fold = np.array([fold_of(a.row_id, FOLDS) for a in asks])
    message_vectors = (
        advisor.embedder.encode([advisor.embedding_text(m.text) for m in messages]) if messages else vectors[:0]
    )
    message_fold = np.array([fold_of(m.row_id, FOLDS) for m in messages], dtype=np.int64)
    plain_parts, scoped_parts, message_parts = [], [], []
    for k in range(FOLDS):
        fold_rankers = fit_rankers([g for g, i in zip(groups, covered, strict=True) if fold[i] != k], nearest)
        chosen = np.flatnonzero(fold == k)
        fold_asks, fold_vectors = [asks[i] for i in chosen], vectors[chosen]
        advisor.retriever.use_rankers(fold_rankers["ranker"], None)
        plain_parts.append(coverage_data(advisor, fold_asks, fold_vectors))
        if "ranker_scoped" in fold_rankers:
            advisor.retriever.use_rankers(fold_rankers["ranker"], fold_rankers["ranker_scoped"])
            scoped_parts.append(coverage_data(advisor, fold_asks, fold_vectors))
        else:
            scoped_parts.append(plain_parts[-1])
        chosen = np.flatnonzero(message_fold == k)
        message_parts.append(message_data(advisor, [messages[int(i)] for i in chosen], message_vectors[chosen]))
    advisor.retriever.use_rankers(rankers["ranker"], rankers.get("ranker_scoped"))
    x, y, vetoed, scope, folds = _stacked(plain_parts)
    plain, held_out = fit_abstention(x, y, vetoed, abstention.FEATURES, max_false_refusals, folds)
    models = {**rankers, "abstention": plain}
    refused = (plain.score(x) < plain.threshold) | vetoed
    margins, answers = held_out_margins(held_out, vetoed, plain)
    x, y, vetoed, scope, folds = _stacked(scoped_parts)
    known = ~np.isnan(scope)
    if all((y[known & ~vetoed] == label).sum() >= FOLDS for label in (0.0, 1.0)):
        scoped = np.hstack([x, scope[:, None]])[known]
        model, held_out = fit_abstention(
            scoped, y[known], vetoed[known], abstention.SCOPED_FEATURES, max_false_refusals, folds[known]
        )
        models["abstention_scoped"] = model
        refused[known] = (model.score(scoped) < model.threshold) | vetoed[known]
        fitted_on = (scoped, y[known], vetoed[known], folds[known])
        margins[known], answers[known] = held_out_margins(held_out, vetoed[known], model)
        stacked_asks = [asks[i] for i in _fold_order(fold)]
        stacked_messages = [messages[i].row_id for i in _fold_order(message_fold)]
        best, answered = best_margins(stacked_asks, margins, answers, stacked_messages)
        whole = fit_message_check(fitted_on, message_parts, best, answered, max_false_refusals)
        if whole is not None:
            models["abstention_message"] = whole
    return models, float(refused[y == 0].mean())


def _stacked(
    parts: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]],
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """coverage_data's parts, one per fold, joined; with each ask's fold."""
    x, y = np.vstack([p[0] for p in parts]), np.concatenate([p[1] for p in parts])
    vetoed, scope = np.concatenate([p[2] for p in parts]), np.concatenate([p[3] for p in parts])
    return x, y, vetoed, scope, np.concatenate([np.full(len(p[1]), k) for k, p in enumerate(parts)])


def _fold_order(fold: np.ndarray) -> np.ndarray:
    """The positions of the asks (or messages) of fold 0, then fold 1, ...: the order the folds' parts are
    stacked in."""
    return np.concatenate([np.flatnonzero(fold == k) for k in range(FOLDS)])
