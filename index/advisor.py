"""The Advisor: a loaded index and model that turn a question into an Answer."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index.answer import Answer, Evidence, cite, compose, not_covered_reply, rank_units
from index.content import Guide, content_hash, load_guides
from index.embeddings import Embedder
from index.retrieval import Hit, Retriever
from index.sentences import answer_units
from index.store import Manifest, load_index
from index.vocabulary import expand_for_embedding, terms

EVIDENCE_CHUNKS = 3


@dataclass(frozen=True)
class Thresholds:
    """An answer needs all of these; fitted on labelled covered / not-covered questions."""

    dense: float = 0.30
    unit: float = 0.35
    coverage: float = 0.34
    nearest: float = 0.2  # sections closer than this are named in a refusal


class Advisor:
    def __init__(
        self,
        guides: list[Guide],
        manifest: Manifest,
        retriever: Retriever,
        unit_matrix: np.ndarray,
        embedder: Embedder,
        thresholds: Thresholds | None = None,
    ) -> None:
        self.guides = {g.slug: g for g in guides}
        self.manifest = manifest
        self.retriever = retriever
        self.embedder = embedder
        self.thresholds = thresholds or Thresholds()
        self.units = [u for i, c in enumerate(retriever.chunks) for u in answer_units(c, i)]
        if len(self.units) != len(unit_matrix):
            raise ValueError("sentence vectors do not match the chunks' sentences")
        self.unit_matrix = unit_matrix
        self.units_of_chunk: dict[int, list[int]] = defaultdict(list)
        for i, unit in enumerate(self.units):
            self.units_of_chunk[unit.chunk_position].append(i)

    @classmethod
    def load(cls, content_dir: Path, index_root: Path, embedder: Embedder) -> Advisor:
        guides = load_guides(content_dir)
        stored = load_index(
            index_root,
            model_name=embedder.name,
            weights_sha256=embedder.weights_sha256,
            content_hash=content_hash(guides),
        )
        return cls(
            guides, stored.manifest, Retriever(stored.chunks, stored.vectors), stored.unit_vectors.matrix(), embedder
        )

    @property
    def content_version(self) -> str:
        return self.manifest.content_hash[:16]

    def embed_question(self, question: str) -> np.ndarray:
        vector: np.ndarray = self.embedder.encode([expand_for_embedding(question)])[0]
        return vector

    def ask(self, question: str, top_k: int = 3, base_url: str = "http://127.0.0.1:8000") -> Answer:
        return self.answer(question, self.embed_question(question), top_k, base_url)

    def answer(self, question: str, query_vector: np.ndarray, top_k: int, base_url: str) -> Answer:
        hits = self.retriever.search(question, query_vector, max(top_k, EVIDENCE_CHUNKS))
        evidence_hits = hits[:EVIDENCE_CHUNKS]
        ranked = rank_units(question, query_vector, evidence_hits, self.units, self.unit_matrix, self.units_of_chunk)
        evidence = self.evidence(question, hits, ranked[0][0] if ranked else 0.0)
        if not self.covers(evidence):
            nearest = list(dict.fromkeys(h.chunk.section_title for h in hits if h.dense >= self.thresholds.nearest))
            return Answer(question, False, not_covered_reply(nearest[:3]), [], self.content_version, nearest[:3])
        shown = hits[:top_k]
        text = compose([r for r in ranked if r[1] <= top_k])
        return Answer(question, True, text, cite(shown, self.guides, base_url), self.content_version)

    def evidence(self, question: str, hits: list[Hit], best_unit: float) -> Evidence:
        q_terms = set(terms(question))
        cited = {t for h in hits[:EVIDENCE_CHUNKS] for t in self.retriever.chunk_terms(h.position)}

        def share(found: set[str] | frozenset[str]) -> float:
            return len(q_terms & found) / len(q_terms) if q_terms else 0.0

        return Evidence(
            dense=max((h.dense for h in hits), default=0.0),
            unit=best_unit,
            coverage=share(cited),
            known=share(self.retriever.vocabulary),
        )

    def covers(self, evidence: Evidence) -> bool:
        t = self.thresholds
        return evidence.dense >= t.dense and evidence.unit >= t.unit and evidence.coverage >= t.coverage
