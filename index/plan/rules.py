"""The guide's rules an outreach plan follows, as data, and the passages each one rests on.

Each rule names the guide words a step or warning quotes as its `rule` (`quote`), any other guide words
its dates rest on (`also`, held by the same passage), and the query that finds that passage. A rule is
grounded once per loaded Advisor as the draft check's rules are (index/drafts.py `grounded_hits`): the
Advisor's own retrieval on the query, keeping the passages that hold the rule's words. A rule whose
passage the loaded guides lack is off: the planner plans no step on it, and the plan says so.

The email templates a step's draft starts from are found the same way: the guide's ```text blocks
whose own text holds the template's subject line.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial

import numpy as np

from index.answer.advisor import Advisor
from index.drafts.check import grounded_hits, holds_all
from index.ranking.retrieval import Hit


@dataclass(frozen=True)
class PlanRule:
    name: str
    quote: str  # guide words the step or warning quotes as its rule, verbatim
    query: str  # retrieval query for the passage that holds them
    also: tuple[str, ...] = ()  # guide words its dates rest on, held by the same passage


@dataclass(frozen=True)
class TemplateRule:
    name: str
    query: str
    phrase: str  # words of the template's own text: its subject line


RULES: tuple[PlanRule, ...] = (
    PlanRule(
        "visa_question",
        "If unclear, one concise email asking about visa sponsorship is appropriate.",
        "Visa concerns: check program websites and FREIDA first; if unclear, one concise email asking about visa sponsorship",
        ("Check program websites and FREIDA first",),
    ),
    PlanRule(
        "cannot_sponsor",
        "This can save you from ranking programs that cannot realistically sponsor your visa.",
        "Clarify visa concerns: confirm whether they sponsor J-1, H-1B; save you from ranking programs that cannot sponsor your visa",
    ),
    PlanRule(
        "sponsorship_unknown",
        "Confirm whether they sponsor J-1, H-1B, or not at all",
        "Program communication before match: confirm whether they sponsor J-1, H-1B, or not at all",
    ),
    PlanRule(
        "step3",
        "If you need H-1B, clarify Step 3 requirements and timing early.",
        "If you need H-1B, clarify USMLE Step 3 requirements and timing early",
    ),
    PlanRule(
        "thank_you",
        "Send a concise thank-you email to the PD and/or primary interviewers.",
        "Immediately after the interview: within 24-72 hours send a concise thank-you email to the PD",
        ("Within 24–72 hours after each interview",),
    ),
    PlanRule(
        "update",
        "You should update programs where you are especially interested, particularly those that have already "
        "interviewed you or placed you on a waitlist.",
        "Update programs with new USMLE scores or publications, those that interviewed you or placed you on a waitlist",
    ),
    PlanRule(
        "follow_up",
        "After interview: 1 thank-you email; possibly 1 follow-up later with updates or letter of interest.",
        "How often is too often? After interview: 1 thank-you email; possibly 1 follow-up later",
    ),
    PlanRule(
        "letter_of_interest",
        "It is appropriate to send letters of strong interest or (to one program only) a letter of intent.",
        "Mid- to late interview season, typically December to February: letters of strong interest",
        ("typically December–February for PM&R", "Letter of strong interest (can send to multiple)"),
    ),
    PlanRule(
        "letter_of_intent",
        "Sent to only one program, usually in late January or early February.",
        "Letter of intent: sent to only one program, usually in late January or early February",
    ),
    PlanRule(
        "before_interview",
        "Before interview: 0–1 email per program (only if needed).",
        "How often is too often? Before interview: 0-1 email per program, only if needed",
    ),
    PlanRule(
        "stop",
        "After rank list submission: No further emails are usually necessary unless requested.",
        "After rank list submission: no further emails are usually necessary unless requested",
    ),
)
TEMPLATES: tuple[TemplateRule, ...] = (
    TemplateRule("visa_question", "Example: visa clarification email template", "Subject: Visa Sponsorship Inquiry"),
    TemplateRule("thank_you", "Example: post-interview thank-you email template", "Subject: Thank You"),
    TemplateRule("update", "Post-interview update with new achievement template", "Subject: Application Update"),
    TemplateRule(
        "letter_of_interest", "Letter of strong interest (non-binding) template", "Subject: Continued Strong Interest"
    ),
)
RULE = {r.name: r for r in RULES}
_QUOTE_CLASSES = {"'": "['’‘]", "’": "['’‘]", "‘": "['’‘]", '"': '["“”]', "“": '["“”]', "”": '["“”]'}


def find_verbatim(text: str, phrase: str) -> str | None:
    """The guide's own text of `phrase` in `text` (spaces, case and curly quotes as the guide has them), or None."""
    pattern = "".join(r"\s+" if c == " " else _QUOTE_CLASSES.get(c) or re.escape(c) for c in " ".join(phrase.split()))
    found = re.search(pattern, text, re.IGNORECASE)
    return found.group(0) if found else None


@dataclass(frozen=True)
class Grounded:
    hits: list[Hit]  # the passages the rule cites, best first
    rule: str  # the rule's words as its first passage holds them


@dataclass(frozen=True)
class Template:
    hit: Hit  # the template's first passage, which its step cites
    text: str  # the whole template, verbatim, lines ended by "\n"


@dataclass(frozen=True)
class Grounding:
    rules: dict[str, Grounded]  # the rules that are on
    templates: dict[str, Template]  # by the name of the step that drafts from it
    off: tuple[PlanRule, ...]  # rules whose passage the loaded guides lack


_GROUNDINGS: weakref.WeakKeyDictionary[Advisor, Grounding] = weakref.WeakKeyDictionary()


def plan_queries() -> list[str]:
    return [r.query for r in RULES] + [t.query for t in TEMPLATES]


def is_grounded(advisor: Advisor) -> bool:
    return advisor in _GROUNDINGS


def ground_plan(advisor: Advisor, vectors: Mapping[str, np.ndarray] | None = None) -> Grounding:
    """Find and keep the passages of every rule and template; `vectors` are the queries' embeddings when the
    caller has them (the server embeds through its batcher), else the Advisor embeds them."""
    rules: dict[str, Grounded] = {}
    off: list[PlanRule] = []
    for r in RULES:
        hits = grounded_hits(
            advisor, r.query, partial(holds_all, phrases=(r.quote, *r.also)), _vector(vectors, r.query)
        )
        quote = find_verbatim(hits[0].chunk.text, r.quote) if hits else None
        if quote is None:
            off.append(r)
        else:
            rules[r.name] = Grounded(hits, quote)
    templates: dict[str, Template] = {}
    for t in TEMPLATES:
        found = grounded_hits(advisor, t.query, partial(holds_all, phrases=(t.phrase,)), _vector(vectors, t.query))
        span = advisor.template_of(found[0].chunk) if found else None
        if found and span is not None:
            text = advisor.guides[found[0].chunk.guide].text[span[0] : span[1]]
            templates[t.name] = Template(found[0], "\n".join(text.splitlines()))
    grounding = Grounding(rules, templates, tuple(off))
    _GROUNDINGS[advisor] = grounding
    return grounding


def grounding(advisor: Advisor) -> Grounding:
    return _GROUNDINGS.get(advisor) or ground_plan(advisor)


def _vector(vectors: Mapping[str, np.ndarray] | None, query: str) -> np.ndarray | None:
    return vectors[query] if vectors is not None else None
