"""Training the reader: MiniLM's question side fine-tuned on questions written in applicants' words.

Questions and passages are encoded by the same MiniLM, but applicants do not write like the guide:
they open with their situation, ask two or three things, and misspell. The field's recipe when no
in-domain model exists is to train on questions written for the purpose (Promptagator, InPars, GPL).
Here the passages and sentences keep the bundled model's vectors (the index is unchanged), and a copy
of the model learns to encode questions so that each lands nearest the passages and sentences that
answer it: a softmax over every passage and over every sentence of the guides, with all that hold a
gold phrase as positives (Karpukhin et al. 2020, DPR, with the passage side frozen). Its word
embeddings stay frozen (half the weights, none of what is learned here, and most of the time).

Run as `python -m index.reader.tuning CONTENT_DIR OUT_DIR PRECISION` (index/reader/folder.py does, in a child
process, so that only the build imports torch). Seeded; on one machine two runs give the same weights.
"""

from __future__ import annotations

import json
import os
import random
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from index.checksums import file_sha256
from index.model.embeddings import MiniLMEmbedder
from index.model.export import Precision, export_both
from index.model.files import WEIGHTS_FILE, bundled_model_dir
from index.reader.labelled import LabelledAsk, answered_by

if TYPE_CHECKING:
    from index.answer.advisor import Advisor

# One seed: seeds 13-16 gave `questions` hit@3 .975 / .924 / .911 / .937, and the mean weights of three seeds'
# fine-tunes (a uniform soup, Wortsman et al. 2022; built in 316cccb) .924 and .911, no better on average at three
# times the training time (docs/answer-quality.md, "The spread between seeds"). scripts.ablate --seed sets another.
SEED = 13
EPOCHS = 2
BATCH = 16
LEARNING_RATE = 3e-5
WARMUP = 0.1  # share of steps the learning rate rises over, then falls linearly to 0
TEMPERATURE = 0.05  # of the softmax over cosines (DPR-style in-batch training uses 0.05-0.1)
MAX_TOKENS = 128  # a long question's ask, what it leans on and its situation fit; most are under 100
THREADS = 2


@dataclass(frozen=True)
class Example:
    text: str  # the ask as the model encodes it
    passages: tuple[int, ...]  # positions of the passages that answer it
    sentences: tuple[int, ...]  # positions of the sentences that answer it


@dataclass(frozen=True)
class TrainingReport:
    examples: int
    steps: int
    seconds: float
    final_loss: float
    hyperparameters: dict[str, Any]


def examples(asks: Sequence[LabelledAsk], passages: list[str], sentences: list[str], embed_text: Any) -> list[Example]:
    """The covered asks whose gold some passage holds, as (text to encode, positive passages, positive sentences).

    Asks the guides do not answer are left to the reader's head (index/pairs.py): pulling them away from the
    guide's sentences here drew the first guide's questions toward a second guide's passages (hit@1 with both
    guides loaded .77 -> .60, docs/answer-quality.md)."""
    out = []
    for ask in asks:
        if ask.gold is not None and (positive := answered_by(ask.gold, passages)):
            out.append(Example(embed_text(ask.text), tuple(positive), tuple(answered_by(ask.gold, sentences))))
    return out


