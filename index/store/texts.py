"""What a store embeds, in order: each passage as the retrievers see it, then each of its answer units with its
lead-in and heading; and the hash of those texts that its manifest keeps, which changes with the chunker
or the embedding recipe (a store built by another version of the pipeline is rebuilt, not served)."""

from __future__ import annotations

import hashlib

from index.guides.answer_units import answer_units, unit_embed_text
from index.guides.chunks import Chunk


def unit_texts(chunks: list[Chunk]) -> list[str]:
    return [unit_embed_text(u) for i, c in enumerate(chunks) for u in answer_units(c, i)]


def embedding_texts(chunks: list[Chunk]) -> list[str]:
    """Everything the index embeds, in order: the passages, then their sentences."""
    return [c.embed_text for c in chunks] + unit_texts(chunks)


def texts_hash(texts: list[str]) -> str:
    return hashlib.sha256("\0".join(texts).encode()).hexdigest()
