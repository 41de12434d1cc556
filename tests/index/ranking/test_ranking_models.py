"""The fitted pieces behind answer quality: the listwise ranker, answer composition, the asked-fact check."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from index.answer.advisor import Advisor
from index.guides.answer_units import answer_units, unit_embed_text
from index.ranking.abstention import CoverageCheck
from index.ranking.actors import agreement, passage_actors, question_actor
from index.ranking.linear import calibrated, fit_listwise
from index.ranking.retrieval import Signals
from index.reader.checks import fit_abstention, refusal_threshold


def test_the_listwise_ranker_puts_the_right_candidate_first() -> None:
    rng = np.random.default_rng(0)
    groups = []
    for _ in range(40):
        x = rng.normal(size=(12, 2))
        right = np.zeros(12)
        right[int(np.argmax(x[:, 0] - 0.2 * x[:, 1]))] = 1.0  # the first feature decides, the second barely
        groups.append((x, right))
    model = fit_listwise(groups, ("a", "b"))
    firsts = [g[1][int(np.argmax(model.score(g[0])))] for g in groups]
    assert np.mean(firsts) >= 0.9
    assert model.weights[0] > abs(model.weights[1])


def test_calibration_keeps_the_order_and_gives_log_odds() -> None:
    rng = np.random.default_rng(1)
    x = rng.normal(size=(400, 1))
    y = (x[:, 0] + rng.normal(scale=0.5, size=400) > 1.0).astype(float)
    model = fit_listwise([(x[i : i + 20], y[i : i + 20]) for i in range(0, 400, 20)], ("a",))
    scaled = calibrated(model, x, y)
    assert np.array_equal(np.argsort(model.score(x)), np.argsort(scaled.score(x)))
    assert scaled.score(np.array([[3.0]]))[0] > 0 > scaled.score(np.array([[-3.0]]))[0]


def test_a_sentence_is_embedded_with_its_sections_heading(advisor: Advisor) -> None:
    chunk = next(c for c in advisor.retriever.chunks if c.section[-1] == "How often is too often?")
    unit = answer_units(chunk, 0)[0]
    assert unit_embed_text(unit).startswith("How often is too often?: ")
    assert unit.sentence in advisor.guides[chunk.guide].text


def signals_for(advisor: Advisor, question: str) -> Signals:
    return advisor.retriever.signals(question, advisor.embed_question(question))


def evidence(advisor: Advisor, question: str, name: str) -> float:
    """One of the refusal check's readings of `question`, as the Advisor asks it."""
    return advisor.coverage.judge(question, signals_for(advisor, question)).evidence[name]


def test_a_fee_date_or_figure_the_guide_does_not_hold_is_missing(advisor: Advisor) -> None:
    def missing(question: str) -> float:
        return evidence(advisor, question, "fact_missing")

    assert missing("How much is the fee to register for the Match?") == 1.0
    assert missing("What is the deadline to register for the Match?") == 1.0
    assert missing("When do people usually send a letter of intent, what month?") == 0.0
    assert missing("How many emails can I send a program before the interview?") == 0.0
    assert missing("Can I email the program director about my visa?") == 0.0
    # a duration asked with a hyphenated name, or in years, wants a duration, not any number
    assert missing("How long does an H-1B petition take to be approved?") == 1.0
    assert missing("How many months does the ECFMG take to certify me?") == 1.0
    assert missing("How many days after the interview do I send the thank-you note?") == 0.0
    # a statistic wants digits, in a sentence about what it is of: "a new Step 2 CK score" gives no average
    assert missing("What is the average Step 2 CK score of matched applicants?") == 1.0
    # an exam's name between a qualifier that asks for a figure and "score" still asks for it
    assert missing("Is there a minimum Step 2 score for IMGs?") == 1.0
    # ... not after "good" or "passing", which as often describe the applicant's own scores
    assert missing("Why do programs care about letters if I already have good Step scores?") == 0.0
    assert missing("Now that Step 1 is pass/fail, does a passing Step 1 score still matter?") == 0.0
    # "how much is too much" and "how much should I" ask a degree, not a count; a count of times is of nothing named
    assert missing("How much emotion is too much in a thank-you email?") == 0.0
    assert missing("How much should I communicate with programs before an interview?") == 0.0
    assert missing("How many times is ok to email each program before the interview?") == 0.0
    assert missing("How much does VSLO charge per application?") == 1.0


def test_a_count_is_looked_for_beside_what_it_counts(advisor: Advisor) -> None:
    question = "How many emails can I send a program before the interview?"
    signals = signals_for(advisor, question)
    assert not advisor.coverage.fact_missing(question, signals)
    # the same passages, asked for a count of something they never count
    assert advisor.coverage.fact_missing("How many observerships should I have done?", signals)


