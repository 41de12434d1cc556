"""The public contract of the HTTP API."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, field_validator

from index.answer.reply import Answer
from index.query.reading import MAX_TURN_CHARS, MAX_TURNS, Turn

QUESTION_MAX = 1000
TOP_K_MAX = 10


def encodable(text: str) -> str:
    # JSON can carry a lone surrogate ("\ud800"); no text is made of one, and nothing downstream can encode it.
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("the text is not valid Unicode (it holds a lone surrogate)") from None
    return text


class TurnIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: Literal["user", "assistant"] = Field(description="Who said it.")
    content: str = Field(max_length=MAX_TURN_CHARS, description="What was said.")

    @field_validator("content")
    @classmethod
    def _encodable(cls, content: str) -> str:
        return encodable(content)


class AskRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    question: str = Field(min_length=1, max_length=QUESTION_MAX, description="The applicant's question.")
    top_k: int = Field(
        3,
        ge=1,
        le=TOP_K_MAX,
        description="How many citations to return at most (more only when the question asks more things).",
    )
    history: list[TurnIn] = Field(
        default_factory=list,
        max_length=MAX_TURNS,
        description="Earlier turns of the conversation, oldest first; a follow-up question is read with them.",
    )

    def turns(self) -> list[Turn]:
        return [Turn(t.role, t.content) for t in self.history]

    @field_validator("question")
    @classmethod
    def _encodable(cls, question: str) -> str:
        return encodable(question)

    @field_validator("top_k", mode="before")
    @classmethod
    def _whole_number(cls, top_k: object) -> object:
        # JSON Schema's integer takes 2.0 but not true or "2", which lax validation would turn into numbers.
        if isinstance(top_k, bool) or not isinstance(top_k, int | float):
            raise ValueError("top_k should be a whole number")
        return top_k


class CitationOut(BaseModel):
    n: int = Field(description="Citation number; the answer's [n] markers refer to it.")
    guide: str = Field(description="Title of the cited guide.")
    guide_slug: str = Field(description="Slug of the cited guide.")
    section: str = Field(
        description="Heading path of the cited passage, e.g. 'Timing and Channels > Pre-interview phase'."
    )
    excerpt: str = Field(description="The cited passage, verbatim guide text (Markdown), at most 600 characters.")
    url: str | None = Field(description="Deep link to the cited section.")
    score: float = Field(description="Relevance of the passage to the question, between 0 and 1.")
    chunk_id: str = Field(description="Stable id of the cited passage.")
    start: int = Field(description="Offset of the excerpt's first character in the guide's Markdown file.")
    end: int = Field(description="Offset just past the excerpt's last character.")
    last_reviewed: str = Field(description="When the cited guide was last reviewed (YYYY-MM-DD).")


class AnswerBlockOut(BaseModel):
    kind: Literal["text", "list", "template"] = Field(
        description="'list': a lead-in with the items chosen from its list; 'text': sentences of prose; "
        "'template': a whole email template, headed by its heading."
    )
    lead: str | None = Field(description="The list's lead-in or the template's heading, verbatim; null for prose.")
    items: list[str] = Field(
        description="List items, sentences, or the template's text, verbatim, in the guide's order."
    )
    citation: int = Field(description="The number of the citation the block quotes.")
    ask: str | None = Field(description="The part of the question the block answers, when it asked several things.")


class AskResponse(BaseModel):
    question: str = Field(description="The question as received.")
    answered: bool = Field(description="False when the guides answer no part of the question.")
    answer: str = Field(
        description="The reply as plain text: the guide's own words in lines and '- ' bullets, each block followed "
        "by its [n]; or a refusal naming what to ask instead."
    )
    answer_blocks: list[AnswerBlockOut] = Field(
        validation_alias=AliasChoices("blocks", "answer_blocks"),
        description="The answer's blocks, for rendering without parsing `answer`.",
    )
    citations: list[CitationOut] = Field(
        description="Cited passages, one per section, best first; empty when not answered."
    )
    unanswered: list[str] = Field(description="Parts of the question the guides do not answer, as asked.")
    nearest_sections: list[str] = Field(description="When not answered: titles of the closest sections, if any.")
    suggestions: list[str] = Field(
        description="When not answered: what to ask instead (the nearest sections, else the guides' FAQ questions)."
    )
    content_version: str = Field(description="Hash of the guide content the answer was drawn from.")

    @classmethod
    def from_answer(cls, answer: Answer) -> AskResponse:
        return cls.model_validate(answer, from_attributes=True)  # reads the dataclasses without copying them


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
    detail: str = Field(description="What went wrong, in a sentence.")


_RETRY_AFTER = {"Retry-After": {"description": "Seconds to wait before trying again.", "schema": {"type": "integer"}}}


def error_response(description: str, retry: bool = False) -> dict[str, Any]:
    # Spelled out rather than {"model": ErrorOut}: FastAPI would file that under an HTML route's media type.
    response: dict[str, Any] = {
        "description": description,
        "content": {"application/json": {"schema": ErrorOut.model_json_schema()}},
    }
    if retry:
        response["headers"] = _RETRY_AFTER
    return response


# Statuses the middleware and error handlers can return, declared on each route (a route adds
# its own with {**ERROR_RESPONSES, 404: ...}). Any route: 413, 500, 503; under /api/: 429 too.
# FastAPI declares 422 by itself on every route that takes input, in the shape api/errors.py keeps.
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    413: error_response("The request body is larger than 256 KB (ADVISOR_MAX_BODY_BYTES)."),
    500: error_response("An unexpected error; no internals are disclosed."),
    503: error_response("Not ready (no valid index), busy (too many requests in flight) or too slow.", retry=True),
}
API_RESPONSES: dict[int | str, dict[str, Any]] = {
    **ERROR_RESPONSES,
    429: error_response("Too many requests from this client.", retry=True),
}
JSON_BODY_RESPONSES: dict[int | str, dict[str, Any]] = {
    **API_RESPONSES,
    415: error_response("The body was not sent as JSON (Content-Type: application/json)."),
}
