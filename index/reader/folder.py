"""The reader: the question encoder fine-tuned on applicants' questions, with the ranker and the abstention
check fitted to it; made by `make index` from checked inputs, verified before every use, never committed.

A reader lives in `MODEL_CACHE_DIR/reader-<inputs>/`: the fine-tuned model (safetensors, tokenizer,
config), its ONNX graphs (fp32 and int8, each with its export record), `models.json`, and `record.json`
naming the sha256 of every input and output. `reader.json` beside them names the current one. The
inputs' hash covers the training questions as read (index/reader/labelled.py), the guides' passages and
sentences they are trained against, the bundled model's weights, the hyperparameters and the
precision the models are fitted for; when it changes, `ensure_reader` trains anew (index/reader/tuning.py,
under a minute of training on two idle cores). Index manifests name the reader they were built for, and an Advisor
refuses an index built for another.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from index.checksums import file_sha256
from index.errors import ModelError
from index.guides.chunks import chunk_guides
from index.guides.content import content_hash, load_guides
from index.model.embeddings import MiniLMEmbedder
from index.model.export import Precision
from index.model.files import WEIGHTS_FILE, WEIGHTS_SHA256
from index.ranking.models import load_models, save_models
from index.reader import tuning
from index.reader.labelled import (
    TRAINING_DIR,
    LabelledAsk,
    LabelledMessage,
    for_calibration,
    labelled_asks,
    labelled_messages,
)
from index.store.build import build_store
from index.store.texts import embedding_texts, texts_hash

READER_FORMAT = 12  # raise it when index/reader/tuning.py, fitting.py or checks.py learn differently
POINTER = "reader.json"
RECORD = "record.json"
MODELS = "models.json"
TRAINING_TIMEOUT_S = 1800
NEIGHBOURS_DIR = "neighbours"  # training rows the fitted models read and the encoder is not trained on


@dataclass(frozen=True)
class ReaderRecord:
    format: int
    inputs_sha256: str
    weights_sha256: str  # the fine-tuned model.safetensors
    models_sha256: str  # models.json: the rankers, the checks, the head and the scope model fitted to this reader
    precision: str  # the question graph the models were fitted on
    training: dict[str, Any]  # what it was trained and fitted on, and how long it took


@dataclass(frozen=True)
class TrainingInputs:
    sha256: str
    train: list[LabelledAsk]  # the training share of every file: the reader's head and the scope model
    calibration: list[LabelledAsk]  # the calibration share of every file: the rankers and the checks
    files: list[str]
    encoder: list[LabelledAsk]  # the training share of the files the encoder learns from (not NEIGHBOURS_DIR)
    messages: list[LabelledMessage]  # the calibration share's messages of several asks: the whole-message check


def training_inputs(content_dir: Path, precision: str, training_dir: Path = TRAINING_DIR) -> TrainingInputs:
    """The labelled asks (split into training and calibration, and those the encoder is trained on) and the hash
    of everything a reader depends on. The rows in `training_dir/NEIGHBOURS_DIR/` are read by the models fitted
    beside the encoder but do not train it (index/reader/training/README.md). ModelError when there are no
    training files or two rows share an id."""
    files = sorted(training_dir.glob("*.jsonl"))
    if not files:
        raise ModelError(f"no training questions in {training_dir}")
    neighbours = sorted((training_dir / NEIGHBOURS_DIR).glob("*.jsonl"))
    rows = _rows(files), _rows(neighbours)
    repeated = [i for i, n in Counter(str(r.get("id")) for part in rows for r in part).items() if n > 1]
    if repeated:  # a row's id places it in the calibration share and in a fold: two rows must not share one
        raise ModelError(f"training row id {repeated[0]!r} is written more than once in {training_dir}")
    own, more = labelled_asks(rows[0]), labelled_asks(rows[1])
    messages = [m for m in labelled_messages([*rows[0], *rows[1]]) if for_calibration(m.row_id)]
    guides = load_guides(content_dir)
    digest = hashlib.sha256(
        json.dumps(
            [READER_FORMAT, WEIGHTS_SHA256, precision, content_hash(guides),
             texts_hash(embedding_texts(chunk_guides(guides))), _hyperparameters(),
             [dataclasses.astuple(a) for a in own], [dataclasses.astuple(a) for a in more],
             [dataclasses.astuple(m) for m in messages]],
            ensure_ascii=False,
        ).encode()
    ).hexdigest()  # fmt: skip
    asks = own + more
    train = [a for a in asks if not for_calibration(a.row_id)]
    calibration = [a for a in asks if for_calibration(a.row_id)]
    encoder = [a for a in own if not for_calibration(a.row_id)]
    names = [p.name for p in files] + [f"{NEIGHBOURS_DIR}/{p.name}" for p in neighbours]
    return TrainingInputs(digest, train, calibration, names, encoder, messages)


def _rows(files: list[Path]) -> list[dict[str, Any]]:
    return [json.loads(line) for path in files for line in path.read_text("utf-8").splitlines() if line.strip()]


def _hyperparameters() -> dict[str, Any]:
    return {name: getattr(tuning, name) for name in ("SEED", "EPOCHS", "BATCH", "LEARNING_RATE", "WARMUP",
                                                     "TEMPERATURE", "MAX_TOKENS", "THREADS")}  # fmt: skip


def record_sha256(folder: Path) -> str:
    return file_sha256(folder / RECORD)


def verified(folder: Path) -> ReaderRecord | None:
    """The reader's record when every file it names is there with its sha256; else None."""
    try:
        record = ReaderRecord(**json.loads((folder / RECORD).read_text("utf-8")))
    except (OSError, ValueError, TypeError):
        return None
    ok = (
        record.format == READER_FORMAT
        and file_sha256(folder / WEIGHTS_FILE) == record.weights_sha256
        and file_sha256(folder / MODELS) == record.models_sha256
    )
    return record if ok else None


