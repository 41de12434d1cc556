"""A small line-based Markdown reader that keeps character offsets.

Only the constructs the guides use are recognised: ATX headings, paragraphs,
`-`/`*`/`1.` list items, and fenced blocks (whose blank-line separated paragraphs
become blocks of their own, so a long email template can be cited in parts).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

BlockKind = Literal["heading", "paragraph", "item", "fenced"]

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_ITEM = re.compile(r"^\s{0,3}(?:[-*+]|\d{1,3}[.)])\s+")
_FENCE = re.compile(r"^\s{0,3}(```|~~~)")


@dataclass(frozen=True)
class Block:
    kind: BlockKind
    start: int  # offset into the whole text
    end: int  # exclusive; never includes the trailing newline
    text: str
    level: int = 0  # heading level; 0 for other blocks


def slugify(text: str) -> str:
    """GitHub-style anchor text: lower case, punctuation dropped, spaces to hyphens."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    text = re.sub(r"[^\w\s-]", "", text.lower()).strip()
    return re.sub(r"\s+", "-", text) or "section"


class AnchorNamer:
    """Unique anchors in document order: a repeated heading gets `-1`, `-2`, ..."""

    def __init__(self) -> None:
        self._seen: dict[str, int] = {}

    def __call__(self, heading: str) -> str:
        base = slugify(heading)
        count = self._seen.get(base, 0)
        self._seen[base] = count + 1
        return base if count == 0 else f"{base}-{count}"


def _lines(text: str, start: int) -> Iterator[tuple[int, str]]:
    pos = start
    while pos < len(text):
        nl = text.find("\n", pos)
        end = len(text) if nl < 0 else nl
        yield pos, text[pos:end]
        pos = end + 1


def read_blocks(text: str, start: int = 0) -> list[Block]:
    """Blocks of `text[start:]` in order, each with offsets into `text`."""
    blocks: list[Block] = []
    open_block: tuple[BlockKind, int, int] | None = None  # kind, start, end
    in_fence = False

    def close() -> None:
        nonlocal open_block
        if open_block:
            kind, b_start, b_end = open_block
            blocks.append(Block(kind, b_start, b_end, text[b_start:b_end]))
            open_block = None

    for pos, line in _lines(text, start):
        end = pos + len(line)
        if _FENCE.match(line):
            close()
            in_fence = not in_fence
            continue
        if not line.strip():
            close()
            continue
        if in_fence:
            open_block = (open_block[0], open_block[1], end) if open_block else ("fenced", pos, end)
            continue
        heading = _HEADING.match(line)
        if heading:
            close()
            blocks.append(Block("heading", pos, end, heading.group(2), len(heading.group(1))))
        elif _ITEM.match(line):
            close()
            open_block = ("item", pos, end)
        elif open_block:
            open_block = (open_block[0], open_block[1], end)  # continuation line
        else:
            open_block = ("paragraph", pos, end)
    close()
    return blocks


def plain(text: str) -> str:
    """Text without Markdown marks, for embedding and matching."""
    text = re.sub(r"^\s{0,3}#{1,6}\s+", "", text, flags=re.M)
    text = re.sub(r"^\s{0,3}(?:[-*+]|\d{1,3}[.)])\s+", "", text, flags=re.M)
    text = re.sub(r"[*_`]", "", text)
    return re.sub(r"\s+", " ", text).strip()
