"""The outreach plan on tests/eval/plans.jsonl's profiles: the expected plans, the guide's words, windows, caps."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter
from functools import cache
from typing import Any

import pytest

from api.plan import PlanRequest
from index.answer.advisor import Advisor
from index.answer.reply import Citation
from index.drafts.check import check_draft
from index.evaluation import read_jsonl
from index.plan.compose import make_plan
from index.plan.model import FOLLOW_UPS, Plan, Profile
from index.plan.planner import cannot_sponsor
from index.plan.rules import RULE, TEMPLATES, grounding
from tests.helpers import ROOT

BASE = "http://advisor.test"
PROFILES = {p["id"]: p for p in read_jsonl(ROOT / "tests" / "eval" / "plans.jsonl")}
SETTING = dt.date(2027, 3, 3)  # every profile gives its own deadline; this is never used
DAY = dt.timedelta(days=1)


def profile_of(request: dict[str, Any]) -> Profile:
    return PlanRequest.model_validate(request).profile(SETTING)


@cache
def planned(advisor: Advisor, name: str) -> tuple[Profile, Plan]:
    profile = profile_of(PROFILES[name]["request"])
    return profile, make_plan(profile, advisor, BASE)


def every_plan(advisor: Advisor) -> list[tuple[Profile, Plan]]:
    return [planned(advisor, name) for name in PROFILES]


def test_there_are_at_least_15_profiles_with_the_awkward_ones() -> None:
    assert len(PROFILES) >= 15
    requests = [p["request"] for p in PROFILES.values()]
    assert any(len(r["programs"]) == 40 for r in requests)
    assert any(p["interview_date"] is None for r in requests for p in r["programs"])
    assert any(p["sponsors"] == "unknown" for r in requests for p in r["programs"])
    assert any(r["visa"] == "H-1B" and all(p["sponsors"] == "J-1" for p in r["programs"]) for r in requests)
    assert any(sum(p["interest"] == "top" for p in r["programs"]) == 2 for r in requests)
    assert any(u["date"] > r["rank_list_deadline"] for r in requests for u in r["updates"])


@pytest.mark.parametrize("name", sorted(PROFILES))
def test_each_profile_gets_its_expected_plan(advisor: Advisor, name: str) -> None:
    _, plan = planned(advisor, name)
    expect = PROFILES[name]["expect"]
    actions = [[a.kind, a.program, a.start.isoformat(), a.end.isoformat()] for a in plan.actions]
    if "actions" in expect:
        assert actions == expect["actions"]
    if "counts" in expect:
        assert Counter(a[0] for a in actions) == expect["counts"]
    for action in expect.get("some_actions", []):
        assert action in actions
    warnings = Counter((w.kind, w.program) for w in plan.warnings)
    assert warnings == Counter(tuple(w) for w in expect["warnings"])


def assert_verbatim(citations: list[Citation], advisor: Advisor) -> None:
    for citation in citations:
        guide = advisor.guides[citation.guide_slug]
        assert guide.text[citation.start : citation.end] == citation.excerpt
        assert citation.url and citation.url.startswith(f"{BASE}/guides/{guide.slug}#")


def test_every_rule_is_verbatim_guide_text_in_its_first_citation_at_its_offsets(advisor: Advisor) -> None:
    for _, plan in every_plan(advisor):
        cited = [(a.rule, a.citations) for a in plan.actions] + [(w.rule, w.citations) for w in plan.warnings]
        for rule, citations in cited:
            assert rule and citations, "every rule of the first guide is on"
            assert rule in citations[0].excerpt
            assert_verbatim(citations, advisor)
        for action in plan.actions:
            for finding in action.draft_findings:
                assert_verbatim(finding.citations, advisor)


def test_the_rules_quote_the_guide_phrases_the_rules_data_names(advisor: Advisor) -> None:
    found = grounding(advisor)
    assert not found.off
    for name, grounded in found.rules.items():
        normal = " ".join(grounded.rule.replace("’", "'").split())
        assert normal == " ".join(RULE[name].quote.replace("’", "'").split())
        assert all(re.sub(r"\s+", " ", w) in re.sub(r"\s+", " ", grounded.hits[0].chunk.text) for w in RULE[name].also)
    assert set(found.templates) == {t.name for t in TEMPLATES}


def test_every_date_falls_inside_the_guides_window(advisor: Advisor) -> None:
    for profile, plan in every_plan(advisor):
        today, deadline = profile.today, profile.rank_list_deadline
        season_end = dt.date(deadline.year, 3, 1) - DAY  # "typically December–February"
        interviews = {p.name: p.interview_date for p in profile.programs}
        for a in plan.actions:
            assert today <= a.start <= a.end <= deadline, a  # from today, and nothing after the rank list
            interview = interviews.get(a.program or "")
            if a.kind == "thank_you":  # "Within 24–72 hours after each interview"
                assert interview and interview <= a.start and a.end <= interview + 2 * DAY
            elif a.kind == "visa_question":  # "Before interview: 0–1 email per program"
                assert interview is None or a.end < interview
            elif a.kind in FOLLOW_UPS:  # "possibly 1 follow-up later"
                assert interview is None or a.start > interview + 2 * DAY
            if a.kind == "letter_of_interest":  # "Mid- to late interview season"
                assert dt.date(deadline.year, 1, 15) <= a.start and a.end <= season_end
            elif a.kind == "letter_of_intent":  # "usually in late January or early February"
                assert dt.date(deadline.year, 1, 21) <= a.start and a.end <= dt.date(deadline.year, 2, 10)
            elif a.kind == "stop":
                assert a.start == a.end == deadline
            elif a.kind == "step3":  # "early"
                assert a.start == today


def test_no_program_gets_more_emails_than_the_guide_allows(advisor: Advisor) -> None:
    for profile, plan in every_plan(advisor):
        programs = {p.name: p for p in profile.programs}
        per_program = Counter((a.program, a.kind) for a in plan.actions if a.program)
        for (name, kind), count in per_program.items():
            assert count == 1, (name, kind)  # "0–1 email" before; "1 thank-you email" after
        for name in programs:
            assert sum(per_program[name, kind] for kind in FOLLOW_UPS) <= 1  # "possibly 1 follow-up later"
        assert sum(a.kind == "letter_of_intent" for a in plan.actions) <= 1  # "Sent to only one program"
        for a in plan.actions:
            program = programs.get(a.program or "")
            if a.kind == "visa_question":
                assert profile.visa != "none" and program and program.sponsors == "unknown"
            if a.kind in FOLLOW_UPS:
                assert program and program.interest != "normal" and not cannot_sponsor(profile, program)


def test_a_plan_for_forty_programs_is_complete(advisor: Advisor) -> None:
    profile, plan = planned(advisor, "forty-programs")
    assert len(profile.programs) == 40
    with_interview_ahead = [p for p in profile.programs if p.interview_date and p.interview_date >= profile.today]
    thanked = {a.program for a in plan.actions if a.kind == "thank_you"}
    assert {p.name for p in with_interview_ahead} <= thanked
    assert sum(a.draft is not None for a in plan.actions) == sum(
        a.kind not in ("letter_of_intent", "stop") for a in plan.actions
    )


def test_drafts_are_the_guides_templates_with_the_name_and_date_filled_in(advisor: Advisor) -> None:
    found = grounding(advisor)
    for profile, plan in every_plan(advisor):
        interviews = {p.name: p.interview_date for p in profile.programs}
        for a in plan.actions:
            if a.draft is None:
                assert a.kind in ("letter_of_intent", "step3", "stop") and not a.draft_findings
                continue
            assert a.program and a.program in a.draft and "[Program Name]" not in a.draft.replace(a.program, "")
            template = found.templates[a.kind].text
            assert a.citations[-1].chunk_id == found.templates[a.kind].hit.chunk.id
            interview = interviews[a.program]
            date = f"{interview:%B} {interview.day}, {interview.year}" if interview else "[Date]"
            values = {"Program Name": a.program, "Date": date}
            assert a.draft == re.sub(r"\[(Program Name|Date)\]", lambda m, v=values: v[m.group(1)], template)
            assert a.draft_findings == check_draft(a.draft, advisor, BASE).findings
            assert {f.rule for f in a.draft_findings} == {"placeholder"}  # the rest is left for the applicant


def test_names_are_echoed_exactly_as_typed(advisor: Advisor) -> None:
    profile, plan = planned(advisor, "names-as-typed")
    names = [p.name for p in profile.programs]
    assert {a.program for a in plan.actions if a.program} == set(names)
    bracketed = next(a for a in plan.actions if a.program == "Program [Date] Center")
    assert bracketed.draft and "Program [Date] Center" in bracketed.draft


def test_extreme_dates_plan_without_error(advisor: Advisor) -> None:
    request = json.loads(json.dumps(PROFILES["realistic-h1b"]["request"]))
    for today, deadline in (("0001-01-01", "9999-12-31"), ("0001-01-01", "0001-01-01"), ("9999-12-31", "9999-12-31")):
        request |= {"today": today, "rank_list_deadline": deadline}
        plan = make_plan(profile_of(request), advisor, BASE)
        assert plan.actions and plan.actions[-1].kind == "stop"
