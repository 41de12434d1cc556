"""What editors need from the applicants' votes: answer and not-covered rates, votes by section, and the guides' gaps.

Usage: python -m scripts.report [--json] [--since YYYY-MM-DD] [--limit N] [--database-url URL]

Reads the feedback database the service writes (ADVISOR_DATABASE_URL, else SQLite in ADVISOR_DATA_DIR).
Only answers someone voted on are stored, so the rates are among voted answers. Whatever a row holds (text
that is not JSON, numbers, bytes, control characters, bidirectional overrides), it is counted and printed
safely: a character a terminal could act on, or that hides or reorders text, is shown as an escape (\x1b,
\u202e).
"""

from __future__ import annotations

import json
import sys
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import Text, inspect, select, type_coerce
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError

from api.feedback_store import Feedback, brief, database_url, open_engine, sqlite_path
from scripts._cli import Parser, cli_settings, fail
from scripts._report_rows import COLUMNS, Row, read_row

RATES_NOTE = "among voted answers (every answer, voted or not, is counted in /metrics as advisor_answers_total)"
# Control, format (bidirectional overrides, zero-width), surrogate, private-use and unassigned characters, and
# the line and paragraph separators: never printed as they are.
UNSAFE = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


@dataclass
class SectionVotes:
    helpful: int = 0
    not_helpful: int = 0


@dataclass
class Tally:
    helpful: int = 0
    not_helpful: int = 0
    answered: int = 0
    first: datetime | None = None
    last: datetime | None = None
    sections: dict[tuple[str, str], SectionVotes] = field(default_factory=dict)
    versions: Counter[str] = field(default_factory=Counter)
    questions_stored: int = 0
    not_covered: Counter[str] = field(default_factory=Counter)
    not_helpful_answered: Counter[str] = field(default_factory=Counter)

    def add(self, row: Row) -> None:
        helpful = row.helpful
        self.helpful += helpful
        self.not_helpful += not helpful
        self.answered += row.answered
        if row.created_at is not None:
            self.first = min(self.first or row.created_at, row.created_at)
            self.last = max(self.last or row.created_at, row.created_at)
        self.versions[row.content_version] += 1
        # An answer citing one section twice is one vote for that section.
        for key in dict.fromkeys(zip(row.guide_slugs, row.sections, strict=False)):
            votes = self.sections.setdefault(key, SectionVotes())
            votes.helpful += helpful
            votes.not_helpful += not helpful
        if row.question is not None:
            self.questions_stored += 1
            if not row.answered:
                self.not_covered[row.question] += 1
            elif not helpful:
                self.not_helpful_answered[row.question] += 1

    @property
    def total(self) -> int:
        return self.helpful + self.not_helpful


def read(url: str, since: date | None) -> Tally:
    """Raises SystemExit with one line on a bad URL, a missing database or one that cannot be read."""
    try:
        shown = make_url(url).render_as_string(hide_password=True)
        path = sqlite_path(url)
        engine = open_engine(url)
    except (ArgumentError, NoSuchModuleError, ValueError) as exc:
        fail(f"bad database URL ({exc})", 2)
    if path is not None and not path.is_file():
        fail(f"no feedback database at {path} (the service creates it; set ADVISOR_DATA_DIR or --database-url)")
    tally = Tally()
    try:
        with engine.connect() as connection:
            if not inspect(connection).has_table(Feedback.__tablename__):
                fail(f"no feedback table in {shown} (has the service run with this database?)")
            # Read as the driver hands them over: a value the column's type cannot parse must not stop the report.
            raw = [type_coerce(getattr(Feedback, name), Text).label(name) for name in COLUMNS]
            query = select(*raw).order_by(Feedback.id).execution_options(yield_per=1000)
            if since is not None:
                query = query.where(Feedback.created_at >= datetime.combine(since, time(), UTC))
            for row in connection.execute(query):
                tally.add(read_row(row))
    except SQLAlchemyError as exc:
        fail(f"cannot read the feedback database at {shown}: {brief(exc)}")
    finally:
        engine.dispose()
    return tally


