"""Checks an applicant's email draft against what the guide warns against, citing the guide for each finding.

The rules (index/drafts/rules.py) are patterns over the draft's sentences; the passages each rule
rests on are found once per Advisor by its own retrieval, and kept only when they hold the rule's
guide phrase, so a finding never cites a passage that does not say what it claims.
"""

from __future__ import annotations

import math
import re
import weakref
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import partial

import numpy as np

from index.answer.advisor import Advisor
from index.answer.reply import Citation, cite, passages
from index.drafts.own_text import own_text
from index.drafts.rules import (
    FORMAL_GREETING,
    LENGTH,
    RULES,
    SALUTATION,
    SENTENCE_RULES,
    SEVERITIES,
    SUBJECT,
    SUBJECT_LINE,
    Rule,
    Severity,
)
from index.guides.content import Guide
from index.ranking.retrieval import Hit
from index.text import fold_typography, sentence_spans

CITED_PASSAGES = 2
SEARCH_DEPTH = 10  # passages retrieved per rule query, before keeping those that hold the rule's phrase
LENGTH_MARGIN = 1.5  # a draft may run this much longer than the guide's longest template
MAX_CHARS = 5000
MAX_PER_RULE = 5  # a draft of 2,500 one-line placeholders would otherwise get a finding, and citations, for each

_TEMPLATE = re.compile(r"^\s{0,3}```text\r?\n(.*?)^\s{0,3}```", re.MULTILINE | re.DOTALL)
_WORDISH = re.compile(r"[^\W_]")  # a token counts as a word when it holds a letter or digit


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: Severity
    quote: str  # verbatim text of the draft: the sentence (or line) that triggered the rule
    message: str
    citations: list[Citation]


@dataclass(frozen=True)
class DraftReport:
    findings: list[Finding]
    summary: str


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    text: str


def draft_sentences(text: str) -> list[Span]:
    """The draft's lines, each cut into its sentences (index/text.py), without outer spaces."""
    spans: list[Span] = []
    pos = 0
    for line in text.splitlines(keepends=True):
        spans += [Span(pos + s, pos + e, line[s:e]) for s, e in sentence_spans(line)]
        pos += len(line)
    return spans


def word_count(text: str) -> int:
    """How many words `text` holds: tokens between spaces that hold a letter or a digit."""
    return sum(1 for token in text.split() if _WORDISH.search(token))


def template_word_limit(guides: Mapping[str, Guide]) -> tuple[int, int] | None:
    """(longest template's words, the draft limit) from the guides' ```text templates; None if there are none."""
    counts = [word_count(m.group(1)) for g in guides.values() for m in _TEMPLATE.finditer(g.body)]
    if not counts:
        return None
    return max(counts), math.ceil(max(counts) * LENGTH_MARGIN)


def _normal(text: str) -> str:
    return " ".join(fold_typography(text).casefold().split())


def holds_phrase(text: str, rule: Rule) -> bool:
    return any(_normal(p) in _normal(text) for p in rule.phrases)


def holds_all(text: str, phrases: Sequence[str]) -> bool:
    """Whether `text` holds every phrase, read as holds_phrase reads them (case, spaces and curly quotes aside)."""
    return all(_normal(p) in _normal(text) for p in phrases)


@dataclass(frozen=True)
class _Grounding:
    hits: dict[str, list[Hit]]  # rule name -> the passages it cites
    limits: tuple[int, int] | None  # the longest template's words, and the draft's limit


_GROUNDINGS: weakref.WeakKeyDictionary[Advisor, _Grounding] = weakref.WeakKeyDictionary()


def grounding_texts(advisor: Advisor) -> list[str]:
    """What the model encodes to ground the rules: each rule's query as the Advisor encodes a question, in
    RULES order (the service encodes them through its batcher and passes the vectors to `ground_rules`)."""
    return [advisor.embedding_text(rule.query) for rule in RULES]


def is_grounded(advisor: Advisor) -> bool:
    return advisor in _GROUNDINGS


def ground_rules(advisor: Advisor, vectors: np.ndarray | None = None) -> None:
    """Find and keep the passages every rule cites; `vectors` are the `grounding_texts` encoded (shape
    (rules, dim)) when the caller has them, else the Advisor encodes each rule's query."""
    hits = {
        rule.name: grounded_hits(
            advisor, rule.query, partial(holds_phrase, rule=rule), vectors[i] if vectors is not None else None
        )
        for i, rule in enumerate(RULES)
    }
    _GROUNDINGS[advisor] = _Grounding(hits, template_word_limit(advisor.guides))


