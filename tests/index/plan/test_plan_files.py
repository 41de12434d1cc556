"""The plan as files (an iCalendar file parsed back by a calendar parser, a CSV), and a rule the guides lack."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

from icalendar import Calendar

from index.answer.advisor import Advisor
from index.model.embeddings import MiniLMEmbedder
from index.plan.compose import make_plan
from index.plan.export import CSV_COLUMNS, title, to_csv, to_ics
from index.plan.model import Plan
from index.store.build import build_store
from tests.index.plan.test_plan import BASE, PROFILES, planned, profile_of

DAY = dt.timedelta(days=1)


def events(ics: bytes) -> list[dict[str, object]]:
    calendar = Calendar.from_ical(ics)
    return [
        {
            "uid": str(e["UID"]),
            "start": e.decoded("DTSTART"),
            "end": e.decoded("DTEND"),
            "summary": str(e["SUMMARY"]),
            "description": str(e["DESCRIPTION"]),
        }
        for e in calendar.walk("VEVENT")
    ]


def test_the_calendar_parses_to_one_all_day_event_per_action(advisor: Advisor) -> None:
    for name in PROFILES:
        _, plan = planned(advisor, name)
        ics = to_ics(plan)
        assert ics.startswith(b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n") and ics.endswith(b"END:VCALENDAR\r\n")
        assert all(len(line) <= 75 for line in ics.split(b"\r\n"))  # RFC 5545 folds lines at 75 octets
        found = events(ics)
        assert len(found) == len(plan.actions)
        assert len({e["uid"] for e in found}) == len(found)
        for event, action in zip(found, plan.actions, strict=True):
            assert (event["start"], event["end"]) == (action.start, action.end + DAY)  # DTEND is exclusive
            assert event["summary"] == title(action)
            assert action.text in str(event["description"]) and " ".join(action.rule.split()) in str(
                event["description"]
            )
            if action.draft:
                assert action.draft in str(event["description"])


def test_the_calendar_round_trips_through_the_parser(advisor: Advisor) -> None:
    _, plan = planned(advisor, "names-as-typed")  # markup, commas, semicolons, quotes and accents in names
    ics = to_ics(plan, now=dt.datetime(2026, 11, 30, 12, tzinfo=dt.UTC))
    again = Calendar.from_ical(ics).to_ical()
    assert events(again) == events(ics)
    assert {e["summary"] for e in events(ics)} >= {
        f"Thank-you email: {p.name}" for p in profile_of(PROFILES["names-as-typed"]["request"]).programs
    }


def test_event_uids_stay_the_same_when_the_plan_is_made_again(advisor: Advisor) -> None:
    profile, plan = planned(advisor, "realistic-h1b")
    again = make_plan(profile, advisor, BASE)
    assert [e["uid"] for e in events(to_ics(plan))] == [e["uid"] for e in events(to_ics(again))]


def test_a_window_that_ends_on_the_last_date_python_has_keeps_its_start(advisor: Advisor) -> None:
    request = PROFILES["no-interview-yet"]["request"] | {"rank_list_deadline": "9999-12-31"}
    plan = make_plan(profile_of(request), advisor, BASE)
    event = Calendar.from_ical(to_ics(plan)).walk("VEVENT")[-1]
    assert event.decoded("DTSTART") == dt.date.max and "DTEND" not in event


def read_csv(plan: Plan) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(to_csv(plan))))


def test_the_csv_has_a_row_per_action_then_per_warning(advisor: Advisor) -> None:
    _, plan = planned(advisor, "realistic-h1b")
    rows = read_csv(plan)
    assert list(rows[0]) == list(CSV_COLUMNS)
    assert [r["type"] for r in rows] == ["action"] * len(plan.actions) + ["warning"] * len(plan.warnings)
    for row, action in zip(rows, plan.actions, strict=False):
        assert (row["start"], row["end"], row["kind"]) == (
            action.start.isoformat(),
            action.end.isoformat(),
            action.kind,
        )
        assert (row["program"], row["rule"], row["draft"]) == (action.program or "", action.rule, action.draft or "")


def test_a_name_a_spreadsheet_would_run_as_a_formula_stays_text(advisor: Advisor) -> None:
    _, plan = planned(advisor, "names-as-typed")
    formula = '=HYPERLINK("http://example.com","x")'
    programs = {r["program"] for r in read_csv(plan)}
    assert "'" + formula in programs and formula not in programs
    assert "<script>alert('x')</script> PM&R" in programs  # other names as typed


def test_a_rule_whose_passage_the_guides_lack_is_off_and_the_plan_says_so(
    content_copy: Path, tmp_path: Path, embedder: MiniLMEmbedder, served_encoder: MiniLMEmbedder
) -> None:
    guide = next(content_copy.glob("*.md"))
    sentence = "- Sent to only one program, usually in late January or early February.\n"
    text = guide.read_text("utf-8")
    assert sentence in text
    guide.write_text(text.replace(sentence, ""), "utf-8")
    build_store(content_copy, tmp_path / "index", embedder, reader_sha256=served_encoder.reader_sha256)
    advisor = Advisor.load(content_copy, tmp_path / "index", served_encoder)
    plan = make_plan(profile_of(PROFILES["realistic-h1b"]["request"]), advisor, BASE)
    assert "letter_of_intent" not in {a.kind for a in plan.actions}
    off = [w for w in plan.warnings if w.kind == "rule_off"]
    assert len(off) == 1 and "Sent to only one program, usually in late January or early February." in off[0].text
    assert off[0].rule == "" and off[0].citations == []
    assert {"thank_you", "letter_of_interest", "visa_question", "step3", "stop"} <= {a.kind for a in plan.actions}
