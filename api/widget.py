"""The embeddable chat widget: its script, and the questions it suggests from each guide's headings."""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from itertools import chain, zip_longest
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request, Response
from pydantic import BaseModel, Field

from api.deps import AdvisorDep
from api.pages import STATIC_DIR
from api.schemas import API_RESPONSES, error_response
from index.content import Guide
from index.markdown import plain, read_blocks

router = APIRouter()
WIDGET_JS = STATIC_DIR / "widget.js"
SCRIPT_HEADERS = {"Cache-Control": "public, max-age=3600", "X-Content-Type-Options": "nosniff"}

_NUMBERING = re.compile(r"^\d{1,3}[.)]\s+")
_FAQ = re.compile(r"^(frequently asked questions|faq)\b", re.IGNORECASE)
_NOT_A_TOPIC = re.compile(r"^(conclusion|introduction|summary|frequently asked questions|faq)\b", re.IGNORECASE)
_TITLE_WORD = re.compile(r"\b[A-Z][a-z]+\b")  # "Rules" but not "IMG", "PM&R" or "US"


class Suggestions(BaseModel):
    suggestions: list[str] = Field(description="Questions to offer, the guide's own FAQ questions first.")


@lru_cache(maxsize=4)
def _script(mtime_ns: int) -> tuple[bytes, str]:  # keyed by mtime: an edited script is served at once
    body = WIDGET_JS.read_bytes()
    return body, f'"{hashlib.sha256(body).hexdigest()[:16]}"'


@router.get("/widget.js", include_in_schema=False)
async def widget_script(request: Request) -> Response:
    body, etag = _script(WIDGET_JS.stat().st_mtime_ns)
    headers = {**SCRIPT_HEADERS, "ETag": etag}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    return Response(body, media_type="application/javascript; charset=utf-8", headers=headers)


def _topic_question(heading: str) -> str:
    topic = heading.split(":", 1)[0].strip()
    return f"What should I know about {_TITLE_WORD.sub(lambda m: m.group().lower(), topic)}?"


@lru_cache(maxsize=64)
def guide_suggestions(guide: Guide) -> tuple[str, ...]:
    """The FAQ's questions, then the other question headings, then a question about each top-level section."""
    faq: list[str] = []
    questions: list[str] = []
    topics: list[str] = []
    in_faq = False
    for block in read_blocks(guide.text, guide.body_start):
        if block.kind != "heading" or block.level < 2:
            continue
        text = _NUMBERING.sub("", plain(block.text))
        if block.level == 2:
            in_faq = bool(_FAQ.match(text))
            if not _NOT_A_TOPIC.match(text):
                topics.append(_topic_question(text))
        if text.endswith("?"):
            (faq if in_faq else questions).append(text)
    return tuple(dict.fromkeys(faq + questions + topics))


@lru_cache(maxsize=64)
def headings_by_section(guide: Guide) -> tuple[tuple[str, str, str], ...]:
    """(top-level section, heading, question to ask about it) for every heading below the title."""
    out: list[tuple[str, str, str]] = []
    top = ""
    for block in read_blocks(guide.text, guide.body_start):
        if block.kind != "heading" or not 2 <= block.level <= 3:  # level 4 holds examples, not topics
            continue
        text = _NUMBERING.sub("", plain(block.text))
        top = block.text if block.level == 2 else top
        if text.endswith("?"):
            out.append((top, block.text, text))
        elif not _NOT_A_TOPIC.match(text):
            out.append((top, block.text, _topic_question(text)))
    return tuple(out)


def near_section(guide: Guide, section: str) -> list[str]:
    """Questions from the headings beside `section` (a citation's heading path), then the guide's usual ones."""
    path = [part.strip() for part in section.split(">")]
    beside = [q for top, heading, q in headings_by_section(guide) if top == path[0] and heading not in path]
    cited = _NUMBERING.sub("", plain(path[-1]))
    return [q for q in dict.fromkeys(beside + list(guide_suggestions(guide))) if q != cited]


@router.get(
    "/api/suggestions",
    response_model=Suggestions,
    responses={**API_RESPONSES, 404: error_response("No such guide.")},
    summary="Questions to suggest, from a guide's FAQ and headings",
)
async def suggestions(
    advisor: AdvisorDep,
    guide: Annotated[str | None, Query(description="Slug of the guide to draw from; all guides when omitted.")] = None,
    limit: Annotated[int, Query(ge=1, le=20)] = 6,
    section: Annotated[
        str | None,
        Query(max_length=500, description="A cited section's heading path: suggest what sits beside it first."),
    ] = None,
) -> Suggestions:
    if guide is None:
        per_guide = [guide_suggestions(g) for g in advisor.guides.values()]
        mixed = [s for s in chain.from_iterable(zip_longest(*per_guide)) if s is not None]
        return Suggestions(suggestions=mixed[:limit])
    found = advisor.guides.get(guide)
    if found is None:
        raise HTTPException(404, detail=f"No guide with slug {guide!r}.")
    chosen = near_section(found, section) if section else list(guide_suggestions(found))
    return Suggestions(suggestions=chosen[:limit])