def test_a_missing_fact_refuses_whatever_the_score(advisor: Advisor) -> None:
    lenient = dataclasses.replace(advisor.coverage.model, threshold=-1e9)
    check = CoverageCheck(advisor.retriever, lenient)
    for question, covered in [
        ("What is the deadline to register for the Match?", False),
        ("Can I email the program director about my visa?", True),
    ]:
        signals = signals_for(advisor, question)
        verdict = check.judge(question, signals)
        assert verdict.covered is covered
        assert verdict.evidence["fact_missing"] == float(not covered)


def test_names_are_words_the_guide_never_uses_inside_a_sentence(advisor: Advisor) -> None:
    def names(question: str) -> float:
        return evidence(advisor, question, "unknown_names")

    assert names("Does the Mayo Clinic sponsor visas?") == 1.0
    # capitalised only for opening a sentence, or a month: neither names a program or place
    assert names("I got a new letter. Worth sending to programs?") == 0.0
    assert names("My certification may not be finished by July. Should I tell programs?") == 0.0


def test_the_refusal_check_sees_how_far_the_best_passage_leads_the_next(advisor: Advisor) -> None:
    question = "Can a program ask me how I will rank them?"
    signals = signals_for(advisor, question)
    gap = advisor.coverage.judge(question, signals).evidence["ranker_gap"]
    first, second = (float(signals.scores[i]) for i in signals.order[:2])
    assert gap == pytest.approx(first - second)
    assert gap >= 0.0


def test_the_refusal_threshold_spends_the_fact_checks_refusals_first() -> None:
    scores = np.array([5.0, 4.0, 3.0, 2.0, 1.0, 0.5, -1.0, -2.0])
    covered = np.array([1, 1, 1, 1, 1, 1, 0, 0])
    nothing = np.zeros(8, dtype=bool)
    # a third of six covered questions may be refused: the two lowest-scoring
    assert refusal_threshold(scores, covered, nothing, 1 / 3) == pytest.approx(2.0 - 1e-6)
    # the fact check already refuses one of them, so the threshold refuses only one more
    vetoed = nothing.copy()
    vetoed[0] = True
    assert refusal_threshold(scores, covered, vetoed, 1 / 3) == pytest.approx(1.0 - 1e-6)
    assert refusal_threshold(scores, covered, nothing, 0.0) == pytest.approx(0.5 - 1e-6)


@pytest.mark.parametrize(
    ("question", "actor"),
    [
        ("Can a program ask me how I will rank them?", "program"),
        ("Is a PD allowed to ask where I'm ranking them?", "program"),
        ("The coordinator emailed me. Are they allowed to do that?", "program"),
        ("Can I ask a program how they will rank me?", "applicant"),
        ("is it ok to email the PD twice?", "applicant"),
        ("What is a letter of intent?", None),
    ],
)
def test_a_question_names_who_acts(question: str, actor: str | None) -> None:
    assert question_actor(question) == actor


def test_a_lead_in_names_whom_its_rules_bind(advisor: Advisor) -> None:
    bound = {c.text.split(":", 1)[0]: passage_actors(c) for c in advisor.retriever.chunks if passage_actors(c)}
    assert bound["Programs may not"] == {"program"}
    assert bound["You, as the applicant, may"] == {"applicant"}
    assert bound["You may not"] == {"applicant"}
    # only a question about what programs may do is steered; "can I" is how most questions open
    assert agreement("program", frozenset({"program"})) == 1.0
    assert agreement("program", frozenset({"applicant"})) == -1.0
    assert agreement("applicant", frozenset({"program"})) == 0.0
    assert agreement("program", frozenset()) == 0.0


def test_the_answer_leads_with_the_rule_of_whoever_the_question_asks_about(advisor: Advisor) -> None:
    program = advisor.ask("Can a program ask me how I will rank them?").blocks[0]
    assert (program.lead, program.items[0]) == ("Programs may not:", "Ask you how you will rank them")
    applicant = advisor.ask("Can I ask a program how they will rank me?").blocks[0]
    assert applicant.lead == "You may not:"
    assert applicant.items[0].startswith("Ask the program directly about your specific ranking position")


def test_the_refusal_threshold_is_chosen_on_held_out_folds() -> None:
    # few asks and many weak features: a threshold chosen on the asks the check was fitted on refuses more
    # covered questions than the budget once the questions are new; one chosen on held-out folds refuses fewer
    rng = np.random.default_rng(3)

    def sample(n: int) -> tuple[np.ndarray, np.ndarray]:
        y = (rng.random(n) < 0.7).astype(float)
        x = rng.normal(size=(n, 9))
        x[:, 0] += 1.5 * y
        return x, y

    x, y = sample(200)
    nothing = np.zeros(len(y), dtype=bool)
    features = tuple(f"f{i}" for i in range(9))
    check, _ = fit_abstention(x, y, nothing, features, 0.03, np.arange(len(y)) % 5)
    in_sample = refusal_threshold(check.score(x), y, nothing, 0.03)
    new_x, new_y = sample(20_000)
    scores = check.score(new_x)[new_y == 1]
    assert check.threshold < in_sample
    assert (scores < check.threshold).mean() < (scores < in_sample).mean()
    assert (scores < check.threshold).mean() <= 0.06