def share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def as_json(tally: Tally, limit: int) -> dict[str, Any]:
    sections = sorted(tally.sections.items(), key=lambda kv: (-kv[1].not_helpful, -kv[1].helpful, kv[0]))
    return {
        "votes": tally.total,
        "helpful": tally.helpful,
        "not_helpful": tally.not_helpful,
        "first_vote": tally.first.isoformat() if tally.first else None,
        "last_vote": tally.last.isoformat() if tally.last else None,
        "answered": tally.answered,
        "not_covered": tally.total - tally.answered,
        "answered_rate": share(tally.answered, tally.total),
        "not_covered_rate": share(tally.total - tally.answered, tally.total),
        "rates": RATES_NOTE,
        "sections": [
            {"guide_slug": guide, "section": section, "helpful": v.helpful, "not_helpful": v.not_helpful}
            for (guide, section), v in sections
        ],
        "content_versions": dict(tally.versions.most_common()),
        "questions_stored": tally.questions_stored,
        "not_covered_questions": [{"question": q, "votes": n} for q, n in tally.not_covered.most_common(limit)],
        "not_helpful_questions": [
            {"question": q, "votes": n} for q, n in tally.not_helpful_answered.most_common(limit)
        ],
    }


def _escape(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def _json_escape(char: str) -> str:
    code = ord(char)
    if code < 0x10000:
        return f"\\u{code:04x}"
    code -= 0x10000
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


def safe(text: str, escape: Any = _escape) -> str:
    """`text` with every unsafe character (UNSAFE) written as an escape: it could move the cursor, forge a line,
    or hide and reorder what is shown."""
    return "".join(escape(c) if unicodedata.category(c) in UNSAFE else c for c in text)


def clean(text: str, width: int | None = None) -> str:
    """Voters' text as one safe terminal line, cut at `width` characters."""
    text = safe(text)
    return text if width is None or len(text) <= width else text[: width - 1] + "…"


def json_text(report: dict[str, Any]) -> str:
    """The report as JSON that is safe on a terminal too: unsafe characters as \\u escapes, which JSON reads back."""
    return "\n".join(safe(line, _json_escape) for line in json.dumps(report, indent=2, ensure_ascii=False).split("\n"))


def percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "–"


def as_text(report: dict[str, Any], database: str) -> str:
    total = report["votes"]
    lines = [f"Feedback in {clean(database)}"]
    if not total:
        return "\n".join([*lines, "No votes yet."]) + "\n"
    dates = (
        f"{report['first_vote'][:10]} to {report['last_vote'][:10]}" if report["first_vote"] else "no readable dates"
    )
    versions = ", ".join(f"{clean(v, 40)} ({n})" for v, n in report["content_versions"].items())
    lines += [
        f"Votes: {total} ({report['helpful']} helpful, {report['not_helpful']} not helpful), {dates}",
        f"Answered: {report['answered']} ({percent(report['answered'], total)}),"
        f" not covered: {report['not_covered']} ({percent(report['not_covered'], total)})",
        f"  rates {RATES_NOTE}",
        f"Content versions voted on: {clean(versions, 240)}",
        "",
        "Votes by section (a vote counts for each section its answer cited; most not-helpful first):",
    ]
    guides: dict[str, list[dict[str, Any]]] = {}
    for row in report["sections"]:
        guides.setdefault(row["guide_slug"], []).append(row)
    for guide, rows in guides.items():
        lines.append(f"  {clean(guide, 120)}")
        lines.append(f"    {'helpful':>7} {'not helpful':>11} {'helpful %':>9}  section")
        for row in rows:
            both = row["helpful"] + row["not_helpful"]
            lines.append(
                f"    {row['helpful']:>7} {row['not_helpful']:>11} {percent(row['helpful'], both):>9}"
                f"  {clean(row['section'], 160)}"
            )
    if not guides:
        lines.append("  (no votes on answered questions)")
    lines.append("")
    if not report["questions_stored"]:
        lines.append("No questions stored: question logging (ADVISOR_LOG_QUESTIONS) was off for these votes.")
        return "\n".join(lines) + "\n"
    for key, title in (
        ("not_covered_questions", "Not-covered questions (the guides' gaps), redacted, most voted first:"),
        ("not_helpful_questions", "Answered but voted not helpful, redacted:"),
    ):
        lines.append(title)
        lines.extend(f"  {q['votes']:>4}  {clean(q['question'], 120)}" for q in report[key])
        if not report[key]:
            lines.append("  (none)")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = Parser(description="Summarise the applicants' votes for the guides' editors.")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--since", type=date.fromisoformat, help="only votes from this date on (YYYY-MM-DD, UTC)")
    parser.add_argument("--limit", type=int, default=50, help="questions listed at most, per list (default 50)")
    parser.add_argument(
        "--database-url", help="SQLAlchemy URL of the feedback database (default: the service's, from ADVISOR_*)"
    )
    args = parser.parse_args(argv)
    if args.limit < 0:
        parser.error("--limit must be 0 or more")
    url = args.database_url or database_url(cli_settings())
    report = as_json(read(url, args.since), args.limit)
    if args.json:
        print(json_text(report))
    else:
        sys.stdout.write(as_text(report, make_url(url).render_as_string(hide_password=True)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
