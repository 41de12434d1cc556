"""The widget's script as served, and the questions it suggests (the browser tests are in tests/browser)."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

from fastapi.testclient import TestClient

from api.main import create_app
from api.settings import Settings
from api.widget import widget_source
from index.model.embeddings import MiniLMEmbedder
from tests.helpers import CONTENT

GUIDE = "pre-match-communication-pmr-non-us-img"
MAX_GZIPPED = 15 * 1024


def test_widget_script_is_served_small_and_cacheable(client: TestClient) -> None:
    response = client.get("/widget.js")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/javascript; charset=utf-8"
    assert response.headers["cache-control"] == "public, max-age=3600"
    assert len(gzip.compress(response.content, compresslevel=9)) <= MAX_GZIPPED
    etag = response.headers["etag"]
    again = client.get("/widget.js", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.headers["etag"] == etag and not again.content


def test_widget_script_never_parses_markup_or_evaluates_code() -> None:
    source = widget_source()
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"):
        assert sink not in source, sink
    assert 'credentials: "omit"' in source and 'rel: "noopener"' in source


def test_suggestions_put_the_guides_faq_first(client: TestClient) -> None:
    suggestions = client.get("/api/suggestions", params={"guide": GUIDE, "limit": 20}).json()["suggestions"]
    assert suggestions[0] == "As a non-US citizen IMG, should I directly ask for a pre-match offer in PM&R?"
    assert suggestions[4] == "How often is too often?"
    # a heading that is not a question is offered as the guide's own topic, never forced into a question frame
    assert "Timing and Channels: When and How to Communicate" in suggestions
    assert "Special PM&R Considerations for Non-US Citizen IMGs" in suggestions
    assert not any(s.startswith("What should I know about") or re.match(r"\d", s) for s in suggestions)
    assert not any("conclusion" in s.lower() or "frequently asked" in s.lower() for s in suggestions)
    assert len(suggestions) == len(set(suggestions))
    assert len(client.get("/api/suggestions", params={"guide": GUIDE}).json()["suggestions"]) == 6


def test_suggestions_without_a_guide_and_for_an_unknown_one(client: TestClient) -> None:
    assert client.get("/api/suggestions", params={"limit": 2}).json()["suggestions"]
    assert client.get("/api/suggestions", params={"guide": "no-such-guide"}).status_code == 404
    assert client.get("/api/suggestions", params={"limit": 0}).status_code == 422


def test_suggestions_wait_for_the_index_but_the_script_does_not(tmp_path: Path, served_encoder: MiniLMEmbedder) -> None:
    app = create_app(Settings(content_dir=CONTENT, index_dir=tmp_path), embedder_factory=lambda: served_encoder)
    with TestClient(app) as unready:
        assert unready.get("/api/suggestions", params={"guide": GUIDE}).status_code == 503
        assert unready.get("/widget.js").status_code == 200


def test_suggestions_next_to_a_cited_section_come_first(client: TestClient) -> None:
    section = "Timing and Channels: When and How to Communicate > Pre-interview phase: brief and targeted"
    near = client.get("/api/suggestions", params={"guide": GUIDE, "section": section, "limit": 3}).json()
    assert near["suggestions"][:2] == [
        "Immediately after the interview: thank-you and reinforcement",
        "Mid- to late interview season: letters of interest or intent",
    ]
    faq = "Frequently Asked Questions (FAQ) > 2. Can I tell more than one PM&R program that they are my “top choice”?"
    beside_faq = client.get("/api/suggestions", params={"guide": GUIDE, "section": faq, "limit": 20}).json()
    assert "Can I tell more than one PM&R program that they are my “top choice”?" not in beside_faq["suggestions"]
    assert beside_faq["suggestions"][0].startswith("As a non-US citizen IMG")
    too_long = client.get("/api/suggestions", params={"guide": GUIDE, "section": "x" * 501})
    assert too_long.status_code == 422
