"""Human pages: the list of guides and each guide rendered with heading anchors."""

from __future__ import annotations

from html import escape
from pathlib import Path

from fastapi import APIRouter, HTTPException, Request, Response
from fastapi.responses import HTMLResponse
from markdown_it import MarkdownIt

from api.deps import AdvisorDep, base_url
from api.schemas import API_RESPONSES, ERROR_RESPONSES, GuideOut, error_response
from index.guides.chunks import sections
from index.guides.content import Guide

router = APIRouter()
STATIC_DIR = Path(__file__).with_name("static")
FAVICON = (STATIC_DIR / "favicon.svg").read_bytes()
_markdown = MarkdownIt("commonmark").enable("table")

_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="icon" href="/favicon.ico" type="image/svg+xml">
<link rel="stylesheet" href="/static/page.css">
</head>
<body>
<main>
{body}
</main>
<script src="/widget.js" defer{widget_attrs}></script>
</body>
</html>
"""


def render_guide_html(guide: Guide) -> str:
    """The guide's Markdown as HTML (GFM tables included), each heading with the anchor its citations link
    to: the anchors the index named (index/guides/chunks.py), matched by line, so a link lands on its own section.
    Text above the first heading gets the anchor of its passages on its first element."""
    tokens = _markdown.parse(guide.body)
    found = sections(guide)
    by_line = {guide.text.count("\n", guide.body_start, s.heading.start): s.anchor for s in found if s.heading}
    intro = found[0].anchor if found and found[0].heading is None else ""
    for token in tokens:
        if token.type == "heading_open":
            intro = ""
            anchor = by_line.get(token.map[0]) if token.map else None
            if anchor:
                token.attrSet("id", anchor)
                token.attrSet("tabindex", "-1")
        elif intro and token.nesting == 1 and token.level == 0:
            token.attrSet("id", intro)
            token.attrSet("tabindex", "-1")
            intro = ""
    return str(_markdown.renderer.render(tokens, _markdown.options, {}))


_HOME = """<h1>The Advisor</h1>
<p>The Advisor answers residency applicants' questions from Residency Advisor's guides. Each answer is made of
the guide's own sentences, cites the sections it quotes and links to them; when the guides do not cover a
question, it says so.</p>
<h2>Guides</h2>
<ul>
{guides}
</ul>
<h2>Ask</h2>
<advisor-chat></advisor-chat>
<h2>For developers</h2>
<p><a href="/docs">API documentation</a>, with the OpenAPI description at <a href="/openapi.json">/openapi.json</a>.
One script tag puts this chat on any page:</p>
<pre><code>&lt;script src="{base}widget.js" defer&gt;&lt;/script&gt;</code></pre>"""


@router.get("/", response_class=HTMLResponse, responses=ERROR_RESPONSES, summary="What the Advisor is, and its guides")
async def index_page(request: Request, advisor: AdvisorDep) -> HTMLResponse:
    guides = "\n".join(
        f'<li><a href="/guides/{escape(g.slug)}">{escape(g.title)}</a>'
        f" <small>(reviewed {escape(g.last_reviewed)})</small></li>"
        for g in advisor.guides.values()
    )
    body = _HOME.format(guides=guides, base=escape(base_url(request)))
    return HTMLResponse(_PAGE.format(title="The Advisor", body=body, widget_attrs=""))


@router.get("/favicon.ico", include_in_schema=False)
async def favicon() -> Response:
    return Response(FAVICON, media_type="image/svg+xml", headers={"Cache-Control": "public, max-age=86400"})


@router.get("/api/guides", response_model=list[GuideOut], responses=API_RESPONSES, summary="The guides, as JSON")
async def list_guides(advisor: AdvisorDep) -> list[GuideOut]:
    return [
        GuideOut(
            slug=g.slug, title=g.title, url=f"/guides/{g.slug}", source_url=g.source_url, last_reviewed=g.last_reviewed
        )
        for g in advisor.guides.values()
    ]


@router.get(
    "/guides/{slug}",
    response_class=HTMLResponse,
    responses={**ERROR_RESPONSES, 404: error_response("No such guide.")},
    summary="A guide rendered as a page, with heading anchors",
)
async def guide_page(slug: str, advisor: AdvisorDep) -> HTMLResponse:
    guide = advisor.guides.get(slug)
    if guide is None:
        raise HTTPException(404, detail=f"No guide with slug {slug!r}.")
    body = render_guide_html(guide) + f"\n<footer><p>Last reviewed {escape(guide.last_reviewed)}.</p></footer>"
    return HTMLResponse(
        _PAGE.format(title=escape(guide.title), body=body, widget_attrs=f' data-guide="{escape(slug)}"')
    )
