"""A small logistic model over named features: fitted offline, stored as JSON, applied in numpy.

Both the passage ranker and the abstention check are one of these; their weights come
from labelled questions (fitted with the reader: index/reader/fitting.py), not from hand-set thresholds.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

ITERATIONS = 4000  # of the listwise ranker's gradient descent
LEARNING_RATE = 0.1
MAX_ITERATIONS = 2000  # of L-BFGS for the logistic models (they converge in far fewer)


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
    """L2-regularised logistic regression with classes weighted to equal total weight, on standardised features.

    Minimises the mean weighted log-loss plus l2 / (2 n) |w|² with L-BFGS (scipy): the reader's head, on
    about 17,000 pairs of 769 features, took 280 s on two cores by plain gradient descent and takes a few
    seconds so; the small checks come out as before to within the descent's own stopping point."""
    from scipy.optimize import minimize  # build time only: the served models are applied in numpy
    from scipy.special import expit

    mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-9
    z = (x - mean) / scale
    positive = float(y.mean())
    sample_weight = np.where(y > 0, 0.5 / positive, 0.5 / (1 - positive)) / len(y)

    def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
        w, b = theta[:-1], theta[-1]
        s = z @ w + b
        # log(1 + e^s) - y s, written to stay finite for large |s|
        value = float(sample_weight @ (np.logaddexp(0.0, s) - y * s)) + l2 * float(w @ w) / (2 * len(y))
        residual = (expit(s) - y) * sample_weight
        return value, np.append(z.T @ residual + l2 * w / len(y), residual.sum())

    start = np.zeros(z.shape[1] + 1)
    theta = minimize(loss, start, jac=True, method="L-BFGS-B", options={"maxiter": MAX_ITERATIONS}).x
    w, b = theta[:-1], float(theta[-1])
    return LinearModel(features, tuple(map(float, w)), b, tuple(map(float, mean)), tuple(map(float, scale)))


def fit_listwise(
    groups: list[tuple[np.ndarray, np.ndarray]], features: tuple[str, ...], l2: float = 1.0
) -> LinearModel:
    """A ranker fitted per question: softmax over each question's candidates, the right ones as the target.

    Unlike a logistic model over all (question, passage) pairs, it learns only what lifts the right passage
    above the others of the same question, which is what the first place needs.
    """
    x = np.vstack([g[0] for g in groups])
    mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-9
    kept = [g for g in groups if g[1].sum() > 0]
    # the questions' candidates side by side, (questions, most candidates, features), padding masked out
    width = max((len(g[1]) for g in kept), default=0)
    z = np.zeros((len(kept), width, x.shape[1]))
    right = np.zeros((len(kept), width), dtype=bool)
    real = np.zeros((len(kept), width), dtype=bool)
    for i, (features_i, labels) in enumerate(kept):
        z[i, : len(labels)] = (features_i - mean) / scale
        right[i, : len(labels)], real[i, : len(labels)] = labels > 0, True
    w = np.zeros(x.shape[1])
    for _ in range(ITERATIONS if kept else 0):
        s = np.where(real, z @ w, -np.inf)
        p = np.exp(s - s.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        # the likelihood that one of the right passages comes first: its gradient moves p toward them
        target = np.where(right, p, 0.0)
        target /= target.sum(axis=1, keepdims=True)
        grad = np.einsum("qcf,qc->f", z, p - target)
        w -= LEARNING_RATE * (grad / len(kept) + l2 * w / len(kept))
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
