"""POST /api/plan and /api/plan.ics over HTTP, and `python -m scripts.plan`: the contract, bad input, the files."""

from __future__ import annotations

import copy
import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from icalendar import Calendar

from api.launch import free_port
from api.plan import MAX_PROGRAMS
from api.settings import RANK_LIST_DEADLINE
from tests.helpers import CONTENT, ROOT
from tests.index.plan.test_plan import PROFILES

PLAN = [sys.executable, "-m", "scripts.plan"]
REALISTIC = PROFILES["realistic-h1b"]["request"]
ACTION_KEYS = {"kind", "program", "start", "end", "text", "rule", "citations", "draft", "draft_findings"}
CITATION_KEYS = {
    "n",
    "guide",
    "guide_slug",
    "section",
    "excerpt",
    "url",
    "score",
    "chunk_id",
    "start",
    "end",
    "last_reviewed",
}


def body(**changes: Any) -> dict[str, Any]:
    return copy.deepcopy(REALISTIC) | changes


def test_the_plan_has_the_contracts_shape(client: TestClient) -> None:
    response = client.post("/api/plan", json=REALISTIC)
    assert response.status_code == 200 and response.headers["content-type"] == "application/json"
    plan = response.json()
    assert set(plan) == {"actions", "warnings", "rank_list_deadline", "today"}
    assert [(a["kind"], a["program"], a["start"], a["end"]) for a in plan["actions"]] == [
        tuple(a) for a in PROFILES["realistic-h1b"]["expect"]["actions"]
    ]
    assert [a["start"] for a in plan["actions"]] == sorted(a["start"] for a in plan["actions"])
    for action in plan["actions"]:
        assert set(action) == ACTION_KEYS
        assert all(set(c) == CITATION_KEYS for c in action["citations"])
        assert action["rule"] in action["citations"][0]["excerpt"]
    for warning in plan["warnings"]:
        assert set(warning) == {"kind", "program", "text", "rule", "citations"}
        assert warning["rule"] in warning["citations"][0]["excerpt"]


def test_draft_findings_are_what_check_draft_says(client: TestClient) -> None:
    plan = client.post("/api/plan", json=REALISTIC).json()
    drafted = [a for a in plan["actions"] if a["draft"]]
    assert {a["kind"] for a in drafted} == {"visa_question", "thank_you", "letter_of_interest"}
    for action in drafted:
        checked = client.post("/api/check-draft", json={"text": action["draft"]}).json()
        assert action["draft_findings"] == checked["findings"]


def test_the_deadline_comes_from_the_setting_unless_the_request_gives_one(client: TestClient) -> None:
    request = body()
    del request["rank_list_deadline"], request["today"]
    plan = client.post("/api/plan", json=request).json()
    assert plan["rank_list_deadline"] == RANK_LIST_DEADLINE.isoformat()
    assert plan["today"] in {dt.date.today().isoformat(), (dt.date.today() - dt.timedelta(days=1)).isoformat()}
    own = client.post("/api/plan", json=body(rank_list_deadline="2027-02-20")).json()
    assert own["actions"][-1]["kind"] == "stop" and own["actions"][-1]["start"] == "2027-02-20"


def test_an_interview_after_the_deadline_is_allowed_but_warned(client: TestClient) -> None:
    programs = [{"name": "Late PM&R", "interview_date": "2027-03-20", "sponsors": "both", "interest": "high"}]
    plan = client.post("/api/plan", json=body(programs=programs, updates=[])).json()
    assert [w["kind"] for w in plan["warnings"]] == ["after_deadline"]
    assert all(a["end"] <= "2027-03-03" for a in plan["actions"])


