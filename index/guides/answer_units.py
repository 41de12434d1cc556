"""Answer units: the sentences and list items of a chunk, each with the lead-in that heads it.

An answer is made of these, verbatim: "Programs may not: Ask you how you will rank them".
"""

from __future__ import annotations

from dataclasses import dataclass

from index.guides.chunks import Chunk
from index.guides.markdown import ITEM_MARKER, plain, read_blocks, row_text
from index.text import sentence_spans


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
        if not self.leadin:
            return self.sentence
        return f"{self.leadin} {self.sentence}" if self.leadin.endswith(":") else f"{self.leadin}: {self.sentence}"


def answer_units(chunk: Chunk, position: int) -> list[Unit]:
    """The chunk's sentences and list items, each with its lead-in: the paragraph that introduces its list,
    the item above a nested item, a table's header row for each of its rows (a row is one unit)."""
    units: list[Unit] = []
    heading = chunk.section[-1] if chunk.section else ""
    leadin = chunk.context if chunk.context.rstrip().endswith(":") else ""
    header = chunk.context  # rows cut off from their table's header row have it as context
    parents: dict[int, str] = {}  # list depth -> the lead-in its items give the items nested under them
    blocks = read_blocks(chunk.text)
    for i, block in enumerate(blocks):
        base = chunk.start + block.start
        if block.kind in ("heading", "table_head"):
            header = row_text(block.text) if block.kind == "table_head" else header
            continue
        if block.kind == "row":
            cells = row_text(block.text)
            s = block.text.find(cells)
            units.append(Unit(position, base + s, base + s + len(cells), cells, header, heading))
            continue
        marker = ITEM_MARKER.match(block.text) if block.kind == "item" else None
        offset = marker.end() if marker else 0
        body = block.text[offset:]
        spans = sentence_spans(body)
        own_leadin = ""
        if block.kind == "item":
            parents = {d: text for d, text in parents.items() if d < block.depth}
            own_leadin = parents[max(parents)] if parents else leadin
        else:
            leadin, parents = "", {}
        after = blocks[i + 1] if i + 1 < len(blocks) else None
        if block.kind == "paragraph" and body.rstrip().endswith(":"):
            # the last sentence introduces the list that follows; the others stand alone
            *spans, (s, e) = spans
            leadin = body[s:e]
        elif block.kind == "item" and after and after.kind == "item" and after.depth > block.depth and spans:
            # an item with items nested under it heads them; one that ends in ":" only heads them
            s, e = spans[-1]
            parents[block.depth] = Unit(position, 0, 0, body[s:e], own_leadin).text
            if body.rstrip().endswith(":"):
                spans = spans[:-1]
        base += offset
        units.extend(Unit(position, base + s, base + e, body[s:e], own_leadin, heading) for s, e in spans)
    return units


def unit_embed_text(unit: Unit) -> str:
    """A sentence is embedded with its lead-in and its own section's heading, which says what it is about
    ("How often is too often?: Before interview: 0-1 email per program"); the whole heading path blurs it."""
    return plain(f"{unit.heading}: {unit.text}" if unit.heading else unit.text)
