"""POST /api/feedback against a real SQLite file (scripts/report.py over what it stored:
tests/scripts/test_report.py)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlalchemy import update

from api.feedback_store import SQLITE_FILE, Feedback, FeedbackStore, Vote
from api.logs import redact
from api.main import create_app
from api.settings import Settings, settings_problems
from index.model.embeddings import MiniLMEmbedder
from tests.api.helpers import samples, value
from tests.fakes import HashingEmbedder
from tests.helpers import CONTENT, LOOPBACK, free_port

VISA = "can I email about visa sponsorship before interviews"
OFF_TOPIC = "what's the best pizza in Chicago?"
PRIVATE = "my name is Maria Garcia, AAMC ID 12345678, maria.g@example.com: can I email about visa sponsorship?"
SECRETS = ("Maria", "Garcia", "12345678", "maria.g@example.com")


@contextmanager
def serving(data_dir: Path, index_dir: Path, embedder: Any, **settings: Any) -> Iterator[TestClient]:
    config = Settings(content_dir=CONTENT, index_dir=index_dir, data_dir=data_dir, rate_limit_per_minute=0, **settings)
    with TestClient(create_app(config, embedder_factory=lambda: embedder), client=LOOPBACK) as client:
        yield client


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("feedback")


@pytest.fixture(scope="module")
def app(folder: Path, index_dir: Path, served_encoder: MiniLMEmbedder) -> Iterator[TestClient]:
    with serving(folder, index_dir, served_encoder) as client:
        yield client


def rows(data_dir: Path) -> list[sqlite3.Row]:
    with sqlite3.connect(data_dir / SQLITE_FILE) as connection:
        connection.row_factory = sqlite3.Row
        return connection.execute("SELECT * FROM feedback ORDER BY id").fetchall()


def row(data_dir: Path, row_id: int) -> sqlite3.Row:
    return next(r for r in rows(data_dir) if r["id"] == row_id)


def vote_on(answer: dict[str, Any], vote: str = "helpful") -> dict[str, Any]:
    """The body the widget sends for a reply of /api/ask."""
    return {
        "vote": vote,
        "question": answer["question"],
        "answered": answer["answered"],
        "citations": [{k: c[k] for k in ("chunk_id", "section", "guide_slug")} for c in answer["citations"]],
        "content_version": answer["content_version"],
    }


def test_a_vote_is_stored_with_its_cited_sections_and_without_the_question(app: TestClient, folder: Path) -> None:
    answer = app.post("/api/ask", json={"question": VISA}).json()
    assert answer["answered"] and answer["citations"]
    response = app.post("/api/feedback", json=vote_on(answer, "helpful"))
    assert response.status_code == 201, response.text
    assert set(response.json()) == {"id"} and isinstance(response.json()["id"], int)
    assert "set-cookie" not in response.headers
    stored = row(folder, response.json()["id"])
    assert stored["vote"] == "helpful" and stored["answered"] == 1
    assert json.loads(stored["sections"]) == [c["section"] for c in answer["citations"]]
    assert json.loads(stored["chunk_ids"]) == [c["chunk_id"] for c in answer["citations"]]
    assert json.loads(stored["guide_slugs"]) == [c["guide_slug"] for c in answer["citations"]]
    assert stored["content_version"] == answer["content_version"]
    assert stored["question"] is None
    created = datetime.fromisoformat(stored["created_at"]).replace(tzinfo=UTC)  # SQLite keeps it naive, in UTC
    assert abs(datetime.now(UTC) - created) < timedelta(minutes=1)


def test_a_not_covered_answer_takes_a_vote_too(app: TestClient, folder: Path) -> None:
    answer = app.post("/api/ask", json={"question": OFF_TOPIC}).json()
    assert not answer["answered"]
    response = app.post("/api/feedback", json=vote_on(answer, "not_helpful"))
    assert response.status_code == 201
    stored = row(folder, response.json()["id"])
    assert (stored["vote"], stored["answered"], json.loads(stored["sections"]), stored["question"]) == (
        "not_helpful",
        0,
        [],
        None,
    )


def test_with_question_logging_on_the_question_is_stored_redacted(
    tmp_path: Path, index_dir: Path, served_encoder: MiniLMEmbedder
) -> None:
    with serving(tmp_path, index_dir, served_encoder, log_questions=True) as client:
        answer = client.post("/api/ask", json={"question": PRIVATE}).json()
        response = client.post("/api/feedback", json=vote_on(answer, "not_helpful"))
    assert response.status_code == 201
    stored = row(tmp_path, response.json()["id"])["question"]
    assert stored == redact(PRIVATE) and "visa sponsorship" in stored
    for secret in SECRETS:
        assert secret not in stored


CITE = {"chunk_id": "g/a/0", "section": "A > B", "guide_slug": "g"}


@pytest.fixture(scope="module")
def good(app: TestClient) -> dict[str, Any]:
    """A vote as the widget sends it, on a real answer of the loaded index."""
    return vote_on(app.post("/api/ask", json={"question": VISA}).json())


@pytest.mark.parametrize(
    ("change", "where"),
    [
        ({"vote": "meh"}, ["body", "vote"]),
        ({"vote": None}, ["body", "vote"]),
        ({"question": ""}, ["body", "question"]),
        ({"question": "x" * 1001}, ["body", "question"]),
        ({"question": None}, ["body", "question"]),
        ({"answered": "true"}, ["body", "answered"]),
        ({"answered": 1}, ["body", "answered"]),
        ({"citations": [CITE] * 11}, ["body", "citations"]),
        ({"citations": [{"chunk_id": "g/a/0", "section": "A"}]}, ["body", "citations", 0, "guide_slug"]),
        ({"citations": [{**CITE, "excerpt": "more"}]}, ["body", "citations", 0, "excerpt"]),
        ({"citations": [{**CITE, "section": "s" * 501}]}, ["body", "citations", 0, "section"]),
        ({"content_version": ""}, ["body", "content_version"]),
        ({"content_version": None}, ["body", "content_version"]),
        ({"comment": "free text is not kept"}, ["body", "comment"]),
    ],
)
def test_bad_votes_get_a_readable_422_and_are_not_stored(
    app: TestClient, folder: Path, good: dict[str, Any], change: dict[str, Any], where: list[str | int]
) -> None:
    before = len(rows(folder))
    body = {k: v for k, v in {**good, **change}.items() if v is not None}
    response = app.post("/api/feedback", json=body)
    assert response.status_code == 422, response.text
    issues = response.json()["detail"]
    assert [i["loc"] for i in issues] == [where]
    assert all(set(i) == {"loc", "msg", "type"} and i["msg"] for i in issues)
    assert "free text" not in response.text  # the input is never echoed
    assert len(rows(folder)) == before


def _cited(good: dict[str, Any], **change: str) -> dict[str, Any]:
    return {**good, "citations": [{**good["citations"][0], **change}, *good["citations"][1:]]}


@pytest.mark.parametrize(
    ("junk", "where", "says"),
    [
        (lambda g: _cited(g, chunk_id="g/a/0"), ["body", "citations", 0, "chunk_id"], "no passage"),
        (
            lambda g: _cited(g, chunk_id="\x1b[2J" + g["citations"][0]["chunk_id"]),
            ["body", "citations", 0, "chunk_id"],
            "no passage",
        ),
        (lambda g: _cited(g, section="Visa\x00 sponsorship"), ["body", "citations", 0, "section"], "section"),
        (
            lambda g: _cited(g, section=g["citations"][0]["section"] + " "),
            ["body", "citations", 0, "section"],
            "section",
        ),
        (lambda g: _cited(g, guide_slug="another-guide"), ["body", "citations", 0, "guide_slug"], "guide"),
        (lambda g: {**g, "content_version": "0" * 16}, ["body", "content_version"], "content version"),
        (lambda g: {**g, "content_version": "\u202eabc"}, ["body", "content_version"], "content version"),
        (lambda g: {**g, "answered": False}, ["body", "citations"], "not answered"),
        (lambda g: {**g, "citations": []}, ["body", "citations"], "answered"),
    ],
)
def test_a_vote_must_cite_passages_of_the_loaded_index(
    app: TestClient, folder: Path, good: dict[str, Any], junk: Any, where: list[str | int], says: str
) -> None:
    before = len(rows(folder))
    response = app.post("/api/feedback", json=junk(good))
    assert response.status_code == 422, response.text
    issues = response.json()["detail"]
    assert [i["loc"] for i in issues] == [where]
    assert says in issues[0]["msg"] and set(issues[0]) == {"loc", "msg", "type"}
    assert len(rows(folder)) == before


def test_a_lone_surrogate_is_a_422(app: TestClient, good: dict[str, Any]) -> None:
    raw = json.dumps(_cited(good, section="A \\udfff")).replace("\\\\udfff", "\\udfff")
    response = app.post("/api/feedback", content=raw, headers={"Content-Type": "application/json"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "citations", 0, "section"]


def test_votes_wait_for_the_index_they_are_checked_against(tmp_path: Path, fake_embedder: HashingEmbedder) -> None:
    with serving(tmp_path, tmp_path / "no-index", fake_embedder) as client:
        response = client.post("/api/feedback", json={**GOOD_SHAPE, "content_version": "0" * 16})
    assert response.status_code == 503 and response.headers["retry-after"] == "5"
    assert "not ready" in response.json()["detail"]


GOOD_SHAPE = {"vote": "helpful", "question": "q", "answered": False, "citations": [], "content_version": "abc"}


def test_a_body_that_is_not_json_is_415(app: TestClient) -> None:
    response = app.post("/api/feedback", content=b"vote=helpful", headers={"Content-Type": "text/plain"})
    assert response.status_code == 415


def test_votes_are_counted_in_metrics(app: TestClient, good: dict[str, Any]) -> None:
    before = samples(app)
    app.post("/api/feedback", json=good)
    app.post("/api/feedback", json={**good, "vote": "not_helpful"})
    app.post("/api/feedback", json={**good, "vote": "meh"})
    after = samples(app)
    for name, labels, expected in [
        ("advisor_feedback_total", {"vote": "helpful"}, 1),
        ("advisor_feedback_total", {"vote": "not_helpful"}, 1),
        ("advisor_http_requests_total", {"method": "POST", "route": "/api/feedback", "status": "201"}, 2),
        ("advisor_http_requests_total", {"method": "POST", "route": "/api/feedback", "status": "422"}, 1),
    ]:
        assert value(after, name, **labels) - value(before, name, **labels) == expected, (name, labels)


def test_openapi_declares_the_statuses_and_limits(app: TestClient) -> None:
    schema = app.get("/openapi.json").json()
    operation = schema["paths"]["/api/feedback"]["post"]
    assert {"201", "413", "415", "422", "429", "500", "503"} <= set(operation["responses"])
    assert "Retry-After" in operation["responses"]["503"]["headers"]
    body = schema["components"]["schemas"]["FeedbackRequest"]["properties"]
    assert (body["question"]["minLength"], body["question"]["maxLength"]) == (1, 1000)
    assert body["citations"]["maxItems"] == 10
    assert body["vote"]["enum"] == ["helpful", "not_helpful"]


def test_an_unreachable_database_gives_503_and_the_advisor_still_answers(
    tmp_path: Path, index_dir: Path, served_encoder: MiniLMEmbedder
) -> None:
    url = f"postgresql+psycopg://nobody:secret@127.0.0.1:{free_port()}/nothing"
    with serving(tmp_path, index_dir, served_encoder, database_url=url) as client:
        answer = client.post("/api/ask", json={"question": VISA})
        response = client.post("/api/feedback", json=vote_on(answer.json()))
        assert response.status_code == 503 and response.headers["retry-after"] == "30"
        assert response.json() == {"detail": "Feedback cannot be stored right now."}
        assert answer.status_code == 200 and client.get("/widget.js").status_code == 200


def test_a_bad_database_url_stops_the_start_up_without_showing_it(
    tmp_path: Path, fake_embedder: HashingEmbedder
) -> None:
    # refused with the settings (one line for an operator: tests/api/test_reliability.py), and again where the
    # store opens, for settings made without validation
    for url in ("nosuch://u:hunter2@h/x", "postgresql+nosuchdriver://u:hunter2@h/x", "not a url hunter2"):
        with pytest.raises(ValidationError, match="ADVISOR_DATABASE_URL is not a usable database URL") as refused:
            Settings(database_url=url)
        assert "hunter2" not in settings_problems(refused.value)  # the line an operator reads
    unchecked = Settings.model_construct(
        content_dir=CONTENT, index_dir=tmp_path / "no-index", data_dir=tmp_path, database_url="nosuch://u:hunter2@h/x"
    )
    with (
        pytest.raises(RuntimeError, match="ADVISOR_DATABASE_URL is not a usable database URL") as raised,
        TestClient(create_app(unchecked, embedder_factory=lambda: fake_embedder), client=LOOPBACK),
    ):
        pass
    assert "hunter2" not in str(raised.value)


def test_questions_older_than_30_days_are_forgotten_but_their_votes_kept(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / SQLITE_FILE}"
    first = FeedbackStore(url)
    old = first.add(Vote("helpful", True, ["A"], ["g/a/0"], ["g"], "v1", "an old question"))
    recent = first.add(Vote("helpful", True, ["A"], ["g/a/0"], ["g"], "v1", "a recent question"))
    with first.engine.begin() as connection:
        connection.execute(
            update(Feedback).where(Feedback.id == old).values(created_at=datetime.now(UTC) - timedelta(days=31))
        )
    first.close()
    second = FeedbackStore(url)  # a restarted service: it purges on its first vote
    second.add(Vote("not_helpful", False, [], [], [], "v1", None))
    second.close()
    assert [(r["id"], r["question"]) for r in rows(tmp_path)][:2] == [(old, None), (recent, "a recent question")]
