"""A deterministic stand-in for the embedding model: the only fake in the tests."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np

from index.vocabulary import terms


class HashingEmbedder:
    """Bag of hashed words: texts sharing words get similar vectors."""

    name = "hashing-fake"
    weights_sha256 = "0" * 64
    dim = 64

    def __init__(self) -> None:
        self.calls = 0

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        self.calls += 1
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for term in terms(text) or ["\0"]:
                out[row, int(hashlib.md5(term.encode()).hexdigest(), 16) % self.dim] += 1.0
        out /= np.linalg.norm(out, axis=1, keepdims=True)
        return out
