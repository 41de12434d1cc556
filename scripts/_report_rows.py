"""The feedback table's rows as scripts/report.py reads them: whatever a column holds, a usable value.

The service writes only well-formed votes, but the table may hold rows written past it (by hand, another
tool, an older version): text that is not JSON, JSON that is not a list, numbers, bytes, dates that do
not parse. Each is read as what it most plainly is, never an exception.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from api.feedback_store import as_utc

COLUMNS = ("created_at", "vote", "answered", "sections", "chunk_ids", "guide_slugs", "content_version", "question")


@dataclass(frozen=True)
class Row:
    """A stored vote as read back, whatever its columns held."""

    created_at: datetime | None
    helpful: bool
    answered: bool
    sections: list[str]
    guide_slugs: list[str]
    content_version: str
    question: str | None


def text_of(value: object) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)


def entries(value: object) -> list[str]:
    """A list column's entries as text: JSON that is not a list counts as one entry, text that is not JSON too."""
    if isinstance(value, str | bytes):
        text = text_of(value)
        try:
            value = json.loads(text)
        except (ValueError, RecursionError):
            return [text]
    if value is None:
        return []
    return [text_of(v) for v in value] if isinstance(value, list) else [text_of(value)]


def moment(value: object) -> datetime | None:
    if isinstance(value, datetime):
        return as_utc(value)
    try:
        return as_utc(datetime.fromisoformat(text_of(value).strip())) if isinstance(value, str | bytes) else None
    except ValueError:
        return None


def flag(value: object) -> bool:
    if isinstance(value, str | bytes):
        return text_of(value).strip().lower() in ("1", "true", "t", "yes")
    return bool(value)


def read_row(raw: Any) -> Row:
    return Row(
        created_at=moment(raw.created_at),
        helpful=text_of(raw.vote) == "helpful",
        answered=flag(raw.answered),
        sections=entries(raw.sections),
        guide_slugs=entries(raw.guide_slugs),
        content_version=text_of(raw.content_version),
        question=None if raw.question is None else text_of(raw.question),
    )
