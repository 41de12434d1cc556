"""Query-side spelling repair: "emial" becomes "email" when the guides say "email".

Only words that are neither in the guides nor in the model's English word list are
touched, and only when exactly one guide word is within a small edit distance: one edit
up to seven letters ("emial"), two from eight ("experiance"). Two edits on a short word
reach too far ("rewatch" is two from "reach"), and applicants' contractions without the
apostrophe ("dont") are words, not misspellings ("done").
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from functools import lru_cache

_WORD = re.compile(r"[A-Za-z]{4,}")
ONE_EDIT_UP_TO = 7  # letters
CONTRACTIONS = frozenset((
    "dont", "cant", "wont", "isnt", "arent", "doesnt", "didnt", "wasnt", "werent", "shouldnt", "wouldnt", "couldnt",
    "havent", "hasnt", "hadnt", "whats", "thats", "theres", "youre", "theyre", "weve", "youve", "theyve", "itll",
    "youll", "shes", "hes",
))  # fmt: skip


def edit_distance(a: str, b: str, limit: int) -> int:
    """Damerau-Levenshtein (adjacent transpositions) distance, or limit + 1 once it exceeds limit."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        row = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            row[j] = min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                row[j] = min(row[j], prev2[j - 2] + 1)
        if min(row) > limit:
            return limit + 1
        prev2, prev = prev, row
    return prev[-1]


class SpellingRepair:
    def __init__(self, guide_words: Iterable[str], dictionary: Iterable[str]) -> None:
        self._guide_words = frozenset(w.lower() for w in guide_words if len(w) >= 4)
        self._known = self._guide_words | frozenset(w.lower() for w in dictionary) | CONTRACTIONS
        self._by_first: dict[str, list[str]] = defaultdict(list)
        for word in self._guide_words:
            self._by_first[word[0]].append(word)
        self.repair_word = lru_cache(maxsize=4096)(self._repair_word)

    def _repair_word(self, word: str) -> str:
        lower = word.lower()
        if lower in self._known:
            return word
        limit = 1 if len(lower) <= ONE_EDIT_UP_TO else 2
        # a misspelling seldom changes the first letter; looking only there keeps this cheap
        close = [(edit_distance(lower, w, limit), w) for w in self._by_first.get(lower[0], [])]
        close = [(d, w) for d, w in close if d <= limit]
        if not close:
            return word
        best = min(d for d, _ in close)
        candidates = [w for d, w in close if d == best]
        return candidates[0] if len(candidates) == 1 else word

    def __call__(self, text: str) -> str:
        return _WORD.sub(lambda m: self.repair_word(m.group(0)), text)
