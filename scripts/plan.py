#!/usr/bin/env python3
"""Plan your outreach to your programs: the guide's steps, dated, for each program you list.

Usage: scripts/plan.py PROGRAMS.csv --visa {none,J-1,H-1B,either} [--step3 {done,planned,no}]
                       [--deadline YYYY-MM-DD] [--today YYYY-MM-DD] [--update KIND:YYYY-MM-DD ...]
                       [--json] [--drafts] [--ics FILE] [--csv FILE] [--url URL]

PROGRAMS.csv has a header row: name, interview_date, sponsors, interest, interviewed_or_waitlisted
(scripts/_plan_input.py says what each takes). Prints the plan as a timeline (--json: exactly the API's
JSON); --ics writes it as a calendar to import, --csv as a spreadsheet. In-process by default (loads the
model and index); with --url, or ADVISOR_URL set, it asks a running server instead and loads no model.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import sys
import textwrap
from pathlib import Path
from typing import Any

from index.answer.reply import Citation
from index.drafts.check import Finding
from index.plan.export import TITLES, to_csv, to_ics
from index.plan.model import Action, Plan, PlanWarning
from scripts._cli import Parser, cli_settings, fail, load_advisor, post_json, print_reply, reply_from
from scripts._plan_input import InputError, read_programs, request

WIDTH = 88
LEFT = 20  # the timeline's date column
_PLACEHOLDER = re.compile(r"\[[^\[\]\n]+\]")


def plan_in_process(payload: dict[str, Any]) -> dict[str, Any]:
    from api.plan import PlanRequest, PlanResponse
    from index.plan.compose import make_plan

    settings = cli_settings()
    advisor = load_advisor()
    profile = PlanRequest.model_validate(payload).profile(settings.rank_list_deadline)
    plan = make_plan(profile, advisor, settings.public_url or "http://127.0.0.1:8000")
    return PlanResponse.from_plan(plan).model_dump(mode="json")


def _citations(items: list[dict[str, Any]]) -> list[Citation]:
    return [Citation(**c) for c in items]


def plan_from_reply(reply: dict[str, Any]) -> Plan:
    """The API's JSON read back into the plan it was made from (for the calendar and CSV files)."""
    day = dt.date.fromisoformat
    actions = [
        Action(
            **a
            | {
                "start": day(a["start"]),
                "end": day(a["end"]),
                "citations": _citations(a["citations"]),
                "draft_findings": [
                    Finding(**f | {"citations": _citations(f["citations"])}) for f in a["draft_findings"]
                ],
            }
        )
        for a in reply["actions"]
    ]
    warnings = [PlanWarning(**{**w, "citations": _citations(w["citations"])}) for w in reply["warnings"]]
    return Plan(actions, warnings, day(reply["rank_list_deadline"]), day(reply["today"]))


def _day(day: dt.date) -> str:
    return f"{day:%a %b} {day.day}, {day.year}"


def _span(action: Action) -> str:
    def short(d: dt.date) -> str:
        return f"{d:%b} {d.day}"

    return short(action.start) if action.start == action.end else f"{short(action.start)} – {short(action.end)}"


def _guide(rule: str, citations: list[Citation]) -> str:
    section = citations[0].section.rsplit(" > ", 1)[-1] if citations else ""
    return f"Guide: “{' '.join(rule.split())}” ({section})"


def _wrap(text: str, indent: int) -> list[str]:
    return textwrap.wrap(text, WIDTH, initial_indent=" " * indent, subsequent_indent=" " * indent)


def _draft_line(action: Action) -> str:
    assert action.draft is not None
    left = list(dict.fromkeys(_PLACEHOLDER.findall(action.draft)))
    others = [f for f in action.draft_findings if f.rule != "placeholder"]
    said = f"; the draft check also says: {'; '.join(f.message for f in others)}" if others else ""
    shown = ", ".join(left[:3]) + (", …" if len(left) > 3 else "")
    return f"Draft from the guide's template: {len(left)} placeholders left for you ({shown}){said}."


