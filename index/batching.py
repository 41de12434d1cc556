"""Micro-batching: questions asked at the same time are embedded together, in one encode() call.

One model run has a fixed cost (about 1.5 ms) besides its tokens', so questions asked together
are run together. One task on the event loop collects waiting texts into a batch as soon as a
worker thread is free; each of `workers` threads runs one batch at a time, so the loop never
blocks on the model and, with a worker per core, the cores encode side by side. A lone question
is not held back: the batcher waits (at most `max_wait` seconds) for a batch to fill only while
recent batches were shared.

All methods are to be called from the event loop the batcher was started on.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from types import TracebackType

import numpy as np

Encode = Callable[[Sequence[str]], np.ndarray]


class BatcherClosedError(RuntimeError):
    """The batcher is shut down (or was never started) and takes no more texts."""


_Waiter = tuple[str, "asyncio.Future[np.ndarray]"]


class MicroBatcher:
    def __init__(self, encode: Encode, max_batch: int = 32, max_wait: float = 0.002, workers: int = 1) -> None:
        if max_batch < 1 or max_wait < 0 or workers < 1:
            raise ValueError("max_batch and workers must be ≥ 1 and max_wait ≥ 0")
        self._encode = encode
        self.max_batch = max_batch
        self.max_wait = max_wait
        self.workers = workers
        self._queue: asyncio.Queue[_Waiter | None] = asyncio.Queue()
        self._executor: ThreadPoolExecutor | None = None
        self._free_workers = asyncio.Semaphore(workers)
        self._running: set[asyncio.Task[None]] = set()
        self._runner: asyncio.Task[None] | None = None
        self._closed = False
        self._last_batch = 0
        self.batches = 0  # encode() calls made, for tests and metrics
        self.texts = 0

    async def start(self) -> None:
        if self._runner is not None or self._closed:
            raise RuntimeError("a batcher starts once")
        self._executor = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="embed")
        self._runner = asyncio.get_running_loop().create_task(self._run(), name="micro-batcher")

    async def aclose(self) -> None:
        """Stop taking texts, encode the ones already waiting, then stop the worker thread."""
        if self._closed:
            return
        self._closed = True
        if self._runner is not None:
            self._queue.put_nowait(None)
            await self._runner
        if self._executor is not None:
            self._executor.shutdown(wait=True)

    async def __aenter__(self) -> MicroBatcher:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    async def embed(self, text: str) -> np.ndarray:
        """The embedding of `text` (shape (dim,)), encoded together with whatever else is waiting."""
        if self._closed or self._runner is None:
            raise BatcherClosedError("the embedding batcher is not running")
        future: asyncio.Future[np.ndarray] = asyncio.get_running_loop().create_future()
        self._queue.put_nowait((text, future))
        return await future

    async def _run(self) -> None:
        stopping = False
        while not stopping:
            first = await self._queue.get()
            if first is None:
                break
            await self._free_workers.acquire()  # texts that queue meanwhile join this batch
            batch, stopping = await self._collect(first)
            task = asyncio.get_running_loop().create_task(self._encode_batch(batch))
            self._running.add(task)
            task.add_done_callback(self._finished)
        if self._running:
            await asyncio.wait(self._running)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._running.discard(task)
        self._free_workers.release()

    async def _collect(self, first: _Waiter) -> tuple[list[_Waiter], bool]:
        """`first` and the texts queued behind it, up to max_batch; (batch, whether to stop after it)."""
        batch = [first]
        loop = asyncio.get_running_loop()
        deadline = loop.time() + (self.max_wait if self._last_batch > 1 else 0.0)
        while len(batch) < self.max_batch:
            if self._queue.empty():
                remaining = deadline - loop.time()
                if remaining <= 0:
                    break
                try:
                    item = await asyncio.wait_for(self._queue.get(), remaining)
                except TimeoutError:
                    break
            else:
                item = self._queue.get_nowait()
            if item is None:
                return batch, True
            batch.append(item)
        return batch, False

    async def _encode_batch(self, batch: list[_Waiter]) -> None:
        live = [(text, future) for text, future in batch if not future.done()]  # callers gone: skip their texts
        self._last_batch = len(batch)
        if not live:
            return
        texts = [text for text, _ in live]
        assert self._executor is not None
        try:
            vectors = await asyncio.get_running_loop().run_in_executor(self._executor, self._encode, texts)
            if vectors.shape[0] != len(texts):
                raise ValueError(f"encode() returned {vectors.shape[0]} vectors for {len(texts)} texts")
        except Exception as exc:
            for _, future in live:
                if not future.done():
                    future.set_exception(exc)
            return
        self.batches += 1
        self.texts += len(texts)
        for (_, future), vector in zip(live, vectors, strict=True):
            if not future.done():
                future.set_result(vector)