def train(model_dir: Path, out_dir: Path, data: list[Example], passage_vectors: np.ndarray,
          sentence_vectors: np.ndarray) -> TrainingReport:  # fmt: skip
    """Fine-tune the model in `model_dir` on `data` against the frozen vectors; save it to `out_dir`."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    import torch
    from sentence_transformers import SentenceTransformer

    random.seed(SEED)
    np.random.seed(SEED)
    torch.manual_seed(SEED)
    torch.set_num_threads(THREADS)
    torch.use_deterministic_algorithms(True)
    model = SentenceTransformer(str(model_dir), device="cpu", local_files_only=True)
    model.max_seq_length = MAX_TOKENS
    transformer: Any = model[0].auto_model
    for weight in transformer.embeddings.parameters():
        weight.requires_grad_(False)
    model.train()
    passages = torch.tensor(passage_vectors)
    sentences = torch.tensor(sentence_vectors)
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=LEARNING_RATE)
    steps = EPOCHS * -(-len(data) // BATCH)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min(1.0, (s + 1) / (WARMUP * steps)) * max(0.0, (steps - s) / steps)
    )

    def softmax_loss(question: torch.Tensor, targets: torch.Tensor, positive: tuple[int, ...]) -> torch.Tensor:
        logits = targets @ question / TEMPERATURE
        return torch.logsumexp(logits, 0) - torch.logsumexp(logits[list(positive)], 0)

    started = time.perf_counter()
    loss = torch.tensor(0.0)
    for epoch in range(EPOCHS):
        order = list(range(len(data)))
        random.Random(SEED + epoch).shuffle(order)
        for start in range(0, len(order), BATCH):
            batch = [data[i] for i in order[start : start + BATCH]]
            features = model.preprocess([e.text for e in batch])
            questions = torch.nn.functional.normalize(model(features)["sentence_embedding"], dim=-1)
            terms = [softmax_loss(q, passages, e.passages) for q, e in zip(questions, batch, strict=True)]
            terms += [
                softmax_loss(q, sentences, e.sentences) for q, e in zip(questions, batch, strict=True) if e.sentences
            ]
            loss = torch.stack(terms).sum() / len(batch)
            optimizer.zero_grad()
            loss.backward()  # type: ignore[no-untyped-call]
            optimizer.step()
            schedule.step()
    model.eval()
    model.save(str(out_dir))
    # the serving tokenizer truncates where training did (this sentence-transformers keeps it elsewhere)
    config = out_dir / "sentence_bert_config.json"
    config.write_text(json.dumps({**json.loads(config.read_text("utf-8")), "max_seq_length": MAX_TOKENS}), "utf-8")
    report = TrainingReport(
        len(data), steps, round(time.perf_counter() - started, 1), round(float(loss), 4),
        {"epochs": EPOCHS, "batch": BATCH, "learning_rate": LEARNING_RATE, "warmup": WARMUP,
         "temperature": TEMPERATURE, "max_tokens": MAX_TOKENS, "seed": SEED},
    )  # fmt: skip
    return report


def tuned_encoder(
    advisor: Advisor, asks: Sequence[LabelledAsk], out_dir: Path, precision: Precision
) -> tuple[MiniLMEmbedder, str, TrainingReport]:
    """The bundled MiniLM fine-tuned on the covered `asks` against `advisor`'s passages and sentences (its index is
    the bundled model's), saved with its ONNX graphs in `out_dir`: as a question encoder of `precision`, with its
    weights' sha256 and the training report."""
    retriever = advisor.retriever
    passages, sentences = [c.text for c in retriever.chunks], [u.text for u in retriever.units]
    data = examples(asks, passages, sentences, advisor.embedding_text)
    report = train(bundled_model_dir(), out_dir, data, retriever.passage_matrix(), retriever.unit_matrix)
    weights = file_sha256(out_dir / WEIGHTS_FILE)
    export_both(out_dir, out_dir, weights)
    return MiniLMEmbedder(out_dir, out_dir, 0, precision, tuned=(weights, "")), weights, report


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 3:
        print("usage: python -m index.reader.tuning CONTENT_DIR OUT_DIR PRECISION", file=sys.stderr)
        return 2
    import logging
    import warnings

    warnings.filterwarnings("ignore")
    logging.disable(logging.WARNING)
    from index.errors import AdvisorError
    from index.reader.folder import make_reader

    try:
        record = make_reader(Path(args[0]), Path(args[1]), args[2])  # type: ignore[arg-type]
    except (AdvisorError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(asdict(record)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