@pytest.mark.parametrize(
    ("changes", "loc"),
    [
        ({"visa": "L-1"}, ["body", "visa"]),
        ({"today": "2026-02-30"}, ["body", "today"]),
        ({"rank_list_deadline": "03/03/2027"}, ["body", "rank_list_deadline"]),
        ({"today": 20261130}, ["body", "today"]),
        ({"programs": [{"name": f"P{i}"} for i in range(MAX_PROGRAMS + 1)]}, ["body", "programs"]),
        ({"programs": []}, ["body", "programs"]),
        ({"programs": [{"name": "   "}]}, ["body", "programs", 0, "name"]),
        ({"programs": [{"name": "A\nB"}]}, ["body", "programs", 0, "name"]),
        (
            {"programs": [{"name": "A", "interviewed_or_waitlisted": "yes"}]},
            ["body", "programs", 0, "interviewed_or_waitlisted"],
        ),
        ({"programs": [{"name": "A", "sponsors": "O-1"}]}, ["body", "programs", 0, "sponsors"]),
        ({"updates": [{"kind": "award", "date": "2027-01-01"}]}, ["body", "updates", 0, "kind"]),
        ({"step3": True}, ["body", "step3"]),
        ({"extra": 1}, ["body", "extra"]),
    ],
)
def test_bad_input_is_a_422_naming_the_field(client: TestClient, changes: dict[str, Any], loc: list[Any]) -> None:
    response = client.post("/api/plan", json=body(**changes))
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == loc


def test_the_calendar_route_returns_an_ics_file_a_parser_reads(client: TestClient) -> None:
    response = client.post("/api/plan.ics", json=REALISTIC)
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    assert response.headers["content-disposition"] == 'attachment; filename="outreach-plan.ics"'
    starts = [e.decoded("DTSTART").isoformat() for e in Calendar.from_ical(response.content).walk("VEVENT")]
    assert starts == [a[2] for a in PROFILES["realistic-h1b"]["expect"]["actions"]]
    assert client.post("/api/plan.ics", json=body(visa="L-1")).status_code == 422


