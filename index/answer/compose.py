"""Composing a reply from ranked passages: which sentences to quote, how they group into blocks, what to cite.

Every quoted piece is a sentence or list item of a cited passage, verbatim. A list's lead-in is
written once above the items chosen from it, in the guide's order. A template is quoted whole, and
only when the ask wants one. Passages of one section become one citation: merged when the span
stays within the excerpt cap, else the later one is dropped for the next section.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from index.answer.reply import AnswerBlock, Cited
from index.guides.answer_units import Unit
from index.guides.chunks import MAX_CHARS, Chunk
from index.guides.content import Guide
from index.guides.markdown import read_blocks
from index.query.vocabulary import terms
from index.ranking.retrieval import Hit, Retriever, closeness

ANSWER_UNITS = 5  # chosen on fit.jsonl and the written training sets (4: -1 to -2 answer_hit on each)
ANSWER_CHARS = 480  # quoted characters per ask, a lead-in counted once
UNIT_MARGIN = 0.4  # a sentence joins the answer when it scores this close to the best one (chosen on fit.jsonl)
LATER_PASSAGE_PENALTY = 0.05  # per place: sentences of lower-ranked passages need to match better
ANSWER_PASSAGES = 3  # an ask's sentences come from its first few passages
# Before a template quoted for an ask, the advice of its first two passages only: the template, which is what was asked
# for, is then among the first three citations (2a78fa0's encoder, seed 13: after three, `questions` hit@3 .937 and
# `dev` .929; after two, .962 and .964).
TEMPLATE_ADVICE_PASSAGES = 2


class RankedUnit(NamedTuple):
    score: float
    position: int  # the chunk position of the passage the sentence comes from
    unit: Unit


def rank_units(question: str, query_vector: np.ndarray, hits: Sequence[Hit], retriever: Retriever) -> list[RankedUnit]:
    """Every sentence of the given passages and of the other passages of their sections (a section longer than
    one passage is read whole), scored by meaning and shared words; the best passage's best sentence first."""
    q_terms = frozenset(terms(question))
    place_of: dict[int, int] = {}
    for place, hit in enumerate(hits):
        for position in retriever.section_positions(hit.position):
            place_of.setdefault(position, place)
    ranked = []
    for u in np.flatnonzero(np.isin(retriever.unit_chunk, list(place_of))):
        score = closeness(float(retriever.unit_matrix[u] @ query_vector), q_terms, retriever.unit_terms[u])
        unit = retriever.units[u]
        ranked.append(
            RankedUnit(score - LATER_PASSAGE_PENALTY * place_of[unit.chunk_position], unit.chunk_position, unit)
        )
    ranked.sort(key=lambda r: -r.score)
    first = hits[0].position if hits else -1
    lead = next((r for r in ranked if r.position == first), None)
    # the answer leads with the best sentence of the best passage, which the ranker chose on more evidence
    return [lead, *(r for r in ranked if r is not lead)] if lead else ranked


def select(ranked: Sequence[RankedUnit], max_units: int = ANSWER_UNITS, max_chars: int = ANSWER_CHARS) -> list[Unit]:
    """The lead sentence, then those within UNIT_MARGIN of the best while they fit: a lead-in counts once."""
    if not ranked:
        return []
    best = max(r.score for r in ranked)
    chosen: list[Unit] = []
    leads: set[str] = set()
    length = 0
    for score, _, unit in ranked:
        # the lead is quoted however it scores: an answer is never empty
        if len(chosen) == max_units or (chosen and score < best - UNIT_MARGIN):
            break
        cost = len(unit.sentence) + (len(unit.leadin) if unit.leadin not in leads else 0)
        if chosen and length + cost > max_chars:
            continue
        chosen.append(unit)
        leads.add(unit.leadin)
        length += cost
    return chosen


def group(
    quoted: Iterable[tuple[Unit, int]], paragraph: Callable[[Unit], int], ask: str | None = None
) -> list[AnswerBlock]:
    """Blocks of (unit, citation number) pairs, in the order their first unit comes: one per list (its lead-in
    once, items in the guide's order) and one per paragraph of prose (sentences in the guide's order);
    `paragraph(unit)` tells which paragraph a sentence belongs to (`paragraph_start`)."""
    keyed: dict[tuple[int, str, int], list[Unit]] = {}
    for unit, n in quoted:
        keyed.setdefault((n, unit.leadin, 0 if unit.leadin else paragraph(unit)), []).append(unit)
    blocks = []
    for (n, leadin, _), members in keyed.items():
        items = tuple(" ".join(u.sentence.split()) for u in sorted(members, key=lambda u: u.start))
        if leadin:
            blocks.append(AnswerBlock("list", " ".join(leadin.split()), items, n, ask))
        else:
            blocks.append(AnswerBlock("text", None, items, n, ask))
    return blocks


