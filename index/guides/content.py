"""Guides: Markdown files with a YAML front matter block, one file per guide.

A guide is kept as the file holds it: a byte-order mark and CRLF line endings stay in `Guide.text`, so
every offset (a citation's `start:end`) indexes the file as stored. The front matter is read by
python-frontmatter's YAML handler (PyYAML's safe loader): `title: "A: B"` is the text `A: B`, and a
date may be written bare or quoted.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from frontmatter.default_handlers import YAMLHandler

from index.errors import ContentError

REQUIRED_KEYS = ("title", "slug", "source_url", "last_reviewed")
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_BOM = "\ufeff"
_YAML = YAMLHandler()


@dataclass(frozen=True)
class Guide:
    slug: str
    title: str
    source_url: str | None
    last_reviewed: str
    path: Path
    text: str  # the whole file as stored (BOM and CRLF included); chunk offsets index into it
    body_start: int  # offset of the first character after the front matter

    @property
    def body(self) -> str:
        return self.text[self.body_start :]


def _read(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8")  # not read_text: it would turn CRLF into LF
    except (OSError, UnicodeDecodeError) as exc:
        raise ContentError(f"{path}: cannot read as UTF-8 text ({exc.__class__.__name__})") from exc


def _front_matter(path: Path, text: str) -> tuple[dict[str, Any], int]:
    """The front matter's keys and the offset where the body starts."""
    lead = len(_BOM) if text.startswith(_BOM) else 0
    assert _YAML.FM_BOUNDARY is not None
    boundaries = _YAML.FM_BOUNDARY.finditer(text[lead:])  # "^" matches at a string's start, not at a pos
    opening = next(boundaries, None)
    if opening is None or opening.start() != 0:
        raise ContentError(f"{path}: missing front matter (the file must start with a '---' line)")
    closing = next(boundaries, None)
    if closing is None:
        raise ContentError(f"{path}: front matter is not closed by a '---' line")
    try:
        meta = _YAML.load(text[lead + opening.end() : lead + closing.start()])
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""  # it starts on the opening line
        problem = getattr(exc, "problem", None) or "not valid YAML"
        raise ContentError(
            f"{path}: front matter is not valid YAML{where}: {problem} (quote a value that holds ': ')"
        ) from exc
    if not isinstance(meta, dict):
        raise ContentError(f"{path}: front matter must be 'key: value' lines")
    line_end = text.find("\n", lead + closing.start())
    return meta, len(text) if line_end < 0 else line_end + 1


def _text_field(path: Path, meta: dict[str, Any], key: str) -> str:
    value = meta[key]
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ContentError(f"{path}: {key} must be text, not {type(value).__name__} {value!r} (quote it)")
    return value.strip()


def _date_field(path: Path, meta: dict[str, Any], key: str) -> str:
    value = meta[key]
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip()).isoformat()
        except ValueError:
            pass
    raise ContentError(f"{path}: {key} must be a YYYY-MM-DD date, not {value!r}")


def parse_guide(path: Path) -> Guide:
    text = _read(path)
    meta, body_start = _front_matter(path, text)
    missing = [k for k in REQUIRED_KEYS if k not in meta]
    if missing:
        raise ContentError(f"{path}: front matter lacks {', '.join(missing)}")
    title, slug, source_url = (_text_field(path, meta, k) for k in ("title", "slug", "source_url"))
    if not _SLUG.match(slug):
        raise ContentError(f"{path}: slug {slug!r} must be lower-case words joined by '-'")
    last_reviewed = _date_field(path, meta, "last_reviewed")
    if not title:
        raise ContentError(f"{path}: title is empty")
    return Guide(slug, title, source_url or None, last_reviewed, path, text, body_start)


def load_guides(folder: Path) -> list[Guide]:
    """Every `*.md` guide in `folder`, ordered by slug; slugs must be unique."""
    if not folder.is_dir():
        raise ContentError(f"content folder {folder} does not exist")
    guides = sorted((parse_guide(p) for p in folder.glob("*.md")), key=lambda g: g.slug)
    if not guides:
        raise ContentError(f"content folder {folder} holds no .md guide")
    seen: dict[str, Path] = {}
    for guide in guides:
        if guide.slug in seen:
            raise ContentError(f"slug {guide.slug!r} is used by both {seen[guide.slug]} and {guide.path}")
        seen[guide.slug] = guide.path
    return guides


def content_hash(guides: list[Guide]) -> str:
    """A version of the content: changes whenever any guide's text changes."""
    digest = hashlib.sha256()
    for guide in guides:
        digest.update(guide.slug.encode() + b"\0" + guide.text.encode() + b"\0")
    return digest.hexdigest()
