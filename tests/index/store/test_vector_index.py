"""The vector index: exact below a corpus size, HNSW above it, both saved and read back alike."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from index.answer.advisor import Advisor
from index.reader.fitting import blank_models
from index.store import vectors as store_vectors
from index.store.build import build_store
from index.store.manifest import read_manifest
from index.store.vectors import HNSW_EF_SEARCH, VectorIndex
from tests.fakes import HashingEmbedder

DIM = 384


def embedding_like(rng: np.random.Generator, n: int) -> np.ndarray:
    """Random unit vectors near a random 48-dimensional subspace, as sentence embeddings lie."""
    basis = np.random.default_rng(7).standard_normal((48, DIM), dtype=np.float32)
    x = rng.standard_normal((n, 48), dtype=np.float32) @ basis
    x += 0.3 * np.sqrt(48) * rng.standard_normal((n, DIM), dtype=np.float32)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    return x


@pytest.fixture(scope="module")
def vectors() -> np.ndarray:
    return embedding_like(np.random.default_rng(0), 3000)


@pytest.fixture(scope="module")
def hnsw(vectors: np.ndarray) -> VectorIndex:
    return VectorIndex.build(vectors, approximate=True)


def test_the_index_is_exact_below_the_threshold_and_hnsw_from_it(
    vectors: np.ndarray, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store_vectors, "APPROXIMATE_FROM", 1000)
    assert VectorIndex.build(vectors[:999]).kind == "IndexFlatIP"
    assert VectorIndex.build(vectors[:1000]).kind == "IndexHNSWFlat"
    assert VectorIndex.build(vectors[:1000], approximate=False).kind == "IndexFlatIP"


def test_hnsw_finds_what_the_exact_search_finds(vectors: np.ndarray, hnsw: VectorIndex) -> None:
    queries = embedding_like(np.random.default_rng(1), 200)
    _, exact = VectorIndex.build(vectors, approximate=False).search(queries, 10)
    _, approximate = hnsw.search(queries, 10)
    recall = np.mean([len(set(a) & set(e)) / 10 for a, e in zip(approximate, exact, strict=True)])
    assert recall >= 0.98


@pytest.mark.parametrize("k", [HNSW_EF_SEARCH + 1, 3000])
def test_a_ranking_longer_than_the_graph_search_is_exact(vectors: np.ndarray, hnsw: VectorIndex, k: int) -> None:
    query = vectors[:1]
    scores, ids = hnsw.search(query, k)
    flat_scores, flat_ids = VectorIndex.build(vectors, approximate=False).search(query, k)
    np.testing.assert_array_equal(ids, flat_ids)
    np.testing.assert_allclose(scores, flat_scores, rtol=1e-5)


def test_hnsw_round_trips_through_a_file(tmp_path: Path, vectors: np.ndarray, hnsw: VectorIndex) -> None:
    hnsw.write(tmp_path / "vectors.faiss")
    back = VectorIndex.read(tmp_path / "vectors.faiss")
    assert (back.kind, back.size, back.dim) == ("IndexHNSWFlat", len(vectors), DIM)
    np.testing.assert_array_equal(back.matrix(), vectors)
    queries = vectors[:20]
    np.testing.assert_array_equal(back.search(queries, 10)[1], hnsw.search(queries, 10)[1])


def test_a_large_corpus_is_built_served_and_recorded_as_hnsw(
    content_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store_vectors, "APPROXIMATE_FROM", 10)  # the guide's few dozen passages count as large
    build_store(content_copy, tmp_path / "idx", HashingEmbedder())
    assert read_manifest(tmp_path / "idx").index_type == "IndexHNSWFlat"
    advisor = Advisor.load(content_copy, tmp_path / "idx", HashingEmbedder(), blank_models())
    reply = advisor.ask("can I email about visa sponsorship before interviews")
    assert reply.answered == bool(reply.citations)
