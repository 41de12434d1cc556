"""Ask the Advisor a question from the command line.

Usage: python -m scripts.ask [--json] [--top-k N] [--url URL] "question"

In-process by default (loads the model and index); with --url, or ADVISOR_URL set,
it asks a running server instead and loads no model.

In-process, a citation links to its guide's own page (the guide's source_url) when it has one, else to
ADVISOR_PUBLIC_URL's /guides page; without either, the link is a path on the Advisor's server, and the
answer ends with a line saying so.
"""

from __future__ import annotations

import os
import sys
import textwrap
from typing import Any

from api.schemas import QUESTION_MAX, TOP_K_MAX, AskResponse
from scripts._cli import Parser, link_base, load_advisor, post_json, print_reply, reply_from, server_note


def ask_in_process(question: str, top_k: int) -> dict[str, Any]:
    answer = load_advisor().ask(question, top_k, link_base())
    return AskResponse.from_answer(answer).model_dump(mode="json")


def ask_server(url: str, question: str, top_k: int, history: list[str] | None = None) -> dict[str, Any]:
    turns = [{"role": "user", "content": h} for h in history or []]
    return post_json(url, "/api/ask", {"question": question, "top_k": top_k, "history": turns})


def render(reply: dict[str, Any]) -> str:
    width = 88
    lines = [textwrap.fill(reply["answer"], width), ""]
    for c in reply["citations"]:
        lines.append(f"[{c['n']}] {c['section']}")
        lines.extend(
            textwrap.indent(textwrap.fill(p, width - 4), "    ") for p in c["excerpt"].split("\n") if p.strip()
        )
        if c.get("url"):
            lines.append(f"    {c['url']}")
        lines.append("")
    lines += server_note(c.get("url") for c in reply["citations"])
    return "\n".join(lines).rstrip() + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = Parser(description="Ask the Advisor a question; it answers from the guides with citations.")
    parser.add_argument("question", nargs="+", help="the question (quote it, or pass it as several words)")
    parser.add_argument("--json", action="store_true", help="print exactly the API's JSON")
    parser.add_argument("--top-k", type=int, default=3, help=f"citations to show, 1-{TOP_K_MAX} (default 3)")
    parser.add_argument(
        "--url", default=os.environ.get("ADVISOR_URL"), help="ask a running server (or set ADVISOR_URL)"
    )
    args = parser.parse_args(argv)
    question = " ".join(args.question).strip()
    if not question:
        parser.error("the question is empty")
    if len(question) > QUESTION_MAX:
        parser.error(f"the question is {len(question)} characters; at most {QUESTION_MAX}")
    if not 1 <= args.top_k <= TOP_K_MAX:
        parser.error(f"--top-k must be between 1 and {TOP_K_MAX}")
    reply = reply_from(
        args.url, lambda url: ask_server(url, question, args.top_k), lambda: ask_in_process(question, args.top_k)
    )
    print_reply(reply, args.json, render)
    return 0


if __name__ == "__main__":
    sys.exit(main())
