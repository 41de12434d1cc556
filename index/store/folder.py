"""A vector store on disk: FAISS vectors, the chunks they stand for, and a manifest.

A build writes a fresh folder and then swaps the `current` link to it in one
rename, so a reader sees the old store or the new one, never half of either.
Everything is JSON or FAISS's own format: nothing is unpickled. (Operators call it
"the index": `make index`, ADVISOR_INDEX_DIR, build/index/.)
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from index.checksums import file_sha256
from index.errors import StoreInvalidError
from index.guides.chunks import Chunk
from index.store.manifest import (
    CHUNKS_FILE,
    CURRENT_LINK,
    FORMAT_VERSION,
    MANIFEST_FILE,
    UNITS_FILE,
    VECTORS_FILE,
    Manifest,
    read_manifest,
)
from index.store.texts import embedding_texts, texts_hash
from index.store.vectors import VectorIndex


@dataclass(frozen=True)
class Store:
    manifest: Manifest
    vectors: VectorIndex
    unit_vectors: VectorIndex
    chunks: list[Chunk]


def _chunk_to_json(chunk: Chunk) -> dict[str, Any]:
    data = dataclasses.asdict(chunk)
    data["section"] = list(chunk.section)
    return data


def _chunk_from_json(data: dict[str, Any]) -> Chunk:
    return Chunk(**{**data, "section": tuple(data["section"])})


def save_store(
    root: Path,
    vectors: VectorIndex,
    unit_vectors: VectorIndex,
    chunks: list[Chunk],
    *,
    model_name: str,
    weights_sha256: str,
    content_hash: str,
    texts_sha256: str,
    guide_count: int,
    build_seconds: float,
    reader_sha256: str = "",
) -> Path:
    """Write a new store folder under `root` and make it current atomically."""
    root.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC)
    folder = root / f"index-{stamp:%Y%m%dT%H%M%S%f}"
    tmp = root / f".tmp-{folder.name}"
    tmp.mkdir()
    vectors.write(tmp / VECTORS_FILE)
    unit_vectors.write(tmp / UNITS_FILE)
    (tmp / CHUNKS_FILE).write_text(json.dumps([_chunk_to_json(c) for c in chunks], ensure_ascii=False), "utf-8")
    manifest = Manifest(
        format_version=FORMAT_VERSION,
        model_name=model_name,
        weights_sha256=weights_sha256,
        dim=vectors.dim,
        chunk_count=len(chunks),
        unit_count=unit_vectors.size,
        guide_count=guide_count,
        content_hash=content_hash,
        texts_sha256=texts_sha256,
        index_sha256=file_sha256(tmp / VECTORS_FILE),
        units_sha256=file_sha256(tmp / UNITS_FILE),
        chunks_sha256=file_sha256(tmp / CHUNKS_FILE),
        index_type=vectors.kind,
        build_time=stamp.isoformat(timespec="seconds"),
        build_seconds=round(build_seconds, 3),
        reader_sha256=reader_sha256,
    )
    (tmp / MANIFEST_FILE).write_text(json.dumps(dataclasses.asdict(manifest), indent=2) + "\n", "utf-8")
    for path in tmp.iterdir():
        _fsync(path)
    os.rename(tmp, folder)
    link_tmp = root / f".{CURRENT_LINK}-{folder.name}"
    link_tmp.symlink_to(folder.name)
    os.replace(link_tmp, root / CURRENT_LINK)
    _remove_stale(root, keep=folder.name)
    return folder


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _remove_stale(root: Path, keep: str) -> None:
    """Drop older store folders and leftovers of killed builds (kept: the current one)."""
    for path in root.iterdir():
        if path.name in (keep, CURRENT_LINK) or not (path.name.startswith(("index-", ".tmp-", f".{CURRENT_LINK}-"))):
            continue
        if path.is_symlink() or path.is_file():
            path.unlink()
        else:
            shutil.rmtree(path, ignore_errors=True)


def load_store(
    root: Path, *, model_name: str, weights_sha256: str, content_hash: str, reader_sha256: str = ""
) -> Store:
    """The current store under `root`, after checking it is whole and matches this content, model and reader, and
    that this version of the pipeline embeds the same texts."""
    manifest = read_manifest(root)
    folder = root / CURRENT_LINK
    if manifest.format_version != FORMAT_VERSION:
        raise StoreInvalidError(f"index format {manifest.format_version} is not {FORMAT_VERSION}: rebuild it")
    if (manifest.model_name, manifest.weights_sha256) != (model_name, weights_sha256):
        raise StoreInvalidError(
            f"index was built with model {manifest.model_name} ({manifest.weights_sha256[:12]}…), "
            "not the one loaded: rebuild it"
        )
    if manifest.reader_sha256 != reader_sha256:
        raise StoreInvalidError("index was built for another reader than the one loaded: rebuild it (make index)")
    if manifest.content_hash != content_hash:
        raise StoreInvalidError("index is stale: the content changed since it was built (run `make index`)")
    files = (
        (VECTORS_FILE, manifest.index_sha256),
        (UNITS_FILE, manifest.units_sha256),
        (CHUNKS_FILE, manifest.chunks_sha256),
    )
    for name, expected in files:
        path = folder / name
        if not path.is_file() or file_sha256(path) != expected:
            raise StoreInvalidError(f"index file {path} is missing or corrupt (checksum mismatch): rebuild it")
    try:
        vectors = VectorIndex.read(folder / VECTORS_FILE)
        unit_vectors = VectorIndex.read(folder / UNITS_FILE)
        chunks = [_chunk_from_json(c) for c in json.loads((folder / CHUNKS_FILE).read_text("utf-8"))]
    except (RuntimeError, ValueError, TypeError, KeyError) as exc:
        raise StoreInvalidError(f"index at {folder} cannot be read ({exc.__class__.__name__})") from exc
    if vectors.size != manifest.chunk_count or len(chunks) != manifest.chunk_count or vectors.dim != manifest.dim:
        raise StoreInvalidError(
            f"index at {folder} holds {vectors.size} vectors for {len(chunks)} chunks, "
            f"manifest says {manifest.chunk_count}"
        )
    if unit_vectors.size != manifest.unit_count or unit_vectors.dim != manifest.dim:
        raise StoreInvalidError(
            f"index at {folder} holds {unit_vectors.size} sentence vectors, manifest says {manifest.unit_count}"
        )
    if texts_hash(embedding_texts(chunks)) != manifest.texts_sha256:
        raise StoreInvalidError("index was built by another version of the pipeline: rebuild it (make index)")
    return Store(manifest, vectors, unit_vectors, chunks)
