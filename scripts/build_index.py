"""Build the FAISS index from the guides in the content folder.

Usage: python -m scripts.build_index [--content DIR] [--out DIR] [--if-stale]
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import NoReturn, TextIO

from tqdm import tqdm

from index.errors import AdvisorError
from index.model.embeddings import MiniLMEmbedder
from index.model.export import ensure_export
from index.model.files import MODEL_NAME, WEIGHTS_SHA256, bundled_model_dir
from index.reader.folder import current, ensure_reader, record_sha256
from index.store.build import build_store, is_current
from scripts._cli import Parser, cli_settings, fail


class Progress:
    """The embedding's progress: a tqdm bar on a terminal, else a plain line at every tenth (logs keep no
    carriage returns)."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._bar: tqdm[NoReturn] | None = None
        self._tty = stream.isatty()
        self._shown = -1

    def __call__(self, done: int, total: int) -> None:
        if self._tty:
            if self._bar is None:
                self._bar = tqdm(total=total, desc="embedding", unit=" texts", file=self._stream)
            self._bar.update(done - self._bar.n)
            return
        tenth = done * 10 // max(total, 1)
        if tenth > self._shown:
            self._shown = tenth
            print(f"embedding {done}/{total} passages and sentences", file=self._stream, flush=True)

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.close()


def main(argv: list[str] | None = None) -> int:
    settings = cli_settings()
    parser = Parser(description="Build the Advisor's index from Markdown guides.")
    parser.add_argument("--content", type=Path, default=settings.content_dir, help="folder of guide .md files")
    parser.add_argument("--out", type=Path, default=settings.index_dir, help="index folder (default: build/index)")
    parser.add_argument("--if-stale", action="store_true", help="build only when content or model changed")
    args = parser.parse_args(argv)
    try:
        ensure_export(bundled_model_dir(), settings.model_cache_dir)  # the index is built with the fp32 graph
        # The reader: the question encoder tuned on index/reader/training/ against the served guides, and its models.
        print("reader: checking (it retrains, about a minute, when its inputs changed)…", file=sys.stderr)
        ensure_reader(settings.content_dir, settings.model_cache_dir, settings.model_precision)
        reader = record_sha256(current(settings.model_cache_dir)[0])
        if args.if_stale and is_current(args.content, args.out, MODEL_NAME, WEIGHTS_SHA256, reader):
            print(f"index at {args.out} is up to date")
            return 0
        print("loading model…", file=sys.stderr)
        embedder = MiniLMEmbedder(cache_dir=settings.model_cache_dir, threads=0)  # exports it if missing

        with Progress(sys.stderr) as progress:
            report = build_store(args.content, args.out, embedder, progress, reader)
    except AdvisorError as exc:
        fail(str(exc))
    for warning in report.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    print(f"indexed {report.guides} guide(s) into {report.chunks} chunks in {report.seconds:.1f}s -> {report.folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
