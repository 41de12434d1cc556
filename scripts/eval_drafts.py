"""Score the email-draft check on a set of drafts with their expected findings.

Usage: python -m scripts.eval_drafts [--set FILE] [--url URL] [--show-misses] [--json]

Each line of the set is {"id", "text", "expected": [rule, ...]}; how it is scored: index/drafts/scoring.py.
"""

from __future__ import annotations

import functools
import json
import sys
from pathlib import Path

from index.drafts.scoring import Check, DraftScore, score
from scripts._cli import Parser, fail, load_advisor, read_set

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SET = ROOT / "tests" / "eval" / "drafts.jsonl"


def in_process_checker() -> Check:
    from api.drafts import DraftCheckResponse
    from index.drafts.check import check_draft

    advisor = load_advisor()
    return lambda text: DraftCheckResponse.from_report(check_draft(text, advisor, "http://127.0.0.1:8000")).model_dump()


def render(result: DraftScore) -> str:
    lines = [f"{'rule':<22}{'precision':>10}{'recall':>8}{'tp':>5}{'fp':>5}{'fn':>5}"]
    for rule, r in result.table().items():
        lines.append(f"{rule:<22}{r['precision']:>10.3f}{r['recall']:>8.3f}{r['tp']:>5}{r['fp']:>5}{r['fn']:>5}")
    lines.append(
        f"{result.drafts} drafts; {result.clean_with_problems} of the {result.clean_drafts}"
        " with no expected problem got one"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = Parser(description="Precision and recall of the email-draft check, per rule.")
    parser.add_argument("--set", type=Path, default=DEFAULT_SET, help=f"JSONL draft set (default {DEFAULT_SET.name})")
    parser.add_argument("--url", help="score a running server instead")
    parser.add_argument("--show-misses", action="store_true", help="print every miss and false alarm")
    parser.add_argument("--json", action="store_true", help="print the table as JSON")
    args = parser.parse_args(argv)
    rows = read_set(args.set)
    check: Check
    if args.url:
        from scripts.check_draft import check_server

        check = functools.partial(check_server, args.url)
    else:
        from index.errors import AdvisorError

        try:
            check = in_process_checker()
        except AdvisorError as exc:
            fail(str(exc))
    result = score(rows, check)
    print(json.dumps(result.table()) if args.json else render(result))
    if args.show_misses and not args.json:
        print("\n".join(f"  {m}" for m in result.misses))
    return 0


if __name__ == "__main__":
    sys.exit(main())
