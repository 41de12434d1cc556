"""The public contract of the HTTP API."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

QUESTION_MAX = 1000
TOP_K_MAX = 10


class AskRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    question: str = Field(min_length=1, max_length=QUESTION_MAX, description="The applicant's question.")
    top_k: int = Field(3, ge=1, le=TOP_K_MAX, description="How many citations to return at most.")


class CitationOut(BaseModel):
    n: int = Field(description="Citation number; the answer's [n] markers refer to it.")
    guide: str = Field(description="Title of the cited guide.")
    guide_slug: str = Field(description="Slug of the cited guide.")
    section: str = Field(
        description="Heading path of the cited passage, e.g. 'Timing and Channels > Pre-interview phase'."
    )
    excerpt: str = Field(description="The cited passage, verbatim guide text (Markdown), at most 600 characters.")
    url: str | None = Field(description="Deep link to the cited section.")
    score: float = Field(description="Relevance of the passage, 1.0 when first by both words and meaning.")
    chunk_id: str = Field(description="Stable id of the cited passage.")
    start: int = Field(description="Offset of the excerpt's first character in the guide's Markdown file.")
    end: int = Field(description="Offset just past the excerpt's last character.")
    last_reviewed: str = Field(description="When the cited guide was last reviewed (YYYY-MM-DD).")


class AskResponse(BaseModel):
    question: str = Field(description="The question as received.")
    answered: bool = Field(description="False when the guides do not cover the question.")
    answer: str = Field(description="A short reply in the guide's own words with [n] markers, or a refusal.")
    citations: list[CitationOut] = Field(description="Cited passages, best first; empty when not answered.")
    nearest_sections: list[str] = Field(description="When not answered: the closest sections, if any.")
    content_version: str = Field(description="Hash of the guide content the answer was drawn from.")


class GuideOut(BaseModel):
    slug: str
    title: str
    url: str = Field(description="This service's rendering of the guide.")
    source_url: str | None
    last_reviewed: str


class Health(BaseModel):
    status: str = Field(description="'ok' when ready, else 'unavailable'.")
    detail: str | None = Field(None, description="Why the service is not ready.")
    chunks: int | None = None
    content_version: str | None = None


class ErrorOut(BaseModel):
    detail: str
