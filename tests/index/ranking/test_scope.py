"""The scope model: is an ask of a kind the guide answers, read from its nearest written questions, for the guides
it was fitted on."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest

from index.answer.advisor import Advisor
from index.errors import ModelError
from index.ranking.abstention import SCOPED_FEATURES, CoverageCheck
from index.ranking.models import load_models, save_models
from index.ranking.retrieval import FEATURES, Signals
from index.ranking.retrieval import SCOPED_FEATURES as SCOPED_RANKING
from index.ranking.scope import ScopeModel, fit_scope
from index.reader.fitting import blank_models, fit_rankers
from index.reader.labelled import LabelledAsk, guides_asked_about

COVERED = "When should I send the thank-you email after my interview?"
NEAR_MISS = "What Step 2 CK score do I need to match into PM&R as an IMG?"
SECOND_GUIDE = "Is an observership worth as much as a hands-on elective?"


def unit(vectors: np.ndarray) -> np.ndarray:
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def answers(covered: np.ndarray) -> list[list[str]]:
    """A passage id for each covered ask (one of three passages, in turn); none for the others."""
    return [[f"guide-a/section/{i % 3}"] if c else [] for i, c in enumerate(covered)]


def test_the_scope_is_how_much_nearer_the_covered_asks_are_and_it_names_its_guides() -> None:
    rng = np.random.default_rng(0)
    covered_kind, other_kind = unit(rng.normal(size=(2, 16)))
    vectors = unit(
        np.vstack([covered_kind + 0.1 * rng.normal(size=(40, 16)), other_kind + 0.1 * rng.normal(size=(40, 16))])
    )
    covered = np.arange(80) < 40
    model = fit_scope(vectors, answers(covered), {"guide-b", "guide-a"}, neighbours=3)
    assert model is not None
    assert model.guides == {"guide-a", "guide-b"}
    new = unit(
        np.vstack([covered_kind + 0.1 * rng.normal(size=(20, 16)), other_kind + 0.1 * rng.normal(size=(20, 16))])
    )
    scores = model.score(new)
    assert scores.shape == (40,)
    assert (scores[:20] > 0).all() and (scores[20:] < 0).all()
    # the mean cosine of the 3 nearest of each kind, less the other's
    sims = new[:1] @ vectors.T
    expected = np.sort(sims[0, :40])[-3:].mean() - np.sort(sims[0, 40:])[-3:].mean()
    assert scores[0] == pytest.approx(expected, abs=1e-6)


def test_the_scope_model_is_saved_and_read_back_as_it_was() -> None:
    rng = np.random.default_rng(1)
    vectors = unit(rng.normal(size=(30, 8))).astype(np.float32)
    model = fit_scope(vectors, answers(np.arange(30) % 3 == 0), {"guide-a"})
    assert model is not None
    again = ScopeModel.from_json(json.loads(json.dumps(model.to_json())))
    assert again.guides == model.guides and again.neighbours == model.neighbours
    assert again.answers == model.answers and len(again.answers) == 10
    np.testing.assert_array_equal(again.covered, model.covered)
    np.testing.assert_array_equal(again.score(vectors), model.score(vectors))


def test_no_scope_model_without_enough_asks_of_each_kind_or_a_guide_to_bind_it_to() -> None:
    vectors = unit(np.random.default_rng(2).normal(size=(20, 8)))
    assert fit_scope(vectors[:10], answers(np.arange(10) < 7), {"guide-a"}) is None  # three not covered, five needed
    assert fit_scope(vectors, answers(np.arange(20) < 10), set()) is None
    assert fit_scope(vectors, answers(np.arange(20) < 10), {"guide-a"}) is not None


def test_the_scope_model_is_saved_with_the_models_and_a_damaged_one_is_refused(tmp_path: Path) -> None:
    vectors = unit(np.random.default_rng(4).normal(size=(20, 8)))
    scope = fit_scope(vectors, answers(np.arange(20) < 10), {"guide-a"})
    models = blank_models()
    path = tmp_path / "models.json"
    save_models(models, {}, path, scope)
    loaded, again = load_models(path)
    assert loaded == models and again is not None and scope is not None
    np.testing.assert_array_equal(again.score(vectors), scope.score(vectors))
    save_models(models, {}, path)
    assert load_models(path)[1] is None
    data = json.loads(path.read_text("utf-8"))
    damages = (
        {"neighbours": 0}, {"guides": "guide-a"}, {"dim": 3}, {"covered_float32_le": "not base64!"},
        {"answers": "guide-a/section/0"}, {"answers": [["guide-a/section/0"]]}, {"answers": [[1]] * 10},
        {"answers": ["guide-a/section/0"] * 10}, {"answers": [[]] * 10},
    )  # fmt: skip
    without_answers = {k: v for k, v in scope.to_json().items() if k != "answers"}
    path.write_text(json.dumps(data | {"scope": without_answers}), "utf-8")
    with pytest.raises(ModelError, match="cannot be read"):
        load_models(path)
    for damage in damages:
        path.write_text(json.dumps(data | {"scope": scope.to_json() | damage}), "utf-8")
        with pytest.raises(ModelError, match="cannot be read"):
            load_models(path)


def test_a_passage_is_as_near_as_the_nearest_covered_training_ask_it_answers() -> None:
    rng = np.random.default_rng(5)
    vectors = unit(rng.normal(size=(20, 8))).astype(np.float32)
    covered = np.arange(20) < 10
    scope = fit_scope(vectors, answers(covered), {"guide-a"})
    assert scope is not None
    # passage 1 of the three is not in this corpus; the corpus has one the model never saw
    corpus = ["guide-a/section/2", "guide-a/section/0", "guide-b/other/0"]
    answered = scope.answered(corpus)
    assert answered.shape == (10, 3) and answered.sum(axis=0).tolist() == [3, 4, 0]
    question = unit(rng.normal(size=(1, 8)))[0]
    near = scope.nearest_answers(question, answered)
    sims = vectors[:10] @ question
    assert near[0] == pytest.approx(max(sims[i] for i in range(10) if i % 3 == 2), abs=1e-6)
    assert near[1] == pytest.approx(max(sims[i] for i in range(10) if i % 3 == 0), abs=1e-6)
    assert near[2] == -1.0


def test_the_guides_of_the_training_asks_are_those_holding_their_gold(advisor: Advisor) -> None:
    chunks = advisor.retriever.chunks
    asks = [
        LabelledAsk("a", "x", "x", ("Within 24–72 hours after each interview",)),
        LabelledAsk("b", "y", "y", None),
        LabelledAsk("c", "z", "z", ("a phrase no guide holds",)),
    ]
    assert guides_asked_about(asks, chunks, 1) == {chunks[0].guide}
    assert guides_asked_about(asks, chunks, 2) == set()  # one ask does not make a guide's questions
    assert guides_asked_about(asks[1:], chunks, 1) == set()


def signals_of(advisor: Advisor, question: str) -> Signals:
    """The retrieval signals of the question's first ask, as the advisor takes them when it answers."""
    reading = advisor.read(question)
    vector = advisor.embedder.encode(advisor.embedding_texts(reading))[0]
    return advisor.retriever.signals(advisor.repair(reading.asks[0]), vector)


