"""Query-side spelling repair: real misspellings of guide words are mended, real words are left alone."""

from __future__ import annotations

import pytest

from index.answer.advisor import Advisor
from index.query.spelling import SpellingRepair, edit_distance

GUIDE_WORDS = ["email", "experience", "reach", "interview", "observerships", "program", "programs", "done", "what"]
ENGLISH = ["watch", "can", "the", "about", "after", "match"]


def test_edit_distance_counts_an_adjacent_swap_as_one_edit() -> None:
    assert edit_distance("emial", "email", 2) == 1
    assert edit_distance("experiance", "experience", 2) == 1
    assert edit_distance("rewatch", "reach", 2) == 2
    assert edit_distance("interview", "email", 2) == 3  # past the limit: limit + 1


@pytest.mark.parametrize(
    ("text", "repaired"),
    [
        ("can i emial the pd", "can i email the pd"),
        ("clinical experiance", "clinical experience"),
        # a contraction without its apostrophe is a word: "dont" is not "done"
        ("what if i dont match", "what if i dont match"),
        ("whats the difference", "whats the difference"),
        # two edits on a seven-letter word reach too far
        ("can I rewatch my interview", "can I rewatch my interview"),
        # known words, and words too short to judge, are never touched
        ("watch the match", "watch the match"),
        ("the pd", "the pd"),
    ],
)
def test_only_misspellings_of_guide_words_are_repaired(text: str, repaired: str) -> None:
    assert SpellingRepair(GUIDE_WORDS, ENGLISH)(text) == repaired


def test_a_word_close_to_two_guide_words_is_left_alone() -> None:
    # "progrm" is one edit from "program" and two from "programs": the nearest one wins
    assert SpellingRepair(GUIDE_WORDS, ENGLISH)("progrm") == "program"
    assert SpellingRepair(["cards", "carts"], [])("carbs") == "carbs"


def test_the_advisor_reads_questions_through_the_repair(advisor: Advisor) -> None:
    assert advisor.repair("can i emial the pd about my visa") == "can i email the pd about my visa"
    assert advisor.repair("how does SOAP work if i dont match") == "how does SOAP work if i dont match"
