"""Structure-aware chunking: passages that follow the guide's headings and lists.

A chunk is a contiguous span of the guide file (so its text is a verbatim excerpt at
known offsets) of at most `max_chars`. Lists stay with the line that introduces them
("Programs may not:"), a question heading stays with its answer, and every chunk
carries the heading path and lead-in that give its text meaning.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from typing import Literal

from index.content import Guide
from index.markdown import AnchorNamer, Block, plain, read_blocks, slugify

ChunkKind = Literal["text", "faq", "template"]
MAX_CHARS = 600
PACK_CHARS = 600  # neighbouring blocks share a passage up to the cap: 450 ranked worse (README, Answer quality)
TINY_CHARS = 80
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"”’)]*\s+")


@dataclass(frozen=True)
class Chunk:
    id: str
    guide: str  # guide slug
    section: tuple[str, ...]  # heading path below the guide title
    anchor: str  # the section heading's anchor
    start: int  # offsets into the guide file: text == guide.text[start:end]
    end: int
    text: str
    context: str  # lead-in or question that heads this text when it is not inside it
    kind: ChunkKind

    @property
    def section_title(self) -> str:
        return " > ".join(self.section)

    @property
    def embed_text(self) -> str:
        """What the retrievers see: heading path, lead-in, then the passage."""
        parts = [self.section_title, self.context, plain(self.text)]
        return "\n".join(p for p in parts if p)


@dataclass
class _Section:
    path: tuple[str, ...]
    anchor: str
    heading: Block | None
    blocks: list[Block]


def _sections(guide: Guide) -> list[_Section]:
    namer = AnchorNamer()
    sections: list[_Section] = []
    stack: list[tuple[int, str]] = []  # (level, heading text) below the title
    current = _Section((), slugify(guide.title), None, [])
    for block in read_blocks(guide.text, guide.body_start):
        if block.kind != "heading":
            current.blocks.append(block)
            continue
        sections.append(current)
        anchor = namer(block.text)
        if block.level == 1:
            stack = []
            current = _Section((), anchor, block, [])
            continue
        stack = [(lvl, txt) for lvl, txt in stack if lvl < block.level] + [(block.level, block.text)]
        current = _Section(tuple(txt for _, txt in stack), anchor, block, [])
    sections.append(current)
    return [s for s in sections if s.blocks]


def _units(blocks: list[Block]) -> list[list[Block]]:
    """Group blocks into units that must not be torn apart: a list with its lead-in."""
    units: list[list[Block]] = []
    pending_leadin: list[Block] = []
    for block in blocks:
        joins_list = block.kind == "item" and units and units[-1][-1].kind == "item" and not pending_leadin
        if joins_list:
            units[-1].append(block)
            continue
        if block.kind == "paragraph" and block.text.rstrip().endswith(":"):
            pending_leadin.append(block)
            continue
        units.append([*pending_leadin, block])
        pending_leadin = []
    if pending_leadin:
        units.append(pending_leadin)
    return units


def _split_long_block(block: Block, max_chars: int) -> list[Block]:
    """Sentence-aligned pieces of one block that is longer than `max_chars`."""
    pieces: list[Block] = []
    cuts = [block.start] + [block.start + m.end() for m in _SENTENCE_END.finditer(block.text)]
    cuts.append(block.end)
    piece_start = block.start
    for prev, cut in itertools.pairwise(cuts):
        if cut - piece_start > max_chars and prev > piece_start:
            pieces.append(Block(block.kind, piece_start, prev, ""))
            piece_start = prev
    pieces.append(Block(block.kind, piece_start, block.end, ""))
    # a single sentence longer than max_chars is cut at a word boundary
    out: list[Block] = []
    for p in pieces:
        s = p.start
        while p.end - s > max_chars:
            e = s + max_chars
            e = max(s + 1, s + block.text[s - block.start : e - block.start].rfind(" "))
            out.append(Block(block.kind, s, e, ""))
            s = e + 1
        out.append(Block(block.kind, s, p.end, ""))
    return out


def _windows(unit: list[Block], max_chars: int) -> list[tuple[list[Block], list[Block]]]:
    """Split a unit into windows of at most max_chars; each window gets its lead-in as context."""
    if unit[-1].end - unit[0].start <= max_chars:
        return [(unit, [])]
    leadin = [b for b in unit if b.kind == "paragraph" and b.text.rstrip().endswith(":")]
    flat: list[Block] = []
    for b in unit:
        flat.extend(_split_long_block(b, max_chars) if b.end - b.start > max_chars else [b])
    windows: list[tuple[list[Block], list[Block]]] = []
    current: list[Block] = []
    for b in flat:
        if current and b.end - current[0].start > max_chars:
            windows.append((current, []))
            current = []
        current.append(b)
    windows.append((current, []))
    return [(w, [] if i == 0 else leadin) for i, (w, _) in enumerate(windows)]


def chunk_guide(guide: Guide, max_chars: int = MAX_CHARS, pack_chars: int = PACK_CHARS) -> list[Chunk]:
    chunks: list[Chunk] = []
    for section in _sections(guide):
        heading = section.heading
        is_question = heading is not None and heading.text.rstrip().endswith("?")
        kind: ChunkKind = "faq" if is_question else "text"
        spans: list[tuple[int, int, str]] = []  # start, end, context
        packed: list[Block] = []
        for unit in _units(section.blocks):
            for window, leadin in _windows(unit, max_chars):
                context = " ".join(plain(b.text) for b in leadin)
                size = window[-1].end - window[0].start
                limit = max_chars if size < TINY_CHARS else pack_chars  # never leave a stub alone
                if packed and not context and window[-1].end - packed[0].start <= limit:
                    packed.extend(window)
                    continue
                if packed:
                    spans.append((packed[0].start, packed[-1].end, ""))
                packed = list(window) if not context else []
                if context:
                    spans.append((window[0].start, window[-1].end, context))
        if packed:
            spans.append((packed[0].start, packed[-1].end, ""))
        for n, (start, end, context) in enumerate(spans):
            if is_question and heading is not None:
                if n == 0 and end - heading.start <= max_chars:
                    start = heading.start
                else:
                    context = " ".join(filter(None, [heading.text, context]))
            text = guide.text[start:end]
            chunk_kind: ChunkKind = "template" if _is_fenced(section.blocks, start) else kind
            chunks.append(
                Chunk(
                    id=f"{guide.slug}/{section.anchor}/{n}",
                    guide=guide.slug,
                    section=section.path or (guide.title,),
                    anchor=section.anchor,
                    start=start,
                    end=end,
                    text=text,
                    context=context,
                    kind=chunk_kind,
                )
            )
    return chunks


def _is_fenced(blocks: list[Block], start: int) -> bool:
    return any(b.kind == "fenced" and b.start <= start < b.end + 1 for b in blocks)
