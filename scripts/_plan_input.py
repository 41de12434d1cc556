"""The applicant's programs file for scripts/plan.py: a CSV as a spreadsheet saves it, read into a plan request.

Columns (a header row; case, spaces and order as you like; only `name` is required):
  name, interview_date (YYYY-MM-DD; empty, "none" or "pending" when there is none yet),
  sponsors (J-1, H-1B, both, none, unknown), interest (top, high, normal),
  interviewed_or_waitlisted (yes/no).
Commas, semicolons or tabs separate the cells; a byte-order mark and CRLF lines are fine.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from api.plan import MAX_PROGRAMS, PlanRequest

COLUMNS = ("name", "interview_date", "sponsors", "interest", "interviewed_or_waitlisted")
NO_DATE = {"", "none", "pending", "tbd", "n/a", "-"}
SPONSORS = {
    "j-1": "J-1",
    "j1": "J-1",
    "h-1b": "H-1B",
    "h1b": "H-1B",
    "both": "both",
    "none": "none",
    "unknown": "unknown",
}
YES = {"yes", "y", "true", "1"}
NO = {"no", "n", "false", "0", ""}
MAX_BYTES = 1_000_000
OPTIONS = {
    "visa": "--visa",
    "step3": "--step3",
    "rank_list_deadline": "--deadline",
    "today": "--today",
    "updates": "--update",
}


class InputError(Exception):
    """A programs file or option that cannot be read, said in one line."""


@dataclass(frozen=True)
class Programs:
    rows: list[dict[str, Any]]
    lines: list[int]  # the file line each program was read from


def _cell(key: str, value: str) -> Any:
    text = value.strip()
    if key == "interview_date":
        return None if text.casefold() in NO_DATE else text
    if key == "sponsors":
        return SPONSORS.get(text.casefold(), text) if text else "unknown"
    if key == "interest":
        return text.casefold() or "normal"
    if key == "interviewed_or_waitlisted":
        folded = text.casefold()
        if folded not in YES | NO:
            raise ValueError(f"interviewed_or_waitlisted should be yes or no, not {text!r}")
        return folded in YES
    return text


def read_programs(path: Path) -> Programs:
    """The file's programs as request rows; InputError naming the file (and line) when it cannot be read."""
    try:
        if path.stat().st_size > MAX_BYTES:
            raise InputError(f"{path} is larger than {MAX_BYTES // 1_000_000} MB; a programs file is a few KB")
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc.__class__.__name__}") from None
    except UnicodeDecodeError:
        raise InputError(f"{path} is not UTF-8 text (save it as CSV UTF-8)") from None
    if not text.strip():
        raise InputError(f"{path} is empty: give a header row (name, interview_date, ...) and one row per program")
    try:
        dialect: Any = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(text.splitlines(), dialect)
    header = ["_".join(h.strip().casefold().split()) for h in next(reader)]
    unknown = [h for h in header if h not in COLUMNS]
    if unknown or "name" not in header:
        what = f"unknown column {unknown[0]!r}" if unknown else "no 'name' column"
        raise InputError(f"{path} line 1: {what}; the columns are {', '.join(COLUMNS)}")
    rows, lines = [], []
    for cells in reader:
        if not any(c.strip() for c in cells):
            continue
        line = reader.line_num
        if len(cells) > len(header):
            raise InputError(f"{path} line {line}: {len(cells)} cells for {len(header)} columns")
        try:
            rows.append({k: _cell(k, v) for k, v in zip(header, cells, strict=False) if v.strip() or k == "name"})
        except ValueError as exc:
            raise InputError(f"{path} line {line}: {exc}") from None
        lines.append(line)
    if not rows:
        raise InputError(f"{path} has a header but no programs")
    if len(rows) > MAX_PROGRAMS:
        raise InputError(f"{path} has {len(rows)} programs; a plan takes at most {MAX_PROGRAMS}")
    return Programs(rows, lines)


def request(payload: dict[str, Any], programs: Programs, path: Path) -> PlanRequest:
    """The plan request, validated as the API validates it; InputError naming the file line or the option."""
    try:
        return PlanRequest.model_validate(payload)
    except ValidationError as exc:
        error = exc.errors()[0]
        loc = [str(part) for part in error["loc"]]
        if loc[:1] == ["programs"] and len(loc) > 1 and loc[1].isdigit():
            field = loc[2] if len(loc) > 2 else "row"
            where = f"{path} line {programs.lines[int(loc[1])]} ({field})"
        else:
            where = OPTIONS.get(loc[0], loc[0]) + (f" #{int(loc[1]) + 1}" if len(loc) > 1 and loc[1].isdigit() else "")
        raise InputError(f"{where}: {error['msg']}") from None