def test_a_near_miss_is_further_out_of_scope_than_a_covered_ask(advisor: Advisor) -> None:
    covered, near = signals_of(advisor, COVERED).scope, signals_of(advisor, NEAR_MISS).scope
    assert covered is not None and near is not None
    assert covered > near


def test_an_ask_about_a_guide_the_model_was_not_fitted_on_is_judged_without_it(both_guides: Advisor) -> None:
    assert signals_of(both_guides, COVERED).scope is not None
    assert signals_of(both_guides, SECOND_GUIDE).scope is None
    answer = both_guides.ask(SECOND_GUIDE)
    assert answer.answered
    assert answer.citations[0].guide_slug == "away-rotations-for-img"


def test_the_scoped_check_reads_the_scope_and_the_plain_one_does_not(advisor: Advisor) -> None:
    reading = advisor.read(COVERED)
    vector = advisor.embedder.encode(advisor.embedding_texts(reading))[0]
    text = advisor.repair(reading.asks[0])
    signals = advisor.retriever.signals(text, vector)
    scoped = advisor.coverage.judge(text, signals)
    assert scoped.evidence["scope"] == signals.scope
    plain = advisor.coverage.judge(text, dataclasses.replace(signals, scope=None))
    assert "scope" not in plain.evidence
    assert plain.score != scoped.score


