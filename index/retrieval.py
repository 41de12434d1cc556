"""Hybrid retrieval: BM25 over the field's vocabulary and dense MiniLM vectors, fused by rank."""

from __future__ import annotations

from dataclasses import dataclass

import bm25s
import numpy as np

from index.chunks import Chunk
from index.store import VectorIndex
from index.vocabulary import terms

RRF_K = 20  # small k: the head of each ranking matters most on a corpus of this size
DENSE_WEIGHT = 1.0
LEXICAL_WEIGHT = 1.0


@dataclass(frozen=True)
class Hit:
    chunk: Chunk
    position: int  # the chunk's index in the corpus
    score: float  # fused rank score, 1.0 when first in both rankings
    dense: float  # cosine similarity of question and chunk
    lexical: float  # BM25 score


class Retriever:
    """Ranks chunks for a question; built once from the loaded index, read-only after."""

    def __init__(self, chunks: list[Chunk], vectors: VectorIndex) -> None:
        if len(chunks) != vectors.size:
            raise ValueError("chunks and vectors differ in number")
        self.chunks = chunks
        self._vectors = vectors
        self._chunk_terms = [terms(c.embed_text) for c in chunks]
        self.vocabulary = frozenset(t for ts in self._chunk_terms for t in ts)
        self._bm25 = bm25s.BM25()
        self._bm25.index([ts or ["\0"] for ts in self._chunk_terms], show_progress=False)

    def chunk_terms(self, position: int) -> list[str]:
        return self._chunk_terms[position]

    def search(self, question: str, query_vector: np.ndarray, k: int) -> list[Hit]:
        """The k best chunks for `question`, whose embedding is `query_vector` (shape (dim,))."""
        n = len(self.chunks)
        dense_scores, dense_ids = self._vectors.search(query_vector.reshape(1, -1), n)
        dense = np.zeros(n, dtype=np.float32)
        dense[dense_ids[0]] = dense_scores[0]
        q_terms = terms(question)
        lexical = self._bm25.get_scores(q_terms) if q_terms else np.zeros(n, dtype=np.float32)

        fused = DENSE_WEIGHT * _rrf(dense) + (LEXICAL_WEIGHT * _rrf(lexical) if lexical.any() else 0.0)
        fused /= (DENSE_WEIGHT + LEXICAL_WEIGHT) / (RRF_K + 1)
        order = np.argsort(-fused, kind="stable")[:k]
        return [Hit(self.chunks[i], int(i), float(fused[i]), float(dense[i]), float(lexical[i])) for i in order]


def _rrf(scores: np.ndarray) -> np.ndarray:
    """Reciprocal-rank weight of each position: 1/(k + rank), rank 1 for the best score."""
    ranks = np.empty(len(scores), dtype=np.float64)
    ranks[np.argsort(-scores, kind="stable")] = np.arange(1, len(scores) + 1)
    return 1.0 / (RRF_K + ranks)
