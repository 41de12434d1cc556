"""The reader: trained by `make index` from checked inputs, recorded in the index manifest, verified at load."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from index.answer.advisor import Advisor
from index.errors import ModelError, StoreInvalidError
from index.model.embeddings import MiniLMEmbedder
from index.query.reading import read
from index.reader import tuning
from index.reader.folder import MODELS, NEIGHBOURS_DIR, POINTER, current, load_reader, training_inputs
from index.reader.labelled import TRAINING_DIR, labelled_asks
from index.store.build import build_store
from index.store.manifest import read_manifest

ROOT = Path(__file__).resolve().parents[3]
CONTENT = ROOT / "content"
CACHE = ROOT / "build" / "model"


def test_the_index_names_the_reader_it_serves(index_dir: Path, served_encoder: MiniLMEmbedder) -> None:
    _, record = current(CACHE)
    assert read_manifest(index_dir).reader_sha256 == served_encoder.reader_sha256 != ""
    assert record.inputs_sha256 == training_inputs(CONTENT, record.precision).sha256  # made from today's inputs
    assert record.training["asks_trained"] > 600 and record.training["asks_fitted"] > 200


def test_the_encoder_was_trained_on_its_own_rows_alone(advisor: Advisor) -> None:
    _, record = current(CACHE)
    inputs = training_inputs(CONTENT, record.precision)
    passages = [c.text for c in advisor.retriever.chunks]
    sentences = [u.text for u in advisor.retriever.units]
    own = tuning.examples(inputs.encoder, passages, sentences, advisor.embedding_text)
    every = tuning.examples(inputs.train, passages, sentences, advisor.embedding_text)
    assert record.training["asks_trained"] == len(own) < len(every)
    assert record.training["asks_fitted"] == len(inputs.calibration)


def test_an_index_built_for_another_reader_is_refused(
    tmp_path: Path, embedder: MiniLMEmbedder, served_encoder: MiniLMEmbedder
) -> None:
    build_store(CONTENT, tmp_path / "index", embedder, reader_sha256="0" * 64)
    with pytest.raises(StoreInvalidError, match="another reader"):
        Advisor.load(CONTENT, tmp_path / "index", served_encoder)


def test_a_tampered_reader_is_refused(tmp_path: Path) -> None:
    folder, _ = current(CACHE)
    copy = tmp_path / "model"
    shutil.copytree(folder, copy / folder.name)
    (copy / POINTER).write_text(json.dumps({"folder": folder.name}), "utf-8")
    assert load_reader(copy).reader_sha256  # the copy serves as it is
    models = copy / folder.name / MODELS
    models.write_text(models.read_text("utf-8") + " ", "utf-8")
    with pytest.raises(ModelError, match="checksums"):
        load_reader(copy)
    (copy / POINTER).unlink()
    with pytest.raises(ModelError, match="make index"):
        load_reader(copy)


def test_the_inputs_hash_follows_the_training_questions(tmp_path: Path) -> None:
    shutil.copytree(TRAINING_DIR, tmp_path / "training")
    before = training_inputs(CONTENT, "int8", tmp_path / "training")
    first = tmp_path / "training" / "fit.jsonl"
    row = json.loads(first.read_text("utf-8").splitlines()[0])
    first.write_text(first.read_text("utf-8") + json.dumps({**row, "id": "extra"}) + "\n", "utf-8")
    after = training_inputs(CONTENT, "int8", tmp_path / "training")
    assert after.sha256 != before.sha256
    assert len(after.train) + len(after.calibration) == len(before.train) + len(before.calibration) + 1


def test_the_calibration_fifth_is_kept_from_training() -> None:
    inputs = training_inputs(CONTENT, "int8")
    assert {a.row_id for a in inputs.train}.isdisjoint({a.row_id for a in inputs.calibration})
    assert 0.15 < len(inputs.calibration) / (len(inputs.train) + len(inputs.calibration)) < 0.25


def test_the_whole_message_check_is_fitted_on_the_calibration_messages_of_several_asks() -> None:
    inputs = training_inputs(CONTENT, "int8")
    calibration = {a.row_id for a in inputs.calibration}
    assert len(inputs.messages) > 100
    assert {m.row_id for m in inputs.messages} <= calibration
    assert {m.row_id for m in inputs.messages}.isdisjoint({a.row_id for a in inputs.train})
    assert {m.covered for m in inputs.messages} == {True, False}
    assert all(len(read(m.text, []).asks) > 1 for m in inputs.messages)


def test_a_message_with_parts_gives_one_labelled_ask_each() -> None:
    rows = [{"id": "x", "q": "can I email about visa before interviews, and how much is the ERAS fee?",
             "parts": [["To clarify visa sponsorship if this is not clearly stated"], None],
             "gold": ["To clarify visa sponsorship if this is not clearly stated"]}]  # fmt: skip
    asks = labelled_asks(rows)
    assert [a.gold is None for a in asks] == [False, True]
    assert asks[1].ask == "how much is the ERAS fee?"


def test_the_int8_reader_keeps_the_float_readers_meaning() -> None:
    questions = [row["q"] for row in map(json.loads, (ROOT / "tests/eval/long.jsonl").read_text("utf-8").splitlines())]
    fp32, int8 = load_reader(CACHE, precision="fp32"), load_reader(CACHE, precision="int8")
    cosines = (fp32.encode(questions) * int8.encode(questions)).sum(axis=1)
    assert cosines.min() >= 0.95 and cosines.mean() >= 0.98


def test_the_readers_head_tells_an_answering_sentence_from_a_near_one(advisor: Advisor) -> None:
    covered = advisor.read("When should I send the thank-you email after my interview?")
    near = advisor.read("How much does the ERAS application fee cost for international graduates?")
    scores = []
    for reading in (covered, near):
        vector = advisor.embedder.encode(advisor.embedding_texts(reading))[0]
        scores.append(advisor.retriever.signals(advisor.repair(reading.asks[0]), vector).reader_top)
    assert scores[0] > scores[1]
    assert np.isfinite(scores).all()


def test_the_neighbour_rows_are_read_by_the_fitted_models_and_do_not_train_the_encoder(tmp_path: Path) -> None:
    inputs = training_inputs(CONTENT, "int8")
    neighbours = {
        json.loads(line)["id"]
        for path in (TRAINING_DIR / NEIGHBOURS_DIR).glob("*.jsonl")
        for line in path.read_text("utf-8").splitlines()
        if line.strip()
    }
    assert neighbours, "the training folder holds neighbour rows"
    trained = {a.row_id for a in inputs.train}
    assert neighbours & trained and neighbours & {a.row_id for a in inputs.calibration}
    assert {a.row_id for a in inputs.encoder} == trained - neighbours
    assert any(name.startswith(f"{NEIGHBOURS_DIR}/") for name in inputs.files)
    # a change to a neighbour row is a change of the reader's inputs
    shutil.copytree(TRAINING_DIR, tmp_path / "training")
    path = next((tmp_path / "training" / NEIGHBOURS_DIR).glob("*.jsonl"))
    text = path.read_text("utf-8")
    respaced = text.replace('"abstain": true', '"abstain": true ', 1)
    assert respaced != text
    path.write_text(respaced, "utf-8")
    assert training_inputs(CONTENT, "int8", tmp_path / "training").sha256 == inputs.sha256  # same rows as read
    shutil.move(path, tmp_path / "training" / path.name)  # the same rows, now training the encoder
    assert training_inputs(CONTENT, "int8", tmp_path / "training").sha256 != inputs.sha256


def test_a_row_id_written_twice_is_refused(tmp_path: Path) -> None:
    shutil.copytree(TRAINING_DIR, tmp_path / "training")
    first = tmp_path / "training" / "fit.jsonl"
    row = json.loads(first.read_text("utf-8").splitlines()[0])
    path = next((tmp_path / "training" / NEIGHBOURS_DIR).glob("*.jsonl"))
    path.write_text(path.read_text("utf-8") + json.dumps({**row, "q": "another question"}) + "\n", "utf-8")
    with pytest.raises(ModelError, match=f"id {row['id']!r}"):
        training_inputs(CONTENT, "int8", tmp_path / "training")
