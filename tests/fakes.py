"""A deterministic stand-in for the embedding model: the only fake in the tests."""

from __future__ import annotations

import functools
import hashlib
import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from index.query.vocabulary import terms
from index.ranking.models import save_models
from index.reader.fitting import blank_models


@functools.cache
def _blank_models_file() -> Path:
    path = Path(tempfile.mkdtemp(prefix="advisor-fake-models-")) / "models.json"
    save_models(blank_models(), {"fitted_on": "nothing: the models of a fake encoder"}, path)
    return path


class HashingEmbedder:
    """Bag of hashed words: texts sharing words get similar vectors."""

    name = "hashing-fake"
    weights_sha256 = "0" * 64
    dim = 64

    def __init__(self) -> None:
        self.calls = 0

    @property
    def models_file(self) -> Path:
        """Unfitted models (every weight 0): tests of the index and the service, not of answers."""
        return _blank_models_file()

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        self.calls += 1
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for term in terms(text) or ["\0"]:
                out[row, int(hashlib.md5(term.encode()).hexdigest(), 16) % self.dim] += 1.0
        out /= np.linalg.norm(out, axis=1, keepdims=True)
        return out
