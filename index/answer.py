"""Answers in the guide's own words: cited excerpts, the best sentences, or an honest refusal."""

from __future__ import annotations

import math
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from index.content import Guide
from index.retrieval import Hit, Retriever
from index.sentences import Unit
from index.vocabulary import terms

ANSWER_UNITS = 4  # chosen on fit.jsonl with the 480-character cap unchanged
ANSWER_CHARS = 480
UNIT_MARGIN = 0.4  # a sentence joins the answer when it scores this close to the best one (chosen on fit.jsonl)
LATER_CITATION_PENALTY = 0.05  # per place: sentences of lower-ranked passages need to match better
LEXICAL_WEIGHT = 0.25


@dataclass(frozen=True)
class Citation:
    n: int
    guide: str
    guide_slug: str
    section: str
    excerpt: str
    url: str | None
    score: float
    chunk_id: str
    start: int
    end: int
    last_reviewed: str


@dataclass(frozen=True)
class Answer:
    question: str
    answered: bool
    answer: str
    citations: list[Citation]
    content_version: str
    nearest_sections: list[str] = field(default_factory=list)


class RankedUnit(NamedTuple):
    score: float
    citation: int  # the number of the citation the sentence comes from
    unit: Unit


def section_url(guide: Guide, anchor: str, base_url: str) -> str:
    if guide.source_url:
        return f"{guide.source_url.split('#', 1)[0]}#{anchor}"
    return f"{base_url.rstrip('/')}/guides/{guide.slug}#{anchor}"


def cite(hits: list[Hit], guides: dict[str, Guide], base_url: str) -> list[Citation]:
    citations = []
    for n, hit in enumerate(hits, 1):
        chunk, guide = hit.chunk, guides[hit.chunk.guide]
        citations.append(
            Citation(
                n=n,
                guide=guide.title,
                guide_slug=guide.slug,
                section=chunk.section_title,
                excerpt=chunk.text,
                url=section_url(guide, chunk.anchor, base_url),
                score=round(1.0 / (1.0 + math.exp(-hit.score)), 4),
                chunk_id=chunk.id,
                start=chunk.start,
                end=chunk.end,
                last_reviewed=guide.last_reviewed,
            )
        )
    return citations


def closeness(cosine: float, question_terms: AbstractSet[str], unit_terms: AbstractSet[str]) -> float:
    """How well one sentence answers a question: its meaning, plus a share of the question's words."""
    overlap = len(question_terms & unit_terms) / len(question_terms) if question_terms else 0.0
    return cosine + LEXICAL_WEIGHT * overlap


def rank_units(question: str, query_vector: np.ndarray, hits: list[Hit], retriever: Retriever) -> list[RankedUnit]:
    """Every sentence of the cited chunks, scored by meaning and shared words, best first."""
    q_terms = set(terms(question))
    ranked = []
    for n, hit in enumerate(hits, 1):
        for u in np.flatnonzero(retriever.unit_chunk == hit.position):
            score = closeness(float(retriever.unit_matrix[u] @ query_vector), q_terms, retriever.unit_terms[u])
            ranked.append(RankedUnit(score - LATER_CITATION_PENALTY * (n - 1), n, retriever.units[u]))
    ranked.sort(key=lambda r: (-r.score, r.citation))
    lead = next((r for r in ranked if r.citation == 1), None)
    # the answer leads with the best sentence of the best passage, which the ranker chose on more evidence
    return [lead, *(r for r in ranked if r is not lead)] if lead else ranked


def compose(ranked: list[RankedUnit]) -> str:
    """The best sentences, each followed by the number of the citation it comes from."""
    if not ranked:
        return ""
    best = max(r.score for r in ranked)
    parts: list[str] = []
    length = 0
    for score, n, unit in ranked:
        # the lead is quoted however it scores: an answer is never empty
        if len(parts) == ANSWER_UNITS or (parts and score < best - UNIT_MARGIN):
            break
        text = " ".join(unit.text.split())
        if parts and length + len(text) > ANSWER_CHARS:
            continue
        parts.append(f"{text} [{n}]")
        length += len(text)
    return " ".join(parts)


def not_covered_reply(nearest: list[str]) -> str:
    reply = "The guide does not cover this question, so I can't answer it from the guide."
    if nearest:
        reply += " The nearest sections are: " + "; ".join(nearest) + "."
    return reply