def paragraph_start(text: str, unit: Unit) -> int:
    """Where the paragraph holding `unit` starts in `text`, its guide's text."""
    return text.rfind("\n", 0, unit.start) + 1


def template_spans(guide: Guide) -> list[tuple[int, int]]:
    """Offsets of each whole email template of `guide`: a fenced block (whose paragraphs the Markdown reader
    gives one by one), from its first line to its last."""
    spans: list[tuple[int, int]] = []
    for block in read_blocks(guide.text, guide.body_start):
        if block.kind != "fenced":
            continue
        if spans and not guide.text[spans[-1][1] : block.start].strip():
            spans[-1] = (spans[-1][0], block.end)
        else:
            spans.append((block.start, block.end))
    return spans


def template_block(chunk: Chunk, text: str, citation: int, ask: str | None = None) -> AnswerBlock:
    """The whole template as one block, headed by its section's heading; `text` is the template, verbatim."""
    return AnswerBlock("template", chunk.section[-1] if chunk.section else None, (text,), citation, ask)


@dataclass
class _Section:
    best: Chunk  # the first passage of the section cited: it names the citation
    score: float
    chunks: list[Chunk]  # passages quoted from, in order
    core: tuple[int, int] | None = None  # span of the quoted sentences with their lead-ins


class SectionCitations:
    """Citations built up sentence by sentence, one per section.

    A citation's excerpt is, of these spans, the first within the excerpt cap (MAX_CHARS): the passages
    its sentences were quoted from, the best passage with the quoted sentences, the quoted sentences
    alone. A sentence that would take the quoted span past the cap is not quoted.
    """

    def __init__(self, texts: dict[str, str]) -> None:
        self._texts = texts  # guide slug -> the guide's text, for lead-in offsets
        self._sections: dict[tuple[str, str], _Section] = {}
        self.number: dict[tuple[str, str], int] = {}
        self.quoted: list[Unit] = []
        self.templates: set[tuple[str, int]] = set()  # (guide, start) of each template quoted whole

    def __len__(self) -> int:
        return len(self._sections)

    def add_passage(self, hit: Hit) -> int:
        """The citation number of `hit`'s section, opening it when new."""
        key = (hit.chunk.guide, hit.chunk.anchor)
        if key not in self._sections:
            self._sections[key] = _Section(hit.chunk, hit.score, [])
            self.number[key] = len(self._sections)
        return self.number[key]

    def has_template(self, hit: Hit, span: tuple[int, int]) -> bool:
        """Whether the template at `span` (offsets in `hit`'s guide) is already quoted in this answer."""
        return (hit.chunk.guide, span[0]) in self.templates

    def add_template(self, hit: Hit, span: tuple[int, int]) -> bool:
        """Whether the template at `span` (offsets in `hit`'s guide) is quoted for the first time in this answer;
        it is counted as quoted from now on."""
        new = not self.has_template(hit, span)
        self.templates.add((hit.chunk.guide, span[0]))
        return new

    def add_unit(self, hit: Hit, unit: Unit) -> int | None:
        """The citation number under which `unit` (a sentence of `hit`) is quoted, or None when it does not fit."""
        n = self.add_passage(hit)
        section = self._sections[(hit.chunk.guide, hit.chunk.anchor)]
        start = self._lead_in_start(hit.chunk, unit)
        core = (
            (start, unit.end) if section.core is None else (min(section.core[0], start), max(section.core[1], unit.end))
        )
        if core[1] - core[0] > MAX_CHARS:
            return None
        section.core = core
        self.quoted.append(unit)
        if hit.chunk not in section.chunks:
            section.chunks.append(hit.chunk)
        return n

    def quoted_leads(self) -> set[str]:
        """The lead-ins of the lists quoted so far (an earlier ask's list is not quoted again)."""
        return {u.leadin for u in self.quoted if u.leadin}

    def cited(self) -> list[Cited]:
        out = []
        for s in self._sections.values():
            options = [(s.best.start, s.best.end)] if s.core is None else [
                (min(c.start for c in s.chunks), max(c.end for c in s.chunks)),
                (min(s.best.start, s.core[0]), max(s.best.end, s.core[1])),
                s.core,
            ]  # fmt: skip
            start, end = next((a, b) for a, b in options if b - a <= MAX_CHARS)
            out.append(Cited(s.best, start, end, s.score))
        return out

    def _lead_in_start(self, chunk: Chunk, unit: Unit) -> int:
        """Where the unit's lead-in starts in the guide (the unit's own start when it has none or it is not found)."""
        if not unit.leadin:
            return unit.start
        found = self._texts[chunk.guide].rfind(unit.leadin, 0, unit.start)
        return found if found >= 0 else unit.start
