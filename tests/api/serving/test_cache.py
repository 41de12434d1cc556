"""The answer cache: bounded, keyed on the normalised question, and dead with a new content version."""

from __future__ import annotations

import dataclasses

import cachetools
import pytest
from fastapi.testclient import TestClient

from api.serving.cache import AnswerCache, normalize_question
from index.answer.advisor import Advisor
from index.answer.reply import Answer

BASE = "http://127.0.0.1:8000"


def answer(question: str, version: str = "v1") -> Answer:
    return Answer(question, True, f"reply to {question}", [], version)


def test_the_least_recently_used_entry_goes_first() -> None:
    cache = AnswerCache(3)
    for q in ("a", "b", "c"):
        cache.put(answer(q), 3, BASE)
    assert cache.get("a", 3, BASE, "v1") is not None  # "a" is now the most recent
    cache.put(answer("d"), 3, BASE)
    assert len(cache) == 3
    assert cache.get("b", 3, BASE, "v1") is None
    assert [q for q in "acd" if cache.get(q, 3, BASE, "v1") is not None] == ["a", "c", "d"]


def test_a_new_content_version_kills_the_entry() -> None:
    cache = AnswerCache(10)
    cache.put(answer("visa email"), 3, BASE)
    assert cache.get("visa email", 3, BASE, "v2") is None
    assert cache.get("visa email", 3, BASE, "v1") is None  # gone, not just hidden
    cache.put(answer("visa email", "v2"), 3, BASE)
    assert cache.get("visa email", 3, BASE, "v2") is not None


def test_keys_fold_case_and_whitespace_and_the_reply_echoes_the_question_as_asked() -> None:
    cache = AnswerCache(10)
    cache.put(answer("Can I email the PD?"), 3, BASE)
    hit = cache.get("  can i   EMAIL the pd?\n", 3, BASE, "v1")
    assert hit is not None
    assert hit.question == "  can i   EMAIL the pd?\n"
    assert hit.answer == "reply to Can I email the PD?"
    assert normalize_question("Can I\temail  the PD?") == "can i email the pd?"


@pytest.mark.parametrize(("top_k", "base_url"), [(5, BASE), (3, "https://advisor.example.org/")])
def test_top_k_and_base_url_are_part_of_the_key(top_k: int, base_url: str) -> None:
    cache = AnswerCache(10)
    cache.put(answer("visa email"), 3, BASE)
    assert cache.get("visa email", top_k, base_url, "v1") is None


def test_answers_are_kept_in_cachetools_lru_cache() -> None:
    cache = AnswerCache(3)
    assert type(cache.entries) is cachetools.LRUCache and cache.entries.maxsize == 3
    cache.put(answer("a"), 3, BASE)
    assert cache.entries.currsize == len(cache) == 1


def test_size_zero_keeps_nothing() -> None:
    cache = AnswerCache(0)
    cache.put(answer("visa email"), 3, BASE)
    assert cache.get("visa email", 3, BASE, "v1") is None and len(cache) == 0


@pytest.mark.model
def test_questions_with_the_same_key_get_the_same_answer(advisor: Advisor) -> None:
    # What makes folding case and whitespace safe: the real Advisor answers both spellings alike.
    plain = advisor.ask("can I email about visa sponsorship before interviews")
    shouted = advisor.ask("  Can I EMAIL about Visa  Sponsorship\tbefore interviews ")
    assert dataclasses.replace(shouted, question=plain.question) == plain


def test_the_api_answers_a_repeated_question_from_the_cache(client: TestClient) -> None:
    answers: AnswerCache = client.app.state.answers  # type: ignore[attr-defined]
    question = "how many letters of intent can I send before the match?"
    first = client.post("/api/ask", json={"question": question}).json()
    hits = answers.hits
    again = client.post("/api/ask", json={"question": question.upper()}).json()
    assert answers.hits == hits + 1
    assert again == {**first, "question": question.upper()}
