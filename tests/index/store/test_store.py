from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from index.answer.advisor import Advisor
from index.errors import StoreInvalidError, StoreMissingError
from index.guides.content import content_hash, load_guides
from index.reader.fitting import blank_models
from index.store.build import build_store, is_current
from index.store.folder import load_store
from index.store.manifest import CURRENT_LINK, MANIFEST_FILE, UNITS_FILE, VECTORS_FILE, read_manifest
from tests.fakes import HashingEmbedder


def load(root: Path, content: Path, embedder: HashingEmbedder) -> Advisor:
    return Advisor.load(content, root, embedder, blank_models())


def test_round_trip_keeps_chunks_vectors_and_manifest(
    content_copy: Path, tmp_path: Path, fake_embedder: HashingEmbedder
) -> None:
    report = build_store(content_copy, tmp_path / "idx", fake_embedder)
    assert report.guides == 1 and report.chunks > 30
    manifest = read_manifest(tmp_path / "idx")
    assert manifest.model_name == "hashing-fake"
    assert manifest.dim == 64 and manifest.chunk_count == report.chunks
    assert manifest.content_hash == content_hash(load_guides(content_copy))
    stored = load_store(
        tmp_path / "idx", model_name="hashing-fake", weights_sha256="0" * 64, content_hash=manifest.content_hash
    )
    assert stored.vectors.size == report.chunks
    assert stored.chunks[0].text and stored.chunks[0].section


def test_changed_content_makes_the_index_stale(
    content_copy: Path, tmp_path: Path, fake_embedder: HashingEmbedder
) -> None:
    root = tmp_path / "idx"
    build_store(content_copy, root, fake_embedder)
    assert is_current(content_copy, root, "hashing-fake", "0" * 64)
    guide = next(content_copy.glob("*.md"))
    guide.write_text(guide.read_text("utf-8") + "\nA new paragraph.\n", "utf-8")
    assert not is_current(content_copy, root, "hashing-fake", "0" * 64)
    with pytest.raises(StoreInvalidError, match="stale"):
        load(root, content_copy, fake_embedder)


def test_another_model_is_refused(content_copy: Path, tmp_path: Path, fake_embedder: HashingEmbedder) -> None:
    root = tmp_path / "idx"
    build_store(content_copy, root, fake_embedder)
    other = HashingEmbedder()
    other.weights_sha256 = "1" * 64
    with pytest.raises(StoreInvalidError, match="model"):
        load(root, content_copy, other)


@pytest.mark.parametrize("name", [VECTORS_FILE, UNITS_FILE, "chunks.json"])
def test_corrupt_or_truncated_files_are_refused(
    content_copy: Path, tmp_path: Path, fake_embedder: HashingEmbedder, name: str
) -> None:
    root = tmp_path / "idx"
    build_store(content_copy, root, fake_embedder)
    path = root / CURRENT_LINK / name
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(StoreInvalidError, match="corrupt"):
        load(root, content_copy, fake_embedder)


def test_unreadable_manifest_and_missing_index(
    content_copy: Path, tmp_path: Path, fake_embedder: HashingEmbedder
) -> None:
    with pytest.raises(StoreMissingError):
        load(tmp_path / "nothing", content_copy, fake_embedder)
    root = tmp_path / "idx"
    build_store(content_copy, root, fake_embedder)
    (root / CURRENT_LINK / MANIFEST_FILE).write_text("{not json", "utf-8")
    with pytest.raises(StoreInvalidError, match="unreadable"):
        load(root, content_copy, fake_embedder)
    (root / CURRENT_LINK / MANIFEST_FILE).write_text(json.dumps({"format_version": 1}), "utf-8")
    with pytest.raises(StoreInvalidError, match="fields"):
        load(root, content_copy, fake_embedder)


def test_rebuild_swaps_atomically_and_cleans_up(
    content_copy: Path, tmp_path: Path, fake_embedder: HashingEmbedder
) -> None:
    root = tmp_path / "idx"
    first = build_store(content_copy, root, fake_embedder).folder
    (root / ".tmp-index-killed").mkdir()  # what a build killed half-way leaves behind
    second = build_store(content_copy, root, fake_embedder).folder
    assert first != second
    assert os.readlink(root / CURRENT_LINK) == second.name
    assert sorted(p.name for p in root.iterdir()) == sorted([CURRENT_LINK, second.name])


def test_an_index_from_another_pipeline_version_is_rebuilt_not_served(
    content_copy: Path, tmp_path: Path, fake_embedder: HashingEmbedder
) -> None:
    root = tmp_path / "idx"
    build_store(content_copy, root, fake_embedder)
    path = root / CURRENT_LINK / MANIFEST_FILE
    manifest = json.loads(path.read_text("utf-8"))
    path.write_text(json.dumps({**manifest, "texts_sha256": "0" * 64}), "utf-8")  # as if the recipe had changed
    assert not is_current(content_copy, root, "hashing-fake", "0" * 64)
    with pytest.raises(StoreInvalidError, match="another version of the pipeline"):
        load(root, content_copy, fake_embedder)
