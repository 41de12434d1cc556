"""POST /api/feedback: an applicant's helpful / not helpful vote on an answer, with what the answer cited.

A vote is checked against the index being served: its content version, and each citation's passage, guide
and section, must be the loaded index's (422 otherwise), so the report counts votes on real answers only.
The question is stored only when question logging is opted in (ADVISOR_LOG_QUESTIONS), and then redacted.
"""

from __future__ import annotations

import logging
import weakref
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field, StrictBool
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError

from api.deps import AdvisorDep, SettingsDep
from api.feedback_store import FeedbackStore, Vote, brief, database_url
from api.logs import redact
from api.metrics import count_feedback
from api.schemas import JSON_BODY_RESPONSES, QUESTION_MAX, error_response
from api.settings import Settings
from index.answer.advisor import Advisor

log = logging.getLogger("advisor")
router = APIRouter()

CITATIONS_MAX = 10
RETRY_AFTER_S = "30"


class CitedPassage(BaseModel):
    model_config = ConfigDict(extra="forbid")

    chunk_id: str = Field(max_length=200, description="The citation's chunk_id, as /api/ask returned it.")
    section: str = Field(max_length=500, description="The citation's section (heading path).")
    guide_slug: str = Field(max_length=200, description="The citation's guide_slug.")


class FeedbackRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    vote: Literal["helpful", "not_helpful"] = Field(description="The applicant's verdict on the answer.")
    question: str = Field(
        min_length=1,
        max_length=QUESTION_MAX,
        description="The question that was answered; stored (redacted) only when question logging is on.",
    )
    answered: StrictBool = Field(description="The answer's `answered`: false when the guides did not cover it.")
    citations: list[CitedPassage] = Field(
        default_factory=list, max_length=CITATIONS_MAX, description="The answer's citations (none when not answered)."
    )
    content_version: str = Field(min_length=1, max_length=64, description="The answer's content_version.")


class FeedbackCreated(BaseModel):
    id: int = Field(description="Id of the stored vote.")


async def get_feedback_store(request: Request) -> FeedbackStore:
    store: FeedbackStore | None = getattr(request.app.state, "feedback", None)
    if store is None:
        raise HTTPException(
            503, detail="Feedback is not accepted yet: the service is starting.", headers={"Retry-After": "5"}
        )
    return store


_PASSAGES: weakref.WeakKeyDictionary[Advisor, dict[str, tuple[str, str]]] = weakref.WeakKeyDictionary()


def passages(advisor: Advisor) -> dict[str, tuple[str, str]]:
    """chunk_id -> (guide slug, section) of every passage an answer of `advisor` can cite."""
    found = _PASSAGES.get(advisor)
    if found is None:
        found = _PASSAGES[advisor] = {c.id: (c.guide, c.section_title) for c in advisor.retriever.chunks}
    return found


def _issue(loc: list[str | int], msg: str, kind: str) -> dict[str, Any]:
    return {"loc": ["body", *loc], "msg": msg, "type": kind}


def mismatches(body: FeedbackRequest, advisor: Advisor) -> list[dict[str, Any]]:
    """What in a vote is not from an answer of the loaded index, as FastAPI's 422 issues (the input never echoed)."""
    issues = []
    if body.content_version != advisor.content_version:
        issues.append(
            _issue(
                ["content_version"],
                "Not the content version of the guides served now: they changed since this answer; ask again.",
                "unknown_content_version",
            )
        )
    if body.answered and not body.citations:
        issues.append(_issue(["citations"], "An answered reply cites at least one passage.", "citations_missing"))
    elif not body.answered and body.citations:
        issues.append(_issue(["citations"], "A reply that was not answered has no citations.", "citations_unexpected"))
    known = passages(advisor)
    for i, cited in enumerate(body.citations):
        passage = known.get(cited.chunk_id)
        if passage is None:
            issues.append(
                _issue(["citations", i, "chunk_id"], "There is no passage with this chunk_id.", "unknown_passage")
            )
        elif cited.guide_slug != passage[0]:
            issues.append(_issue(["citations", i, "guide_slug"], "Not the guide of this passage.", "wrong_guide"))
        elif cited.section != passage[1]:
            issues.append(_issue(["citations", i, "section"], "Not the section of this passage.", "wrong_section"))
    return issues


async def open_store(settings: Settings) -> FeedbackStore:
    """For the lifespan. A bad URL stops the start-up; a database that cannot be reached is retried on each vote."""
    try:
        store = FeedbackStore(database_url(settings))
    except (ArgumentError, NoSuchModuleError) as exc:  # their messages never hold the URL, so no password
        raise RuntimeError(f"ADVISOR_DATABASE_URL is not a usable database URL: {exc}") from None
    try:
        await run_in_threadpool(store.create)
    except SQLAlchemyError as exc:
        log.error("feedback database not ready (votes get 503 until it is): %s", brief(exc))
    return store


@router.post(
    "/api/feedback",
    status_code=201,
    response_model=FeedbackCreated,
    responses={
        **JSON_BODY_RESPONSES,
        503: error_response("The index is not loaded yet, or the feedback database cannot be reached.", retry=True),
    },
    summary="Record a helpful / not helpful vote on an answer",
)
async def feedback(
    body: FeedbackRequest,
    advisor: AdvisorDep,
    store: Annotated[FeedbackStore, Depends(get_feedback_store)],
    settings: SettingsDep,
) -> FeedbackCreated:
    issues = mismatches(body, advisor)
    if issues:
        raise RequestValidationError(issues)
    vote = Vote(
        vote=body.vote,
        answered=body.answered,
        sections=[c.section for c in body.citations],
        chunk_ids=[c.chunk_id for c in body.citations],
        guide_slugs=[c.guide_slug for c in body.citations],
        content_version=body.content_version,
        question=redact(body.question) if settings.log_questions else None,
    )
    try:
        row_id = await run_in_threadpool(store.add, vote)
    except SQLAlchemyError as exc:
        log.error("feedback not stored: %s", brief(exc))
        raise HTTPException(
            503, detail="Feedback cannot be stored right now.", headers={"Retry-After": RETRY_AFTER_S}
        ) from None
    count_feedback(body.vote)
    return FeedbackCreated(id=row_id)