def test_a_scoped_check_fitted_on_other_features_is_refused(advisor: Advisor) -> None:
    scoped = advisor.coverage.scoped
    assert scoped is not None and scoped.features == SCOPED_FEATURES
    with pytest.raises(ValueError, match="other features"):
        CoverageCheck(advisor.retriever, advisor.coverage.model, advisor.coverage.model)


def test_asks_about_the_scope_guides_are_ranked_with_the_nearest_training_asks(advisor: Advisor) -> None:
    retriever = advisor.retriever
    assert retriever.scoped_ranker is not None and retriever.scoped_ranker.features == SCOPED_RANKING
    signals = signals_of(advisor, COVERED)
    assert signals.nearest is not None and signals.nearest.shape == (len(retriever.chunks),)
    with_nearest = np.hstack([signals.features, signals.nearest[:, None]])
    np.testing.assert_allclose(signals.scores, retriever.scoped_ranker.score(with_nearest))
    assert not np.allclose(signals.scores, retriever.ranker.score(signals.features))


def test_an_ask_about_another_guide_keeps_the_first_rankers_order(both_guides: Advisor) -> None:
    retriever = both_guides.retriever
    assert retriever.scoped_ranker is not None
    signals = signals_of(both_guides, SECOND_GUIDE)
    assert signals.scope is None
    np.testing.assert_allclose(signals.scores, retriever.ranker.score(signals.features))
    # the first guide's passages have nearest training asks, the second guide's none
    assert signals.nearest is not None
    second = np.array([c.guide == "away-rotations-for-img" for c in retriever.chunks])
    assert (signals.nearest[second] == -1.0).all() and (signals.nearest[~second] > -1.0).any()


def test_only_the_scope_guides_passages_are_scored_with_the_nearest_training_asks(both_guides: Advisor) -> None:
    retriever = both_guides.retriever
    assert retriever.scoped_ranker is not None
    signals = signals_of(both_guides, COVERED)
    assert signals.scope is not None and signals.nearest is not None
    second = np.array([c.guide == "away-rotations-for-img" for c in retriever.chunks])
    plain = retriever.ranker.score(signals.features)
    scoped = retriever.scoped_ranker.score(np.hstack([signals.features, signals.nearest[:, None]]))
    # the second guide's passages keep the first ranker's log-odds, not the -1 its nearest answers would give
    np.testing.assert_allclose(signals.scores[second], plain[second])
    np.testing.assert_allclose(signals.scores[~second], scoped[~second])
    assert not np.allclose(scoped[second], plain[second])


def test_a_ranker_fitted_on_other_features_is_refused(advisor: Advisor) -> None:
    retriever = advisor.retriever
    assert retriever.scoped_ranker is not None
    for ranker, scoped in ((retriever.ranker, retriever.ranker), (retriever.scoped_ranker, None)):
        with pytest.raises(ValueError, match="other features"):
            retriever.use_rankers(ranker, scoped)
    assert retriever.ranker.features == FEATURES and retriever.scoped_ranker.features == SCOPED_RANKING


def test_the_scoped_ranker_is_fitted_only_where_every_ask_has_its_nearest_answers() -> None:
    rng = np.random.default_rng(6)
    right = np.zeros(6)
    right[2] = 1.0
    groups = [(rng.normal(size=(6, len(FEATURES))), rng.uniform(-1, 1, 6), right) for _ in range(8)]
    fitted = fit_rankers(groups)
    assert sorted(fitted) == ["ranker", "ranker_scoped"]
    assert fitted["ranker_scoped"].features == SCOPED_RANKING
    assert sorted(fit_rankers(groups, nearest=False)) == ["ranker"]
    assert sorted(fit_rankers([*groups, (groups[0][0], None, right)])) == ["ranker"]
