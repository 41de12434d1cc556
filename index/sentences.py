"""Answer units: the sentences and list items of a chunk, each with the lead-in that heads it.

An answer is made of these, verbatim: "Programs may not: Ask you how you will rank them".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from index.chunks import Chunk
from index.markdown import plain, read_blocks

_CANDIDATE_END = re.compile(r"[.!?…][\"”’)]*\s+(?=[\"“(\[]?[A-Z0-9])")
_ABBREVIATIONS = ("dr.", "vs.", "e.g.", "i.e.", "etc.", "mr.", "ms.", "mrs.", "st.", "no.")
_MARKER = re.compile(r"^\s{0,3}(?:[-*+]|\d{1,3}[.)])\s+")


@dataclass(frozen=True)
class Unit:
    chunk_position: int
    start: int  # offsets of the sentence in the guide file
    end: int
    sentence: str  # verbatim, without list marker
    leadin: str  # the lead-in that heads it ("Programs may not:"), or ""
    heading: str = ""  # the heading of its section ("How often is too often?")

    @property
    def text(self) -> str:
        return f"{self.leadin} {self.sentence}" if self.leadin else self.sentence


def split_sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) spans of the sentences of one paragraph."""
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _CANDIDATE_END.finditer(text):
        head = text[start : match.start() + 1].lower()
        if head.endswith(_ABBREVIATIONS):
            continue
        end = match.end() - len(match.group(0)) + len(match.group(0).rstrip())
        spans.append((start, end))
        start = match.end()
    if text[start:].strip():
        spans.append((start, len(text.rstrip())))
    return spans


def answer_units(chunk: Chunk, position: int) -> list[Unit]:
    units: list[Unit] = []
    heading = chunk.section[-1] if chunk.section else ""
    leadin = chunk.context if chunk.context.rstrip().endswith(":") else ""
    for block in read_blocks(chunk.text):
        if block.kind == "heading":
            continue
        marker = _MARKER.match(block.text) if block.kind == "item" else None
        offset = marker.end() if marker else 0
        body = block.text[offset:]
        own_leadin = leadin if block.kind == "item" else ""
        if block.kind != "item":
            leadin = ""
        spans = split_sentences(body)
        if block.kind == "paragraph" and body.rstrip().endswith(":"):
            # the last sentence introduces the list that follows; the others stand alone
            *spans, (s, e) = spans
            leadin = body[s:e]
        base = chunk.start + block.start + offset
        units.extend(Unit(position, base + s, base + e, body[s:e], own_leadin, heading) for s, e in spans)
    return units


def unit_embed_text(unit: Unit) -> str:
    """A sentence is embedded with its lead-in and its own section's heading, which says what it is about
    ("How often is too often?: Before interview: 0-1 email per program"); the whole heading path blurs it."""
    return plain(f"{unit.heading}: {unit.text}" if unit.heading else unit.text)
