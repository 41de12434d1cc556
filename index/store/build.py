"""Building a vector store: guides -> chunks -> embeddings -> FAISS, saved with its manifest."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from index.errors import AdvisorError, ContentError
from index.guides.chunks import chunk_guides
from index.guides.content import content_hash, load_guides
from index.model.embeddings import Embedder
from index.store.folder import save_store
from index.store.manifest import read_manifest
from index.store.texts import embedding_texts, texts_hash
from index.store.vectors import VectorIndex

Progress = Callable[[int, int], None]
BATCH = 64


@dataclass(frozen=True)
class BuildReport:
    folder: Path
    guides: int
    chunks: int
    seconds: float
    warnings: list[str] = field(default_factory=list)  # one line each, naming the guide's file


def embed_texts(texts: list[str], embedder: Embedder, progress: Progress | None = None) -> np.ndarray:
    parts = []
    for start in range(0, len(texts), BATCH):
        parts.append(embedder.encode(texts[start : start + BATCH]))
        if progress:
            progress(min(start + BATCH, len(texts)), len(texts))
    return np.vstack(parts) if parts else np.zeros((0, embedder.dim), dtype=np.float32)


def is_current(
    content_dir: Path, store_root: Path, embedder_name: str, weights_sha256: str, reader_sha256: str = ""
) -> bool:
    """True when the saved store was built from this content, by this pipeline, with this model, for this reader."""
    try:
        manifest = read_manifest(store_root)
    except AdvisorError:
        return False
    guides = load_guides(content_dir)
    built = (manifest.content_hash, manifest.texts_sha256, manifest.model_name, manifest.weights_sha256)
    wanted = (content_hash(guides), texts_hash(embedding_texts(chunk_guides(guides))), embedder_name, weights_sha256)
    return built == wanted and manifest.reader_sha256 == reader_sha256


def build_store(
    content_dir: Path,
    store_root: Path,
    embedder: Embedder,
    progress: Progress | None = None,
    reader_sha256: str = "",
) -> BuildReport:
    """Chunk, embed (with `embedder`, the bundled model in fp32) and save the guides of `content_dir` as the
    current store under `store_root`, for the reader whose record has `reader_sha256` ("" for none)."""
    started = time.perf_counter()
    guides = load_guides(content_dir)
    chunks = chunk_guides(guides)
    if not chunks:
        raise ContentError(f"no guide in {content_dir} has any text after its front matter and headings")
    with_text = {c.guide for c in chunks}
    warnings = [
        f"{g.path}: no text after the front matter (headings aside): its page is empty and nothing of it is indexed"
        for g in guides
        if g.slug not in with_text
    ]
    texts = embedding_texts(chunks)
    matrix = embed_texts(texts, embedder, progress)
    vectors = VectorIndex.build(matrix[: len(chunks)])
    unit_vectors = VectorIndex.build(matrix[len(chunks) :], approximate=False)  # only ever read whole
    seconds = time.perf_counter() - started
    folder = save_store(
        store_root,
        vectors,
        unit_vectors,
        chunks,
        model_name=embedder.name,
        weights_sha256=embedder.weights_sha256,
        content_hash=content_hash(guides),
        texts_sha256=texts_hash(texts),
        guide_count=len(guides),
        build_seconds=seconds,
        reader_sha256=reader_sha256,
    )
    return BuildReport(folder=folder, guides=len(guides), chunks=len(chunks), seconds=seconds, warnings=warnings)
