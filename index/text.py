"""Shared text handling: Unicode normalisation, quote and dash folding, URLs, sentence splitting, and the share
of a question's terms that a text holds.

Applicants paste from PDFs, web pages and phones: full-width letters, ligatures, zero-width spaces, soft
hyphens, byte-order marks and bidi marks. What is matched is the NFKC form without invisible format
characters (Unicode category Cf, UAX #15 and UAX #44); what is shown back is the text as typed, so the
normalised form keeps, for each of its characters, the span of the typed text it came from.

One sentence splitter serves the guides' answer units, the chunker's cuts of a long block and the
email-draft check (see `sentence_spans` for why it is not a library's); an applicant's message is cut by
`message_sentences`, where a sentence may start in lower case and a line break ends one.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

# A URL as applicants paste it, up to the next space: with a scheme, from "www.", or a domain and a path.
_URL = re.compile(r"(?:\b[a-z][a-z0-9+.-]*://|\bwww\.|\b(?:[a-z0-9-]+\.)+[a-z]{2,}/)\S*", re.IGNORECASE)
_LETTER_OR_DIGIT = re.compile(r"[^\W_]")
# Typographic quotes and dashes, as applicants and the guides' editors type either.
_TYPOGRAPHY = str.maketrans(
    {"\u2013": "-", "\u2014": "-", "\u2212": "-", "\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'}
)


def normalise(text: str) -> str:
    """NFKC without format characters: "ｖｉｓａ" -> "visa", "spon\\u00adsor" -> "sponsor", "\\ufeffHi" -> "Hi"."""
    if text.isascii():  # NFKC leaves ASCII as it is, and no format character is ASCII
        return text
    return _without_format(unicodedata.normalize("NFKC", _without_format(text)))


def _without_format(text: str) -> str:
    # Format characters (Cf): zero-width space and joiners, soft hyphen, BOM, bidi marks and isolates, ...
    return "".join(c for c in text if unicodedata.category(c) != "Cf")


@dataclass(frozen=True)
class Normalised:
    """`text` normalised, with `starts[i]:ends[i]` the span of the typed text its i-th character came from."""

    text: str
    starts: list[int]
    ends: list[int]

    def typed_span(self, start: int, end: int) -> tuple[int, int]:
        """The span of the typed text that `text[start:end]` (not empty) came from."""
        return self.starts[start], self.ends[end - 1]


def normalise_with_spans(typed: str) -> Normalised:
    """`normalise(typed)` cluster by cluster (a character and the combining marks after it), keeping spans."""
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    i, n = 0, len(typed)
    while i < n:
        j = i + 1
        while j < n and unicodedata.combining(typed[j]):
            j += 1
        piece = normalise(typed[i:j])
        out.append(piece)
        starts += [i] * len(piece)
        ends += [j] * len(piece)
        i = j
    return Normalised("".join(out), starts, ends)


def fold_typography(text: str) -> str:
    """Typographic quotes and dashes as their ASCII forms: "It’s “one”—or two" -> "It's \"one\"-or two"."""
    return text.translate(_TYPOGRAPHY)


def strip_urls(text: str) -> str:
    """`text` without its URLs: a URL names a page, it does not ask anything."""
    return " ".join(_URL.sub(" ", text).split()) if _URL.search(text) else text


def question_text(question: str) -> str:
    """What a question (or an earlier turn) is matched as: normalised, without URLs; "" when nothing is left
    that holds a letter or a digit."""
    text = strip_urls(normalise(question))
    return text if _LETTER_OR_DIGIT.search(text) else ""


def matching(repair: Callable[[str], str]) -> Callable[[str], str]:
    """`repair` (the spelling repair) applied to `question_text`: the Advisor's one entry for every question
    and earlier turn it matches, so all its paths read the same text."""
    return lambda text: repair(question_text(text))


# A sentence ends at . ! ? or … (and closing quotes or brackets), before spaces and a capital, a digit or an
# opening quote; not after a title or a common abbreviation. The abbreviations are matched as the end of the
# word before the stop, as the guides' answer units always were: "waitlist." ends like "st." and "programs."
# like "ms.", so those sentence pairs stay together. Matching whole words, as pySBD, sentencex, syntok or this
# splitter with word boundaries do, cost 1 of 79 hit@3 and 2 of 79 answer_hit on tests/eval/questions.jsonl
# (README, Answer quality), so this splitter stays until the ranker is refitted on finer sentences.
_CLOSERS = r"[\"”’)]*"  # closing quotes or brackets after the stop belong to the sentence
_SENTENCE_END = re.compile(rf"[.!?…]{_CLOSERS}\s+(?=[\"“(\[]?[A-Z0-9])")
_ABBREVIATIONS = (
    "dr.", "vs.", "e.g.", "i.e.", "etc.", "mr.", "ms.", "mrs.", "st.", "no.", "prof.", "approx.", "dept.", "jr.", "sr.",
    "u.s.",
)  # fmt: skip


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of `text`, without the spaces around it; [] for blank text.

    The one sentence splitter: of the guides' answer units, of the chunker's cuts of a long block, and of
    the email-draft check's lines. Every character but spaces is in a sentence."""
    spans: list[tuple[int, int]] = []
    start = len(text) - len(text.lstrip())
    for match in _SENTENCE_END.finditer(text, start):
        if text[start : match.start() + 1].lower().endswith(_ABBREVIATIONS):
            continue
        spans.append((start, match.start() + len(match.group(0).rstrip())))
        start = match.end()
    if text[start:].strip():
        spans.append((start, len(text.rstrip())))
    return spans


# Applicants' sentences often start in lower case ("had my interview. should i send..."): any case ends one,
# and so does a line break; not a stop after a single letter or a short title ("Dr.", "no.").
_MESSAGE_SENTENCE_END = re.compile(
    rf"(?<!\b[A-Za-z]\.)(?<!\b(?:dr|vs|mr|ms|st|no|eg|ie)\.)(?<=[.!?…])(?P<closers>{_CLOSERS})\s+|\n\s*\n?"
)


def message_sentences(message: str) -> list[str]:
    """The sentences of an applicant's message, stripped of spaces; none blank. A closing quote or bracket after
    a sentence's stop stays with it."""
    text = message.strip()
    sentences, start = [], 0
    for end in _MESSAGE_SENTENCE_END.finditer(text):
        sentences.append(text[start : end.start() + len(end.group("closers") or "")])
        start = end.end()
    sentences.append(text[start:])
    return [s.strip() for s in sentences if s.strip()]


def share_found(wanted: AbstractSet[str], found: AbstractSet[str]) -> float:
    """The share of `wanted` (a question's terms) that `found` holds; 0.0 when nothing is wanted."""
    return len(wanted & found) / len(wanted) if wanted else 0.0
