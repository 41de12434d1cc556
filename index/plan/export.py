"""An outreach plan as files: an iCalendar file to import into a calendar, and a CSV for a spreadsheet.

The calendar (RFC 5545, written by the `icalendar` library) holds one all-day event per action, spanning
its window: Google Calendar, Outlook and Apple Calendar import such files. Each event's UID is made from
the action's kind, program and rank among the plan's actions of that kind and program, so a calendar that
imports a recomputed plan can replace the events it already holds. The CSV (the stdlib csv module, through
`defusedcsv`) has one row per action, then one per warning; a cell a spreadsheet would read as a formula
(a name typed as "=...") is written with a leading apostrophe, so it stays text.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from collections import Counter

from defusedcsv import csv
from icalendar import Calendar, Event

from index.plan.model import Action, ActionKind, Plan, PlanWarning
from index.plan.windows import shift

CALENDAR_TYPE = "text/calendar; charset=utf-8"
PRODID = "-//Residency Advisor//The Advisor outreach plan//EN"
UID_DOMAIN = "outreach-plan.residency-advisor"
TITLES: dict[ActionKind, str] = {
    "step3": "Step 3: clarify requirements and timing",
    "visa_question": "Visa question",
    "thank_you": "Thank-you email",
    "update": "Update email",
    "letter_of_interest": "Letter of strong interest",
    "letter_of_intent": "Letter of intent",
    "stop": "Rank-list deadline",
}
CSV_COLUMNS = ("type", "start", "end", "kind", "program", "text", "rule", "guide_section", "guide_url", "draft")


def title(action: Action) -> str:
    """A one-line name for the action: "Thank-you email: Riverside PM&R"."""
    return f"{TITLES[action.kind]}: {action.program}" if action.program is not None else TITLES[action.kind]


def description(action: Action) -> str:
    lines = [action.text, "", f"The guide: “{' '.join(action.rule.split())}”"]
    lines += [f"{c.section} {c.url or ''}".rstrip() for c in action.citations[:1]]
    if action.draft is not None:
        lines += ["", "Draft (fill in the placeholders left in [brackets]):", "", action.draft]
    return "\n".join(lines)


def _uid(action: Action, rank: int) -> str:
    key = f"{action.kind}\0{action.program or ''}\0{rank}".encode()
    return f"{hashlib.sha256(key).hexdigest()[:32]}@{UID_DOMAIN}"


def to_ics(plan: Plan, now: dt.datetime | None = None) -> bytes:
    """The plan's actions as an iCalendar file, CRLF lines folded at 75 octets (UTF-8)."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", "My outreach plan")
    stamp = now or dt.datetime.now(dt.UTC)
    seen: Counter[tuple[str, str | None]] = Counter()
    for action in plan.actions:
        seen[action.kind, action.program] += 1
        event = Event()
        event.add("uid", _uid(action, seen[action.kind, action.program]))
        event.add("dtstamp", stamp)
        event.add("dtstart", action.start)
        if action.end < dt.date.max:  # DTEND is exclusive; without it, an all-day event is its start day
            event.add("dtend", shift(action.end, 1))
        event.add("summary", title(action))
        event.add("description", description(action))
        event.add("transp", "TRANSPARENT")  # a reminder, not busy time
        calendar.add_component(event)
    ical: bytes = calendar.to_ical()
    return ical


def _row(kind: str, start: str, end: str, item: Action | PlanWarning, draft: str | None) -> list[str]:
    first = item.citations[0] if item.citations else None
    section, url = (first.section, first.url or "") if first else ("", "")
    return [kind, start, end, item.kind, item.program or "", item.text, item.rule, section, url, draft or ""]


def to_csv(plan: Plan) -> str:
    """The plan as CSV text: a header, one row per action in date order, then one per warning."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for a in plan.actions:
        writer.writerow(_row("action", a.start.isoformat(), a.end.isoformat(), a, a.draft))
    for w in plan.warnings:
        writer.writerow(_row("warning", "", "", w, None))
    return out.getvalue()
