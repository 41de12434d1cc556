"""Does the guide cover the question? A fitted check on the evidence, not a guessed threshold.

Besides how well the best passages match, it asks whether what the question is about
appears in them: the share of the question's words found in the evidence, words the
guides never use, names the guides never mention ("Mayo Clinic"), and how far the best
passage leads the next (a question the guide answers tends to have one clear answer).

A question that asks for a kind of fact (a fee, a date, a duration, an average, a count) that the
best sentences do not hold is refused whatever the fitted score says, since a high passage score could
outvote it as a feature. Over the 2,763 training asks it fires on 212 of the 1,330 not covered and on 6 of
the 1,433 covered, each of those a message labelled as a whole that also asks for a fact.

Where the ask's scope is known (its best passage is in a guide the scope model was fitted on,
index/ranking/scope.py), a second model fitted with it as one more feature judges instead.

Each ask of a message is judged alone, so a message of several asks the guide does not answer has several
chances to be answered. A message of several asks whose scope is known is also judged whole (`refuses_message`):
a fitted model weighs the scoped model's score of the whole message against the best margin of its asks, so
that an ask answered with confidence keeps its message answered and one answered narrowly does not.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from index.query.vocabulary import terms
from index.ranking.linear import LinearModel
from index.ranking.retrieval import Retriever, Signals, closeness

EVIDENCE_CHUNKS = 3
FACT_CHUNKS = 2  # a fact asked is looked for in the best sentences of the best passages
FEATURES = (
    "ranker_top", "dense_unit_top", "coverage_top1", "coverage_top3", "unknown_words", "unknown_names", "ranker_gap",
    "reader_top",
)  # fmt: skip
SCOPED_FEATURES = (*FEATURES, "scope")
# the whole-message check: the asks' best margin over their check's threshold, and the scoped model's score of
# the message judged whole
MESSAGE_FEATURES = ("best_ask_margin", "whole_message")
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9&\-]+")
_NUMBER_WORDS = r"one|two|three|four|five|six|seven|eight|nine|ten|twelve|single|once|twice|few|several"
_MONTHS = (
    r"january|february|march|april|may|june|july|august|september|october|november|december"
    r"|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
)
_I = re.IGNORECASE


class AskedFact(NamedTuple):
    wants: re.Pattern[str]  # how a question asks for this kind of fact
    evidence: re.Pattern[str]  # what a sentence must hold to give it
    of_what: bool  # the fact is of something the question names, which the sentence must name too


# The kinds of fact a question can ask for: a guide of advice seldom holds the fee, the deadline or the
# average an applicant asks about, while its passages still match the question's other words.
_ASKED_FACTS = (
    AskedFact(  # an amount of money
        re.compile(
            r"\b(cost|costs|fees?|price|prices|salary|salaries"
            r"|how much (do|does|will) \w+( \w+)? (pay|earn|make|charge))\b",
            _I,
        ),
        re.compile(r"[$€£]\s?\d|\b\d[\d,.]*\s?(dollars?|usd|euros?)\b", _I),
        False,
    ),
    AskedFact(  # a date
        re.compile(r"\b(deadlines?|due date|what date|which date|what day|what month)\b", _I),
        re.compile(rf"\b({_MONTHS})\b|\b\d{{1,2}}/\d{{1,2}}\b", _I),
        False,
    ),
    AskedFact(  # a duration
        re.compile(
            r"\bhow long (does|will|do|did|is|are) [\w-]+( [\w-]+)?( [\w-]+)? (take|last)\b|\bhow long until\b"
            r"|\bhow many (hours|days|weeks|months|years)\b",
            _I,
        ),
        re.compile(rf"\b(\d+|{_NUMBER_WORDS})\b[\s\d–-]*(hours?|days?|weeks?|months?|years?)\b", _I),
        False,
    ),
    AskedFact(  # a share
        re.compile(r"\b(what percent(age)?|percent(age)?|what share|what proportion|match rate|pass rate)\b", _I),
        re.compile(r"\d\s?%|\bpercent\b", _I),
        True,
    ),
    AskedFact(  # a statistic: written in digits. An exam's name may come between a qualifier that asks for a figure
        # and "score" ("the minimum Step 2 CK score"); not after "good", "competitive" or "passing", which as often
        # describe a score the applicant has ("I have good Step scores", "does a passing Step 1 score still matter")
        re.compile(
            r"\b(average|median|how old|(good|competitive|passing) scores?"
            r"|(minimum|cutoff|cut-off|required) ((usmle|comlex|step|ck|ce|pe|level|board|exam|[123])[\s-]*){0,4}"
            r"scores?)\b",
            _I,
        ),
        re.compile(r"\d", _I),
        True,
    ),
    AskedFact(  # a count: "one", "a single", "only" count too. "How much (or many) is too much (many)", said in the
        # same clause, and "how much should I" ask a degree, not a count
        re.compile(
            r"\b(how many|how much(?! (i|you|we|they|he|she|should|would|could|can|will|must)\b))\b"
            r"(?![^?.!;,]{0,40}\btoo (much|many|often)\b)",
            _I,
        ),
        re.compile(rf"\d|\b({_NUMBER_WORDS}|only)\b", _I),
        True,
    ),
)
_DIGITS = re.compile(r"\d+")
_MONTH = re.compile(_MONTHS, _I)
EVIDENCE_UNITS = 3  # the sentences an answer would quote
SUBJECT_WORDS = 4
_ASKING_TERMS = frozenset(
    terms(
        "how many much average median old passing minimum cutoff cut required good competitive"
        " what percent percentage share proportion"
    )
)


@dataclass(frozen=True)
class Verdict:
    covered: bool
    score: float  # log-odds that the guide covers the question
    evidence: dict[str, float]
    margin: float  # score less the threshold of the model that judged; at most 0 when a fact is missing


class CoverageCheck:
    def __init__(
        self,
        retriever: Retriever,
        model: LinearModel,
        scoped: LinearModel | None = None,
        message: LinearModel | None = None,
    ) -> None:
        """`model` judges on FEATURES; `scoped`, when given, judges asks whose scope is known, on SCOPED_FEATURES;
        `message`, when given with `scoped`, judges a whole message of several asks whose scope is known, on
        MESSAGE_FEATURES."""
        if (
            model.features != FEATURES
            or (scoped is not None and scoped.features != SCOPED_FEATURES)
            or (message is not None and message.features != MESSAGE_FEATURES)
        ):
            raise ValueError("the abstention model was fitted on other features: refit it (make index)")
        self.retriever = retriever
        self.model = model
        self.scoped = scoped
        self.message = message

    def features(self, question: str, signals: Signals, asked: str | None = None) -> np.ndarray:
        """The FEATURES for `question` (what was matched) given its `signals`; names are looked for in
        `asked` (the ask itself, without the situation around it), which defaults to `question`."""
        r = self.retriever
        q_terms = signals.question_terms
        top = [int(i) for i in signals.order[:EVIDENCE_CHUNKS]]
        in_top3 = frozenset().union(*(r.chunk_terms[i] for i in top))

        def share(found: frozenset[str]) -> float:
            return len(q_terms & found) / len(q_terms) if q_terms else 0.0

        return np.array(
            [
                float(signals.scores[top[0]]), float(signals.unit_dense.max()), share(r.chunk_terms[top[0]]),
                share(in_top3), 1.0 - share(r.vocabulary) if q_terms else 1.0,
                float(self._unknown_names(question if asked is None else asked)),
                float(signals.scores[top[0]] - signals.scores[top[1]]) if len(top) > 1 else 0.0,
                signals.reader_top,
            ]
        )  # fmt: skip

    def scoped_features(self, question: str, signals: Signals, asked: str | None = None) -> np.ndarray:
        """(SCOPED_FEATURES,): `features` and the ask's scope, NaN where it is not known."""
        scope = np.nan if signals.scope is None else signals.scope
        return np.append(self.features(question, signals, asked), scope)

    def judge(self, question: str, signals: Signals, asked: str | None = None) -> Verdict:
        """Whether the guides cover `question`. A kind of fact asked in `asked` (the ask without its
        situation; `question` by default) that the evidence does not hold refuses whatever the score."""
        if self.scoped is not None and signals.scope is not None:
            x, model = self.scoped_features(question, signals, asked), self.scoped
        else:
            x, model = self.features(question, signals, asked), self.model
        score = float(model.score(x.reshape(1, -1))[0])
        missing = self.fact_missing(question if asked is None else asked, signals)
        evidence = dict(zip(model.features, map(float, x), strict=True)) | {"fact_missing": float(missing)}
        margin = score - model.threshold
        return Verdict(margin >= 0 and not missing, score, evidence, min(margin, 0.0) if missing else margin)

    def message_score(self, message: str, signals: Signals) -> float | None:
        """The scoped model's log-odds for a message of several asks judged whole (`message` as matched, its
        `signals` those of the whole message); None without that model or where the scope is not known."""
        if self.scoped is None or signals.scope is None:
            return None
        return float(self.scoped.score(self.scoped_features(message, signals).reshape(1, -1))[0])

    def refuses_message(self, message: str, signals: Signals, best_margin: float) -> bool:
        """Whether a message of several asks is refused, judged whole, though its best ask has `best_margin`
        (Verdict.margin); False without a message check or where the scope is not known."""
        if self.message is None or (whole := self.message_score(message, signals)) is None:
            return False
        return float(self.message.score(np.array([[best_margin, whole]]))[0]) < self.message.threshold

    def _unknown_names(self, question: str) -> int:
        """Capitalised words inside the question that no guide uses: programs, places, exams it never names.

        A word that opens a sentence is capitalised for that alone, and a month is a date, not a name."""
        count = 0
        for match in _WORD.finditer(question):
            word = match.group(0)
            if not word[0].isupper() or word.lower() in self.retriever.words or _MONTH.fullmatch(word):
                continue
            before = question[: match.start()].rstrip()
            if not before or before[-1] in ".!?:":  # it opens a sentence
                continue
            stems = terms(word)
            if stems and not any(s in self.retriever.vocabulary for s in stems):
                count += 1
        return count

    def fact_missing(self, question: str, signals: Signals) -> bool:
        """The question asks for a figure, date, fee or duration that the best sentences of the best passages
        do not hold (a number the question itself gives does not count). A count or a share is of something
        ("the average Step 1 score"): the sentence that gives it must name that too."""
        # the most specific kind asked decides: "how much does it cost" wants a fee, not any number
        found = next(((fact, m) for fact in _ASKED_FACTS if (m := fact.wants.search(question))), None)
        if found is None:
            return False
        fact, match = found
        subject = _subject(question, match) if fact.of_what else frozenset()
        r = self.retriever
        units = np.flatnonzero(np.isin(r.unit_chunk, signals.order[:FACT_CHUNKS]))
        q_terms = signals.question_terms
        scores = [closeness(float(signals.unit_dense[u]), q_terms, r.unit_terms[u]) for u in units]
        best = [units[i] for i in np.argsort(scores)[::-1][:EVIDENCE_UNITS]]
        own_numbers = set(_DIGITS.findall(question))
        for u in best:
            text = _DIGITS.sub(lambda m: m.group(0) if m.group(0) not in own_numbers else "", r.units[u].text)
            if fact.evidence.search(text) and (not subject or subject & r.unit_terms[u]):
                return False
        return True


def _subject(question: str, asked: re.Match[str]) -> frozenset[str]:
    """What a count or a share is of: the terms of the few words after "how many", "average", "percent". A count
    of times is of nothing named: it is given as a count of what is done ("0–1 email", "once")."""
    following = re.split(r"[?.!,;:]", question[asked.end() :], maxsplit=1)[0]
    words = following.split()[:SUBJECT_WORDS]
    if words and words[0].lower() == "times":
        return frozenset()
    return frozenset(terms(" ".join([asked.group(0), *words]))) - _ASKING_TERMS
