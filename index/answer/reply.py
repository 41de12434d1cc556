"""What an applicant reads: the answer's blocks of guide text, its citations, and how it is written out.

An answer is made of blocks, each quoting one cited passage verbatim: a list's lead-in once with the
chosen items under it ("Programs may not:" then "- Ask you how you will rank them"), prose sentences
as sentences, or a whole email template. `render` writes them as plain text (lines and "- " bullets,
each block followed by its [n]) for the terminal and the JSON's `answer`; the widget reads the blocks.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from index.guides.chunks import Chunk
from index.guides.content import Guide
from index.ranking.retrieval import Hit

BlockKind = Literal["text", "list", "template"]
REFUSAL = "The guide doesn't answer that."


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
class AnswerBlock:
    """Verbatim guide text from citation `citation`: a list's `lead` with its chosen `items` ("list"),
    sentences of prose ("text", `lead` None), or a whole template (`lead` its heading, one item).
    `ask` is the part of the message the block answers, set when the message asked several things."""

    kind: BlockKind
    lead: str | None
    items: tuple[str, ...]
    citation: int
    ask: str | None = None


@dataclass(frozen=True)
class Answer:
    question: str
    answered: bool
    answer: str
    citations: list[Citation]
    content_version: str
    nearest_sections: list[str] = field(default_factory=list)
    blocks: list[AnswerBlock] = field(default_factory=list)
    unanswered: list[str] = field(default_factory=list)  # asks of the message the guides do not answer
    suggestions: list[str] = field(default_factory=list)  # what to ask instead, when nothing was answered


@dataclass(frozen=True)
class Cited:
    """One citation before numbering: a span of one section (one passage, or neighbours merged)."""

    chunk: Chunk  # the best passage of the span; its id and section name the citation
    start: int
    end: int
    score: float  # the ranker's log-odds for the best passage


def passages(hits: Sequence[Hit]) -> list[Cited]:
    """Whole passages to cite, as retrieved."""
    return [Cited(h.chunk, h.chunk.start, h.chunk.end, h.score) for h in hits]


def section_url(guide: Guide, anchor: str, base_url: str) -> str:
    if guide.source_url:
        return f"{guide.source_url.split('#', 1)[0]}#{anchor}"
    return f"{base_url.rstrip('/')}/guides/{guide.slug}#{anchor}"


def cite(cited: Sequence[Cited], guides: dict[str, Guide], base_url: str) -> list[Citation]:
    """Numbered citations (from 1) with excerpts read from each guide's text at their offsets."""
    citations = []
    for n, c in enumerate(cited, 1):
        guide = guides[c.chunk.guide]
        citations.append(
            Citation(
                n=n,
                guide=guide.title,
                guide_slug=guide.slug,
                section=c.chunk.section_title,
                excerpt=guide.text[c.start : c.end],
                url=section_url(guide, c.chunk.anchor, base_url),
                score=round(1.0 / (1.0 + math.exp(-c.score)), 4),
                chunk_id=c.chunk.id,
                start=c.start,
                end=c.end,
                last_reviewed=guide.last_reviewed,
            )
        )
    return citations


def render(blocks: Sequence[AnswerBlock], unanswered: Sequence[str] = ()) -> str:
    """Plain text: a list as its lead-in and "- " bullets, prose as sentences, a template as written;
    each block ends with its [n]; blocks of another ask open with that ask in quotes."""
    paragraphs: list[str] = []
    ask: str | None = None
    for block in blocks:
        lines: list[str] = []
        if block.ask is not None and block.ask != ask:
            lines.append(f"“{block.ask}”")
        ask = block.ask
        marker = f"[{block.citation}]"
        if block.kind == "list":
            lines.append(f"{block.lead} {marker}" if block.lead else marker)
            lines.extend(f"- {item}" for item in block.items)
        elif block.kind == "template":
            lines.append(f"{block.lead} {marker}" if block.lead else marker)
            lines.extend(block.items)
        else:
            lines.append(" ".join([*block.items, marker]))
        paragraphs.append("\n".join(lines))
    paragraphs.extend(f"The guide doesn't answer “{ask}”." for ask in unanswered)
    return "\n\n".join(paragraphs)


def refusal(nearest: Sequence[str], other_questions: Sequence[str]) -> str:
    """ "The guide doesn't answer that.", then the nearest sections by title, or else questions it answers."""
    if nearest:
        return "\n".join([REFUSAL, "Closest in the guide:", *(f"- {title}" for title in nearest)])
    if other_questions:
        return "\n".join([REFUSAL, "Questions it answers:", *(f"- {q}" for q in other_questions)])
    return REFUSAL
