"""Guides: Markdown files with a small front matter block, one file per guide."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from index.errors import ContentError

REQUIRED_KEYS = ("title", "slug", "source_url", "last_reviewed")
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass(frozen=True)
class Guide:
    slug: str
    title: str
    source_url: str | None
    last_reviewed: str
    path: Path
    text: str  # the whole file; chunk offsets index into it
    body_start: int  # offset of the first character after the front matter

    @property
    def body(self) -> str:
        return self.text[self.body_start :]


def parse_guide(path: Path) -> Guide:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ContentError(f"{path}: cannot read as UTF-8 text ({exc.__class__.__name__})") from exc
    if not text.startswith("---\n"):
        raise ContentError(f"{path}: missing front matter (the file must start with a '---' line)")
    end = text.find("\n---\n", 3)
    if end < 0:
        raise ContentError(f"{path}: front matter is not closed by a '---' line")
    meta: dict[str, str] = {}
    for line in text[4:end].splitlines():
        if not line.strip():
            continue
        key, sep, value = line.partition(":")
        if not sep:
            raise ContentError(f"{path}: front matter line is not 'key: value': {line!r}")
        meta[key.strip()] = value.strip()
    missing = [k for k in REQUIRED_KEYS if k not in meta]
    if missing:
        raise ContentError(f"{path}: front matter lacks {', '.join(missing)}")
    if not _SLUG.match(meta["slug"]):
        raise ContentError(f"{path}: slug {meta['slug']!r} must be lower-case words joined by '-'")
    try:
        dt.date.fromisoformat(meta["last_reviewed"])
    except ValueError as exc:
        raise ContentError(f"{path}: last_reviewed must be a YYYY-MM-DD date") from exc
    if not meta["title"]:
        raise ContentError(f"{path}: title is empty")
    return Guide(
        slug=meta["slug"],
        title=meta["title"],
        source_url=meta["source_url"] or None,
        last_reviewed=meta["last_reviewed"],
        path=path,
        text=text,
        body_start=end + len("\n---\n"),
    )


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
