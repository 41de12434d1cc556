"""Hybrid retrieval: words (BM25) and meaning (MiniLM) at passage and sentence level, ranked by a fitted model.

Each chunk gets a row of signals for the question; a linear model fitted on labelled
questions turns them into one score. Sentence-level signals let a single matching
list item ("Ask you to state that they are your #1 choice in writing") lift its passage.

For the guides the training questions are about, a second ranker adds what the nearest training asks say:
the passages that answered them (index/ranking/scope.py). It scores those guides' passages for an ask whose
best passage by the first ranker is in one of them; the other guides' passages keep the first ranker's
score (both are log-odds), and any other ask the first ranker's order, so a guide added without training
questions is not ranked below the guides that have them.
"""

from __future__ import annotations

import re
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import get_args

import bm25s
import numpy as np

from index.guides.answer_units import Unit, answer_units
from index.guides.chunks import Chunk
from index.query.vocabulary import terms
from index.ranking.actors import Actor, agreement, passage_actors, question_actor
from index.ranking.linear import LinearModel
from index.ranking.pairs import best_answer
from index.ranking.scope import ScopeModel
from index.store.vectors import VectorIndex
from index.text import share_found

RRF_K = 10
LEXICAL_WEIGHT = 0.25  # closeness: the share of the question's words a sentence holds, beside its cosine
_WORDS = re.compile(r"[a-z]+")
FEATURES = (
    "rank_dense_chunk", "rank_dense_unit", "rank_bm25_chunk", "rank_bm25_unit",
    "dense_chunk", "dense_unit", "bm25_chunk", "bm25_unit",
    "title_overlap", "template_asked", "template_not_asked", "faq", "actor_agrees",
)  # fmt: skip
SCOPED_FEATURES = (*FEATURES, "nearest_answers")
_DENSE_CHUNK, _DENSE_UNIT = FEATURES.index("dense_chunk"), FEATURES.index("dense_unit")
# Asking for an example or wording is what makes an email template the right answer.
_TEMPLATE_ASKED = re.compile(
    r"\b(examples?|samples?|templates?|draft|wording|word it|phrase it|format|subject( line)?"
    r"|exact (words|sentence|line)"
    r"|what (do|should|can|could|would|must) ([\w-]+ ){1,4}?(write|say|put|include|contain|look like)"
    r"|what ([\w-]+ ){1,6}?looks? like|(show|write|give|send) me (a|an|the|one|some)?\b"
    r"|how (do|should|can|could|would) i (write|word|phrase|start|end|open|close|sign off|email|tell|inform|update"
    r"|thank|reach out|reply|respond|follow up|express))\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Hit:
    chunk: Chunk
    position: int  # the chunk's index in the corpus
    score: float  # the ranker's log-odds
    dense: float  # cosine of question and passage
    dense_unit: float  # best cosine of question and one sentence of the passage


@dataclass(frozen=True)
class Signals:
    """Everything the ranker and the abstention check look at, for one question."""

    question_terms: frozenset[str]
    features: np.ndarray  # (chunks, FEATURES)
    unit_dense: np.ndarray  # cosine of the question with every answer unit
    reader_top: float  # the reader's head: its best log-odds that one of the nearest sentences answers (0 without)
    # the scope model's score that the ask is of a kind the guide answers (index/ranking/scope.py); None when
    # the best passage is in a guide the model was not fitted on, or there is no model
    scope: float | None
    # per chunk, the highest cosine of a covered training ask it answers (ScopeModel.nearest_answers); None
    # without a scope model
    nearest: np.ndarray | None
    scores: np.ndarray  # ranker score per chunk (the scoped ranker's where it ranks the ask)
    order: np.ndarray  # chunk positions, best first


class Retriever:
    """Ranks chunks for a question; built once from the loaded index, read-only after."""

    def __init__(
        self,
        chunks: list[Chunk],
        vectors: VectorIndex,
        unit_matrix: np.ndarray,
        ranker: LinearModel,
        reader_head: LinearModel | None = None,
        scope: ScopeModel | None = None,
        scoped_ranker: LinearModel | None = None,
    ) -> None:
        """`reader_head`: does a sentence answer a question, from their vectors (index/ranking/pairs.py);
        `scope`: is the question of a kind the guide answers, from its nearest written questions
        (index/ranking/scope.py); `scoped_ranker`: the ranker on SCOPED_FEATURES, for the asks `scope` judges
        (read only with `scope`). ValueError when the parts do not fit together."""
        if len(chunks) != vectors.size:
            raise ValueError("chunks and vectors differ in number")
        self.chunks = chunks
        self.units: list[Unit] = [u for i, c in enumerate(chunks) for u in answer_units(c, i)]
        if len(self.units) != len(unit_matrix):
            raise ValueError("sentence vectors do not match the chunks' sentences")
        self.unit_matrix = unit_matrix
        self.unit_chunk = np.array([u.chunk_position for u in self.units], dtype=np.int64)
        self.use_rankers(ranker, scoped_ranker)
        self.reader_head = reader_head
        self.scope = scope
        self._answered = scope.answered([c.id for c in chunks]) if scope is not None else None
        self._scoped = np.array([scope is not None and c.guide in scope.guides for c in chunks], dtype=bool)
        self._vectors = vectors
        self.chunk_terms = [frozenset(terms(c.embed_text)) for c in chunks]
        self.unit_terms = [frozenset(terms(u.text)) for u in self.units]
        self._title_terms = [frozenset(terms(c.section_title)) for c in chunks]
        self.vocabulary = frozenset().union(*self.chunk_terms)
        self.words = frozenset(w for c in chunks for w in _WORDS.findall(c.embed_text.lower()))
        self._is_template = np.array([c.kind == "template" for c in chunks], dtype=np.float64)
        self._is_faq = np.array([c.kind == "faq" for c in chunks], dtype=np.float64)
        bound = [passage_actors(c) for c in chunks]
        # per passage, how its lists agree with a question about each actor: computed once, not per question
        self._actor_agreement = {a: np.array([agreement(a, b) for b in bound]) for a in get_args(Actor)}
        sections: dict[tuple[str, str], list[int]] = {}
        for i, c in enumerate(chunks):
            sections.setdefault((c.guide, c.anchor), []).append(i)
        self._section_of = [tuple(sections[(c.guide, c.anchor)]) for c in chunks]
        self._bm25_chunks = _bm25([terms(c.embed_text) for c in chunks])
        self._bm25_units = _bm25([terms(u.text) for u in self.units])

    def use_rankers(self, ranker: LinearModel, scoped_ranker: LinearModel | None) -> None:
        """Rank with `ranker` (on FEATURES) and `scoped_ranker` (on SCOPED_FEATURES): set once when loaded, and
        per fold while fitting (index/reader/fitting.py). ValueError when either was fitted on other features."""
        if ranker.features != FEATURES or (scoped_ranker is not None and scoped_ranker.features != SCOPED_FEATURES):
            raise ValueError("the ranking model was fitted on other features: refit it (make index)")
        self.ranker, self.scoped_ranker = ranker, scoped_ranker

    def passage_matrix(self) -> np.ndarray:
        """Every passage's vector, in corpus order (shape (passages, dim))."""
        return self._vectors.matrix()

    def section_positions(self, position: int) -> tuple[int, ...]:
        """The positions of every passage of the section that the passage at `position` belongs to."""
        return self._section_of[position]

    def signals(self, question: str, query_vector: np.ndarray) -> Signals:
        n = len(self.chunks)
        dense_scores, dense_ids = self._vectors.search(query_vector.reshape(1, -1), n)
        dense = np.zeros(n)
        dense[dense_ids[0]] = dense_scores[0]
        unit_dense = self.unit_matrix @ query_vector
        dense_unit = self._max_per_chunk(unit_dense, fill=-1.0)
        q_terms = terms(question)
        q_set = frozenset(q_terms)
        bm25_chunk = np.asarray(self._bm25_chunks.get_scores(q_terms), float) if q_terms else np.zeros(n)
        bm25_unit_all = (
            np.asarray(self._bm25_units.get_scores(q_terms), float) if q_terms else np.zeros(len(self.units))
        )
        bm25_unit = self._max_per_chunk(bm25_unit_all, fill=0.0)
        wording = 1.0 if wants_template(question) else 0.0
        title = np.array([share_found(q_set, t) for t in self._title_terms])
        asked = question_actor(question)
        actor = self._actor_agreement[asked] if asked else np.zeros(n)
        features = np.stack(
            [
                _rank_weight(dense), _rank_weight(dense_unit), _rank_weight(bm25_chunk), _rank_weight(bm25_unit),
                dense, dense_unit, _share_of_best(bm25_chunk), _share_of_best(bm25_unit),
                title, self._is_template * wording, self._is_template * (1 - wording), self._is_faq, actor,
            ],
            axis=1,
        )  # fmt: skip
        scores = self.ranker.score(features)
        head = self.reader_head
        reader_top = best_answer(head, query_vector, self.unit_matrix, unit_dense) if head is not None else 0.0
        order = np.argsort(-scores, kind="stable")
        scope = nearest = None
        if self.scope is not None and self._answered is not None:
            nearest = self.scope.nearest_answers(query_vector, self._answered)
            if self.chunks[int(order[0])].guide in self.scope.guides:
                scope = float(self.scope.score(query_vector.reshape(1, -1))[0])
                if self.scoped_ranker is not None:
                    scoped = self.scoped_ranker.score(np.hstack([features, nearest[:, None]]))
                    scores = np.where(self._scoped, scoped, scores)
                    order = np.argsort(-scores, kind="stable")
        return Signals(q_set, features, unit_dense, reader_top, scope, nearest, scores, order)

    def search(self, question: str, query_vector: np.ndarray, k: int) -> tuple[list[Hit], Signals]:
        """The k best chunks for `question`, whose embedding is `query_vector` (shape (dim,))."""
        signals = self.signals(question, query_vector)
        return [self.hit(int(i), signals) for i in signals.order[:k]], signals

    def hit(self, position: int, signals: Signals) -> Hit:
        """The passage at `position` as scored for the question `signals` were taken for."""
        return Hit(
            self.chunks[position], position, float(signals.scores[position]),
            float(signals.features[position, _DENSE_CHUNK]), float(signals.features[position, _DENSE_UNIT]),
        )  # fmt: skip

    def _max_per_chunk(self, unit_values: np.ndarray, fill: float) -> np.ndarray:
        out = np.full(len(self.chunks), fill)
        np.maximum.at(out, self.unit_chunk, unit_values)
        return out


def closeness(cosine: float, question_terms: AbstractSet[str], unit_terms: AbstractSet[str]) -> float:
    """How well one sentence answers a question: its meaning, plus a share of the question's words."""
    return cosine + LEXICAL_WEIGHT * share_found(question_terms, unit_terms)


def wants_template(question: str) -> bool:
    """Whether the question asks for an example or the wording of an email, which a template answers."""
    return _TEMPLATE_ASKED.search(question) is not None


def _bm25(corpus: list[list[str]]) -> bm25s.BM25:
    index = bm25s.BM25()
    index.index([tokens or ["\0"] for tokens in corpus], show_progress=False)
    return index


def _rank_weight(scores: np.ndarray) -> np.ndarray:
    """Reciprocal rank, scaled so the first place is 1: (k + 1) / (k + rank); ties share the best rank."""
    descending = -np.sort(-scores)
    ranks = np.searchsorted(-descending, -scores, side="left") + 1
    result: np.ndarray = (RRF_K + 1) / (RRF_K + ranks)
    return result


def _share_of_best(scores: np.ndarray) -> np.ndarray:
    best = float(scores.max()) if len(scores) else 0.0
    return scores / best if best > 0 else np.zeros_like(scores)
