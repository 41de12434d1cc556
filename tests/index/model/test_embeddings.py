"""The serving encoder (ONNX Runtime) against the reference (sentence-transformers), and its export's checks."""

from __future__ import annotations

import itertools
import random
import shutil
from pathlib import Path

import numpy as np
import pytest

from index.errors import ModelError
from index.evaluation import read_jsonl
from index.guides.chunks import chunk_guides
from index.guides.content import load_guides
from index.model.embeddings import RUN_COST_TOKENS, MiniLMEmbedder, SentenceTransformerEmbedder, length_runs
from index.model.export import Precision, export_path, record_path, verified_export
from index.model.files import DEFAULT_EXPORT_DIR
from index.reader.labelled import TRAINING_DIR
from index.store.texts import embedding_texts

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.model
def test_the_onnx_encoder_gives_the_reference_vectors(embedder: MiniLMEmbedder) -> None:
    texts = embedding_texts(chunk_guides(load_guides(ROOT / "content")))
    texts += ["", "   PD?  ", "visa " * 400, "Ça va? ünïcode — “quotes”", "a"]
    reference = SentenceTransformerEmbedder().encode(texts)
    served = embedder.encode(texts)
    assert served.shape == reference.shape == (len(texts), embedder.dim)
    np.testing.assert_allclose(served, reference, atol=1e-5)
    np.testing.assert_allclose(embedder.encode(texts[::-1])[::-1], served, atol=1e-6)  # batch order is immaterial


@pytest.mark.model
def test_the_int8_graph_keeps_the_reference_meaning(embedder: MiniLMEmbedder) -> None:
    # One scale per tensor (quantize_dynamic's default) gives min 0.92 / mean 0.965 here; per channel 0.985 / 0.993.
    questions = [
        row["q"]
        for path in (ROOT / "tests/eval/questions.jsonl", TRAINING_DIR / "fit.jsonl")
        for row in read_jsonl(path)
    ]
    texts = embedding_texts(chunk_guides(load_guides(ROOT / "content"))) + questions
    int8 = MiniLMEmbedder(precision="int8")
    cosines = (int8.encode(texts) * embedder.encode(texts)).sum(axis=1)
    assert cosines.min() >= 0.97
    assert cosines.mean() >= 0.985


@pytest.mark.model
def test_an_int8_vector_is_the_same_whatever_is_encoded_beside_it() -> None:
    # the int8 graph scales a run's activations by the whole run: texts run together would move each other
    int8 = MiniLMEmbedder(precision="int8")
    texts = [
        "can I email about visa sponsorship before interviews",
        "visa sponsorship email?",
        "I am an IMG from Egypt on a J-1 and the website says nothing about visas. Is one email okay?",
        "What is the capital of Australia?",
    ]
    together = int8.encode(texts)
    for text, vector in zip(texts, together, strict=True):
        assert np.array_equal(int8.encode([text])[0], vector)


def cost(runs: list[list[int]], lengths: list[int]) -> int:
    return sum(RUN_COST_TOKENS + len(run) * max(lengths[i] for i in run) for run in runs)


def test_length_runs_take_every_text_once_at_the_least_cost() -> None:
    rng = random.Random(7)
    for n in range(1, 9):
        lengths = [rng.randint(3, 60) for _ in range(n)]
        runs = length_runs(lengths)
        assert sorted(i for run in runs for i in run) == list(range(n))
        order = sorted(range(n), key=lengths.__getitem__)
        every_split = (
            [order[a:b] for a, b in itertools.pairwise((0, *cuts, n))]
            for k in range(n)
            for cuts in itertools.combinations(range(1, n), k)
        )
        assert cost(runs, lengths) == min(cost(split, lengths) for split in every_split)


def test_similar_lengths_share_a_run_and_far_ones_do_not() -> None:
    assert length_runs([12, 12, 13, 12]) == [[0, 1, 3, 2]]
    assert sorted(map(sorted, length_runs([5, 90, 6, 91, 5]))) == [[0, 2, 4], [1, 3]]
    assert length_runs([]) == []


@pytest.mark.model
@pytest.mark.parametrize("precision", ["fp32", "int8"])
def test_a_damaged_export_is_made_again_from_the_verified_weights(precision: Precision, tmp_path: Path) -> None:
    good = export_path(DEFAULT_EXPORT_DIR, precision)
    copy = export_path(tmp_path, precision)
    shutil.copy(good, copy)
    shutil.copy(record_path(good), record_path(copy))
    assert verified_export(copy, precision)
    with copy.open("r+b") as fh:
        fh.seek(copy.stat().st_size // 2)
        byte = fh.read(1)
        fh.seek(-1, 1)
        fh.write(bytes([byte[0] ^ 0xFF]))
    assert not verified_export(copy, precision)
    remade = MiniLMEmbedder(cache_dir=tmp_path, precision=precision)
    assert verified_export(copy, precision)
    served = MiniLMEmbedder(precision=precision)
    np.testing.assert_allclose(remade.encode(["visa sponsorship"]), served.encode(["visa sponsorship"]), atol=1e-6)


@pytest.mark.model
def test_a_graph_is_checked_for_its_precision_too(embedder: MiniLMEmbedder, tmp_path: Path) -> None:
    fp32 = export_path(DEFAULT_EXPORT_DIR)  # made for `embedder`
    int8_name = export_path(tmp_path, "int8")
    shutil.copy(fp32, int8_name)
    shutil.copy(record_path(fp32), record_path(int8_name))
    assert verified_export(int8_name, "fp32")
    assert not verified_export(int8_name, "int8")


def test_an_export_that_cannot_be_written_is_one_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be")
    with pytest.raises(ModelError, match="could not export the model to ONNX") as caught:
        MiniLMEmbedder(cache_dir=blocker / "model")
    assert "\n" not in str(caught.value)
