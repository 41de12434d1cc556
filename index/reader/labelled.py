"""Labelled questions as the Advisor reads them: one example per ask, with what answers it or nothing.

The question sets that train the reader and fit the rankers (index/reader/training/*.jsonl) are written
in applicants' words, long and short (index/reader/training/README.md); a row is {"id", "q", "gold"},
{"id", "q", "abstain": true}, or a row whose "parts" give each ask's gold (null for an ask the guide
does not answer). A row is read as the service reads a message (index/query/reading.py), so each example
is matched exactly as that ask will be.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from index.evaluation import norm
from index.guides.chunks import Chunk
from index.query.reading import read

TRAINING_DIR = Path(__file__).resolve().parent / "training"
CALIBRATION_SHARE = 5  # one row in five is kept from the reader's training, to fit the rankers and abstention


@dataclass(frozen=True)
class LabelledAsk:
    row_id: str
    text: str  # what is matched for the ask: the ask, then what it leans on (Reading.retrieval_text)
    ask: str  # the ask alone
    gold: tuple[str, ...] | None  # verbatim phrases that answer it; None when the guides do not


def labelled_asks(rows: Iterable[dict[str, Any]]) -> list[LabelledAsk]:
    """One example per ask the labels name: each part of a row with "parts" that splits into as many asks,
    every ask of a not-covered row, and the whole message of any other row (its gold answers the message)."""
    out = []
    for row in rows:
        reading = read(row["q"], [])
        parts = row.get("parts")
        if parts and len(parts) == len(reading.asks):
            pairs = list(zip(reading.asks, parts, strict=True))
        elif row.get("abstain"):
            pairs = [(ask, None) for ask in reading.asks]
        elif len(reading.asks) == 1:
            pairs = [(reading.asks[0], row["gold"])]
        else:
            out.append(LabelledAsk(row["id"], row["q"], row["q"], tuple(row["gold"])))
            continue
        out += [
            LabelledAsk(row["id"], reading.retrieval_text(ask), ask, None if gold is None else tuple(gold))
            for ask, gold in pairs
        ]
    return out


@dataclass(frozen=True)
class LabelledMessage:
    row_id: str
    text: str  # the message as written
    covered: bool  # the guides answer at least one of its asks


def labelled_messages(rows: Iterable[dict[str, Any]]) -> list[LabelledMessage]:
    """The rows labelled ask by ask (an "abstain" row, or "parts" with one entry per ask) that read as several
    asks, each as one message and whether the guides answer any of its asks: what the check of the whole message
    is fitted on (index/reader/fitting.py). A row read as several asks but labelled as a whole is left out: its
    asks' own verdicts, which that check reads, have no labelled example."""
    out = []
    for row in rows:
        asks = read(row["q"], []).asks
        parts = row.get("parts")
        if len(asks) > 1 and (row.get("abstain") or (parts and len(parts) == len(asks))):
            out.append(LabelledMessage(row["id"], row["q"], any(p is not None for p in parts or [])))
    return out


def answered_by(gold: tuple[str, ...], texts: list[str]) -> list[int]:
    """Indices of the `texts` that hold one of the gold phrases (after eval's normalisation)."""
    phrases = [norm(g) for g in gold]
    return [i for i, text in enumerate(texts) if any(p in norm(text) for p in phrases)]


def for_calibration(row_id: str) -> bool:
    """A fixed one-in-CALIBRATION_SHARE of rows by id: kept from the reader's training to fit what reads its scores."""
    return _bucket(row_id, CALIBRATION_SHARE) == 0


def fold_of(row_id: str, folds: int) -> int:
    """A fixed fold of `folds` for a row, by id: the asks of one message share it (they share its situation)."""
    return _bucket(f"fold:{row_id}", folds)


def _bucket(key: str, buckets: int) -> int:
    return int(hashlib.sha256(key.encode()).hexdigest(), 16) % buckets


def guides_asked_about(asks: Iterable[LabelledAsk], chunks: Sequence[Chunk], min_asks: int) -> set[str]:
    """The slugs of the guides whose passages answer at least `min_asks` of `asks` (hold one of their gold
    phrases): the guides the questions were written for, not those one generic phrase happens to be in."""
    texts = [c.text for c in chunks]
    answered: Counter[str] = Counter()
    for ask in asks:
        if ask.gold:
            answered.update({chunks[i].guide for i in answered_by(ask.gold, texts)})
    return {guide for guide, n in answered.items() if n >= min_asks}
