"""Privacy: no question text in the logs unless opted in, and then redacted; no cookies."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.logs import redact
from api.main import create_app
from api.settings import Settings
from api.widget import widget_source
from index.model.embeddings import MiniLMEmbedder
from tests.helpers import CONTENT

PRIVATE = (
    "my name is Maria Garcia, AAMC ID 12345678, maria.g@example.com, +1 (312) 555-0199:"
    " can I email about visa sponsorship?"
)
ACCESS_LINE = re.compile(r"^(GET|POST|PUT|DELETE|OPTIONS) (\S+) (\d{3}) (\d+\.\d)ms rid=([A-Za-z0-9._:-]+)$")


@pytest.fixture(scope="module")
def logging_client(index_dir: Path, served_encoder: MiniLMEmbedder) -> Iterator[TestClient]:
    settings = Settings(content_dir=CONTENT, index_dir=index_dir, log_questions=True, rate_limit_per_minute=0)
    with TestClient(create_app(settings, embedder_factory=lambda: served_encoder)) as client:
        yield client


def test_questions_are_not_logged_by_default(client: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    assert client.post("/api/ask", json={"question": PRIVATE}).status_code == 200
    assert client.post("/api/ask", json={"question": PRIVATE, "top_k": 99}).status_code == 422
    logged = "\n".join(r.getMessage() for r in caplog.records)
    for secret in ("Maria", "12345678", "maria.g@example.com", "555-0199", "visa sponsorship"):
        assert secret not in logged
    assert "POST /api/ask 200" in logged


def test_access_lines_carry_method_path_status_latency_and_request_id(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="advisor.access")
    given = client.get("/healthz?email=someone@example.com", headers={"X-Request-ID": "probe-42"})
    made = client.get("/api/guides")
    lines = [r.getMessage() for r in caplog.records if r.name == "advisor.access"]
    assert given.headers["x-request-id"] == "probe-42"
    assert re.fullmatch(r"[0-9a-f]{32}", made.headers["x-request-id"])
    matches = [ACCESS_LINE.match(line) for line in lines]
    assert all(matches), lines
    assert [(m.group(1), m.group(2), m.group(3), m.group(5)) for m in matches if m] == [
        ("GET", "/healthz", "200", "probe-42"),
        ("GET", "/api/guides", "200", made.headers["x-request-id"]),
    ]
    assert "someone@example.com" not in "\n".join(lines)  # query strings are not logged


def test_a_request_id_that_is_not_a_plain_token_is_replaced(client: TestClient) -> None:
    response = client.get("/healthz", headers={"X-Request-ID": "evil\x7fid rid=forged"})
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["x-request-id"])


def test_control_characters_in_a_path_cannot_forge_log_lines(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="advisor.access")
    client.get("/guides/x%0AGET /forged 200 1.0ms rid=x")
    lines = [r.getMessage() for r in caplog.records if r.name == "advisor.access"]
    assert len(lines) == 1 and lines[0].startswith("GET /guides/x%0AGET%20/forged%20200%201.0ms%20rid=x 404 ")


def test_opt_in_question_log_is_redacted(logging_client: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="advisor.questions")
    response = logging_client.post("/api/ask", json={"question": PRIVATE}, headers={"X-Request-ID": "q-1"})
    assert response.status_code == 200
    lines = [r.getMessage() for r in caplog.records if r.name == "advisor.questions"]
    assert len(lines) == 1
    line = lines[0]
    assert line.startswith("rid=q-1 answered=") and "visa sponsorship" in line
    for secret in ("Maria", "Garcia", "12345678", "maria.g@example.com", "555-0199"):
        assert secret not in line
    assert "[name]" in line and "[id]" in line and "[email]" in line and "[phone]" in line


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("reach me at jo.doe+match@mail.example.org", "reach me at [email]"),
        ("AAMC ID 12345678 and USMLE ID 0-123-456-7", "AAMC ID [id] and USMLE ID [id]"),
        ("my ECFMG number is 01234567.", "my ECFMG number is [id]."),
        ("call 312-555-0199 or +44 20 7946 0958", "call [phone] or [phone]"),
        ("My name is Ana Lucia Souza and I am an IMG", "My name is [name] and I am an IMG"),
        ("my name is priya. I scored 250", "my name is [name] I scored 250"),
        ("my name's Li Wei", "my name's [name]"),
        ("My name is not on the list", "My name is not on the list"),
        ("I applied to 45 programs with a 250 on Step 2", "I applied to 45 programs with a 250 on Step 2"),
        ("can I email about visa sponsorship?", "can I email about visa sponsorship?"),
    ],
)
def test_redaction(text: str, expected: str) -> None:
    assert redact(text) == expected


def test_the_api_sets_no_cookies(client: TestClient) -> None:
    responses = [
        client.get("/"),
        client.get("/healthz"),
        client.get("/readyz"),
        client.get("/metrics"),
        client.get("/api/guides"),
        client.get("/docs"),
        client.get("/openapi.json"),
        client.get("/guides/pre-match-communication-pmr-non-us-img"),
        client.get("/static/page.css"),
        client.get("/no-such-page"),
        client.post("/api/ask", json={"question": "can I email about visa sponsorship?"}),
        client.post("/api/ask", json={"question": ""}),
        client.put("/api/ask"),
        client.options(
            "/api/ask", headers={"Origin": "https://guide.example", "Access-Control-Request-Method": "POST"}
        ),
    ]
    assert [r.status_code for r in responses if "set-cookie" in r.headers] == []
    assert client.cookies == {}


def test_the_widget_sends_no_cookies() -> None:
    script = widget_source()
    calls = re.findall(r"fetch\([^;]*", script)
    assert calls and all('credentials: "omit"' in call for call in calls)
    assert "document.cookie" not in script
