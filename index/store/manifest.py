"""A store's manifest: what it was built from (content, model, reader, the texts embedded), the sha256 of
each of its files, and its format; the files' names in its folder."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from index.errors import StoreInvalidError, StoreMissingError

FORMAT_VERSION = 3  # 3: the manifest names its reader
VECTORS_FILE = "vectors.faiss"
UNITS_FILE = "units.faiss"
CHUNKS_FILE = "chunks.json"
MANIFEST_FILE = "manifest.json"
CURRENT_LINK = "current"


@dataclass(frozen=True)
class Manifest:
    format_version: int
    model_name: str
    weights_sha256: str
    dim: int
    chunk_count: int
    unit_count: int
    guide_count: int
    content_hash: str
    texts_sha256: str  # what was embedded: changes with the chunker or the embedding recipe
    index_sha256: str
    units_sha256: str
    chunks_sha256: str
    index_type: str
    build_time: str
    build_seconds: float
    reader_sha256: (
        str  # the reader (index/reader/folder.py) whose question encoder and models serve this index; "" none
    )

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Manifest:
        names = {f.name for f in dataclasses.fields(cls)}
        if set(data) != names:
            raise StoreInvalidError(f"manifest fields differ from this version's: {sorted(set(data) ^ names)}")
        return cls(**data)


def read_manifest(root: Path) -> Manifest:
    folder = root / CURRENT_LINK
    path = folder / MANIFEST_FILE
    if not path.is_file():
        raise StoreMissingError(f"no index at {root} (build it with `make index`)")
    try:
        return Manifest.from_json(json.loads(path.read_text("utf-8")))
    except (ValueError, TypeError) as exc:
        raise StoreInvalidError(f"index manifest {path} is unreadable ({exc.__class__.__name__})") from exc
