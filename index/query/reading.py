"""How an applicant's message is read: the asks in it, the situation around them, and the turn it leans on.

Applicants write situation first ("I'm on a J-1 and the website says nothing about visas.") and
often ask two or three things ("Is one email okay, and what should it say?"). Each ask is
answered on its own; the situation is context for the asks, never words a refusal keys on (a
backstory's "3 weeks" or "one page" is not an asked duration or count).

A message is a follow-up only when it needs the earlier turn to make sense: it is elliptical
("what about H-1B?", "and after the interview?") or leans on a pronoun ("how many can I send it
to?") and names little of its own. Opening words alone ("so", "also", "are there") never make
it one: "So how soon after the interview should I send a thank-you email?" stands alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from index.query.vocabulary import terms
from index.text import message_sentences

MAX_TURNS = 10
MAX_TURN_CHARS = 2000
MAX_ASKS = 3  # the first three asks are answered; the fourth and on are rare (none in the written sets)
_QUESTION_WORD = (
    r"how|what|whats|when|where|which|who|whom|why|should|shall|can|could|may|might|must|do|does|did|is|isnt|are"
    r"|am|was|were|will|would|have|has|any"
)
_PLEASE = r"please|pls|plz|kindly"
_SOFT_OPENER = rf"(?:(?:so|and|also|but|ok|okay|hi|hello|then|btw|plus|{_PLEASE}|sir|maam|now)\W+)*"
# A request put to the Advisor asks as a question does: "Kindly share the wording", "Give me a sample", "Help me
# write it". At a sentence's start the verb must be put to someone ("me", "us") or name what is wanted ("the
# wording", "how to ..."): "Send them my CV already" and "Write LOI yesterday" are what the applicant did. So does
# saying what is wanted: "I need a template", "It would be great if you could share", "Review my draft pls".
_REQUEST_VERB = r"give|show|share|send|write|draft|help|explain|suggest|recommend|provide|guide|advise|tell|clarify"
_REQUESTED = r"me|us|a|an|the|some|any|your|both|how|what|whether|if|which|who|when|where"
_ASKS = re.compile(
    rf"^\W*{_SOFT_OPENER}(?:(?:{_QUESTION_WORD})\b|(?:{_REQUEST_VERB})\s+(?:{_REQUESTED})\b)"
    rf"|(?:^|[,;:])\W*(?:{_PLEASE})\s+(?:{_REQUEST_VERB})\b"
    rf"|\b(?:{_PLEASE})\s+(?:advise|guide|suggest|help|tell|let)\b"
    r"|(?:\b(?:i|we)\s+(?:really\s+|urgently\s+)?(?:need|am looking for|would like|want)|\bi['’]m looking for"
    r"|^\W*looking for)\s+(?:a|an|the|some|your)?\s*(?:urgent\s+|quick\s+)?"
    r"(?:templates?|samples?|examples?|drafts?|wording|advices?|guidance|help(?!\s+from)|suggestions?)\b"
    rf"|^\W*{_SOFT_OPENER}(?:review|correct|check|proofread|edit|improve)\s+(?:my|this)\b"
    r"|\b(?:it would be|it'd be|would be)\s+(?:great|helpful|nice|kind)\s+if\s+you\b"
    r"|\b(?:i\s+)?(?:kindly\s+)?request(?:ing)?\s+you\s+to\b"
    r"|\b(i want to know|i would like to know|i'd like to know|wondering"
    r"|any (advice|suggestions?|tips|idea)|let me know|tell me"
    r"|(not sure|unsure|confused|no idea|don'?t know) (if|whether|how|what|when|who|about)"
    r"|is it (ok|okay|fine|alright))\b",
    re.IGNORECASE,
)
# Words quoted from a draft or a program's email ("I wrote 'please give me a chance'") are not the applicant's ask.
# An apostrophe inside a word ("I'm") does not close a single quote.
_QUOTED = re.compile(r"(?<!\w)[\"“][^\"”]{3,300}?[\"”]|(?<!\w)['‘](?:[^'’]|['’](?=\w)){3,300}?['’](?!\w)")
_CLOSING = "\"”’')"
_QUOTE_TAIL = re.compile(r"^[^\"“”]*[\"”]$")  # a closing mark, none opened before it in the sentence
# Where one sentence holds two asks: ", and how many ...", "; also can I ...".
_JOINED_ASK = re.compile(
    rf"(?:,\s*|;\s*|\s+)(?:and|also|plus|&)\s+(?:also\s+)?(?=(?:{_QUESTION_WORD})\b)"
    rf"|;\s*(?=(?:{_QUESTION_WORD})\b)|\?\s*(?=\w)",
    re.IGNORECASE,
)
_ELLIPTICAL = re.compile(
    r"^\W*(?:(?:so|ok|okay|and|but)\W+)?(?:what about|how about|what if|same (?:for|with|goes for)|and\b|or\b)",
    re.IGNORECASE,
)
# A plea that names nothing of its own ("please guide, very stressed", "any advice?", "thanks in advance") asks
# about the rest of the message: beside other asks it is no ask of its own.
_PLEA = re.compile(
    rf"\b(?:(?:{_PLEASE})\s+(?:advise|guide|suggest|help)(?:\s+me)?"
    r"|any\s+(?:advice|suggestions?|tips|ideas?|help)|let me know)\b",
    re.IGNORECASE,
)
_THANKS = re.compile(
    r"^\W*(?:many\s+)?(?:thanks?|thank\s+you|thx)(?:\s+(?:so much|a lot|very much|in advance|all))*\W*$", re.IGNORECASE
)
_NAMING = re.compile(r"\b(?:on|about|for|with|regarding|if|whether|how|when|what|which|who|why|where)\b", re.IGNORECASE)
_MOOD = frozenset(
    terms("very so really stressed worried confused scared anxious nervous urgent desperate lost sir madam")
)
_OPENER = re.compile(r"^(?:(?:and|also|plus|so|ok|okay|btw|then|but)\b\W*)+", re.IGNORECASE)
_PRONOUN = re.compile(r"\b(it|that|this|they|them|those|these|he|she|him|her|one|ones)\b", re.IGNORECASE)
_OWN_TOPIC_TERMS = 2  # a question naming more content words than this carries its own topic
_ASKING = frozenset(terms("many much long often soon"))  # "how many", "how soon": what is asked, not about what


@dataclass(frozen=True)
class Turn:
    role: Literal["user", "assistant"]
    content: str


@dataclass(frozen=True)
class Reading:
    """A message as the Advisor reads it.

    `asks` are spans of the message (at most MAX_ASKS), each answered on its own; `situation` is the
    rest of the message; `previous` is the applicant's previous question when the message is a
    follow-up that needs it, else None.
    """

    question: str
    asks: tuple[str, ...]
    situation: str
    previous: str | None = None

    def retrieval_text(self, ask: str) -> str:
        """What is matched for one ask: the ask, then what it leans on: the previous turn for a follow-up; else the
        ask before it when the ask cannot stand alone ("what should it say?"), and the situation."""
        if self.previous is not None:
            return f"{ask} {self.previous}"
        before = self.asks[: self.asks.index(ask)] if ask in self.asks else ()
        lean = before[-1:] if is_follow_up(ask) else ()
        return " ".join([ask, *lean, self.situation]).strip()


def is_follow_up(question: str) -> bool:
    """True when `question` needs the earlier turn: elliptical ("and after the interview?"), or naming at most
    one thing, or leaning on a pronoun while naming little ("how many can I send it to?")."""
    named = len([t for t in terms(question) if t not in _ASKING])
    if named > _OWN_TOPIC_TERMS:
        return False
    return named <= 1 or bool(_ELLIPTICAL.search(question)) or _PRONOUN.search(question) is not None


def split_asks(message: str) -> tuple[tuple[str, ...], str]:
    """(asks, situation): the sentences that ask something, split where one holds two asks, and the rest.

    A message with no sentence that reads as an ask is one ask ("thank you note timing"); a plea that names
    nothing ("any advice?") beside other asks is dropped, neither ask nor situation.
    """
    sentences = _unquoted_sentences(message)
    asks, situation = _asks_and_situation([(s, u) for s, u in sentences if not _only_pleads(s)])
    if not asks:  # only pleas ask: they ask about the situation, and are read as asks
        asks, situation = _asks_and_situation(sentences)
    if not asks:
        return (message.strip(),), ""
    if len(asks) > 1 or situation:  # a lone ask keeps its opener: "and after the interview?" is a follow-up
        asks = [_OPENER.sub("", a) or a for a in asks]
    return tuple(asks[:MAX_ASKS]), " ".join(situation)


def _unquoted_sentences(message: str) -> list[tuple[str, str]]:
    """Each sentence of `message`, and the same sentence with its quoted words blanked out: a sentence that ends a
    quote opened in an earlier one (a quoted email of several sentences) is quoted whole."""
    out = []
    for sentence in message_sentences(message):
        unquoted = _QUOTED.sub(lambda quote: " " * len(quote.group()), sentence)
        if _QUOTE_TAIL.search(unquoted):
            unquoted = " " * len(sentence)
        out.append((sentence, unquoted))
    return out


def _asks_and_situation(sentences: list[tuple[str, str]]) -> tuple[list[str], list[str]]:
    """(asks, situation) of (sentence, the sentence with quoted words blanked out) pairs."""
    asks: list[str] = []
    situation: list[str] = []
    for sentence, unquoted in sentences:
        if _ASKS.search(unquoted):
            asks.extend(p.strip(" ,;") for p in _JOINED_ASK.split(sentence) if p and p.strip(" ,;?"))
        elif unquoted.rstrip().rstrip(_CLOSING).endswith("?"):
            # a fragment ("my observership attending?") adds to the ask before it; a quoted question is not asked
            if asks:
                asks[-1] = f"{asks[-1]} {sentence}"
            else:
                asks.append(sentence)
        else:
            situation.append(sentence)
    return asks, situation


def _only_pleads(sentence: str) -> bool:
    """A thanks, or a plea whose other words name nothing: no object ("on LORs", "how to ...") and no content
    word beside the applicant's mood ("very stressed")."""
    if _THANKS.match(sentence):
        return True
    if _PLEA.search(sentence) is None:
        return False
    rest = _PLEA.sub(" ", sentence)
    return _NAMING.search(rest) is None and not set(terms(rest)) - _MOOD


def read(question: str, history: list[Turn]) -> Reading:
    """The message's asks and situation, and the previous question when the message is a follow-up."""
    asks, situation = split_asks(question)
    previous = next((t.content for t in reversed(history) if t.role == "user" and t.content.strip()), None)
    if previous is not None and not situation and len(asks) == 1 and is_follow_up(asks[0]):
        return Reading(question, asks, situation, previous)
    return Reading(question, asks, situation)