def current(cache_dir: Path) -> tuple[Path, ReaderRecord]:
    """The current reader's folder and verified record; ModelError when there is none or it fails its checks."""
    try:
        folder = cache_dir / json.loads((cache_dir / POINTER).read_text("utf-8"))["folder"]
    except (OSError, ValueError, KeyError, TypeError):
        raise ModelError(f"no reader in {cache_dir}: build it with `make index`") from None
    record = verified(folder) if folder.is_dir() else None
    if record is None:
        raise ModelError(f"the reader at {folder} is missing files or fails its checksums: rebuild it (make index)")
    return folder, record


def load_reader(cache_dir: Path, threads: int = 1, precision: Precision = "int8") -> MiniLMEmbedder:
    """The current reader as a question encoder, its ONNX graph of `precision` checked, its models beside it."""
    folder, record = current(cache_dir)
    encoder = MiniLMEmbedder(folder, folder, threads, precision, tuned=(record.weights_sha256, record_sha256(folder)))
    encoder.models_file = folder / MODELS
    return encoder


def ensure_reader(content_dir: Path, cache_dir: Path, precision: Precision = "int8") -> ReaderRecord:
    """The reader for these inputs, trained (in a child process, which alone imports torch) when missing."""
    inputs = training_inputs(content_dir, precision)
    folder = cache_dir / f"reader-{inputs.sha256[:16]}"
    record = verified(folder)
    if record is None:
        cache_dir.mkdir(parents=True, exist_ok=True)
        try:
            done = subprocess.run(
                [sys.executable, "-m", "index.reader.tuning", str(content_dir), str(cache_dir), precision],
                cwd=Path(__file__).resolve().parents[2], capture_output=True, text=True,
                timeout=TRAINING_TIMEOUT_S, check=False,
            )  # fmt: skip
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise ModelError(f"could not train the reader in {cache_dir}: {exc}") from exc
        record = verified(folder)
        if done.returncode != 0 or record is None:
            last = (done.stderr.strip().splitlines() or ["no output"])[-1]
            raise ModelError(f"could not train the reader in {cache_dir}: {last}")
    _point_to(cache_dir, folder)
    return record


def _point_to(cache_dir: Path, folder: Path) -> None:
    """Make `folder` the current reader, and drop the readers made for other inputs (a running server keeps
    the one it loaded: its graphs and models are in memory)."""
    tmp = cache_dir / f".{POINTER}.{os.getpid()}"
    tmp.write_text(json.dumps({"folder": folder.name}) + "\n", "utf-8")
    os.replace(tmp, cache_dir / POINTER)
    for stale in cache_dir.glob("reader-*"):
        if stale != folder and stale.is_dir():
            shutil.rmtree(stale, ignore_errors=True)


def make_reader(content_dir: Path, cache_dir: Path, precision: Precision) -> ReaderRecord:
    """Train, export and fit a reader for these inputs into `cache_dir/reader-<inputs>/` (imports torch)."""
    from index.answer.advisor import Advisor
    from index.reader.fitting import blank_models, fit, question_models

    inputs = training_inputs(content_dir, precision)
    folder = cache_dir / f"reader-{inputs.sha256[:16]}"
    with tempfile.TemporaryDirectory(prefix=".reader-", dir=cache_dir) as tmp:
        work, model_dir = Path(tmp), Path(tmp) / "model"
        base = MiniLMEmbedder(cache_dir=cache_dir, threads=0)
        build_store(content_dir, work / "index", base)
        advisor = Advisor.load(content_dir, work / "index", base, blank_models())
        encoder, weights, report = tuning.tuned_encoder(advisor, inputs.encoder, model_dir, precision)
        # the head and the scope model read questions as served: through the graph of `precision`
        readers, scope = question_models(advisor, encoder, inputs.train)
        tuned = Advisor.load(content_dir, work / "index", encoder, {**blank_models(), **readers}, scope)
        fitted, refused = fit(tuned, inputs.calibration, inputs.messages)
        models = {**readers, **fitted}
        provenance = {
            "trained_on": inputs.files,
            "asks_trained": report.examples,
            "asks_fitted": len(inputs.calibration),
            "fit_refusal_rate_not_covered": round(refused, 3),
        }
        save_models(models, provenance, model_dir / MODELS, scope)
        record = ReaderRecord(
            READER_FORMAT, inputs.sha256, weights, file_sha256(model_dir / MODELS), precision,
            {**dataclasses.asdict(report), **provenance},
        )  # fmt: skip
        (model_dir / RECORD).write_text(json.dumps(dataclasses.asdict(record), indent=2) + "\n", "utf-8")
        shutil.rmtree(folder, ignore_errors=True)
        os.replace(model_dir, folder)
    load_models(folder / MODELS)  # readable as served
    return record
