"""The Advisor: a loaded index and model that turn a question into an Answer."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from index.abstention import CoverageCheck, Verdict
from index.answer import Answer, cite, compose, not_covered_reply, rank_units
from index.build import embedding_texts, texts_hash
from index.content import Guide, content_hash, load_guides
from index.embeddings import Embedder
from index.errors import IndexInvalidError
from index.followup import Turn, read_with_history
from index.linear import LinearModel, load_models
from index.model_files import english_words
from index.retrieval import Hit, Retriever
from index.spelling import SpellingRepair
from index.store import Manifest, load_index
from index.text import matching
from index.vocabulary import expand_for_embedding

Reading = tuple[str, np.ndarray]  # a question as read with its history, and its embedding
ANSWER_CHUNKS = 3  # the answer's sentences come from the first few citations
NEAREST_SECTIONS = 3
NEAREST_MIN_SIMILARITY = 0.3  # a refusal names only sections with a sentence at least this close in meaning


class Advisor:
    def __init__(
        self, guides: list[Guide], manifest: Manifest, retriever: Retriever, coverage: CoverageCheck, embedder: Embedder
    ) -> None:
        self.guides = {g.slug: g for g in guides}
        self.manifest = manifest
        self.retriever = retriever
        self.coverage = coverage
        self.embedder = embedder
        self.repair = matching(SpellingRepair(retriever.words, english_words()))  # normalised, without URLs

    @classmethod
    def load(
        cls, content_dir: Path, index_root: Path, embedder: Embedder, models: dict[str, LinearModel] | None = None
    ) -> Advisor:
        guides = load_guides(content_dir)
        stored = load_index(
            index_root, model_name=embedder.name, weights_sha256=embedder.weights_sha256,
            content_hash=content_hash(guides),
        )  # fmt: skip
        if texts_hash(embedding_texts(stored.chunks)) != stored.manifest.texts_sha256:
            raise IndexInvalidError("index was built by another version of the pipeline: rebuild it (make index)")
        models = models or load_models()
        retriever = Retriever(stored.chunks, stored.vectors, stored.unit_vectors.matrix(), models["ranker"])
        return cls(guides, stored.manifest, retriever, CoverageCheck(retriever, models["abstention"]), embedder)

    @property
    def content_version(self) -> str:
        return self.manifest.content_hash[:16]

    def embedding_text(self, question: str) -> str:
        """What the model encodes for `question` (a batcher encodes this text, many at once)."""
        return expand_for_embedding(self.repair(question))

    def embed_question(self, question: str) -> np.ndarray:
        vector: np.ndarray = self.embedder.encode([self.embedding_text(question)])[0]
        return vector

    def ask(
        self, question: str, top_k: int = 3, base_url: str = "http://127.0.0.1:8000", history: list[Turn] | None = None
    ) -> Answer:
        reading = self.reading(question, history or [])
        context = (reading, self.embed_question(reading)) if reading else None
        return self.answer(question, self.embed_question(question), top_k, base_url, context)

    def reading(self, question: str, history: list[Turn]) -> str | None:
        """For a follow-up, the question read with the applicant's previous one; None for a self-contained one."""
        return read_with_history(question, history)

    def answer(
        self, question: str, query_vector: np.ndarray, top_k: int, base_url: str, context: Reading | None = None
    ) -> Answer:
        """`context`, for a follow-up: the question read with the previous one, and its embedding.

        The context chooses the passages; the question itself chooses the sentences quoted from them.
        """
        hits, verdict = self.retrieve(question, query_vector, top_k)
        if context is not None:
            in_context = self.retrieve(context[0], context[1], top_k)
            if in_context[1].covered or not verdict.covered:
                hits, verdict = in_context
        if not verdict.covered:
            close = [h for h in hits if h.dense_unit >= NEAREST_MIN_SIMILARITY]
            nearest = list(dict.fromkeys(h.chunk.section_title for h in close))[:NEAREST_SECTIONS]
            return Answer(question, False, not_covered_reply(nearest), [], self.content_version, nearest)
        shown = hits[:top_k]
        ranked = rank_units(self.repair(question), query_vector, shown[:ANSWER_CHUNKS], self.retriever)
        return Answer(question, True, compose(ranked), cite(shown, self.guides, base_url), self.content_version)

    def retrieve(self, question: str, query_vector: np.ndarray, top_k: int) -> tuple[list[Hit], Verdict]:
        """The best passages and the verdict on whether they cover the question."""
        repaired = self.repair(question)
        hits, signals = self.retriever.search(repaired, query_vector, max(top_k, NEAREST_SECTIONS))
        return hits, self.coverage.judge(repaired, signals)
