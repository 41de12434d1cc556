"""A small logistic model over named features: fitted offline, stored as JSON, applied in numpy.

Both the passage ranker and the abstention check are one of these; their weights come
from labelled questions (fitted with the reader: index/reader/fitting.py), not from hand-set thresholds.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

ITERATIONS = 4000
LEARNING_RATE = 0.1


@dataclass(frozen=True)
class LinearModel:
    features: tuple[str, ...]
    weights: tuple[float, ...]
    bias: float
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    threshold: float = 0.0  # decision threshold on `score`, where the model makes a decision

    def score(self, x: np.ndarray) -> np.ndarray:
        """Log-odds for each row of x (columns in `features` order)."""
        z = (np.asarray(x, dtype=np.float64) - np.asarray(self.mean)) / np.asarray(self.scale)
        result: np.ndarray = z @ np.asarray(self.weights) + self.bias
        return result

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["features"] = list(self.features)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> LinearModel:
        return cls(
            features=tuple(data["features"]), weights=tuple(data["weights"]), bias=float(data["bias"]),
            mean=tuple(data["mean"]), scale=tuple(data["scale"]), threshold=float(data.get("threshold", 0.0)),
        )  # fmt: skip


def fit_logistic(x: np.ndarray, y: np.ndarray, features: tuple[str, ...], l2: float = 1.0) -> LinearModel:
    """L2-regularised logistic regression with classes weighted to equal total weight."""
    mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-9
    z = (x - mean) / scale
    w, b = np.zeros(z.shape[1]), 0.0
    positive = float(y.mean())
    sample_weight = np.where(y > 0, 0.5 / positive, 0.5 / (1 - positive))
    for _ in range(ITERATIONS):
        p = 1.0 / (1.0 + np.exp(-(z @ w + b)))
        grad = (p - y) * sample_weight
        w -= LEARNING_RATE * (z.T @ grad / len(y) + l2 * w / len(y))
        b -= LEARNING_RATE * float(grad.mean())
    return LinearModel(features, tuple(map(float, w)), float(b), tuple(map(float, mean)), tuple(map(float, scale)))


def fit_listwise(
    groups: list[tuple[np.ndarray, np.ndarray]], features: tuple[str, ...], l2: float = 1.0
) -> LinearModel:
    """A ranker fitted per question: softmax over each question's candidates, the right ones as the target.

    Unlike a logistic model over all (question, passage) pairs, it learns only what lifts the right passage
    above the others of the same question, which is what the first place needs.
    """
    x = np.vstack([g[0] for g in groups])
    mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-9
    zs = [((g[0] - mean) / scale, g[1] > 0) for g in groups if g[1].sum() > 0]
    w = np.zeros(x.shape[1])
    for _ in range(ITERATIONS):
        grad = np.zeros_like(w)
        for z, right in zs:
            s = z @ w
            p = np.exp(s - s.max())
            p /= p.sum()
            # the likelihood that one of the right passages comes first: its gradient moves p toward them
            target = np.where(right, p, 0.0) / p[right].sum()
            grad += z.T @ (p - target)
        w -= LEARNING_RATE * (grad / len(zs) + l2 * w / len(zs))
    return LinearModel(features, tuple(map(float, w)), 0.0, tuple(map(float, mean)), tuple(map(float, scale)))


def calibrated(model: LinearModel, x: np.ndarray, y: np.ndarray) -> LinearModel:
    """The same ranking, its scores put back on the log-odds scale of `fit_logistic` (a one-feature fit on them)."""
    platt = fit_logistic(model.score(x).reshape(-1, 1), y, ("score",), l2=0.0)
    a = platt.weights[0] / platt.scale[0]
    b = platt.bias - a * platt.mean[0]
    return LinearModel(
        model.features, tuple(a * w for w in model.weights), a * model.bias + b, model.mean, model.scale,
        model.threshold,
    )  # fmt: skip
