"""The feedback table and its database: SQLite in the data folder by default, or any SQLAlchemy URL (PostgreSQL).

Every call here blocks; the service runs them in its threadpool.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    DateTime,
    Engine,
    String,
    Text,
    Update,
    create_engine,
    event,
    insert,
    update,
)
from sqlalchemy.engine import make_url
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from api.settings import Settings

SQLITE_FILE = "feedback.sqlite3"
QUESTION_DAYS = 30  # the question log's retention (README: Privacy), kept for questions stored with votes too
PURGE_EVERY_S = 3600.0
CONNECT_TIMEOUT_S = 5
VOTES = ("helpful", "not_helpful")


class Base(DeclarativeBase):
    pass


class Feedback(Base):
    __tablename__ = "feedback"
    __table_args__ = (CheckConstraint("vote IN ('helpful', 'not_helpful')", name="feedback_vote"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    vote: Mapped[str] = mapped_column(String(16))
    answered: Mapped[bool]
    # One entry per citation, in the answer's order: sections[i] is in guide_slugs[i], chunk_ids[i] is its passage.
    sections: Mapped[list[str]] = mapped_column(JSON)
    chunk_ids: Mapped[list[str]] = mapped_column(JSON)
    guide_slugs: Mapped[list[str]] = mapped_column(JSON)
    content_version: Mapped[str] = mapped_column(String(64))
    question: Mapped[str | None] = mapped_column(Text)  # redacted; only when question logging is opted in


@dataclass(frozen=True)
class Vote:
    vote: str
    answered: bool
    sections: Sequence[str]
    chunk_ids: Sequence[str]
    guide_slugs: Sequence[str]
    content_version: str
    question: str | None = None


def database_url(settings: Settings) -> str:
    return settings.database_url or f"sqlite:///{settings.data_dir / SQLITE_FILE}"


def sqlite_path(url: str) -> Path | None:
    """The file of an SQLite URL (None for other databases and in-memory SQLite)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def open_engine(url: str) -> Engine:
    """An engine for `url`; raises sqlalchemy.exc.ArgumentError (or NoSuchModuleError) for a bad URL."""
    backend = make_url(url).get_backend_name()
    is_sqlite = backend == "sqlite"
    timeouts = {"sqlite": {"timeout": CONNECT_TIMEOUT_S}, "postgresql": {"connect_timeout": CONNECT_TIMEOUT_S}}
    engine = create_engine(url, connect_args=timeouts.get(backend, {}), pool_pre_ping=not is_sqlite)
    if is_sqlite:
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    # WAL lets scripts/report.py read while the service writes.
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def as_utc(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; they were stored in UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def brief(exc: BaseException) -> str:
    """One line about a database error: the driver's own first line, without SQLAlchemy's statement dump."""
    cause = getattr(exc, "orig", None) or exc
    lines = str(cause).strip().splitlines()
    return f"{cause.__class__.__name__}: {lines[0] if lines else 'no detail'}"


def _text(value: str) -> str:
    # PostgreSQL text cannot hold NUL; the rest of the service accepts it, so votes keep a visible stand-in.
    return value.replace("\x00", "\ufffd")


class FeedbackStore:
    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = open_engine(url)
        self._lock = threading.Lock()
        self._ready = False
        self._next_purge = 0.0

    def create(self) -> None:
        """Create the table if it is missing; safe to call again (a database that was down may be back)."""
        with self._lock:
            if self._ready:
                return
            path = sqlite_path(self.url)
            if path is not None:
                path.parent.mkdir(parents=True, exist_ok=True)
            Base.metadata.create_all(self.engine)
            self._ready = True
        self._purge()

    def add(self, vote: Vote) -> int:
        self.create()
        now = datetime.now(UTC)
        row = {
            "created_at": now,
            "vote": vote.vote,
            "answered": vote.answered,
            "sections": [_text(s) for s in vote.sections],
            "chunk_ids": [_text(c) for c in vote.chunk_ids],
            "guide_slugs": [_text(g) for g in vote.guide_slugs],
            "content_version": _text(vote.content_version),
            "question": None if vote.question is None else _text(vote.question),
        }
        with self.engine.begin() as connection:
            row_id = connection.execute(insert(Feedback).values(row).returning(Feedback.id)).scalar_one()
        self._purge()
        return int(row_id)

    def _purge(self) -> None:
        """Forget old questions at start-up, then at most hourly while votes arrive."""
        if time.monotonic() < self._next_purge:
            return
        self._next_purge = time.monotonic() + PURGE_EVERY_S
        with self.engine.begin() as connection:
            connection.execute(forget_old_questions(datetime.now(UTC)))

    def close(self) -> None:
        self.engine.dispose()


def forget_old_questions(now: datetime) -> Update:
    """Clear the question text of votes older than the retention period; the votes themselves stay."""
    cutoff = now - timedelta(days=QUESTION_DAYS)
    return update(Feedback).where(Feedback.question.is_not(None), Feedback.created_at < cutoff).values(question=None)
