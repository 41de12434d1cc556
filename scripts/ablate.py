"""What each of the reader's levers buys: one taken out, the rest rebuilt and refitted, the eval sets scored.

Usage: python -m scripts.ablate VARIANT [--seed N]
    (VARIANT: none, head, scope, nearest, message, neighbours, reading, encoder, long-questions)

With --seed, the encoder is trained anew from that seed rather than taken from the built reader, so that a
lever's effect can be told from the draw of one seed (docs/answer-quality.md, "The spread between seeds").

- none: the Advisor as `make index` makes it (a check that the variants compare like with like)
- head: no reader's head (index/ranking/pairs.py); the abstention check refitted without it
- scope: no scope model (index/ranking/scope.py); every ask judged by the abstention check without it, and
  ranked without the nearest training asks' passages
- nearest: the scope model kept, but no ranker reading the nearest training asks' passages
- message: no check of the whole message (index/ranking/abstention.py): each ask judged alone, as before
- neighbours: without the rows that only the fitted models read (index/reader/training/neighbours/); the
  encoder is the same, since it is not trained on them
- reading: the message matched whole, as one ask (index/query/reading.py split off)
- encoder: the bundled MiniLM asks (no fine-tuning); head and models refitted on its vectors
- long-questions: the reader trained and fitted on index/reader/training/fit.jsonl alone (short questions)

Prints one JSON line per (guides loaded, set), as scripts.eval does, for the held-out sets `make eval` scores
(index/evaluation.py FIRST_GUIDE_SETS, and the second guide's). Takes about a minute and a half, two more for a
variant that trains an encoder (long-questions, or any with --seed but encoder); docs/answer-quality.md gives
the figures.
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from api.schemas import AskResponse
from index.answer.advisor import Advisor
from index.evaluation import FIRST_GUIDE_SETS, SECOND_GUIDE_SETS, as_loaded, read_jsonl, score
from index.model.embeddings import MiniLMEmbedder
from index.query import reading
from index.query.reading import Turn
from index.ranking.linear import LinearModel
from index.ranking.scope import ScopeModel
from index.reader import folder as reader_folder
from index.reader import tuning
from index.reader.fitting import blank_models, fit, question_models
from index.reader.labelled import TRAINING_DIR
from index.store.build import build_store
from scripts._cli import Parser

ROOT = Path(__file__).resolve().parents[1]
EVAL = ROOT / "tests" / "eval"
VARIANTS = ("none", "head", "scope", "nearest", "message", "neighbours", "reading", "encoder", "long-questions")


def reader_for(
    variant: str, content: Path, cache: Path, work: Path, seed: int | None = None
) -> tuple[MiniLMEmbedder, dict[str, LinearModel], ScopeModel | None]:
    """The question encoder and models of `variant`, built in `work` (the trained ones reused where unchanged);
    with `seed`, the encoder is trained anew from that seed (tuning.SEED) unless the variant has none."""
    if seed is not None:
        tuning.SEED = seed
    training = TRAINING_DIR
    if variant in ("long-questions", "neighbours"):
        training = work / "training"
        training.mkdir()
        for path in [TRAINING_DIR / "fit.jsonl"] if variant == "long-questions" else TRAINING_DIR.glob("*.jsonl"):
            shutil.copy2(path, training)
    inputs = reader_folder.training_inputs(content, "int8", training)
    base = MiniLMEmbedder(cache_dir=cache, threads=0)
    build_store(content, work / "index", base)
    advisor = Advisor.load(content, work / "index", base, blank_models())
    if variant == "encoder":
        encoder = MiniLMEmbedder(cache_dir=cache, threads=0, precision="int8")
    elif variant == "long-questions" or seed is not None:
        encoder = tuning.tuned_encoder(advisor, inputs.encoder, work / "model", "int8")[0]
    else:
        folder, record = reader_folder.current(cache)
        encoder = MiniLMEmbedder(folder, folder, 0, "int8", tuned=(record.weights_sha256, ""))
    readers, scope = question_models(advisor, encoder, inputs.train, head=variant != "head", scope=variant != "scope")
    models = {**blank_models(), **readers}
    advisor = Advisor.load(content, work / "index", encoder, models, scope)
    messages = inputs.messages if variant != "message" else []
    fitted, _ = fit(advisor, inputs.calibration, messages, nearest=variant != "nearest")
    return encoder, {**models, **fitted}, scope


def scores(
    content: Path, sets: list[Path], encoder: MiniLMEmbedder, models: dict[str, LinearModel], scope: ScopeModel | None
) -> list[Any]:
    folder = Path(tempfile.mkdtemp(prefix="advisor-ablate-index-"))
    build_store(content, folder, MiniLMEmbedder(cache_dir=ROOT / "build" / "model", threads=0))
    advisor = Advisor.load(content, folder, encoder, models, scope)

    def ask(question: str, history: list[str]) -> dict[str, Any]:
        answer = advisor.ask(question, 5, history=[Turn("user", h) for h in history])
        return AskResponse.from_answer(answer).model_dump()

    return [(path, score(as_loaded(read_jsonl(path), advisor.guides), ask)[0].summary()) for path in sets]


def main(argv: list[str] | None = None) -> int:
    parser = Parser(description="Score the Advisor with one of the reader's levers taken out.")
    parser.add_argument("variant", choices=VARIANTS)
    parser.add_argument("--seed", type=int, help="train the encoder from this seed (default: the built reader's)")
    args = parser.parse_args(argv)
    if args.variant == "reading":  # every message one ask, matched whole
        reading.split_asks = lambda message: ((message.strip(),), "")
    with tempfile.TemporaryDirectory(prefix="advisor-ablate-") as tmp:
        work = Path(tmp)
        encoder, models, scope = reader_for(args.variant, ROOT / "content", ROOT / "build" / "model", work, args.seed)
        both = work / "both"
        both.mkdir()
        for guide in [*(ROOT / "content").glob("*.md"), *(EVAL / "second-guide/content").glob("*.md")]:
            shutil.copy2(guide, both / guide.name)
        first = [EVAL / f"{name}.jsonl" for name in FIRST_GUIDE_SETS]
        second = [EVAL / "second-guide" / f"{name}.jsonl" for name in SECOND_GUIDE_SETS]
        for loaded, content, sets in (("first", ROOT / "content", first), ("both", both, first + second),
                                      ("second", EVAL / "second-guide/content", second)):  # fmt: skip
            for path, summary in scores(content, sets, encoder, models, scope):
                name = str(path.relative_to(EVAL))
                seed = None if args.variant == "encoder" else args.seed  # the bundled model has no seed
                line = {"variant": args.variant, "seed": seed, "loaded": loaded, "set": name, **summary}
                print(json.dumps(line), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
