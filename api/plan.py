"""The outreach plan: an applicant's programs in, dated steps citing the guide out, as JSON or as a calendar.

Nothing of the request is stored: the profile lives as long as the request does.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Response
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StrictBool
from starlette.concurrency import run_in_threadpool

from api.deps import ServingDep, SettingsDep
from api.drafts import FindingOut
from api.schemas import JSON_BODY_RESPONSES, CitationOut, encodable
from index.drafts import check as drafts
from index.plan import rules
from index.plan.compose import make_plan
from index.plan.export import CALENDAR_TYPE, to_ics
from index.plan.model import Plan, Profile, Program, Update

router = APIRouter()
NAME_MAX = 120  # 100 programs of 120 characters, each JSON-escaped to 12 bytes, stay under the 256 KB body limit
MAX_PROGRAMS = 100
MAX_UPDATES = 20
# A program's name: any text an applicant types on one line (no control characters), not blank.
# not blank, no control characters; U+0085 named, since JSON Schema's \s (ECMA) leaves it out and pydantic's has it
NAME_PATTERN = r"^[^\x00-\x1f\x7f]*[^\s\x00-\x1f\x7f\u0085][^\x00-\x1f\x7f]*$"
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_day(value: object) -> object:
    # JSON carries dates as text: a number, or a date in another shape (20270115, 2027-W03-5), is not one.
    if not isinstance(value, str) or not _ISO_DAY.fullmatch(value):
        raise ValueError("should be a date written YYYY-MM-DD")
    return value


Day = Annotated[dt.date, BeforeValidator(_iso_day)]


class ProgramIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, AfterValidator(encodable)] = Field(
        min_length=1, max_length=NAME_MAX, pattern=NAME_PATTERN, description="The program's name, as you call it."
    )
    interview_date: Day | None = Field(None, description="The interview's date; null when none yet or pending.")
    sponsors: Literal["J-1", "H-1B", "both", "none", "unknown"] = Field(
        "unknown", description="The visas the program sponsors, as far as you know."
    )
    interest: Literal["top", "high", "normal"] = Field(
        "normal", description="'top': your first choice (one program); 'high': a program that stands out."
    )
    interviewed_or_waitlisted: StrictBool = Field(
        False, description="Whether the program has already interviewed you or placed you on a waitlist."
    )


class UpdateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["score", "publication", "letter"] = Field(
        description="A new score, a publication, or a new letter of recommendation."
    )
    date: Day = Field(description="When you expect it.")


class PlanRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    visa: Literal["none", "J-1", "H-1B", "either"] = Field(description="The visa you need, if any.")
    step3: Literal["done", "planned", "no"] = Field("no", description="Whether USMLE Step 3 is done or planned.")
    rank_list_deadline: Day | None = Field(
        None,
        description="The season's rank-list deadline; the service's setting (ADVISOR_RANK_LIST_DEADLINE) if omitted.",
    )
    today: Day | None = Field(None, description="The day the plan starts; the server's date if omitted.")
    programs: list[ProgramIn] = Field(min_length=1, max_length=MAX_PROGRAMS, description="Your programs, 1 to 100.")
    updates: list[UpdateIn] = Field(
        default_factory=list, max_length=MAX_UPDATES, description="News you expect, with dates."
    )

    def profile(self, default_deadline: dt.date) -> Profile:
        return Profile(
            self.visa, self.step3, self.rank_list_deadline or default_deadline, self.today or dt.date.today(),
            tuple(Program(**p.model_dump()) for p in self.programs),
            tuple(Update(u.kind, u.date) for u in self.updates),
        )  # fmt: skip


class ActionOut(BaseModel):
    kind: Literal["visa_question", "thank_you", "update", "letter_of_interest", "letter_of_intent", "step3", "stop"]
    program: str | None = Field(description="The program the action is for, as typed; null for an overall action.")
    start: dt.date = Field(description="First day of the action's window.")
    end: dt.date = Field(description="Last day of the action's window (inclusive).")
    text: str = Field(description="What to do, in plain words.")
    rule: str = Field(
        description="The guide's rule the action follows, verbatim; found in the first citation's excerpt."
    )
    citations: list[CitationOut] = Field(description="The rule's passages, then the template the draft starts from.")
    draft: str | None = Field(description="The guide's template with the name and dates filled in; null if none.")
    draft_findings: list[FindingOut] = Field(description="What the email-draft check says about the draft.")


class WarningOut(BaseModel):
    kind: Literal[
        "cannot_sponsor", "sponsorship_unknown", "two_top_choices", "letter_window", "after_deadline",
        "follow_up_cap", "update_unsent", "no_interview_yet", "rule_off",
    ]  # fmt: skip
    program: str | None = Field(description="The program the warning is about; null for the whole plan.")
    text: str = Field(description="What is wrong or left out, and why.")
    rule: str = Field(description="The guide's rule, verbatim, in the first citation's excerpt; '' for 'rule_off'.")
    citations: list[CitationOut] = Field(description="The rule's passages; empty for 'rule_off'.")


class PlanResponse(BaseModel):
    actions: list[ActionOut] = Field(description="Dated actions, in date order.")
    warnings: list[WarningOut] = Field(description="Programs flagged and steps left out, with the guide's reason.")
    rank_list_deadline: dt.date = Field(description="The rank-list deadline the plan ends at.")
    today: dt.date = Field(description="The day the plan starts.")

    @classmethod
    def from_plan(cls, plan: Plan) -> PlanResponse:
        return cls.model_validate(plan, from_attributes=True)  # reads the dataclasses without copying them


async def planned(body: PlanRequest, serving: ServingDep, settings: SettingsDep) -> Plan:
    """The request's plan: its rules grounded first, once per loaded Advisor, through the batcher."""
    advisor, batcher = serving.advisor, serving.batcher
    # Once per loaded Advisor, through the batcher: its worker threads are the only ones running the model.
    if not drafts.is_grounded(advisor):
        drafts.ground_rules(advisor, await batcher.run_many(drafts.grounding_texts(advisor), lambda vectors: vectors))
    if not rules.is_grounded(advisor):
        queries = rules.plan_queries()
        vectors = await batcher.run_many([advisor.embedding_text(q) for q in queries], lambda vectors: vectors)
        rules.ground_plan(advisor, dict(zip(queries, vectors, strict=True)))
    # Up to 100 programs' drafts checked: a fraction of a second of regexes, off the event loop.
    profile = body.profile(settings.rank_list_deadline)
    return await run_in_threadpool(make_plan, profile, advisor, serving.base_url)


PlannedDep = Annotated[Plan, Depends(planned)]
_CALENDAR: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The plan as an iCalendar file (RFC 5545): one all-day event per action.",
        "content": {"text/calendar": {"schema": {"type": "string"}}},
    },
    **JSON_BODY_RESPONSES,
}


@router.post(
    "/api/plan",
    response_model=PlanResponse,
    responses=JSON_BODY_RESPONSES,
    summary="Plan the applicant's outreach to their programs: dated steps citing the guide, with drafts",
)
async def plan_route(plan: PlannedDep) -> PlanResponse:
    return PlanResponse.from_plan(plan)


@router.post(
    "/api/plan.ics",
    response_class=Response,
    responses=_CALENDAR,
    summary="The same plan as a calendar file to import",
)
async def plan_calendar(plan: PlannedDep) -> Response:
    return Response(
        to_ics(plan),
        media_type=CALENDAR_TYPE,
        headers={"Content-Disposition": 'attachment; filename="outreach-plan.ics"'},
    )
