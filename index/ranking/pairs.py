"""The reader's head: does this sentence answer this question? Read from the pair of their vectors.

A bi-encoder's cosine says a sentence is about what the question is about; near-miss questions (a
minimum score, a named program's policy, a fee) are about the guide's topics too. The head is
Sentence-BERT's classification head over a pair (Reimers & Gurevych 2019, section 3: (u ⊙ v, |u − v|),
here with their cosine), as a logistic model fitted on the written questions: each covered ask with
the sentences that answer it and its nearest sentences that do not, each not-covered ask with its
nearest sentences. It reads a pair, not a guide, so it carries over to guides it was not fitted on.
At serving it scores the question's TOP_SENTENCES nearest sentences: a few thousand multiply-adds.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from index.ranking.linear import LinearModel, fit_logistic

TOP_SENTENCES = 10  # the nearest sentences the head reads for each question


def pair_features(question: np.ndarray, sentences: np.ndarray) -> np.ndarray:
    """(u ⊙ v, |u − v|, u · v) for a question vector u (dim,) and sentence vectors v (k, dim): shape (k, 2 dim + 1)."""
    return np.hstack([sentences * question, np.abs(sentences - question), (sentences @ question)[:, None]])


def feature_names(dim: int) -> tuple[str, ...]:
    return (*(f"product_{i}" for i in range(dim)), *(f"distance_{i}" for i in range(dim)), "cosine")


def best_answer(head: LinearModel, question: np.ndarray, sentences: np.ndarray, cosines: np.ndarray) -> float:
    """The head's highest log-odds, over the question's TOP_SENTENCES nearest sentences, that one answers it."""
    nearest = np.argpartition(-cosines, min(TOP_SENTENCES, len(cosines) - 1))[:TOP_SENTENCES]
    return float(head.score(pair_features(question, sentences[nearest])).max())


def fit_head(questions: np.ndarray, answers: Sequence[Sequence[int]], sentences: np.ndarray) -> LinearModel:
    """The head fitted on questions (n, dim) and, for each, the sentences that answer it ([] when none do),
    against its TOP_SENTENCES nearest sentences and those that answer it."""
    xs, ys = [], []
    for question, right in zip(questions, answers, strict=True):
        cosines = sentences @ question
        nearest = np.argsort(-cosines)[:TOP_SENTENCES]
        chosen = list(dict.fromkeys([*right, *nearest.tolist()]))
        xs.append(pair_features(question, sentences[chosen]))
        ys.append(np.isin(chosen, list(right)).astype(np.float64))
    return fit_logistic(np.vstack(xs), np.concatenate(ys), feature_names(sentences.shape[1]))
