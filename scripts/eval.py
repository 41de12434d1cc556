"""Score the Advisor on a question set: hit@1, hit@3, mrr@5, answer_hit, abstention.

Usage: python -m scripts.eval [--set FILE ...] [--content DIR] [--url URL] [--show-misses] [--json]

In-process by default, on an index built for --content into a temporary folder (the
served index is left alone); with --url it scores a running server instead. The
metrics follow shared/eval/README.md: an excerpt hits when it is at most 800 characters
and contains a gold phrase after normalisation.
"""

from __future__ import annotations

import atexit
import json
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from index.evaluation import Ask, Readability, as_loaded, score
from scripts._cli import Parser, cli_settings, fail, read_set

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SET = ROOT / "tests" / "eval" / "questions.jsonl"


def merged_content(folders: list[Path]) -> Path:
    """One content folder with the guides of all `folders` (one folder is used as it is)."""
    if len(folders) == 1:
        return folders[0]
    merged = Path(tempfile.mkdtemp(prefix="advisor-eval-content-"))
    atexit.register(shutil.rmtree, merged, ignore_errors=True)
    for folder in folders:
        for guide in folder.glob("*.md"):
            shutil.copy2(guide, merged / guide.name)
    return merged


def in_process_asker(content: Path) -> Ask:
    from api.schemas import AskResponse
    from index.answer.advisor import Advisor
    from index.model.embeddings import MiniLMEmbedder
    from index.query.reading import Turn
    from index.reader.encoder import question_encoder
    from index.store.build import build_store

    settings = cli_settings()
    folder = Path(tempfile.mkdtemp(prefix="advisor-eval-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)  # the Advisor maps it for as long as it asks
    asker = question_encoder(settings)  # questions encoded as the server does
    build_store(content, folder, MiniLMEmbedder(cache_dir=settings.model_cache_dir), reader_sha256=asker.reader_sha256)
    advisor = Advisor.load(content, folder, asker)

    def ask(question: str, history: list[str]) -> dict[str, Any]:
        answer = advisor.ask(question, 5, history=[Turn("user", h) for h in history])
        return AskResponse.from_answer(answer).model_dump()

    return ask


def server_asker(url: str) -> Ask:
    from scripts.ask import ask_server

    return lambda question, history: ask_server(url, question, 5, history)


def main(argv: list[str] | None = None) -> int:
    parser = Parser(description="Score the Advisor on question sets.")
    parser.add_argument("--set", type=Path, action="append", help=f"JSONL question set (default {DEFAULT_SET})")
    parser.add_argument(
        "--content", type=Path, action="append", help="folder of guides to index, repeatable (default content/)"
    )
    parser.add_argument("--url", help="score a running server instead")
    parser.add_argument("--show-misses", action="store_true", help="print every miss")
    parser.add_argument("--json", action="store_true", help="print only the JSON summaries")
    args = parser.parse_args(argv)
    sets = args.set or [DEFAULT_SET]
    content = merged_content(args.content or [ROOT / "content"])
    from index.errors import AdvisorError
    from index.guides.content import load_guides

    try:
        ask = server_asker(args.url) if args.url else in_process_asker(content)
    except AdvisorError as exc:
        fail(str(exc))
    guides = load_guides(content)
    for path in sets:
        rows = as_loaded(read_set(path), {g.slug for g in guides})
        result, replies = score(rows, ask)
        readability = Readability()
        for reply in replies:
            readability.check(reply, guides)
        print(json.dumps({"set": path.name, **result.summary(), "readability": readability.summary()}))
        if args.show_misses and not args.json:
            print("\n".join(f"  {m}" for m in result.misses + readability.examples))
    return 0


if __name__ == "__main__":
    sys.exit(main())
