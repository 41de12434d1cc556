"""The micro-batcher: concurrent texts share encode() calls, and every caller gets its own vector."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from api.serving.batching import BatcherClosedError, MicroBatcher
from api.settings import Settings
from index.model.embeddings import MiniLMEmbedder
from index.store.build import build_store
from tests.fakes import HashingEmbedder


class RecordingEmbedder(HashingEmbedder):
    """The hashing fake, remembering the texts of each encode() call."""

    def __init__(self, fail: type[Exception] | None = None, rows: int | None = None) -> None:
        super().__init__()
        self.batches: list[list[str]] = []
        self.fail = fail
        self.rows = rows
        self.started, self.release = threading.Event(), threading.Event()
        self.release.set()

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        self.started.set()
        self.release.wait(5)
        self.batches.append(list(texts))
        if self.fail is not None:
            raise self.fail("the model failed")
        out = super().encode(texts)
        return out[: self.rows] if self.rows is not None else out


def texts(n: int) -> list[str]:
    return [f"question number {i} about letter {chr(97 + i % 26)} and visa {i * 7}" for i in range(n)]


async def embed_all(batcher: MicroBatcher, items: list[str]) -> list[np.ndarray | BaseException]:
    return await asyncio.gather(*(batcher.embed(t) for t in items), return_exceptions=True)


def test_concurrent_callers_each_get_their_own_vector() -> None:
    fake, reference = RecordingEmbedder(), HashingEmbedder()
    items = texts(200)

    async def run() -> list[np.ndarray | BaseException]:
        async with MicroBatcher(fake.encode, max_batch=32, max_wait=0.002) as batcher:
            return await embed_all(batcher, items)

    results = asyncio.run(run())
    for text, vector in zip(items, results, strict=True):
        assert isinstance(vector, np.ndarray)
        np.testing.assert_array_equal(vector, reference.encode([text])[0])
    assert len(fake.batches) < len(items)  # they were encoded together
    assert sorted(t for batch in fake.batches for t in batch) == sorted(items)  # each exactly once


def test_a_batch_never_exceeds_max_batch() -> None:
    fake = RecordingEmbedder()

    async def run() -> None:
        async with MicroBatcher(fake.encode, max_batch=5, max_wait=0.001) as batcher:
            await embed_all(batcher, texts(23))

    asyncio.run(run())
    assert all(1 <= len(batch) <= 5 for batch in fake.batches)
    assert sum(len(batch) for batch in fake.batches) == 23


def test_texts_arriving_while_the_model_is_busy_form_the_next_batch() -> None:
    fake, reference = RecordingEmbedder(), HashingEmbedder()
    items = texts(9)

    async def run() -> list[np.ndarray]:
        async with MicroBatcher(fake.encode, max_batch=32, max_wait=0) as batcher:
            fake.release.clear()  # the first encode() holds until the others have queued
            first = asyncio.ensure_future(batcher.embed(items[0]))
            assert await asyncio.to_thread(fake.started.wait, 5)
            rest = [asyncio.ensure_future(batcher.embed(t)) for t in items[1:]]
            await asyncio.sleep(0)
            fake.release.set()
            return list(await asyncio.gather(first, *rest))

    results = asyncio.run(run())
    assert [len(b) for b in fake.batches] == [1, 8]
    for text, vector in zip(items, results, strict=True):
        np.testing.assert_array_equal(vector, reference.encode([text])[0])


def test_run_applies_then_on_the_model_thread_when_alone_and_on_the_loop_in_a_batch() -> None:
    fake, reference = RecordingEmbedder(), HashingEmbedder()
    items = texts(9)

    def then(text: str) -> object:
        return lambda vector: (text, threading.current_thread().name, float(vector @ reference.encode([text])[0]))

    async def run() -> tuple[object, list[object]]:
        async with MicroBatcher(fake.encode, max_batch=32, max_wait=0) as batcher:
            alone = await batcher.run(items[0], then(items[0]))
            fake.started.clear()
            fake.release.clear()  # the next encode() holds until eight more have queued behind it
            first = asyncio.ensure_future(batcher.run(items[0], then(items[0])))
            assert await asyncio.to_thread(fake.started.wait, 5)
            rest = [asyncio.ensure_future(batcher.run(t, then(t))) for t in items[1:]]
            await asyncio.sleep(0)
            fake.release.set()
            return alone, list(await asyncio.gather(first, *rest))

    alone, together = asyncio.run(run())
    assert [len(b) for b in fake.batches] == [1, 1, 8]
    loop_thread = threading.current_thread().name
    assert alone == (items[0], "embed_0", pytest.approx(1.0))
    assert together[0] == (items[0], "embed_0", pytest.approx(1.0))  # alone in its batch too
    assert together[1:] == [(t, loop_thread, pytest.approx(1.0)) for t in items[1:]]  # each with its own vector


def test_an_error_in_then_on_the_model_thread_reaches_its_caller_only() -> None:
    fake = RecordingEmbedder()

    def broken(vector: np.ndarray) -> None:
        raise KeyError("composition failed")

    async def run() -> tuple[BaseException | None, np.ndarray]:
        async with MicroBatcher(fake.encode) as batcher:
            try:
                await batcher.run("one", broken)
            except KeyError as exc:
                error: BaseException | None = exc
            else:
                error = None
            return error, await batcher.embed("two")  # the model thread lives on

    error, vector = asyncio.run(run())
    assert isinstance(error, KeyError)
    assert vector.shape == (HashingEmbedder().dim,)


@pytest.mark.model
def test_batched_vectors_match_one_at_a_time_with_the_real_model(embedder: MiniLMEmbedder) -> None:
    items = [
        "can I email about visa sponsorship before interviews",
        "how many letters of intent can I send?",
        "what's the best pizza in Chicago?",
        "PD",
        "should my mentor call the program director on my behalf before the match, and what should they say?",
        "thank-you notes",
    ]

    async def run() -> list[np.ndarray | BaseException]:
        async with MicroBatcher(embedder.encode, max_batch=32, max_wait=0.005) as batcher:
            return await embed_all(batcher, items)

    results = asyncio.run(run())
    for text, vector in zip(items, results, strict=True):
        assert isinstance(vector, np.ndarray) and vector.shape == (embedder.dim,)
        np.testing.assert_allclose(vector, embedder.encode([text])[0], atol=1e-5)


@pytest.mark.parametrize(
    ("fake", "error"), [(RecordingEmbedder(fail=RuntimeError), RuntimeError), (RecordingEmbedder(rows=1), ValueError)]
)
def test_an_encode_error_reaches_every_waiter_of_the_batch(fake: RecordingEmbedder, error: type[Exception]) -> None:
    async def run() -> tuple[list[np.ndarray | BaseException], np.ndarray]:
        async with MicroBatcher(fake.encode, max_batch=32, max_wait=0.005) as batcher:
            failed = await embed_all(batcher, texts(6))
            fake.fail, fake.rows = None, None
            return failed, await batcher.embed("the batcher still works afterwards")

    failed, after = asyncio.run(run())
    assert all(isinstance(result, error) for result in failed)
    assert after.shape == (fake.dim,)


def test_a_cancelled_caller_does_not_disturb_the_others() -> None:
    fake, reference = RecordingEmbedder(), HashingEmbedder()
    items = texts(5)

    async def run() -> list[np.ndarray | BaseException]:
        async with MicroBatcher(fake.encode, max_batch=32, max_wait=0) as batcher:
            fake.release.clear()  # the model is busy with another text while these queue
            busy = asyncio.ensure_future(batcher.embed("keeps the model busy"))
            assert await asyncio.to_thread(fake.started.wait, 5)
            tasks = [asyncio.ensure_future(batcher.embed(t)) for t in items]
            await asyncio.sleep(0)
            tasks[2].cancel()
            await asyncio.sleep(0)
            fake.release.set()
            await busy
            return await asyncio.gather(*tasks, return_exceptions=True)

    results = asyncio.run(run())
    assert isinstance(results[2], asyncio.CancelledError)
    for i in (0, 1, 3, 4):
        np.testing.assert_array_equal(results[i], reference.encode([items[i]])[0])
    assert items[2] not in [t for batch in fake.batches for t in batch]


def test_shutdown_finishes_waiting_texts_then_refuses_new_ones() -> None:
    fake = RecordingEmbedder()
    threads_before = set(threading.enumerate())

    async def run() -> tuple[list[np.ndarray | BaseException], MicroBatcher]:
        batcher = MicroBatcher(fake.encode, max_batch=4, max_wait=0.005)
        await batcher.start()
        waiting = asyncio.gather(*(batcher.embed(t) for t in texts(10)), return_exceptions=True)
        await asyncio.sleep(0)
        await batcher.aclose()
        return await waiting, batcher

    results, batcher = asyncio.run(run())
    assert all(isinstance(r, np.ndarray) for r in results)
    assert set(threading.enumerate()) <= threads_before  # the worker thread is gone
    with pytest.raises(BatcherClosedError):
        asyncio.run(batcher.embed("too late"))
    with pytest.raises(BatcherClosedError):
        asyncio.run(MicroBatcher(fake.encode).embed("never started"))


def test_the_app_starts_a_batcher_with_the_advisor_and_closes_it_on_shutdown(
    content_copy: Path, tmp_path: Path
) -> None:
    build_store(content_copy, tmp_path / "idx", HashingEmbedder())
    settings = Settings(content_dir=content_copy, index_dir=tmp_path / "idx", rate_limit_per_minute=0)
    app = create_app(settings, embedder_factory=HashingEmbedder)
    with TestClient(app) as client:
        batcher = app.state.batcher
        replies = [client.post("/api/ask", json={"question": q}).json() for q in texts(3)]
        assert [r["question"] for r in replies] == texts(3)
        assert batcher.texts == 3
    with pytest.raises(BatcherClosedError):
        asyncio.run(batcher.embed("after shutdown"))


def test_each_worker_encodes_its_own_batch_at_the_same_time() -> None:
    together = threading.Barrier(2, timeout=5)

    class PairedEmbedder(HashingEmbedder):
        def encode(self, texts: Sequence[str]) -> np.ndarray:
            together.wait()  # passes only while another batch is being encoded too
            return super().encode(texts)

    reference = HashingEmbedder()
    items = texts(4)

    async def run() -> list[np.ndarray | BaseException]:
        async with MicroBatcher(PairedEmbedder().encode, max_batch=2, max_wait=0, workers=2) as batcher:
            return await embed_all(batcher, items)

    results = asyncio.run(run())
    for text, vector in zip(items, results, strict=True):
        assert isinstance(vector, np.ndarray), vector
        np.testing.assert_array_equal(vector, reference.encode([text])[0])
