"""An outreach plan as the applicant reads it: each step cited from the guide, drafted from its template, checked.

A step's citations are its rule's passages (index/plan/rules.py), then the template its draft starts from;
`rule` is the rule's words as the first citation's excerpt holds them. A draft is the guide's template with
the program's name and the interview date filled in and every other placeholder left for the applicant,
checked by the email-draft check (index/drafts.py), whose findings come with it.
"""

from __future__ import annotations

import datetime as dt
import re

from index.answer.advisor import Advisor
from index.answer.reply import Cited, cite, passages
from index.drafts.check import Finding, check_draft
from index.plan.model import ACTION_KINDS, Action, Note, Plan, PlanWarning, Profile, Step
from index.plan.planner import plan_steps
from index.plan.rules import Grounding, PlanRule, grounding
from index.plan.windows import day_text

KIND_ORDER = {kind: n for n, kind in enumerate(ACTION_KINDS)}
_FILLED = re.compile(r"\[(Program Name|Date)\]")  # one pass: a name holding "[Date]" stays as typed


def fill(template: str, program: str, interview: dt.date | None) -> str:
    """The template with [Program Name] and [Date] (the interview's) filled in; other placeholders stay."""
    values = {"Program Name": program} | ({"Date": day_text(interview)} if interview else {})
    return _FILLED.sub(lambda m: values.get(m.group(1), m.group(0)), template)


def _action(step: Step, found: Grounding, advisor: Advisor, base_url: str) -> Action:
    grounded = found.rules[step.rule]
    cited: list[Cited] = passages(grounded.hits)
    template = found.templates.get(step.template) if step.template else None
    draft: str | None = None
    findings: list[Finding] = []
    if template is not None and step.program is not None:
        if all(c.chunk.id != template.hit.chunk.id for c in cited):
            cited += passages([template.hit])
        draft = fill(template.text, step.program.name, step.program.interview_date)
        findings = check_draft(draft, advisor, base_url).findings
    return Action(
        step.kind, step.program.name if step.program else None, step.window.start, step.window.end, step.text,
        grounded.rule, cite(cited, advisor.guides, base_url), draft, findings,
    )  # fmt: skip


def _warning(note: Note, found: Grounding, advisor: Advisor, base_url: str) -> PlanWarning:
    grounded = found.rules[note.rule]
    return PlanWarning(
        note.kind, note.program, note.text, grounded.rule, cite(passages(grounded.hits), advisor.guides, base_url)
    )


def _off(rule: PlanRule) -> PlanWarning:
    text = f"The loaded guides do not hold “{rule.quote}”: that rule is off, and the plan has no step or warning on it."
    return PlanWarning("rule_off", None, text, "", [])


def _no_template(kind: str) -> PlanWarning:
    text = f"The loaded guides have no email template for {kind.replace('_', ' ')} steps: they come without a draft."
    return PlanWarning("rule_off", None, text, "", [])


def make_plan(profile: Profile, advisor: Advisor, base_url: str) -> Plan:
    """The plan for `profile`: actions in date order, then warnings (rules that are off first).

    Grounds the rules on first use for this Advisor (the server grounds them through its batcher first)."""
    found = grounding(advisor)
    steps, notes = plan_steps(profile)
    position = {id(p): n for n, p in enumerate(profile.programs)}
    steps = sorted(
        (s for s in steps if s.rule in found.rules),
        key=lambda s: (s.window.start, s.window.end, KIND_ORDER[s.kind], position.get(id(s.program), -1)),
    )
    missing = dict.fromkeys(s.template for s in steps if s.template and s.template not in found.templates)
    warnings = [_off(r) for r in found.off] + [_no_template(kind) for kind in missing if kind]
    warnings += [_warning(n, found, advisor, base_url) for n in notes if n.rule in found.rules]
    actions = [_action(s, found, advisor, base_url) for s in steps]
    return Plan(actions, warnings, profile.rank_list_deadline, profile.today)
