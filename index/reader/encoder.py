"""The one place the question encoder is built: the service, the scripts and the tests all ask with it."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from index.model.embeddings import MiniLMEmbedder
from index.model.export import Precision
from index.reader.folder import load_reader


class EncoderSettings(Protocol):
    """What building the encoder reads from the service's settings (api/settings.py, ADVISOR_MODEL_*)."""

    @property
    def model_cache_dir(self) -> Path: ...

    @property
    def model_threads(self) -> int: ...

    @property
    def model_precision(self) -> Precision: ...


def question_encoder(settings: EncoderSettings) -> MiniLMEmbedder:
    """The reader `make index` made, as a question encoder: its ONNX graph of `settings.model_precision` on
    `settings.model_threads` threads (0: one per core), its fitted models beside it. ModelError when there is
    no reader in `settings.model_cache_dir` or it fails its checks."""
    return load_reader(settings.model_cache_dir, settings.model_threads, settings.model_precision)
