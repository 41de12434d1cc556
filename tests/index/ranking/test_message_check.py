"""The check of the whole message: a message of several asks is judged whole as well as ask by ask, so that
several narrow near-misses do not each get a chance to be answered (index/ranking/abstention.py)."""

from __future__ import annotations

import numpy as np
import pytest

from index.answer.advisor import Advisor
from index.ranking.abstention import MESSAGE_FEATURES, SCOPED_FEATURES, CoverageCheck
from index.ranking.linear import LinearModel
from index.reader.checks import FOLDS, fit_message_check
from index.reader.folder import training_inputs
from index.reader.labelled import labelled_messages
from tests.helpers import CONTENT

COVERED = (
    "I'm a J1 IMG from Egypt and just finished my interview at a program I love. When should I send the "
    "thank-you email, and can I tell them they are my first choice?"
)
# its first ask is answered narrowly on its own; the message as a whole asks what the guide does not say
NEAR_MISSES = (
    "I graduated 2019 in Pakistan. Which PM&R programs sponsor H1B visas this year, and what is the average "
    "Step 2 score of IMGs who matched in PM&R?"
)


def with_message_check(advisor: Advisor, message: LinearModel | None) -> Advisor:
    """The advisor's index, rankers and checks, with `message` as its whole-message check."""
    c = advisor.coverage
    coverage = CoverageCheck(advisor.retriever, c.model, c.scoped, message)
    return Advisor(list(advisor.guides.values()), advisor.manifest, advisor.retriever, coverage, advisor.embedder)


def test_a_message_of_several_asks_is_encoded_whole_after_its_asks(advisor: Advisor) -> None:
    assert advisor.coverage.message is not None and advisor.coverage.message.features == MESSAGE_FEATURES
    reading = advisor.read(COVERED)
    texts = advisor.embedding_texts(reading)
    assert len(reading.asks) == 2 and len(texts) == 3
    assert texts[-1] == advisor.embedding_text(COVERED)
    assert len(advisor.embedding_texts(advisor.read("When should I send the thank-you email?"))) == 1
    without = with_message_check(advisor, None)
    assert len(without.embedding_texts(reading)) == 2  # nothing judges it whole: it is not encoded whole


def test_narrow_near_misses_are_refused_whole_and_a_covered_message_is_answered(advisor: Advisor) -> None:
    # the calibration share's messages of several asks, which trained nothing but the checks: of those that ask
    # by ask would be answered, the check of the whole message refuses near-misses and far fewer covered ones
    messages = training_inputs(CONTENT, "int8").messages
    without = with_message_check(advisor, None)
    refused_whole = [m for m in messages if without.ask(m.text).answered and not advisor.ask(m.text).answered]
    near_misses = [m for m in refused_whole if not m.covered]
    assert len(near_misses) >= 3 and len(near_misses) > 2 * (len(refused_whole) - len(near_misses))
    answered = advisor.ask(COVERED)
    assert answered.answered and not answered.unanswered
    assert advisor.ask_many([near_misses[0].text, COVERED]) == [advisor.ask(near_misses[0].text), answered]


def test_the_check_weighs_the_best_ask_against_the_whole_message(advisor: Advisor) -> None:
    reading = advisor.read(NEAR_MISSES)
    vectors = advisor.embedder.encode(advisor.embedding_texts(reading))
    assert advisor.refuses_message(reading.question, vectors[-1], best_margin=0.5)
    assert not advisor.refuses_message(reading.question, vectors[-1], best_margin=50.0)


def test_a_message_about_a_guide_without_training_questions_is_never_judged_whole(both_guides: Advisor) -> None:
    message = "Is an observership as good as a hands-on elective, and can I do an away rotation after I graduate?"
    reading = both_guides.read(message)
    vectors = both_guides.embedder.encode(both_guides.embedding_texts(reading))
    text = both_guides.repair(message)
    assert both_guides.coverage.message_score(text, both_guides.retriever.signals(text, vectors[-1])) is None
    assert not both_guides.refuses_message(message, vectors[-1], best_margin=-50.0)
    assert both_guides.ask(message).answered


def test_answer_takes_one_vector_per_text_it_was_given(advisor: Advisor) -> None:
    reading = advisor.read(COVERED)
    vectors = advisor.embedder.encode(advisor.embedding_texts(reading))
    with pytest.raises(ValueError, match="one vector per text"):
        advisor.answer(reading, vectors[:-1], 3, "http://127.0.0.1:8000")


def test_a_message_check_fitted_on_other_features_is_refused(advisor: Advisor) -> None:
    c = advisor.coverage
    assert c.scoped is not None
    with pytest.raises(ValueError, match="other features"):
        CoverageCheck(advisor.retriever, c.model, c.scoped, c.scoped)


def test_the_rows_labelled_ask_by_ask_that_read_as_several_asks_are_the_messages() -> None:
    q = "When do I send a thank-you email, and what is the average Step 2 score?"
    rows = [
        {"id": "m1", "q": q, "gold": ["x"], "parts": [["x"], None]},
        {"id": "m2", "q": "What is the ERAS fee, and what is the average Step 2 score?", "abstain": True},
        {"id": "m3", "q": "When do I send a thank-you email?", "gold": ["x"]},
        {"id": "m4", "q": q, "gold": ["x"]},  # labelled as a whole: its asks have no verdicts to learn from
        {"id": "m5", "q": q, "gold": ["x"], "parts": [["x"]]},  # parts that do not match the asks read
    ]
    messages = labelled_messages(rows)
    assert [(m.row_id, m.covered) for m in messages] == [("m1", True), ("m2", False)]
    assert messages[0].text == q


Asks = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]
Parts = list[tuple[np.ndarray, np.ndarray, np.ndarray]]


def synthetic_messages(not_covered: int, rng: np.random.Generator) -> tuple[Asks, Parts, np.ndarray, np.ndarray]:
    """Asks and messages where covering shows in the first feature; not-covered messages' best asks are narrow."""
    width = len(SCOPED_FEATURES)
    y = np.arange(200) % 3 != 0
    x = rng.normal(size=(200, width))
    x[:, 0] += np.where(y, 2.0, -2.0)
    asks = (x, y.astype(float), np.zeros(200, dtype=bool), np.arange(200) % FOLDS)
    covered = np.arange(60) >= not_covered
    xm = rng.normal(size=(60, width))
    xm[:, 0] += np.where(covered, 2.0, -2.0)
    best = np.where(covered, rng.uniform(0.5, 6.0, 60), rng.uniform(0.0, 1.0, 60))
    parts = [(xm[k::FOLDS], covered[k::FOLDS], np.ones(len(xm[k::FOLDS]), dtype=bool)) for k in range(FOLDS)]
    order = np.concatenate([np.arange(60)[k::FOLDS] for k in range(FOLDS)])
    return asks, parts, best[order], best[order] >= 0


def test_the_message_check_learns_from_both_the_best_ask_and_the_whole_message() -> None:
    asks, parts, best, answered = synthetic_messages(20, np.random.default_rng(3))
    check = fit_message_check(asks, parts, best, answered, 0.03)
    assert check is not None and check.features == MESSAGE_FEATURES
    assert all(w > 0 for w in check.weights)  # a surer best ask, or a surer whole message, keeps it answered
    assert np.isfinite(check.threshold)


def test_too_few_not_covered_messages_fit_no_message_check() -> None:
    asks, parts, best, answered = synthetic_messages(FOLDS - 1, np.random.default_rng(3))
    assert fit_message_check(asks, parts, best, answered, 0.03) is None