def grounded_hits(
    advisor: Advisor, query: str, holds: Callable[[str], bool], vector: np.ndarray | None = None
) -> list[Hit]:
    """The passages a rule cites: of the Advisor's SEARCH_DEPTH best for `query`, those whose text `holds` what
    the rule rests on, the best of each section, at most CITED_PASSAGES; empty when the loaded guides lack it.
    `vector` is the query's embedding when the caller has it, else the Advisor embeds the query."""
    found, _ = advisor.retrieve(query, advisor.embed_question(query) if vector is None else vector, SEARCH_DEPTH)
    holding = [h for h in found if holds(h.chunk.text)]
    by_section = {h.chunk.anchor: h for h in reversed(holding)}  # the best passage of each section
    return sorted(by_section.values(), key=holding.index)[:CITED_PASSAGES]


def _grounding(advisor: Advisor) -> _Grounding:
    if advisor not in _GROUNDINGS:
        ground_rules(advisor)
    return _GROUNDINGS[advisor]


def _fires(rule: Rule, sentence: str) -> bool:
    if any(p.search(sentence) for p in rule.unless):
        return False
    return any(all(p.search(sentence) for p in group) for group in rule.patterns)


def _message(rule: Rule, sentence: str) -> str:
    if "{match}" not in rule.message:
        return rule.message
    matched = dict.fromkeys(m.group(0) for group in rule.patterns for p in group for m in p.finditer(sentence))
    return rule.message.replace("{match}", ", ".join(matched))


def _sentence_findings(spans: list[Span]) -> Iterator[tuple[Span, Rule]]:
    for span in spans:
        fired: list[Rule] = []
        for rule in SENTENCE_RULES:  # in order: a rule yields only to rules listed before it
            if _fires(rule, span.text) and not any(f.name in rule.yields_to for f in fired):
                fired.append(rule)
        yield from ((span, rule) for rule in fired)


def _starts_line(text: str, span: Span) -> bool:
    return not text[text.rfind("\n", 0, span.start) + 1 : span.start].strip()


def _document_findings(
    text: str, spans: list[Span], limits: tuple[int, int] | None
) -> Iterator[tuple[Span, Rule, str]]:
    lines = [s for s in spans if _starts_line(text, s)]
    if not lines:
        return
    if limits is not None:
        longest, limit = limits
        count = word_count(text)
        seen = 0
        for span in spans if count > limit else []:
            seen += word_count(span.text)
            if seen > limit:
                yield span, LENGTH, LENGTH.message.format(words=count, longest=longest, limit=limit)
                break
    if not any(SUBJECT_LINE.match(s.text) for s in lines[:3]):
        yield lines[0], SUBJECT, SUBJECT.message
    opening = next((s for s in lines if not SUBJECT_LINE.match(s.text)), None)
    if opening is not None and not FORMAL_GREETING.match(opening.text):
        yield opening, SALUTATION, SALUTATION.message


def summarize(findings: list[Finding], count: int, capped: bool = False) -> str:
    counts = {s: sum(f.severity == s for f in findings) for s in SEVERITIES}
    parts = [f"{n} {s}{'s' if n != 1 else ''}" for s, n in counts.items() if n]
    size = f"{count} word{'s' if count != 1 else ''}"
    more = f" Only the first {MAX_PER_RULE} findings of each kind are shown." if capped else ""
    if counts["problem"]:
        return (
            f"{', '.join(parts)} ({size}). Fix the problems before you send it: each is something the guide "
            "tells applicants not to do." + more
        )
    if parts:
        return f"No problems found; {', '.join(parts)} to consider ({size}).{more}"
    return f"No problems found: nothing in this draft goes against the guide's advice ({size})."


def check_draft(text: str, advisor: Advisor, base_url: str) -> DraftReport:
    """The findings on the applicant's own text (index/drafts/own_text.py), each quoting the draft as typed."""
    grounding = _grounding(advisor)
    draft = own_text(text)
    spans = draft_sentences(draft.checked)
    found = [(span, rule, _message(rule, span.text)) for span, rule in _sentence_findings(spans)]
    found += _document_findings(draft.checked, spans, grounding.limits)
    per_rule: Counter[str] = Counter()
    shown = []
    for span, rule, message in found:  # in draft order, so the first few of each kind are kept
        per_rule[rule.name] += 1
        if per_rule[rule.name] <= MAX_PER_RULE:
            shown.append((span, rule, message))
    shown.sort(key=lambda f: (SEVERITIES.index(f[1].severity), f[0].start))
    findings = [
        Finding(
            rule.name,
            rule.severity,
            draft.quote(span.start, span.end),
            message,
            cite(passages(grounding.hits[rule.name]), advisor.guides, base_url),
        )
        for span, rule, message in shown
    ]
    return DraftReport(findings, summarize(findings, word_count(draft.checked), capped=len(shown) < len(found)))
