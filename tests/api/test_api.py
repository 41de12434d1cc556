from __future__ import annotations

import gc
import re
from pathlib import Path

from fastapi.testclient import TestClient

from api.main import create_app
from api.settings import Settings
from index.model.embeddings import MiniLMEmbedder
from tests.helpers import CONTENT

VISA = "can I email about visa sponsorship before interviews"


def test_design_card_question_is_answered_from_the_guide(client: TestClient) -> None:
    reply = client.post("/api/ask", json={"question": VISA}).json()
    assert reply["answered"] is True
    assert reply["question"] == VISA
    assert 1 <= len(reply["citations"]) <= 3
    excerpts = " ".join(c["excerpt"] for c in reply["citations"])
    assert "visa sponsorship" in excerpts
    assert "clarify visa sponsorship if this is not clearly stated" in excerpts or (
        "one concise email asking about visa sponsorship is appropriate" in excerpts
    )
    assert re.search(r"\[1\]", reply["answer"])
    first = reply["citations"][0]
    assert set(first) >= {"n", "guide", "section", "excerpt", "url", "score"}
    assert first["n"] == 1 and len(first["excerpt"]) <= 600
    assert first["url"].startswith("http://testserver/guides/pre-match-communication-pmr-non-us-img#")
    assert [c["score"] for c in reply["citations"]] == sorted((c["score"] for c in reply["citations"]), reverse=True)


def test_off_topic_question_is_refused(client: TestClient) -> None:
    reply = client.post("/api/ask", json={"question": "what's the best pizza in Chicago?"}).json()
    assert reply["answered"] is False
    assert reply["citations"] == []
    assert reply["answer"].startswith("The guide doesn't answer that.")


def test_top_k_bounds_the_citations(client: TestClient) -> None:
    reply = client.post("/api/ask", json={"question": "What is a letter of intent?", "top_k": 5}).json()
    assert len(reply["citations"]) == 5
    assert [c["n"] for c in reply["citations"]] == [1, 2, 3, 4, 5]
    assert len({c["section"] for c in reply["citations"]}) == 5  # one card per section


def test_invalid_requests_get_a_422_with_a_reason(client: TestClient) -> None:
    for body in (
        {"question": ""},
        {"question": "x" * 1001},
        {"question": "ok", "top_k": 0},
        {"question": "ok", "top_k": 11},
        {},
        {"question": 5},
    ):
        response = client.post("/api/ask", json=body)
        assert response.status_code == 422, body
        assert response.json()["detail"]


def test_healthz_reports_the_loaded_index(client: TestClient) -> None:
    body = client.get("/healthz").json()
    assert body["status"] == "ok" and body["chunks"] > 30 and len(body["content_version"]) == 16


def test_guide_pages_have_the_anchors_citations_link_to(client: TestClient) -> None:
    listing = client.get("/")
    assert listing.status_code == 200
    assert "/guides/pre-match-communication-pmr-non-us-img" in listing.text
    page = client.get("/guides/pre-match-communication-pmr-non-us-img")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    reply = client.post("/api/ask", json={"question": "Can programs ask how I will rank them?", "top_k": 5}).json()
    for citation in reply["citations"]:
        anchor = citation["url"].split("#", 1)[1]
        assert f'id="{anchor}"' in page.text
    assert client.get("/guides/no-such-guide").status_code == 404
    assert client.get("/api/guides").json()[0]["slug"] == "pre-match-communication-pmr-non-us-img"


def test_stale_index_is_refused_not_served(content_copy: Path, index_dir: Path, served_encoder: MiniLMEmbedder) -> None:
    guide = next(content_copy.glob("*.md"))
    guide.write_text(guide.read_text("utf-8") + "\nAn edit after the build.\n", "utf-8")
    app = create_app(Settings(content_dir=content_copy, index_dir=index_dir), embedder_factory=lambda: served_encoder)
    with TestClient(app) as stale:
        health = stale.get("/healthz")
        assert health.status_code == 503 and "stale" in health.json()["detail"]
        response = stale.post("/api/ask", json={"question": VISA})
        assert response.status_code == 503 and "stale" in response.json()["detail"]


def test_a_refusal_names_only_sections_that_are_close(client: TestClient) -> None:
    off_topic = client.post("/api/ask", json={"question": "What is the capital of Australia?"}).json()
    assert off_topic["answered"] is False
    assert off_topic["nearest_sections"] == []
    near = client.post(
        "/api/ask", json={"question": "What is the average Step 1 score of matched PM&R applicants?"}
    ).json()
    assert near["answered"] is False
    assert near["nearest_sections"]
    assert all(section in near["answer"] for section in near["nearest_sections"])


def test_what_the_service_loads_is_kept_out_of_full_collections_while_it_serves(
    index_dir: Path, served_encoder: MiniLMEmbedder
) -> None:
    gc.unfreeze()
    settings = Settings(content_dir=CONTENT, index_dir=index_dir)
    with TestClient(create_app(settings, embedder_factory=lambda: served_encoder)) as client:
        assert client.get("/readyz").status_code == 200
        frozen = gc.get_freeze_count()
    assert frozen > 10_000  # the Advisor's chunks, sentences and lookup tables among them
    assert gc.get_freeze_count() == 0  # given back to the collector when the service stops
