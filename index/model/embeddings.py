"""Sentence embeddings from the bundled all-MiniLM-L6-v2, verified before use."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

from index.errors import ModelError
from index.model.export import INPUTS, OUTPUT, Precision, ensure_export
from index.model.files import (
    DEFAULT_EXPORT_DIR,
    MODEL_NAME,
    WEIGHTS_SHA256,
    bundled_model_dir,
    max_seq_length,
    verify_weights,
)


class Embedder(Protocol):
    name: str
    weights_sha256: str
    dim: int

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """float32 array of shape (len(texts), dim), each row L2-normalised."""
        ...


class MiniLMEmbedder:
    """all-MiniLM-L6-v2 in ONNX Runtime on the CPU: the serving encoder (see index/model/export.py).

    Texts are tokenised as sentence-transformers does (stripped, truncated at the model's
    max_seq_length) and pooled the same way; its vectors match the reference encoder's to about 1e-7.
    A batch is split into runs of similar length, since every padded token costs what a real one does.
    `precision="int8"` runs the quantized graph instead (see index/model/export.py): for questions, not indexes.
    It quantizes each run's activations with one scale for the whole run, so a text's vector would depend on the
    texts run beside it (asked alone or among 8 others, 109 of 253 eval replies differed and 2 flipped between
    answered and refused); it runs each text on its own, and a question gets one answer whoever else is asking.
    """

    name = MODEL_NAME
    weights_sha256 = WEIGHTS_SHA256  # the model whose vector space it encodes into (the index's)
    reader_sha256 = ""  # for the question encoder fine-tuned from it: the reader's record (index/reader/folder.py)
    models_file: Path | None = None  # models.json: the rankers, checks, head and scope model fitted to this encoder

    def __init__(
        self,
        model_dir: Path | None = None,
        cache_dir: Path | None = None,
        threads: int = 1,
        precision: Precision = "fp32",
        tuned: tuple[str, str] | None = None,
    ) -> None:
        """`tuned`: (weights sha256, reader record sha256) of a fine-tuned copy of the model in `model_dir`."""
        import onnxruntime
        from tokenizers import Tokenizer

        model_dir = model_dir or bundled_model_dir()
        own_weights = tuned[0] if tuned else WEIGHTS_SHA256
        verify_weights(model_dir, own_weights)
        if tuned:
            self.reader_sha256 = tuned[1]
        self.precision = precision
        onnx_path = ensure_export(model_dir, cache_dir or DEFAULT_EXPORT_DIR, precision, own_weights)
        self._tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self._tokenizer.no_padding()
        self._tokenizer.enable_truncation(max_seq_length(model_dir))
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads  # 0: one per core
        options.inter_op_num_threads = 1
        # Threads that spin between runs would take the core the event loop needs.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.log_severity_level = 3
        try:
            self._session = onnxruntime.InferenceSession(str(onnx_path), options, providers=["CPUExecutionProvider"])
        except Exception as exc:  # onnxruntime raises its own untyped errors on a bad graph
            raise ModelError(f"could not load the ONNX model at {onnx_path}: {exc}") from exc
        self.dim = int(self.encode(["warm-up"]).shape[1])  # the first run pays kernel set-up

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        encodings = self._tokenizer.encode_batch([t.strip() for t in texts])
        lengths = [len(e.ids) for e in encodings]
        out: np.ndarray | None = None
        runs = [[i] for i in range(len(texts))] if self.precision == "int8" else length_runs(lengths)
        for run in runs:
            width = max(lengths[i] for i in run)
            ids = np.zeros((len(run), width), dtype=np.int64)
            mask = np.zeros((len(run), width), dtype=np.int64)
            for row, i in enumerate(run):
                ids[row, : lengths[i]] = encodings[i].ids
                mask[row, : lengths[i]] = 1
            feeds = dict(zip(INPUTS, (ids, mask, np.zeros_like(ids)), strict=True))
            hidden = self._session.run([OUTPUT], feeds)[0]
            vectors = mean_pooled(hidden, mask)
            if out is None:
                out = np.empty((len(texts), vectors.shape[1]), dtype=np.float32)
            out[run] = vectors
        return out if out is not None else np.empty((0, getattr(self, "dim", 0)), dtype=np.float32)


# A model run's fixed cost, in tokens' worth of compute. Measured on one core: int8 0.78 ms a run and
# 0.093 ms a token (8.3 tokens), fp32 1.44 ms and 0.22 ms (6.5 tokens).
RUN_COST_TOKENS = 8


def length_runs(lengths: Sequence[int], run_cost: int = RUN_COST_TOKENS) -> list[list[int]]:
    """Indices grouped into runs of similar token length, at the least total cost of padded tokens plus runs.

    Sorted by length, the best split into contiguous runs is found exactly (n is a batch, at most a few dozen).
    """
    order = sorted(range(len(lengths)), key=lengths.__getitem__)
    n = len(order)
    best = [0] + [10**12] * n  # best[j]: least cost of the first j texts in length order
    cut = [0] * (n + 1)
    for j in range(1, n + 1):
        width = lengths[order[j - 1]]
        for i in range(j):
            cost = best[i] + run_cost + (j - i) * width
            if cost < best[j]:
                best[j], cut[j] = cost, i
    runs: list[list[int]] = []
    j = n
    while j > 0:
        runs.append(order[cut[j] : j])
        j = cut[j]
    return runs[::-1]


def mean_pooled(hidden: np.ndarray, attention_mask: np.ndarray) -> np.ndarray:
    """Sentence vectors as sentence-transformers makes them: the mean over real tokens, L2-normalised."""
    mask = attention_mask[..., None].astype(np.float32)
    summed = (hidden * mask).sum(axis=1) / np.maximum(mask.sum(axis=1), 1e-9)
    norms = np.maximum(np.linalg.norm(summed, axis=1, keepdims=True), 1e-12)
    pooled: np.ndarray = (summed / norms).astype(np.float32)
    return pooled


class SentenceTransformerEmbedder:
    """The reference: the same weights in sentence-transformers on torch (the ONNX graph is exported from it)."""

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

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        vectors = self._model.encode(
            list(texts), batch_size=32, convert_to_numpy=True, normalize_embeddings=True, show_progress_bar=False
        )
        return np.asarray(vectors, dtype=np.float32)