def test_the_openapi_document_declares_both_routes(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert set(paths["/api/plan"]["post"]["responses"]) >= {"200", "413", "415", "422", "429", "500", "503"}
    calendar = paths["/api/plan.ics"]["post"]["responses"]
    assert set(calendar["200"]["content"]) == {"text/calendar"} and "422" in calendar


def run(args: list[str], index_dir: Path | None = None, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k != "ADVISOR_URL"}
    environment |= {"ADVISOR_CONTENT_DIR": str(CONTENT), **env}
    if index_dir:
        environment["ADVISOR_INDEX_DIR"] = str(index_dir)
    return subprocess.run(args, capture_output=True, text=True, env=environment, cwd=ROOT, timeout=120, check=False)


def programs_csv(folder: Path, request: dict[str, Any], text: str | None = None) -> Path:
    """The request's programs as a spreadsheet saves them: a byte-order mark, semicolons, CRLF, yes/no."""
    path = folder / "programs.csv"
    if text is None:
        rows = ["Name;Interview date;Sponsors;Interest;Interviewed or waitlisted"]
        for p in request["programs"]:
            flag = "yes" if p["interviewed_or_waitlisted"] else "no"
            rows.append(f"{p['name']};{p['interview_date'] or 'pending'};{p['sponsors']};{p['interest']};{flag}")
        text = "\r\n".join(rows) + "\r\n"
    path.write_bytes(("\ufeff" + text).encode("utf-8"))
    return path


def options(request: dict[str, Any]) -> list[str]:
    updates = [f"--update={u['kind']}:{u['date']}" for u in request["updates"]]
    return [
        "--visa",
        request["visa"],
        "--step3",
        request["step3"],
        "--deadline",
        request["rank_list_deadline"],
        "--today",
        request["today"],
        *updates,
    ]


def test_cli_prints_a_timeline_and_writes_the_files(tmp_path: Path, index_dir: Path) -> None:
    path = programs_csv(tmp_path, REALISTIC)
    result = run(
        [*PLAN, str(path), *options(REALISTIC), "--ics", str(tmp_path / "p.ics"), "--csv", str(tmp_path / "p.csv")],
        index_dir,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.startswith("Outreach plan from Mon Nov 30, 2026 to the rank-list deadline, Wed Mar 3, 2027.")
    assert "WARNINGS" in out and "── January 2027 " in out and "LETTER OF INTENT · Riverside PM&R" in out
    assert "Guide: “Sent to only one program, usually in late January or early February.”" in " ".join(out.split())
    assert len(Calendar.from_ical((tmp_path / "p.ics").read_bytes()).walk("VEVENT")) == len(
        PROFILES["realistic-h1b"]["expect"]["actions"]
    )
    assert (tmp_path / "p.csv").read_text("utf-8").startswith("type,start,end,kind,program")


def test_cli_json_from_a_server_is_the_apis(tmp_path: Path, live_server: str, client: TestClient) -> None:
    path = programs_csv(tmp_path, REALISTIC)
    result = run([*PLAN, str(path), *options(REALISTIC), "--json", "--url", live_server])
    assert result.returncode == 0, result.stderr
    reply = json.loads(result.stdout)
    expected = client.post("/api/plan", json=REALISTIC).json()
    assert [(a["kind"], a["program"], a["start"], a["draft"]) for a in reply["actions"]] == [
        (a["kind"], a["program"], a["start"], a["draft"]) for a in expected["actions"]
    ]


@pytest.mark.parametrize(
    ("text", "args", "message"),
    [
        (None, ["--visa", "L-1"], "--visa: Input should be 'none', 'J-1', 'H-1B' or 'either'"),
        (None, ["--visa", "J-1", "--today", "30/11/2026"], "--today: Value error, should be a date written YYYY-MM-DD"),
        (None, ["--visa", "J-1", "--update", "award:2027-01-01"], "--update #1"),
        ("name,interview_date\nA,2027-13-01\n", ["--visa", "J-1"], "programs.csv line 2 (interview_date):"),
        ("name,sponsors\nA,J-1\nB,O-1\n", ["--visa", "J-1"], "programs.csv line 3 (sponsors):"),
        (
            "name,interviewed_or_waitlisted\nA,maybe\n",
            ["--visa", "J-1"],
            "line 2: interviewed_or_waitlisted should be yes or no",
        ),
        ("name,interveiw_date\nA,2027-01-01\n", ["--visa", "J-1"], "line 1: unknown column 'interveiw_date'"),
        ("interview_date\n2027-01-01\n", ["--visa", "J-1"], "line 1: no 'name' column"),
        ("name\n", ["--visa", "J-1"], "has a header but no programs"),
        ("", ["--visa", "J-1"], "is empty"),
        (
            "name\n" + "".join(f"P{i}\n" for i in range(101)),
            ["--visa", "J-1"],
            "has 101 programs; a plan takes at most 100",
        ),
        ('name,sponsors\n"A,B",J-1,extra\n', ["--visa", "J-1"], "line 2: 3 cells for 2 columns"),
    ],
)
def test_cli_bad_input_is_one_line_and_non_zero(
    tmp_path: Path, text: str | None, args: list[str], message: str
) -> None:
    path = programs_csv(tmp_path, REALISTIC, text)
    result = run([*PLAN, str(path), *args])
    assert result.returncode == 1, result.stdout
    assert message in result.stderr and result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


def test_cli_unreadable_files_are_one_line(tmp_path: Path) -> None:
    (tmp_path / "latin1.csv").write_bytes("name\nHôpital\n".encode("latin-1"))
    for path, message in (
        (tmp_path / "missing.csv", "cannot read"),
        (tmp_path / "latin1.csv", "is not UTF-8 text"),
        (tmp_path, "cannot read"),
    ):
        result = run([*PLAN, str(path), "--visa", "J-1"])
        assert result.returncode == 1 and message in result.stderr and result.stderr.count("\n") == 1
    result = run(
        [*PLAN, str(programs_csv(tmp_path, REALISTIC)), "--visa", "J-1", "--url", f"http://127.0.0.1:{free_port()}"]
    )
    assert result.returncode == 1 and result.stderr.startswith("error: cannot reach the Advisor")
