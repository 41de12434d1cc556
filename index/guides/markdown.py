"""A line-based Markdown reader that keeps character offsets into the file as stored.

The constructs the guides use are recognised: ATX headings, paragraphs, `-`/`*`/`1.` list items (nested
ones with their depth), GFM tables (a header row followed by its `|---|` row, then one block per row), and
fenced blocks (whose blank-line separated paragraphs become blocks of their own, so a long email template
can be cited in parts). Lines end in LF or CRLF; a block never holds its line break. An inline data URI
(`![map](data:image/png;base64,...)`) is no text: a block is cut around its payload, so no passage holds it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

BlockKind = Literal["heading", "paragraph", "item", "fenced", "table_head", "row"]

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
# A list item's marker, the one pattern of it: "-", "*", "+", or a number of up to three digits and "." or ")".
_NUMBER = r"\d{1,3}[.)]"
_LIST_MARKER = rf"(?:[-*+]|{_NUMBER})\s+"
ITEM_MARKER = re.compile(rf"^(\s*){_LIST_MARKER}")
_ITEM_MARKERS = re.compile(rf"^\s*{_LIST_MARKER}", re.MULTILINE)
NUMBERING = re.compile(rf"^{_NUMBER}\s+")  # a heading numbered as a list ("3. Update and strengthen your file")
_FENCE = re.compile(r"^\s{0,3}(```|~~~)")
_ROW = re.compile(r"^\s{0,3}\|.*\|\s*$")  # a row with its outer pipes, even without its header
_DELIMITER_ROW = re.compile(r"^\s{0,3}\|?\s*:?-+:?\s*(?:\|\s*:?-+:?\s*)*\|?\s*$")
# The payload of a data URI, in `![alt](data:...)`, `<img src="data:...">` or a reference definition.
DATA_URI = re.compile(r"data:[\w.+-]+/[\w.+-]+[^)\s\"'>]*", re.IGNORECASE)


@dataclass(frozen=True)
class Block:
    kind: BlockKind
    start: int  # offset into the whole text
    end: int  # exclusive; never includes the line break
    text: str
    level: int = 0  # heading level; 0 for other blocks
    depth: int = 0  # a list item's nesting: 0 for a top-level item


def slugify(text: str) -> str:
    """GitHub-style anchor text: lower case, punctuation dropped, spaces to hyphens; letters of any script
    are kept ("Виза" -> "виза"), Latin ones without their accents ("Résumé" -> "resume"); "section" when
    nothing is left (an emoji-only heading)."""
    kept: list[str] = []
    for c in unicodedata.normalize("NFKD", text):
        if unicodedata.combining(c) and kept and kept[-1].isascii():
            continue
        kept.append(c)
    text = unicodedata.normalize("NFKC", "".join(kept))
    text = re.sub(r"[^\w\s-]", "", text.lower()).strip()
    return re.sub(r"\s+", "-", text) or "section"


class AnchorNamer:
    """Unique anchors in document order: a repeated heading gets `-1`, `-2`, ..., skipping any anchor already
    handed out (`Lot`, `Lot`, `Lot 1` -> `lot`, `lot-1`, `lot-1-1`)."""

    def __init__(self) -> None:
        self._taken: set[str] = set()

    def __call__(self, heading: str) -> str:
        base = slugify(heading)
        anchor, n = base, 0
        while anchor in self._taken:
            n += 1
            anchor = f"{base}-{n}"
        self._taken.add(anchor)
        return anchor


def _lines(text: str, start: int) -> Iterator[tuple[int, str]]:
    pos = start
    while pos < len(text):
        nl = text.find("\n", pos)
        end = len(text) if nl < 0 else nl
        yield pos, text[pos : end - 1] if end > pos and text[end - 1] == "\r" else text[pos:end]
        pos = end + 1


def _cells(line: str) -> int:
    return len(re.split(r"(?<!\\)\|", line.strip().strip("|")))


def read_blocks(text: str, start: int = 0) -> list[Block]:
    """Blocks of `text[start:]` in order, each with offsets into `text`."""
    blocks: list[Block] = []
    open_block: tuple[BlockKind, int, int, int] | None = None  # kind, start, end, depth
    in_fence = in_table = False
    item_indents: list[int] = []  # the indentation of each open list item, outermost first
    lines = list(_lines(text, start))

    def close() -> None:
        nonlocal open_block
        if open_block:
            kind, b_start, b_end, depth = open_block
            blocks.append(Block(kind, b_start, b_end, text[b_start:b_end], depth=depth))
            open_block = None

    for i, (pos, line) in enumerate(lines):
        end = pos + len(line)
        if _FENCE.match(line):
            close()
            in_fence, in_table = not in_fence, False
            continue
        if not line.strip():
            close()
            in_table = False
            continue
        if in_fence:
            open_block = (open_block[0], open_block[1], end, 0) if open_block else ("fenced", pos, end, 0)
            continue
        heading = _HEADING.match(line)
        item = ITEM_MARKER.match(line)
        if heading:
            close()
            in_table, item_indents = False, []
            blocks.append(Block("heading", pos, end, heading.group(2), len(heading.group(1))))
        elif in_table and _DELIMITER_ROW.match(line) and blocks and blocks[-1].kind == "table_head":
            continue  # the header's |---| row: markup, no text
        elif in_table or _ROW.match(line) or _starts_table(line, lines[i + 1][1] if i + 1 < len(lines) else ""):
            close()
            head = not in_table and _starts_table(line, lines[i + 1][1] if i + 1 < len(lines) else "")
            in_table = in_table or head
            lead = len(line) - len(line.lstrip())
            blocks.append(Block("table_head" if head else "row", pos + lead, pos + len(line.rstrip()), line.strip()))
        elif item:
            close()
            indent = len(item.group(1).expandtabs(4))
            while item_indents and item_indents[-1] >= indent:
                item_indents.pop()
            open_block = ("item", pos, end, len(item_indents))
            item_indents.append(indent)
        elif open_block:
            open_block = (open_block[0], open_block[1], end, open_block[3])  # continuation line
        else:
            if line[:1] not in (" ", "\t"):
                item_indents = []  # an unindented paragraph ends the list
            open_block = ("paragraph", pos, end, 0)
    close()
    return [piece for block in blocks for piece in _without_payloads(block, text)]


def _starts_table(line: str, next_line: str) -> bool:
    return (
        "|" in line and bool(_DELIMITER_ROW.match(next_line)) and "|" in next_line and _cells(line) == _cells(next_line)
    )


def _without_payloads(block: Block, text: str) -> list[Block]:
    """The block, or the parts of it around its data URIs' payloads (an image keeps its `![alt]`)."""
    if block.kind == "heading" or not DATA_URI.search(block.text):
        return [block]
    parts: list[Block] = []
    pos = block.start
    for match in DATA_URI.finditer(text, block.start, block.end):
        end = match.start() - (text[match.start() - 1] == "(")
        parts.append(_part(block, text, pos, end))
        pos = match.end() + (match.end() < block.end and text[match.end()] == ")")
    parts.append(_part(block, text, pos, block.end))
    return [p for p in parts if p.end > p.start]


