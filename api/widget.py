"""The embeddable chat widget: its script, and the questions it suggests from each guide's FAQ and headings.

The script's source is a folder of small files (api/static/widget/): GET /widget.js serves them as one script,
concatenated in the order of `MODULES` inside one function, with `styles.css` inlined as the string `CSS`
(the element adopts it as a constructed stylesheet, which a host page's strict CSP allows). Comments, blank
lines and indentation are for the source and are not served: a line whose first characters are `//`, CSS's
`/* ... */` (so no module holds a string or template literal spanning lines). No build step: the script is made
on the first request and again whenever a file's mtime changes, and is served with an ETag.
"""

from __future__ import annotations

import hashlib
import json
import re
from functools import lru_cache
from itertools import chain, zip_longest
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request, Response
from pydantic import BaseModel, Field

from api.deps import AdvisorDep
from api.pages import STATIC_DIR
from api.schemas import API_RESPONSES, error_response
from index.guides.suggestions import guide_suggestions, near_section

router = APIRouter()
WIDGET_DIR = STATIC_DIR / "widget"
# Helpers first, then the element, then its tabs (each adds itself to TABS, in this order), then main.js, which
# defines the element. A new tab is one file and one line here.
MODULES = (
    "dom.js",
    "client.js",
    "store.js",
    "citations.js",
    "blocks.js",
    "links.js",
    "element.js",
    "chat.js",
    "feedback.js",
    "drafts.js",
    "plan.js",
    "main.js",
)
STYLES = "styles.css"
BANNER = '/*! The Advisor chat widget. Embed: <script src="https://ADVISOR_HOST/widget.js" defer></script> */\n'
SCRIPT_HEADERS = {"Cache-Control": "public, max-age=3600", "X-Content-Type-Options": "nosniff"}


def _code(name: str) -> str:
    lines = (line.lstrip(" ") for line in (WIDGET_DIR / name).read_text("utf-8").splitlines(keepends=True))
    return f"/* {name} */\n" + "".join(line for line in lines if line.strip() and not line.startswith("//"))


def widget_source() -> str:
    """The script /widget.js serves: every module in one strict-mode function, the styles as `CSS`.

    Raises RuntimeError when a .js file in the folder is not in `MODULES` (a tab that would never show).
    """
    unlisted = sorted({path.name for path in WIDGET_DIR.glob("*.js")} - set(MODULES))
    if unlisted:
        raise RuntimeError(f"{WIDGET_DIR}: {', '.join(unlisted)} not in api.widget.MODULES; add each where it belongs")
    css = re.sub(r"/\*.*?\*/\n?", "", (WIDGET_DIR / STYLES).read_text("utf-8"), flags=re.DOTALL)
    styles = "".join(line.lstrip(" ") for line in css.splitlines(keepends=True) if line.strip())
    modules = [_code(name) for name in MODULES]
    return "".join([BANNER, '(() => {\n"use strict";\n', f"const CSS = {json.dumps(styles)};\n", *modules, "})();\n"])


def _mtimes() -> tuple[int, ...]:
    return tuple((WIDGET_DIR / name).stat().st_mtime_ns for name in (*MODULES, STYLES))


@lru_cache(maxsize=4)
def _script(mtimes: tuple[int, ...]) -> tuple[bytes, str]:  # keyed by mtimes: an edited file is served at once
    body = widget_source().encode()
    return body, f'"{hashlib.sha256(body).hexdigest()[:16]}"'


@router.get("/widget.js", include_in_schema=False)
async def widget_script(request: Request) -> Response:
    body, etag = _script(_mtimes())
    headers = {**SCRIPT_HEADERS, "ETag": etag}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    return Response(body, media_type="application/javascript; charset=utf-8", headers=headers)


class Suggestions(BaseModel):
    suggestions: list[str] = Field(description="Questions to offer, the guide's own FAQ questions first.")


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
