"""Follow-up questions: "What about H-1B?" read together with the question before it.

The server stays stateless: the widget sends the earlier turns. Only a question that
reads as a follow-up (it opens like one, or leans on a pronoun with little else) is
read with the applicant's previous question; a self-contained question is left alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from index.text import question_text
from index.vocabulary import terms

MAX_TURNS = 10
MAX_TURN_CHARS = 2000
_OPENS_AS_FOLLOW_UP = re.compile(
    r"^\W*(and|but|also|so|then|ok(ay)?|what about|how about|what if|same for|is there|are there|can i say that)\b",
    re.IGNORECASE,
)
_LEANS_ON_CONTEXT = re.compile(r"\b(it|that|this|they|them|those|these|there|he|she|him|her|one|ones)\b", re.IGNORECASE)
_FEW_WORDS = 3


@dataclass(frozen=True)
class Turn:
    role: Literal["user", "assistant"]
    content: str


def is_follow_up(question: str) -> bool:
    question = question_text(question)  # as typed: full-width letters, zero-width spaces, URLs
    content_words = len(terms(question))
    if _OPENS_AS_FOLLOW_UP.search(question):
        return True
    return content_words <= _FEW_WORDS and (_LEANS_ON_CONTEXT.search(question) is not None or content_words <= 1)


def read_with_history(question: str, history: list[Turn]) -> str | None:
    """The question followed by the applicant's previous one, when it is a follow-up; else None."""
    previous = next((t.content for t in reversed(history) if t.role == "user" and t.content.strip()), None)
    if previous is None or not is_follow_up(question):
        return None
    return f"{question} {previous}"
