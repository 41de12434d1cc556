"""The Advisor: a loaded vector store and question encoder that turn an applicant's message into an Answer.

One flow serves the HTTP service, the command line, the eval and the tests: `read` the message
(its asks, and the earlier turn when it is a follow-up), encode `embedding_texts(reading)` (the
service batches them with other requests' texts), then `answer(reading, vectors, ...)`. `ask` does
all three in-process.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index.answer.compose import (
    ANSWER_PASSAGES,
    TEMPLATE_ADVICE_PASSAGES,
    SectionCitations,
    group,
    paragraph_start,
    rank_units,
    select,
    template_block,
    template_spans,
)
from index.answer.reply import Answer, AnswerBlock, cite, refusal, render
from index.errors import ModelError
from index.guides.answer_units import Unit
from index.guides.chunks import Chunk
from index.guides.content import Guide, content_hash, load_guides
from index.guides.suggestions import faq_questions, section_title
from index.model.embeddings import Embedder
from index.model.files import english_words
from index.query.reading import Reading, Turn, read
from index.query.spelling import SpellingRepair
from index.query.vocabulary import expand_for_embedding, terms
from index.ranking.abstention import CoverageCheck, Verdict
from index.ranking.linear import LinearModel
from index.ranking.models import load_models
from index.ranking.retrieval import Hit, Retriever, Signals, wants_template
from index.ranking.scope import ScopeModel
from index.store.folder import load_store
from index.store.manifest import Manifest
from index.text import matching, question_text

NEAREST_SECTIONS = 3
NEAREST_MIN_SIMILARITY = 0.3  # a refusal names only sections with a sentence at least this close in meaning
PASSAGE_DEPTH = 50  # passages an ask's answer, template and citations are chosen from (a guide has about 45)
TEMPLATE_DEPTH = 10  # a template asked for is quoted only if one ranks this high for the ask
REFUSAL_QUESTIONS = 4  # with nothing close, a refusal offers this many of the guides' FAQ questions


@dataclass(frozen=True)
class _Part:
    """One ask of a message, retrieved and judged."""

    ask: str
    hits: list[Hit]  # the PASSAGE_DEPTH best passages, best first
    signals: Signals  # how every passage scored for it
    verdict: Verdict


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
        self._templates = {g.slug: template_spans(g) for g in guides}

    @classmethod
    def load(
        cls,
        content_dir: Path,
        store_root: Path,
        embedder: Embedder,
        models: dict[str, LinearModel] | None = None,
        scope: ScopeModel | None = None,
    ) -> Advisor:
        """The Advisor over the vector store at `store_root` for the guides in `content_dir`, asking with `embedder`.

        `models` (the ranker, the abstention check and, optionally, the reader's head, the ranker and the
        abstention check that read the scope model) and `scope` (the scope model, optional) default to those
        saved with the reader the embedder comes from (index/reader/folder.py); ModelError when it has none.
        `scope` is read only with `models`."""
        guides = load_guides(content_dir)
        stored = load_store(
            store_root, model_name=embedder.name, weights_sha256=embedder.weights_sha256,
            content_hash=content_hash(guides), reader_sha256=getattr(embedder, "reader_sha256", ""),
        )  # fmt: skip
        if models is None:
            models_file = getattr(embedder, "models_file", None)
            if models_file is None:
                raise ModelError("the question encoder comes with no fitted models: load the reader (make index)")
            models, scope = load_models(models_file)
        matrix = stored.unit_vectors.matrix()
        retriever = Retriever(
            stored.chunks, stored.vectors, matrix, models["ranker"], models.get("reader"), scope,
            models.get("ranker_scoped"),
        )  # fmt: skip
        coverage = CoverageCheck(
            retriever, models["abstention"], models.get("abstention_scoped"), models.get("abstention_message")
        )
        return cls(guides, stored.manifest, retriever, coverage, embedder)

    @property
    def content_version(self) -> str:
        return self.manifest.content_hash[:16]

    def read(self, question: str, history: list[Turn] | None = None) -> Reading:
        """The message's asks and situation, with the previous question when it is a follow-up; read as matched
        (normalised, without URLs: index.text.question_text), echoed as typed."""
        turns = [Turn(t.role, question_text(t.content)) for t in history or []]
        return dataclasses.replace(read(question_text(question), turns), question=question)

    def embedding_text(self, text: str) -> str:
        """What the model encodes for `text`: spelling repaired, abbreviations spelled out beside them."""
        return expand_for_embedding(self.repair(text))

    def embedding_texts(self, reading: Reading) -> list[str]:
        """What the model encodes for a reading: one text per ask, in order, then the whole message when it has
        several asks and the Advisor judges such messages whole (index/ranking/abstention.py)."""
        texts = [self.embedding_text(reading.retrieval_text(ask)) for ask in reading.asks]
        if self._judged_whole(reading):
            texts.append(self.embedding_text(reading.question))
        return texts

    def _judged_whole(self, reading: Reading) -> bool:
        return len(reading.asks) > 1 and self.coverage.message is not None

    def embed_question(self, question: str) -> np.ndarray:
        vector: np.ndarray = self.embedder.encode([self.embedding_text(question)])[0]
        return vector

    def ask(
        self, question: str, top_k: int = 3, base_url: str = "http://127.0.0.1:8000", history: list[Turn] | None = None
    ) -> Answer:
        reading = self.read(question, history)
        return self.answer(reading, self.embedder.encode(self.embedding_texts(reading)), top_k, base_url)

    def ask_many(self, questions: list[str], top_k: int = 3, base_url: str = "http://127.0.0.1:8000") -> list[Answer]:
        """Each question answered as `ask` answers it, their texts encoded in one call (what the service's batcher
        does for questions asked at the same time; the int8 graph runs each text on its own, so the answers are
        those `ask` gives)."""
        readings = [self.read(q) for q in questions]
        texts = [self.embedding_texts(r) for r in readings]
        vectors = self.embedder.encode([t for ts in texts for t in ts])
        answers, start = [], 0
        for reading, ts in zip(readings, texts, strict=True):
            answers.append(self.answer(reading, vectors[start : start + len(ts)], top_k, base_url))
            start += len(ts)
        return answers

    def retrieve(self, question: str, query_vector: np.ndarray, top_k: int) -> tuple[list[Hit], Verdict]:
        """The best passages and the verdict on whether they cover the question."""
        repaired = self.repair(question)
        hits, signals = self.retriever.search(repaired, query_vector, max(top_k, NEAREST_SECTIONS))
        return hits, self.coverage.judge(repaired, signals)

    def answer(self, reading: Reading, vectors: np.ndarray, top_k: int, base_url: str) -> Answer:
        """The reply to `reading`, whose `embedding_texts` are encoded as `vectors` (shape (texts, dim)).

        Each ask is judged on its own: the covered ones are answered, each with its own citations; the
        others are named as not answered; a message none of whose asks is covered is refused, as is a
        message of several asks that the check of the whole message refuses.
        """
        if len(vectors) != len(reading.asks) + self._judged_whole(reading):
            raise ValueError("answer() takes one vector per text of embedding_texts(reading)")
        asked = vectors[: len(reading.asks)]
        parts = [self._part(reading, ask, vector) for ask, vector in zip(reading.asks, asked, strict=True)]
        covered = [(p, v) for p, v in zip(parts, asked, strict=True) if p.verdict.covered]
        best = max(p.verdict.margin for p in parts)
        if not covered or (self._judged_whole(reading) and self.refuses_message(reading.question, vectors[-1], best)):
            return self._refusal(reading.question, parts[0].hits)
        several = len(reading.asks) > 1
        cites = SectionCitations({slug: g.text for slug, g in self.guides.items()})
        blocks: list[AnswerBlock] = []
        for part, vector in covered:
            blocks.extend(self._compose(part, vector, cites, part.ask if several else None))
        # citations are numbered as the answer uses them; then the other best passages, ask by ask, up to top_k
        ranked = (part.hits[rank] for rank in range(min(len(p.hits) for p, _ in covered)) for part, _ in covered)
        while len(cites) < top_k and (hit := next(ranked, None)) is not None:
            cites.add_passage(hit)
        unanswered = [p.ask for p in parts if not p.verdict.covered]
        return Answer(
            reading.question, True, render(blocks, unanswered), cite(cites.cited(), self.guides, base_url),
            self.content_version, blocks=blocks, unanswered=unanswered,
        )  # fmt: skip

    def refuses_message(self, message: str, vector: np.ndarray, best_margin: float) -> bool:
        """Whether the check of the whole message refuses `message` (several asks), encoded as `vector` (dim,),
        whose best ask has `best_margin` (Verdict.margin)."""
        text = self.repair(message)
        return self.coverage.refuses_message(text, self.retriever.signals(text, vector), best_margin)

    def _part(self, reading: Reading, ask: str, vector: np.ndarray) -> _Part:
        text = self.repair(reading.retrieval_text(ask))
        hits, signals = self.retriever.search(text, vector, PASSAGE_DEPTH)
        # the ask alone is checked for an asked fact and unknown names: the backstory's numbers are not asked
        return _Part(ask, hits, signals, self.coverage.judge(text, signals, asked=self.repair(ask)))

    @staticmethod
    def _advice(part: _Part) -> list[Hit]:
        """The part's passages other than email templates, which are quoted only when asked for."""
        return [h for h in part.hits if h.chunk.kind != "template"]

    def _compose(self, part: _Part, vector: np.ndarray, cites: SectionCitations, ask: str | None) -> list[AnswerBlock]:
        template = self._template_for(part) if wants_template(part.ask) else None
        span = self.template_of(template.chunk) if template is not None else None
        new_template = template is not None and span is not None and not cites.has_template(template, span)
        usable = self._advice(part)[: TEMPLATE_ADVICE_PASSAGES if new_template else ANSWER_PASSAGES]
        ranked = rank_units(self.repair(part.ask), vector, usable, self.retriever)
        shown = cites.quoted_leads()
        # a template's lines are quoted only as the whole template; what an earlier ask quoted (a sentence, a list's
        # lead-in, a template) is not quoted again
        units = select(
            [
                r
                for r in ranked
                if not self._in_template(r.unit) and r.unit not in cites.quoted and r.unit.leadin not in shown
            ]
        )
        # a sentence can come from a passage below PASSAGE_DEPTH: a section is read whole (compose.rank_units)
        hit = self.retriever.hit
        quoted = [(u, n) for u in units if (n := cites.add_unit(hit(u.chunk_position, part.signals), u)) is not None]
        blocks = group(quoted, self._paragraph, ask)
        # a template an earlier ask quoted is quoted again only when this ask would otherwise have nothing
        if template is not None and span is not None and (cites.add_template(template, span) or not blocks):
            text = self.guides[template.chunk.guide].text[span[0] : span[1]]
            blocks.append(template_block(template.chunk, text, cites.add_passage(template), ask))
        return blocks

    def _template_for(self, part: _Part) -> Hit | None:
        """The template an ask wants: of the templates ranked high for it, the one whose heading shares most of
        the ask's words ("letter of interest"), the better ranked on a tie."""
        asked = set(terms(self.repair(part.ask)))
        ranked = [h for h in part.hits[:TEMPLATE_DEPTH] if h.chunk.kind == "template"]
        return max(ranked, key=lambda h: len(asked & set(terms(h.chunk.section[-1]))), default=None)

    def template_of(self, chunk: Chunk) -> tuple[int, int] | None:
        """Offsets of the whole email template a passage holds part of (the fenced block it overlaps); None when
        it holds none."""
        return next(((s, e) for s, e in self._templates[chunk.guide] if s < chunk.end and chunk.start < e), None)

    def _in_template(self, unit: Unit) -> bool:
        """Whether `unit` is a line of an email template (a fenced block of its guide)."""
        guide = self.retriever.chunks[unit.chunk_position].guide
        return any(start <= unit.start < end for start, end in self._templates[guide])

    def _paragraph(self, unit: Unit) -> int:
        return paragraph_start(self.guides[self.retriever.chunks[unit.chunk_position].guide].text, unit)

    def _refusal(self, question: str, hits: list[Hit]) -> Answer:
        close = [h for h in hits[:NEAREST_SECTIONS] if h.dense_unit >= NEAREST_MIN_SIMILARITY]
        nearest = list(dict.fromkeys(section_title(h.chunk.section_title) for h in close))
        others = [q for g in self.guides.values() for q in faq_questions(g)][:REFUSAL_QUESTIONS]
        return Answer(
            question, False, refusal(nearest, others), [], self.content_version, nearest,
            suggestions=nearest or others,
        )  # fmt: skip
