"""The embeddable chat widget: its script, and the questions it suggests from each guide's FAQ and headings."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from itertools import chain, zip_longest
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request, Response
from pydantic import BaseModel, Field

from api.deps import AdvisorDep
from api.pages import STATIC_DIR
from api.schemas import API_RESPONSES, error_response
from index.suggestions import guide_suggestions, near_section

router = APIRouter()
WIDGET_JS = STATIC_DIR / "widget.js"
SCRIPT_HEADERS = {"Cache-Control": "public, max-age=3600", "X-Content-Type-Options": "nosniff"}


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
