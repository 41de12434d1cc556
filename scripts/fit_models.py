#!/usr/bin/env python3
"""Fit the passage ranker and the abstention check on labelled questions; write index/models.json.

Usage: scripts/fit_models.py [--set tests/eval/fit.jsonl] [--content content] [--max-false-refusals 0.03]

The fitting set is kept apart from the evaluation sets (tests/eval/questions.jsonl and the
shared dev set), so their scores stay honest.
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from api.main import question_encoder
from api.settings import get_settings
from index import abstention, retrieval
from index.advisor import Advisor
from index.build import build_index
from index.embeddings import MiniLMEmbedder
from index.evaluation import norm
from index.linear import LinearModel, calibrated, fit_listwise, fit_logistic, save_models
from scripts._cli import Parser, read_jsonl

ROOT = Path(__file__).resolve().parents[1]
FOLDS = 5


def placeholder(features: tuple[str, ...]) -> LinearModel:
    n = len(features)
    return LinearModel(features, (0.0,) * n, 0.0, (0.0,) * n, (1.0,) * n)


def ranking_data(advisor: Advisor, rows: list[dict[str, Any]]) -> list[tuple[np.ndarray, np.ndarray]]:
    """Per covered question: the features of every passage, and which passages hold a gold phrase."""
    groups = []
    for row in rows:
        if row.get("abstain"):
            continue
        signals = advisor.retriever.signals(advisor.repair(row["q"]), advisor.embed_question(row["q"]))
        golds = [norm(g) for g in row["gold"]]
        right = [any(g in norm(c.text) for g in golds) for c in advisor.retriever.chunks]
        groups.append((signals.features, np.array(right, dtype=np.float64)))
    return groups


def coverage_data(advisor: Advisor, rows: list[dict[str, Any]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The abstention features, whether each row is covered, and whether the fact check refuses it outright."""
    xs, ys, vetoed = [], [], []
    for row in rows:
        question = advisor.repair(row["q"])  # as the Advisor reads it
        signals = advisor.retriever.signals(question, advisor.embed_question(row["q"]))
        xs.append(advisor.coverage.features(question, signals))
        ys.append(0.0 if row.get("abstain") else 1.0)
        vetoed.append(advisor.coverage.fact_missing(question, signals))
    return np.array(xs), np.array(ys), np.array(vetoed, dtype=bool)


def refusal_threshold(scores: np.ndarray, covered: np.ndarray, vetoed: np.ndarray, max_false_refusals: float) -> float:
    """The highest threshold that refuses at most `max_false_refusals` of the covered questions, counting
    those the fact check refuses outright whatever their score."""
    allowed = int(np.floor(max_false_refusals * int((covered == 1).sum()))) - int((vetoed & (covered == 1)).sum())
    candidates = np.sort(scores[(covered == 1) & ~vetoed])
    return float(candidates[min(max(allowed, 0), len(candidates) - 1)] - 1e-6)


def fit_ranker(groups: list[tuple[np.ndarray, np.ndarray]]) -> LinearModel:
    x, y = np.vstack([g[0] for g in groups]), np.concatenate([g[1] for g in groups])
    return calibrated(fit_listwise(groups, retrieval.FEATURES), x, y)


def fit(
    content: Path,
    rows: list[dict[str, Any]],
    embedder: MiniLMEmbedder,
    max_false_refusals: float = 0.03,
    questions: MiniLMEmbedder | None = None,
) -> tuple[dict[str, LinearModel], float]:
    """The ranker and the abstention check fitted on `rows`, and the share of not-covered rows refused.

    The index is built with `embedder`; the rows are asked with `questions` (default: the same), so the
    models are fitted on the question vectors the service will see.
    """
    with tempfile.TemporaryDirectory(prefix="advisor-fit-") as tmp:
        folder = Path(tmp)
        build_index(content, folder, embedder)
        asker = questions or embedder
        blank = {"ranker": placeholder(retrieval.FEATURES), "abstention": placeholder(abstention.FEATURES)}

        groups = ranking_data(Advisor.load(content, folder, asker, blank), rows)
        ranker = fit_ranker(groups)
        # The abstention check sees each question scored by a ranker fitted without it, as a new question will be:
        # scored by the ranker that fitted them, the fitting questions look better covered than any new one.
        fold = [n % FOLDS for n in range(len(rows))]
        covered_fold = [f for f, row in zip(fold, rows, strict=True) if not row.get("abstain")]
        parts = []
        for k in range(FOLDS):
            fold_ranker = fit_ranker([g for g, f in zip(groups, covered_fold, strict=True) if f != k])
            fold_advisor = Advisor.load(content, folder, asker, {**blank, "ranker": fold_ranker})
            parts.append(coverage_data(fold_advisor, [row for row, f in zip(rows, fold, strict=True) if f == k]))
        x, y = np.vstack([p[0] for p in parts]), np.concatenate([p[1] for p in parts])
        vetoed = np.concatenate([p[2] for p in parts])
        # the model learns from the questions the fact check leaves to it
        model = fit_logistic(x[~vetoed], y[~vetoed], abstention.FEATURES)
        threshold = refusal_threshold(model.score(x), y, vetoed, max_false_refusals)
        model = LinearModel(model.features, model.weights, model.bias, model.mean, model.scale, threshold)
        refused = float(((model.score(x) < threshold) | vetoed)[y == 0].mean())
    return {"ranker": ranker, "abstention": model}, refused


def main(argv: list[str] | None = None) -> int:
    parser = Parser(prog="fit_models.py", description="Fit the ranker and the abstention check.")
    parser.add_argument(
        "--set", type=Path, action="append", help="labelled set (repeatable; default tests/eval/fit.jsonl)"
    )
    parser.add_argument("--content", type=Path, default=ROOT / "content")
    parser.add_argument("--max-false-refusals", type=float, default=0.03, help="share of covered questions refused")
    args = parser.parse_args(argv)
    sets = args.set or [ROOT / "tests" / "eval" / "fit.jsonl"]
    rows = [row for path in sets for row in read_jsonl(path)]
    settings = get_settings()
    embedder = MiniLMEmbedder(cache_dir=settings.model_cache_dir)
    served = question_encoder(settings)  # questions as the service encodes them (ADVISOR_MODEL_PRECISION)
    models, refused = fit(args.content, rows, embedder, args.max_false_refusals, served)
    covered = sum(1 for row in rows if not row.get("abstain"))
    provenance = {
        "fitted_on": [str(p.resolve().relative_to(ROOT)) if p.resolve().is_relative_to(ROOT) else str(p) for p in sets],
        "questions": len(rows), "covered": covered, "not_covered": len(rows) - covered,
        "fit_refusal_rate_not_covered": round(refused, 3), "max_false_refusals": args.max_false_refusals,
        "date": dt.date.today().isoformat(), "model": embedder.name, "question_precision": served.precision,
    }  # fmt: skip
    save_models(models, provenance)
    print(f"fitted on {len(rows)} questions; refuses {refused:.0%} of not-covered ones at the chosen threshold")
    return 0


if __name__ == "__main__":
    sys.exit(main())
