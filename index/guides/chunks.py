"""Structure-aware chunking: passages that follow the guide's headings and lists.

A chunk is a contiguous span of the guide file (so its text is a verbatim excerpt at
known offsets) of at most `max_chars`. Lists stay with the line that introduces them
("Programs may not:"), a question heading stays with its answer, and every chunk
carries the heading path and lead-in that give its text meaning.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from index.guides.content import Guide
from index.guides.markdown import AnchorNamer, Block, holds_payload, plain, read_blocks
from index.text import sentence_spans

ChunkKind = Literal["text", "faq", "template"]
MAX_CHARS = 600
PACK_CHARS = 600  # neighbouring blocks share a passage up to the cap: 450 ranked worse (README, Answer quality)
TINY_CHARS = 80
_LISTED = ("item", "row")  # blocks that follow one another as one list


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
class Section:
    path: tuple[str, ...]
    anchor: str  # unique in the guide; "" for text above the first heading when there is none
    heading: Block | None
    blocks: list[Block]


def sections(guide: Guide) -> list[Section]:
    """The guide's sections in order, with their anchors; the first is the text above the first heading.

    The guide page gives each heading the anchor named here (api/pages.py), so a citation's link lands on
    the heading of its own passage."""
    namer = AnchorNamer()
    found: list[Section] = []
    stack: list[tuple[int, str]] = []  # (level, heading text) below the title
    current = Section((), "", None, [])
    for block in read_blocks(guide.text, guide.body_start):
        if block.kind != "heading":
            current.blocks.append(block)
            continue
        _name_intro(current, namer, guide.title)
        found.append(current)
        anchor = namer(block.text)
        if block.level == 1:
            stack = []
            current = Section((), anchor, block, [])
            continue
        stack = [(lvl, txt) for lvl, txt in stack if lvl < block.level] + [(block.level, block.text)]
        current = Section(tuple(txt for _, txt in stack), anchor, block, [])
    _name_intro(current, namer, guide.title)
    found.append(current)
    return found


def _name_intro(section: Section, namer: AnchorNamer, title: str) -> None:
    if section.heading is None and section.blocks:
        section.anchor = namer(title)


def _is_leadin(block: Block) -> bool:
    return block.kind == "table_head" or (block.kind == "paragraph" and block.text.rstrip().endswith(":"))


def _groups(blocks: list[Block]) -> list[list[Block]]:
    """Blocks in groups that must not be torn apart: a list (nested items and all) or a table's rows,
    with its lead-in ("Programs may not:", a table's header row)."""
    groups: list[list[Block]] = []
    pending_leadin: list[Block] = []
    for block in blocks:
        joins_list = block.kind in _LISTED and groups and groups[-1][-1].kind in _LISTED and not pending_leadin
        if joins_list:
            groups[-1].append(block)
            continue
        if _is_leadin(block):
            pending_leadin.append(block)
            continue
        groups.append([*pending_leadin, block])
        pending_leadin = []
    if pending_leadin:
        groups.append(pending_leadin)
    return groups


def _parents(group: list[Block], first: Block) -> list[Block]:
    """The items above `first` in its nested list, outermost first: its lead-in when a window starts at it."""
    chain: list[Block] = []
    depth = first.depth if first.kind == "item" else 0
    for block in reversed([b for b in group if b.start < first.start]):
        if depth == 0:
            break
        if block.kind == "item" and block.depth < depth:
            chain.insert(0, block)
            depth = block.depth
    return chain


def _split_long_block(block: Block, text: str, max_chars: int) -> list[Block]:
    """Pieces of one block longer than `max_chars`, cut where a sentence ends; a sentence longer than
    `max_chars` is cut at its last space that fits, or, in a run without spaces, at `max_chars`.
    Only the spaces at a cut fall outside the pieces: every other character is in one."""
    spans = [(block.start + s, block.start + e) for s, e in sentence_spans(block.text)]
    pieces: list[tuple[int, int]] = []
    for start, end in spans:
        if pieces and end - pieces[-1][0] <= max_chars:
            pieces[-1] = (pieces[-1][0], end)
        else:
            pieces.append((start, end))
    out: list[Block] = []
    for start, end in pieces:
        while end - start > max_chars:
            space = max(text.rfind(c, start + 1, start + max_chars + 1) for c in " \n")
            cut = space if space > start else start + max_chars
            piece_end = cut
            while text[piece_end - 1].isspace():
                piece_end -= 1
            out.append(Block(block.kind, start, piece_end, "", depth=block.depth))
            start = cut
            while text[start].isspace():
                start += 1
        out.append(Block(block.kind, start, end, "", depth=block.depth))
    return out


def _windows(group: list[Block], text: str, max_chars: int) -> list[tuple[list[Block], list[Block]]]:
    """Split a group into windows of at most max_chars, none across a data URI's payload; a window after
    the first gets the group's lead-in, and the items above its first item, as context."""
    if group[-1].end - group[0].start <= max_chars and not holds_payload(text, group[0].start, group[-1].end):
        return [(group, [])]
    leadin = [b for b in group if _is_leadin(b)]
    flat: list[Block] = []
    for b in group:
        flat.extend(_split_long_block(b, text, max_chars) if b.end - b.start > max_chars else [b])
    windows: list[list[Block]] = []
    current: list[Block] = []
    for b in flat:
        if current and (b.end - current[0].start > max_chars or holds_payload(text, current[-1].end, b.start)):
            windows.append(current)
            current = []
        current.append(b)
    windows.append(current)
    return [(w, [] if i == 0 else leadin + _parents(group, w[0])) for i, w in enumerate(windows)]


def chunk_guide(guide: Guide, max_chars: int = MAX_CHARS, pack_chars: int = PACK_CHARS) -> list[Chunk]:
    chunks: list[Chunk] = []
    for section in sections(guide):
        if not section.blocks:
            continue
        heading = section.heading
        is_question = heading is not None and heading.text.rstrip().endswith("?")
        kind: ChunkKind = "faq" if is_question else "text"
        spans: list[tuple[int, int, str]] = []  # start, end, context
        packed: list[Block] = []
        for group in _groups(section.blocks):
            for window, leadin in _windows(group, guide.text, max_chars):
                context = " ".join(plain(b.text) for b in leadin)
                size = window[-1].end - window[0].start
                limit = max_chars if size < TINY_CHARS else pack_chars  # never leave a stub alone
                joinable = bool(packed) and not holds_payload(guide.text, packed[-1].end, window[0].start)
                if joinable and not context and window[-1].end - packed[0].start <= limit:
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


def chunk_guides(guides: list[Guide]) -> list[Chunk]:
    return [chunk for guide in guides for chunk in chunk_guide(guide)]


def _is_fenced(blocks: list[Block], start: int) -> bool:
    return any(b.kind == "fenced" and b.start <= start < b.end + 1 for b in blocks)
