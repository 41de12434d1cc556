"""The vectors of a store: inner-product search in FAISS, exact (flat) or approximate (HNSW) by size."""

from __future__ import annotations

from pathlib import Path

import faiss
import numpy as np

# From this many vectors on, a build makes an HNSW graph instead of a flat index. Measured on the 2-core
# machine, one query, one thread: at 10k flat is faster (0.26 vs 0.49 ms), at 20k they are even (1.0 vs
# 0.9 ms), at 40k HNSW is 2× faster and at 100k 6×; scripts/bench.py measures 1k, 10k and 100k.
APPROXIMATE_FROM = 20_000
HNSW_M = 32
HNSW_EF_CONSTRUCTION = 64
HNSW_EF_SEARCH = 256  # recall@10 ≥ 0.98 against flat on embedding-like vectors at 100k


def search_one_query_per_thread() -> None:
    """For serving, where queries come one per request: FAISS's OpenMP threads would only spin against
    the model's (torch has its own OpenMP pool); single-threaded, a one-query flat search at 100k vectors
    ran 5× faster on the 2-core machine under load."""
    faiss.omp_set_num_threads(1)


class VectorIndex:
    """Inner-product search over L2-normalised vectors (cosine similarity): exact, or HNSW when large."""

    def __init__(self, index: faiss.Index) -> None:
        self._index = index
        if isinstance(index, faiss.IndexHNSW):
            index.hnsw.efSearch = HNSW_EF_SEARCH

    @classmethod
    def build(cls, vectors: np.ndarray, approximate: bool | None = None) -> VectorIndex:
        """Flat below APPROXIMATE_FROM vectors, HNSW from there; `approximate` overrides the size rule."""
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        index: faiss.Index
        if approximate if approximate is not None else len(vectors) >= APPROXIMATE_FROM:
            index = faiss.IndexHNSWFlat(vectors.shape[1], HNSW_M, faiss.METRIC_INNER_PRODUCT)
            index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
        else:
            index = faiss.IndexFlatIP(vectors.shape[1])
        index.add(vectors)
        return cls(index)

    @property
    def size(self) -> int:
        return int(self._index.ntotal)

    @property
    def dim(self) -> int:
        return int(self._index.d)

    @property
    def kind(self) -> str:
        return type(self._index).__name__

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """(scores, ids) of shape (len(queries), k'), with k' = min(k, size)."""
        k = min(k, self.size)
        index = self._index
        if isinstance(index, faiss.IndexHNSW) and (k > index.hnsw.efSearch or k == self.size):
            # A graph walk ranks at most efSearch candidates, and may miss some: rank them all exactly.
            index = faiss.downcast_index(index.storage)
        scores, ids = index.search(np.ascontiguousarray(queries, dtype=np.float32), k)
        return scores, ids

    def matrix(self) -> np.ndarray:
        """All stored vectors, in insertion order."""
        return np.asarray(self._index.reconstruct_n(0, self.size), dtype=np.float32)

    def write(self, path: Path) -> None:
        faiss.write_index(self._index, str(path))

    @classmethod
    def read(cls, path: Path) -> VectorIndex:
        """Read-only, with the vectors memory-mapped: workers serving one index share its pages."""
        return cls(faiss.read_index(str(path), faiss.IO_FLAG_MMAP_IFC | faiss.IO_FLAG_READ_ONLY))
