"""What an outreach plan is made from and made of: the applicant's profile in, dated actions and warnings out."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

from index.answer.reply import Citation
from index.drafts.check import Finding
from index.plan.windows import Window

Visa = Literal["none", "J-1", "H-1B", "either"]
Step3 = Literal["done", "planned", "no"]
Sponsors = Literal["J-1", "H-1B", "both", "none", "unknown"]
Interest = Literal["top", "high", "normal"]
UpdateKind = Literal["score", "publication", "letter"]
ActionKind = Literal["visa_question", "thank_you", "update", "letter_of_interest", "letter_of_intent", "step3", "stop"]
WarningKind = Literal[
    "cannot_sponsor",
    "sponsorship_unknown",
    "two_top_choices",
    "letter_window",
    "after_deadline",
    "follow_up_cap",
    "update_unsent",
    "no_interview_yet",
    "rule_off",
]
ACTION_KINDS: tuple[ActionKind, ...] = (
    "step3", "visa_question", "thank_you", "update", "letter_of_interest", "letter_of_intent", "stop",
)  # fmt: skip
FOLLOW_UPS: frozenset[ActionKind] = frozenset({"update", "letter_of_interest", "letter_of_intent"})


@dataclass(frozen=True)
class Program:
    name: str  # as the applicant typed it; echoed as text only
    interview_date: dt.date | None = None  # None: none yet, or pending
    sponsors: Sponsors = "unknown"
    interest: Interest = "normal"
    interviewed_or_waitlisted: bool = False


@dataclass(frozen=True)
class Update:
    kind: UpdateKind  # a new score, a publication, a new letter of recommendation
    date: dt.date  # when the applicant expects it


@dataclass(frozen=True)
class Profile:
    visa: Visa
    step3: Step3
    rank_list_deadline: dt.date
    today: dt.date
    programs: tuple[Program, ...]
    updates: tuple[Update, ...] = ()


@dataclass(frozen=True)
class Step:
    """A planned action before it is cited and drafted: `rule` and `template` name index/plan/rules.py entries."""

    kind: ActionKind
    program: Program | None
    window: Window
    text: str
    rule: str
    template: str | None = None


@dataclass(frozen=True)
class Note:
    """A warning before it is cited: `rule` names its rule in index/plan/rules.py."""

    kind: WarningKind
    program: str | None
    text: str
    rule: str


@dataclass(frozen=True)
class Action:
    kind: ActionKind
    program: str | None
    start: dt.date
    end: dt.date  # the last day of the window (inclusive)
    text: str
    rule: str  # verbatim guide text, found in the first citation's excerpt
    citations: list[Citation]
    draft: str | None = None  # the guide's template with the program's name and dates filled in
    draft_findings: list[Finding] = field(default_factory=list)


@dataclass(frozen=True)
class PlanWarning:
    kind: WarningKind
    program: str | None
    text: str
    rule: str  # verbatim guide text found in the first citation's excerpt; "" only for "rule_off"
    citations: list[Citation]


@dataclass(frozen=True)
class Plan:
    actions: list[Action]  # in date order
    warnings: list[PlanWarning]
    rank_list_deadline: dt.date
    today: dt.date
