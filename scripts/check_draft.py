"""Check an email draft to a program against the guide's advice.

Usage: python -m scripts.check_draft [--json] [--url URL] [FILE | -]

Reads the draft from FILE, or from stdin with "-" or no FILE. In-process by default (loads the
model and index); with --url, or ADVISOR_URL set, it asks a running server and loads no model.
"""

from __future__ import annotations

import os
import sys
import textwrap
from pathlib import Path
from typing import Any

from index.drafts.check import MAX_CHARS
from scripts._cli import Parser, link_base, load_advisor, post_json, print_reply, reply_from, server_note

WIDTH = 88
MARKS = {"problem": "PROBLEM", "caution": "CAUTION", "tip": "TIP"}


def check_in_process(text: str) -> dict[str, Any]:
    from api.drafts import DraftCheckResponse
    from index.drafts.check import check_draft

    report = check_draft(text, load_advisor(), link_base())
    return DraftCheckResponse.from_report(report).model_dump(mode="json")


def check_server(url: str, text: str) -> dict[str, Any]:
    return post_json(url, "/api/check-draft", {"text": text})


def render(reply: dict[str, Any]) -> str:
    lines = [textwrap.fill(reply["summary"], WIDTH), ""]
    for f in reply["findings"]:
        lines.append(f"{MARKS.get(f['severity'], f['severity'].upper())}  {f['rule']}")
        lines.append(
            textwrap.fill(f"“{' '.join(f['quote'].split())}”", WIDTH, initial_indent="    ", subsequent_indent="     ")
        )
        lines.append(textwrap.indent(textwrap.fill(f["message"], WIDTH - 4), "    "))
        for c in f["citations"]:
            lines.append(f"    Guide: {c['section']}" + (f"\n      {c['url']}" if c.get("url") else ""))
        lines.append("")
    lines += server_note(c.get("url") for f in reply["findings"] for c in f["citations"])
    return "\n".join(lines).rstrip() + "\n"


def read_draft(source: str | None, parser: Parser) -> str:
    if source in (None, "-"):
        if sys.stdin.isatty():
            parser.error("no draft: give a FILE, or pipe the draft in on stdin")
        return sys.stdin.read()
    try:
        return Path(source).read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        parser.error(f"cannot read {source}: {getattr(exc, 'strerror', None) or exc.__class__.__name__}")


def main(argv: list[str] | None = None) -> int:
    parser = Parser(description="Check an email draft against the guide's advice, with citations.")
    parser.add_argument("file", nargs="?", help='the draft, a UTF-8 text file ("-" or nothing: read stdin)')
    parser.add_argument("--json", action="store_true", help="print exactly the API's JSON")
    parser.add_argument(
        "--url", default=os.environ.get("ADVISOR_URL"), help="ask a running server (or set ADVISOR_URL)"
    )
    args = parser.parse_args(argv)
    text = read_draft(args.file, parser)
    if not text.strip():
        parser.error("the draft is empty")
    if len(text) > MAX_CHARS:
        parser.error(f"the draft is {len(text)} characters; at most {MAX_CHARS}")
    reply = reply_from(args.url, lambda url: check_server(url, text), lambda: check_in_process(text))
    print_reply(reply, args.json, render)
    return 0


if __name__ == "__main__":
    sys.exit(main())
