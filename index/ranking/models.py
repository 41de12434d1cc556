"""The file of fitted models a reader is saved with (`models.json`): the linear models (index/ranking/linear.py)
by name, the scope model (index/ranking/scope.py) when there is one, and their provenance, as JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from index.errors import ModelError
from index.ranking.linear import LinearModel
from index.ranking.scope import ScopeModel


def load_models(path: Path) -> tuple[dict[str, LinearModel], ScopeModel | None]:
    """The fitted models saved at `path` (made by `make index` beside the reader, index/reader/folder.py), and the
    scope model saved with them (None when there is none); ModelError when the file cannot be read as such."""
    try:
        data = json.loads(path.read_text("utf-8"))
        models = {name: LinearModel.from_json(model) for name, model in data["models"].items()}
        return models, ScopeModel.from_json(data["scope"]) if "scope" in data else None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ModelError(
            f"the fitted models at {path} cannot be read ({exc.__class__.__name__}): run make index"
        ) from exc


def save_models(
    models: dict[str, LinearModel], provenance: dict[str, Any], path: Path, scope: ScopeModel | None = None
) -> None:
    """`models`, with the scope model (index/ranking/scope.py) when there is one, and their provenance, as JSON."""
    data = {"provenance": provenance, "models": {name: m.to_json() for name, m in models.items()}}
    if scope is not None:
        data["scope"] = scope.to_json()
    path.write_text(json.dumps(data, indent=2) + "\n", "utf-8")
