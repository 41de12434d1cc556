"""The email-draft check: an applicant's draft in, what the guide warns against in it out, each finding cited."""

from __future__ import annotations

import dataclasses
from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field, field_validator
from starlette.concurrency import run_in_threadpool

from api.deps import ServingDep
from api.schemas import JSON_BODY_RESPONSES, CitationOut, encodable
from index.drafts.check import MAX_CHARS, DraftReport, check_draft, ground_rules, grounding_texts, is_grounded

router = APIRouter()


class DraftCheckRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(
        min_length=1,
        max_length=MAX_CHARS,
        # not blank: \S alone would differ between JSON Schema's regex (ECMA: U+0085 is no space) and pydantic's
        pattern=r"[^\s\u0085]",
        description="The email draft, as plain text (not blank).",
    )

    @field_validator("text")
    @classmethod
    def _encodable(cls, text: str) -> str:
        return encodable(text)


class FindingOut(BaseModel):
    rule: str = Field(description="What the guide warns against, e.g. 'ask_rank', 'placeholder', 'first_choice'.")
    severity: Literal["problem", "caution", "tip"] = Field(
        description="'problem': fix before sending; 'caution': allowed with care; 'tip': style."
    )
    quote: str = Field(description="The sentence or line of the draft that triggered the finding, verbatim.")
    message: str = Field(description="What is wrong and what to do instead, in plain words.")
    citations: list[CitationOut] = Field(description="The guide passages the finding rests on.")


class DraftCheckResponse(BaseModel):
    findings: list[FindingOut] = Field(
        description="Problems first, then cautions, then tips; in draft order within each."
    )
    summary: str = Field(description="One or two sentences on the whole draft.")

    @classmethod
    def from_report(cls, report: DraftReport) -> DraftCheckResponse:
        return cls.model_validate(dataclasses.asdict(report))


@router.post(
    "/api/check-draft",
    response_model=DraftCheckResponse,
    responses=JSON_BODY_RESPONSES,
    summary="Check an email draft to a program against the guide's advice, with cited passages",
)
async def check_draft_route(body: DraftCheckRequest, serving: ServingDep) -> DraftCheckResponse:
    advisor, batcher = serving.advisor, serving.batcher
    if not is_grounded(advisor):
        # Once per loaded Advisor, through the batcher: its model threads are the only ones running the model.
        ground_rules(advisor, await batcher.run_many(grounding_texts(advisor), lambda vectors: vectors))
    # Regexes over up to 5,000 characters: milliseconds, but off the event loop all the same.
    report = await run_in_threadpool(check_draft, body.text, advisor, serving.base_url)
    return DraftCheckResponse.from_report(report)
