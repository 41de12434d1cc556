"""scripts/report.py over what the feedback table holds: rates, votes by section, the gaps, and junk printed safely."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import unicodedata
from pathlib import Path

import pytest

from api.feedback_store import SQLITE_FILE, FeedbackStore, Vote
from tests.helpers import ROOT, free_port, script

REPORT = script("report")


def seed(data_dir: Path) -> None:
    store = FeedbackStore(f"sqlite:///{data_dir / SQLITE_FILE}")
    sections = (["Timing > Before interviews", "Visa"], ["g/t/0", "g/v/0"], ["guide-a", "guide-a"])
    for _ in range(3):
        store.add(Vote("helpful", True, *sections, "v1"))
    store.add(
        Vote("not_helpful", True, ["Visa", "Visa"], ["g/v/0", "g/v/1"], ["guide-a", "guide-a"], "v1", "is J-1 ok?")
    )
    store.add(Vote("not_helpful", False, [], [], [], "v2", "best pizza in [email]?"))
    store.add(Vote("helpful", False, [], [], [], "v2", "best pizza in [email]?"))
    store.add(Vote("not_helpful", False, [], [], [], "v2", "\x1b[2Jforged"))
    store.close()


def report(*args: str, data_dir: Path | None = None) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k != "ADVISOR_DATABASE_URL"}
    if data_dir is not None:
        environment["ADVISOR_DATA_DIR"] = str(data_dir)
    return subprocess.run(
        [*REPORT, *args], capture_output=True, text=True, env=environment, cwd=ROOT, timeout=60, check=False
    )


def test_report_gives_rates_votes_by_section_and_the_gaps(tmp_path: Path) -> None:
    seed(tmp_path)
    result = report("--json", data_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert (data["votes"], data["helpful"], data["not_helpful"]) == (7, 4, 3)
    assert (data["answered"], data["not_covered"], data["answered_rate"]) == (4, 3, round(4 / 7, 4))
    assert "among voted answers" in data["rates"]
    assert data["sections"] == [
        {"guide_slug": "guide-a", "section": "Visa", "helpful": 3, "not_helpful": 1},
        {"guide_slug": "guide-a", "section": "Timing > Before interviews", "helpful": 3, "not_helpful": 0},
    ]
    assert data["content_versions"] == {"v1": 4, "v2": 3}
    assert data["not_covered_questions"][0] == {"question": "best pizza in [email]?", "votes": 2}
    assert data["not_helpful_questions"] == [{"question": "is J-1 ok?", "votes": 1}]

    text = report(data_dir=tmp_path)
    assert text.returncode == 0, text.stderr
    assert "Votes: 7 (4 helpful, 3 not helpful)" in text.stdout
    assert "Answered: 4 (57%), not covered: 3 (43%)" in text.stdout
    assert "      3           1       75%  Visa" in text.stdout
    assert "     2  best pizza in [email]?" in text.stdout
    assert "\x1b" not in text.stdout and "\\x1b[2Jforged" in text.stdout


UNSAFE = {
    "Cc",
    "Cf",
    "Cs",
    "Co",
    "Cn",
    "Zl",
    "Zp",
}  # control, format (bidi, zero-width), surrogate, unassigned, separators
JUNK = [  # (created_at, vote, answered, sections, chunk_ids, guide_slugs, content_version, question)
    (
        "not a date",
        "not_helpful",
        1,
        '{"a": 1}',
        "not json",
        '[1, null, ["x"]]',
        "\x1b]0;owned\x07",
        "\u202egnp.exe\u2066",
    ),
    (
        "2026-11-02 10:00:00",
        "not_helpful",
        0,
        '["Visa\\u0000\\u001b[2J", 5]',
        "[]",
        '["g\\u202e"]',
        "\u2028v2",
        "a\r\nforged",
    ),
    ("2026-11-03T10:00:00+00:00", "helpful", "yes", "null", "7", '"guide-a"', b"\xff\xfe bytes", b"\x9b31m"),
    (20261104, "helpful", 2.5, "[" * 5000, '["\\ud800"]', "[]", "x" * 5000, "\x00\x08\x7f\x85"),
]


def test_report_prints_whatever_the_database_holds_safely(tmp_path: Path) -> None:
    seed(tmp_path)  # 7 good votes, then rows written past the service: junk in every column
    with sqlite3.connect(tmp_path / SQLITE_FILE) as connection:
        connection.executemany(
            "INSERT INTO feedback (created_at, vote, answered, sections, chunk_ids, guide_slugs, content_version,"
            " question) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            JUNK,
        )
    as_json = report("--json", data_dir=tmp_path)
    assert as_json.returncode == 0 and not as_json.stderr, as_json.stderr
    data = json.loads(as_json.stdout)
    assert data["votes"] == 7 + len(JUNK) and data["helpful"] == 4 + 2
    text = report(data_dir=tmp_path)
    assert text.returncode == 0 and not text.stderr, text.stderr
    for output in (as_json.stdout, text.stdout):
        unsafe = {hex(ord(c)) for c in output if c != "\n" and unicodedata.category(c) in UNSAFE}
        assert not unsafe, unsafe
    assert f"Votes: {7 + len(JUNK)} (6 helpful, 5 not helpful)" in text.stdout
    for shown in ("\\x1b]0;owned\\x07", "\\u202egnp.exe\\u2066", "a\\x0d\\x0aforged", "\\u2028v2", "Visa\\x00\\x1b[2J"):
        assert shown in text.stdout, shown
    assert max(len(line) for line in text.stdout.splitlines()) < 300


def test_report_says_when_no_questions_were_stored(tmp_path: Path) -> None:
    store = FeedbackStore(f"sqlite:///{tmp_path / SQLITE_FILE}")
    store.add(Vote("helpful", True, ["A"], ["g/a/0"], ["g"], "v1"))
    store.close()
    result = report(data_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "No questions stored: question logging (ADVISOR_LOG_QUESTIONS) was off" in result.stdout


@pytest.mark.parametrize(
    ("args", "code", "says"),
    [
        (["--database-url", "no-such-scheme://x"], 2, "bad database URL"),
        (["--database-url", "not a url"], 2, "bad database URL"),
        (
            ["--database-url", "postgresql+psycopg://u:hunter2@127.0.0.1:{port}/x"],
            1,
            "cannot read the feedback database",
        ),
        ([], 1, "no feedback database at"),
        (["--since", "yesterday"], 2, "--since"),
    ],
)
def test_report_fails_in_one_line(tmp_path: Path, args: list[str], code: int, says: str) -> None:
    result = report(*[a.replace("{port}", str(free_port())) for a in args], data_dir=tmp_path / "empty")
    assert result.returncode == code and says in result.stderr and not result.stdout
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "hunter2" not in result.stderr
