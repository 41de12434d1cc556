"""Micro-batching: questions asked at the same time are embedded together, in one encode() call.

A float-graph model run has a fixed cost (about 1.5 ms) besides its tokens', so questions asked together are
run together; the int8 graph (the default for questions) runs each text on its own, so that a question's
vector does not depend on its neighbours (index/model/embeddings.py), and a batch then saves the hand-offs
between the event loop and the model threads. `workers` model threads take the waiting texts themselves, each
a batch at a time, so the cores encode side by side and a free thread never waits for the busy event loop to
hand it work (when the loop dispatched batches, the model threads sat idle a third of the time under load).
The loop only queues texts and receives vectors. When several threads are free, the waiting texts are shared
out among them. A lone question is not held back: a thread waits (at most `max_wait` seconds) for a batch to
fill only while recent batches were shared and no other thread is free.

`run(text, then)` also takes what is to be done with the vector: when the text was encoded alone, the
model thread does it too, on the core that just encoded, and the loop wakes once, to reply (a lone
client's answer 0.1 ms sooner); in a batch it is done on the loop as with `embed`, since composing
answers on the model threads contends with the loop for the interpreter lock under load.

`start`, `embed`, `run` and `aclose` are to be called from the event loop the batcher was started on.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections import deque
from collections.abc import Callable, Sequence
from types import TracebackType
from typing import Any, TypeVar, cast

import numpy as np

Encode = Callable[[Sequence[str]], np.ndarray]
Then = Callable[[np.ndarray], Any]
R = TypeVar("R")


class BatcherClosedError(RuntimeError):
    """The batcher is shut down (or was never started) and takes no more texts."""


# A text, the future its caller awaits, and what to do with its vector if it is encoded alone.
_Waiter = tuple[str, "asyncio.Future[Any]", Then | None]


class _Done:
    """A `then` already applied on the model thread: its result, as the future's value."""

    __slots__ = ("value",)

    def __init__(self, value: object) -> None:
        self.value = value


class MicroBatcher:
    def __init__(self, encode: Encode, max_batch: int = 32, max_wait: float = 0.0, workers: int = 1) -> None:
        if max_batch < 1 or max_wait < 0 or workers < 1:
            raise ValueError("max_batch and workers must be ≥ 1 and max_wait ≥ 0")
        self._encode = encode
        self.max_batch = max_batch
        self.max_wait = max_wait
        self.workers = workers
        self._pending: deque[_Waiter] = deque()
        self._changed = threading.Condition()
        self._idle = 0  # threads waiting for texts
        self._last_batch = 0
        self._threads: list[threading.Thread] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._closed = False
        self.batches = 0  # encode() calls made, for tests and metrics
        self.texts = 0

    async def start(self) -> None:
        if self._loop is not None or self._closed:
            raise RuntimeError("a batcher starts once")
        self._loop = asyncio.get_running_loop()
        self._threads = [
            threading.Thread(target=self._work, name=f"embed_{n}", daemon=True) for n in range(self.workers)
        ]
        for thread in self._threads:
            thread.start()

    async def aclose(self) -> None:
        """Stop taking texts, encode the ones already waiting, then stop the model threads."""
        if self._closed:
            return
        with self._changed:
            self._closed = True
            self._changed.notify_all()
        for thread in self._threads:
            await asyncio.to_thread(thread.join)

    async def __aenter__(self) -> MicroBatcher:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    async def embed(self, text: str) -> np.ndarray:
        """The embedding of `text` (shape (dim,)), encoded together with whatever else is waiting."""
        vector: np.ndarray = await self._queued(text, None)
        return vector

    async def run(self, text: str, then: Callable[[np.ndarray], R]) -> R:
        """`then(embedding of text)`: on the model thread if the text was encoded alone, else on the loop."""
        outcome = await self._queued(text, then)
        return cast(R, outcome.value) if isinstance(outcome, _Done) else then(outcome)

    async def run_many(self, texts: Sequence[str], then: Callable[[np.ndarray], R]) -> R:
        """`then(embeddings of texts)` (shape (len(texts), dim)); one text goes through `run`, several are
        queued together and `then` runs on the loop."""
        if len(texts) == 1:
            return await self.run(texts[0], lambda vector: then(vector[np.newaxis, :]))
        vectors = await asyncio.gather(*(self._queued(text, None) for text in texts))
        return then(np.stack(vectors))

    def _queued(self, text: str, then: Then | None) -> asyncio.Future[Any]:
        if self._closed or self._loop is None:
            raise BatcherClosedError("the embedding batcher is not running")
        future: asyncio.Future[Any] = self._loop.create_future()
        with self._changed:
            self._pending.append((text, future, then))
            self._changed.notify()
        return future

    # --- on the model threads ---------------------------------------------------------------

    def _work(self) -> None:
        while True:
            batch = self._take()
            if batch is None:
                return
            # A caller that left (its future cancelled on the loop) has its text skipped; the check
            # is a read of the future's state and at worst encodes a text nobody waits for.
            live = [waiter for waiter in batch if not waiter[1].done()]
            if not live:
                continue
            try:
                vectors = self._encode([text for text, _, _ in live])
                if vectors.shape[0] != len(live):
                    raise ValueError(f"encode() returned {vectors.shape[0]} vectors for {len(live)} texts")
                then = live[0][2]
                results: Sequence[object] = [_Done(then(vectors[0]))] if len(live) == 1 and then else list(vectors)
            except Exception as exc:
                self._call_on_loop(self._fail, live, exc)
            else:
                self._call_on_loop(self._deliver, live, results)

    def _take(self) -> list[_Waiter] | None:
        """The next batch to encode; None once the batcher is closed and nothing waits."""
        with self._changed:
            self._idle += 1
            try:
                while not self._pending:
                    if self._closed:
                        return None
                    self._changed.wait()
                if self._idle > 1:
                    # Other threads are free too: take a fair share, and leave the rest to them.
                    limit = min(self.max_batch, -(-len(self._pending) // self._idle))
                else:
                    limit = self.max_batch
                    if self._last_batch > 1 and not self._closed:
                        self._changed.wait_for(lambda: len(self._pending) >= limit or self._closed, self.max_wait)
                batch = [self._pending.popleft() for _ in range(min(limit, len(self._pending)))]
                self._last_batch = len(batch)
                if self._pending:
                    self._changed.notify()  # the rest is another free thread's
                return batch
            finally:
                self._idle -= 1

    def _call_on_loop(self, callback: Callable[..., None], *args: object) -> None:
        assert self._loop is not None
        with contextlib.suppress(RuntimeError):  # the loop is closed: nobody is left to answer
            self._loop.call_soon_threadsafe(callback, *args)

    # --- on the event loop ------------------------------------------------------------------

    def _deliver(self, live: list[_Waiter], results: Sequence[object]) -> None:
        self.batches += 1
        self.texts += len(live)
        for (_, future, _), result in zip(live, results, strict=True):
            if not future.done():
                future.set_result(result)

    @staticmethod
    def _fail(live: list[_Waiter], exc: Exception) -> None:
        for _, future, _ in live:
            if not future.done():
                future.set_exception(exc)