def _part(block: Block, text: str, start: int, end: int) -> Block:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Block(block.kind, start, end, text[start:end], block.level, block.depth)


def holds_payload(text: str, start: int, end: int) -> bool:
    """Whether `text[start:end]` holds a data URI's payload: no passage may span one."""
    return DATA_URI.search(text, start, end) is not None


_IMAGE_OR_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_CUT_IMAGE = re.compile(r"!\[([^\]]*)\]")


def row_text(row: str) -> str:
    """A table row's cells, without its outer pipes: "| a | b |" -> "a | b"."""
    return row.strip().removeprefix("|").removesuffix("|").strip()


def plain(text: str) -> str:
    """Text without Markdown marks, for embedding and matching: an image or a link is its text, a table row
    its cells, and a table's `|---|` row nothing."""
    text = re.sub(r"^\s{0,3}#{1,6}\s+", "", text, flags=re.M)
    text = _ITEM_MARKERS.sub("", text)
    if "|" in text:
        text = "\n".join(row_text(line) if "|" in line else line for line in text.splitlines() if not _is_rule(line))
    if "](" in text or "![" in text:
        text = _CUT_IMAGE.sub(r"\1", _IMAGE_OR_LINK.sub(r"\1", text))
    text = re.sub(r"[*_`]", "", text)
    return re.sub(r"\s+", " ", text).strip()


def _is_rule(line: str) -> bool:
    return "|" in line and "-" in line and _DELIMITER_ROW.match(line) is not None
