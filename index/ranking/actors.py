"""Whose rule is it? "Can a program ask me how I will rank them?" is answered by "Programs may not:",
not by "You may not:", though the two lists share almost every word.

A guide of rules often heads its lists with who they bind ("Programs may:", "You, as the applicant,
may not:"); a question names who acts ("can a program…", "can I…"). Meaning-based retrieval blurs the
two, so the ranker gets whether they agree. Only a question about what programs may do is steered:
"can I" opens most questions, and steering all of those toward the applicant's lists cost more
questions on the evaluation sets than it fixed.
"""

from __future__ import annotations

import re
from typing import Literal

from index.guides.chunks import Chunk
from index.guides.markdown import plain

Actor = Literal["program", "applicant"]

_PROGRAM = (
    r"(?:the |a |my |any |their |your )?(?:residency programs?|programs?|pds?|pcs?|program directors?"
    r"|program coordinators?|coordinators?|interviewers?|faculty|they)"
)
_MODAL = r"(?:can|could|may|might|should|must|will|would)"
# who acts in a question: "can a program ask…", "are they allowed…" / "can I…", "is it ok to…"
_QUESTION_ACTORS: tuple[tuple[re.Pattern[str], Actor], ...] = (
    (re.compile(rf"\b{_MODAL} {_PROGRAM}\b"), "program"),
    (re.compile(rf"\b(?:is|are) {_PROGRAM} (?:allowed|permitted)\b"), "program"),
    (re.compile(rf"\b{_PROGRAM} (?:is|are) (?:allowed|permitted)\b"), "program"),
    (
        re.compile(rf"\b(?:{_MODAL}|do|am) i\b|\bis it (?:ok|okay|fine|alright|allowed) (?:for me )?(?:to|if i)\b"),
        "applicant",
    ),
)
# who a list's lead-in binds: "Programs may not:", "You, as the applicant, may:", "You may email:"
_BINDS = r"\b[^:]{0,30}?\b(?:may|must|should|can|cannot|will)\b"  # "may not", ", as the applicant, may"
_LEADIN_ACTORS: tuple[tuple[re.Pattern[str], Actor], ...] = (
    (re.compile(rf"^(?:residency )?(?:programs?|program directors?|pds?|coordinators?){_BINDS}"), "program"),
    (re.compile(rf"^(?:you|applicants?){_BINDS}"), "applicant"),
)


def question_actor(question: str) -> Actor | None:
    """Who the question asks about, from the first place it names one; None when it names nobody."""
    text = question.lower()
    found = [(m.start(), actor) for pattern, actor in _QUESTION_ACTORS if (m := pattern.search(text))]
    return min(found)[1] if found else None


def passage_actors(chunk: Chunk) -> frozenset[Actor]:
    """Who the passage's lead-ins bind."""
    lines = [chunk.context, *(plain(line) for line in chunk.text.splitlines())]
    leadins = [line.strip().lower() for line in lines if line.strip().endswith(":")]
    return frozenset(actor for line in leadins for pattern, actor in _LEADIN_ACTORS if pattern.search(line))


def agreement(asked: Actor | None, bound: frozenset[Actor]) -> float:
    """1 when the passage's rules bind whoever the question asks about, -1 when they bind only someone else."""
    if asked != "program" or not bound:
        return 0.0
    return 1.0 if asked in bound else -1.0
