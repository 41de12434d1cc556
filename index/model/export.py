"""all-MiniLM-L6-v2 as an ONNX graph, exported once from the verified weights.

Serving runs the model in ONNX Runtime, not in torch: a session holds the interpreter lock
for none of its run (torch takes it back between layers, so the event loop and the model
slowed each other down), answers one question in about a third of torch's time, and
keeps torch out of the serving process. The graph is exported here from the same
safetensors the reference encoder loads (sentence-transformers), after their sha256 is
checked, and a record beside it names the weights it came from and its own sha256, which
the encoder checks before every load.

Beside the float graph sits an int8 one, made from it by ONNX Runtime's dynamic quantization
with one scale per output channel: questions are encoded 2.3x faster, their vectors keep a
cosine of 0.99 to the reference's, and no eval metric moves by more than a question on any set
(README, "Performance"). One scale per tensor, the default, lost too much (cosine 0.96, a
different top passage for a fifth of questions). Indexes are always built with the float graph.

`python -m index.model.export MODEL_DIR CACHE_DIR` makes both graphs in a child process, so
the process that asked never imports torch.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal, cast

from index.checksums import file_sha256
from index.errors import ModelError
from index.model.files import MODEL_NAME, WEIGHTS_SHA256, verify_weights

EXPORT_FORMAT = 2
OPSET = 17
INPUTS = ("input_ids", "attention_mask", "token_type_ids")
OUTPUT = "last_hidden_state"
EXPORT_TIMEOUT_S = 300
Precision = Literal["fp32", "int8"]


@dataclass(frozen=True)
class ExportRecord:
    model: str
    weights_sha256: str
    onnx_sha256: str
    opset: int
    precision: Precision = "fp32"
    format: int = EXPORT_FORMAT


def export_path(cache_dir: Path, precision: Precision = "fp32", weights_sha256: str = WEIGHTS_SHA256) -> Path:
    suffix = "" if precision == "fp32" else f".{precision}"
    return cache_dir / f"{MODEL_NAME}-{weights_sha256[:12]}{suffix}.onnx"


def record_path(onnx_path: Path) -> Path:
    return onnx_path.with_suffix(".json")


def verified_export(onnx_path: Path, precision: Precision = "fp32", weights_sha256: str = WEIGHTS_SHA256) -> bool:
    """The graph at `onnx_path` is whole, of that precision, and made from the weights with `weights_sha256`."""
    try:
        record = ExportRecord(**json.loads(record_path(onnx_path).read_text("utf-8")))
    except (OSError, ValueError, TypeError):
        return False
    return (
        record.format == EXPORT_FORMAT
        and record.model == MODEL_NAME
        and record.weights_sha256 == weights_sha256
        and record.precision == precision
        and onnx_path.is_file()
        and file_sha256(onnx_path) == record.onnx_sha256
    )


def ensure_export(
    model_dir: Path, cache_dir: Path, precision: Precision = "fp32", weights_sha256: str = WEIGHTS_SHA256
) -> Path:
    """The verified ONNX graph for the weights in `model_dir` (whose sha256 must be `weights_sha256`), made
    (in a child process) if missing."""
    onnx_path = export_path(cache_dir, precision, weights_sha256)
    if verified_export(onnx_path, precision, weights_sha256):
        return onnx_path
    verify_weights(model_dir, weights_sha256)
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        done = subprocess.run(
            [sys.executable, "-m", "index.model.export", str(model_dir), str(cache_dir), weights_sha256],
            cwd=Path(__file__).resolve().parents[2],
            capture_output=True,
            text=True,
            timeout=EXPORT_TIMEOUT_S,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ModelError(f"could not export the model to ONNX in {cache_dir}: {exc}") from exc
    if done.returncode != 0 or not verified_export(onnx_path, precision, weights_sha256):
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise ModelError(f"could not export the model to ONNX in {cache_dir}: {last}")
    return onnx_path


def export(model_dir: Path, onnx_path: Path, weights_sha256: str = WEIGHTS_SHA256) -> ExportRecord:
    """Trace the verified transformer to ONNX; written under a temporary name, then renamed into place."""
    weights_sha256 = verify_weights(model_dir, weights_sha256)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    import torch
    from sentence_transformers import SentenceTransformer

    reference = SentenceTransformer(str(model_dir), device="cpu", local_files_only=True)
    transformer = cast(torch.nn.Module, reference[0].auto_model).eval()

    class LastHiddenState(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.transformer = transformer

        def forward(
            self, input_ids: torch.Tensor, attention_mask: torch.Tensor, token_type_ids: torch.Tensor
        ) -> object:
            return self.transformer(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state

    # Two rows of different lengths, so the trace cannot take a shape for a constant.
    example = torch.tensor([[101, 7592, 2088, 102], [101, 7592, 102, 0]])
    partial = onnx_path.with_name(f".{onnx_path.name}.{os.getpid()}.partial")
    with torch.inference_mode():
        torch.onnx.export(
            LastHiddenState(),
            (example, (example > 0).long(), torch.zeros_like(example)),
            str(partial),
            input_names=list(INPUTS),
            output_names=[OUTPUT],
            dynamic_axes={name: {0: "batch", 1: "tokens"} for name in (*INPUTS, OUTPUT)},
            opset_version=OPSET,
            dynamo=False,
        )
    return _put_in_place(partial, onnx_path, ExportRecord(MODEL_NAME, weights_sha256, file_sha256(partial), OPSET))


def quantize(float_path: Path, onnx_path: Path, weights_sha256: str = WEIGHTS_SHA256) -> ExportRecord:
    """The int8 graph: every MatMul's weights quantized per output channel, activations at run time."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    partial = onnx_path.with_name(f".{onnx_path.name}.{os.getpid()}.partial")
    quantize_dynamic(str(float_path), str(partial), weight_type=QuantType.QInt8, per_channel=True)
    record = ExportRecord(MODEL_NAME, weights_sha256, file_sha256(partial), OPSET, precision="int8")
    return _put_in_place(partial, onnx_path, record)


def _put_in_place(partial: Path, onnx_path: Path, record: ExportRecord) -> ExportRecord:
    os.replace(partial, onnx_path)
    tmp_record = record_path(partial)
    tmp_record.write_text(json.dumps(asdict(record), indent=2), "utf-8")
    os.replace(tmp_record, record_path(onnx_path))
    return record


def export_both(model_dir: Path, cache_dir: Path, weights_sha256: str = WEIGHTS_SHA256) -> None:
    """The float graph and the int8 one in `cache_dir`, each made only if it is not there and verified."""
    float_path = export_path(cache_dir, "fp32", weights_sha256)
    if not verified_export(float_path, "fp32", weights_sha256):
        export(model_dir, float_path, weights_sha256)
    int8_path = export_path(cache_dir, "int8", weights_sha256)
    if not verified_export(int8_path, "int8", weights_sha256):
        quantize(float_path, int8_path, weights_sha256)


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) not in (2, 3):
        print("usage: python -m index.model.export MODEL_DIR CACHE_DIR [WEIGHTS_SHA256]", file=sys.stderr)
        return 2
    import logging
    import warnings

    warnings.filterwarnings("ignore")  # the tracer's advice on shapes is about models with branches this one lacks
    logging.disable(logging.WARNING)  # the quantizer's advice to pre-process is for calibrated (static) quantization
    try:
        export_both(Path(args[0]), Path(args[1]), *args[2:])
    except (ModelError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
