"""A bounded LRU cache of answers (cachetools' LRUCache), keyed on the normalised question and the content version.

Thread-safe (one lock; every method is short and never waits on anything else), so it serves
the event loop and threadpool code alike.
"""

from __future__ import annotations

import dataclasses
import threading

from cachetools import LRUCache

from index.answer.reply import Answer

Key = tuple[str, int, str]


def normalize_question(question: str) -> str:
    """Case and runs of whitespace folded: the answer does not depend on either (the model's
    tokeniser lower-cases and splits on whitespace, and retrieval works on lower-cased terms)."""
    return " ".join(question.lower().split())


class AnswerCache:
    """At most `max_entries` answers, least recently used dropped first; 0 turns it off.

    Entries belong to one content version: the first call with another version empties the
    cache, so an answer never outlives the guide text it quotes.
    """

    def __init__(self, max_entries: int) -> None:
        if max_entries < 0:
            raise ValueError("max_entries must be ≥ 0")
        self.max_entries = max_entries
        self.entries: LRUCache[Key, Answer] = LRUCache(max(max_entries, 1))
        self._version: str | None = None
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self.entries)

    def get(self, question: str, top_k: int, base_url: str, content_version: str) -> Answer | None:
        """The stored answer, echoing `question` as asked; None when there is none."""
        key = (normalize_question(question), top_k, base_url)
        with self._lock:
            self._switch(content_version)
            answer = self.entries.get(key)  # a hit becomes the most recently used
            if answer is None:
                self.misses += 1
                return None
            self.hits += 1
        return answer if answer.question == question else dataclasses.replace(answer, question=question)

    def put(self, answer: Answer, top_k: int, base_url: str) -> None:
        if self.max_entries == 0:
            return
        key = (normalize_question(answer.question), top_k, base_url)
        with self._lock:
            self._switch(answer.content_version)
            self.entries[key] = answer  # past max_entries, the least recently used goes

    def _switch(self, content_version: str) -> None:
        if content_version != self._version:
            self.entries.clear()
            self._version = content_version