def _warning_lines(w: PlanWarning) -> list[str]:
    lines = textwrap.wrap(w.text, WIDTH, initial_indent="  ! ", subsequent_indent="    ")
    if w.rule:
        lines += _wrap(_guide(w.rule, w.citations), 4)
    return lines


def render(plan: Plan, drafts: bool = False) -> str:
    out = [f"Outreach plan from {_day(plan.today)} to the rank-list deadline, {_day(plan.rank_list_deadline)}."]
    if plan.warnings:
        out += ["", "WARNINGS"]
        for w in plan.warnings:
            out += _warning_lines(w)
    month = ""
    for a in plan.actions:
        if f"{a.start:%B %Y}" != month:
            month = f"{a.start:%B %Y}"
            out += ["", f"── {month} " + "─" * (WIDTH - len(month) - 4)]
        head = f"{TITLES[a.kind].upper()}" + (f" · {a.program}" if a.program else "")
        out += [f"  {_span(a):<{LEFT - 2}}{head}"]
        out += _wrap(a.text, LEFT)
        out += _wrap(_guide(a.rule, a.citations), LEFT)
        if a.draft is not None:
            out += _wrap(_draft_line(a), LEFT)
            if drafts:
                out += ["", *(" " * (LEFT + 2) + line if line else "" for line in a.draft.splitlines()), ""]
    return "\n".join(out) + "\n"


def _update(value: str) -> dict[str, str]:
    kind, _, date = value.partition(":")
    return {"kind": kind.strip(), "date": date.strip()}


def _write(path: str, data: bytes | str) -> None:
    try:
        Path(path).write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    except OSError as exc:
        fail(f"cannot write {path}: {exc.strerror or exc.__class__.__name__}")


def main(argv: list[str] | None = None) -> int:
    parser = Parser(description="Plan your outreach to your programs from the guide, step by step.")
    parser.add_argument("programs", help="your programs: a CSV file with a header row (see --help's description)")
    parser.add_argument("--visa", required=True, help="the visa you need: none, J-1, H-1B or either")
    parser.add_argument("--step3", default="no", help="USMLE Step 3: done, planned or no (default no)")
    parser.add_argument("--deadline", help="the rank-list deadline, YYYY-MM-DD (default: the service's setting)")
    parser.add_argument("--today", help="the day the plan starts, YYYY-MM-DD (default: today)")
    parser.add_argument(
        "--update",
        action="append",
        default=[],
        metavar="KIND:DATE",
        help="news you expect: score, publication or letter, and its date (repeatable)",
    )
    parser.add_argument("--json", action="store_true", help="print exactly the API's JSON")
    parser.add_argument("--drafts", action="store_true", help="print each draft under its step")
    parser.add_argument("--ics", metavar="FILE", help="also write the plan as a calendar file (.ics) to import")
    parser.add_argument("--csv", metavar="FILE", help="also write the plan as CSV, for a spreadsheet")
    parser.add_argument(
        "--url", default=os.environ.get("ADVISOR_URL"), help="ask a running server (or set ADVISOR_URL)"
    )
    args = parser.parse_args(argv)
    path = Path(args.programs)
    payload: dict[str, Any] = {"visa": args.visa, "step3": args.step3, "updates": [_update(u) for u in args.update]}
    payload |= {k: v for k, v in (("rank_list_deadline", args.deadline), ("today", args.today)) if v is not None}
    try:
        programs = read_programs(path)
        payload["programs"] = programs.rows
        body = request(payload, programs, path).model_dump(mode="json", exclude_unset=True)
    except InputError as exc:
        fail(str(exc))
    reply = reply_from(args.url, lambda url: post_json(url, "/api/plan", body), lambda: plan_in_process(body))
    plan = plan_from_reply(reply)
    if args.ics:
        _write(args.ics, to_ics(plan))
    if args.csv:
        _write(args.csv, to_csv(plan))
    print_reply(reply, args.json, lambda _: render(plan, args.drafts))
    return 0


if __name__ == "__main__":
    sys.exit(main())
