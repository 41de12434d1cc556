"""The sha256 of a file: what every artefact's record names and every load checks (model weights, ONNX graphs,
the vector store's files, the reader's)."""

from __future__ import annotations

import hashlib
from pathlib import Path


def file_sha256(path: Path) -> str:
    """Hex sha256 of the file at `path`, read in 1 MiB blocks; OSError when it cannot be read."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
