"""The eval sets' labels as the loaded guides make them."""

from __future__ import annotations

from index.evaluation import FIRST_GUIDE_SETS, SECOND_GUIDE_SETS, as_loaded, holds, read_jsonl
from tests.helpers import EVAL, ROOT

SECOND = EVAL / "second-guide" / "content" / "away-rotations-for-img.md"


def test_a_row_another_guide_answers_is_covered_only_with_that_guide_loaded() -> None:
    rows = read_jsonl(EVAL / "questions.jsonl")
    written = next(r for r in rows if r["id"] == "n018")
    alone = {r["id"]: r for r in as_loaded(rows, {"pre-match-communication-pmr-non-us-img"})}
    both = {r["id"]: r for r in as_loaded(rows, {"pre-match-communication-pmr-non-us-img", "away-rotations-for-img"})}
    assert alone["n018"] == written
    assert written["abstain"] is True and "gold" not in written  # the rows read are left as they are
    assert "abstain" not in both["n018"] and both["n018"]["gold"] == written["answered_by"]["away-rotations-for-img"]
    assert [r for r in rows if "answered_by" not in r] == [r for r in both.values() if "answered_by" not in r]


def test_every_answered_by_gold_is_verbatim_in_that_guide() -> None:
    text = SECOND.read_text(encoding="utf-8")
    labelled = [r for path in sorted(EVAL.rglob("*.jsonl")) for r in read_jsonl(path) if "answered_by" in r]
    assert labelled, "the first guide's sets name the questions the second guide answers"
    for row in labelled:
        assert row.get("abstain") is True
        assert all(holds(text, [gold]) for gold in row["answered_by"]["away-rotations-for-img"]), row["id"]


def test_every_gold_of_the_first_guides_sets_is_its_text() -> None:
    text = (ROOT / "content" / "pre-match-communication-pmr-non-us-img.md").read_text(encoding="utf-8")
    for row in [r for name in FIRST_GUIDE_SETS for r in read_jsonl(EVAL / f"{name}.jsonl")]:
        parts = [g for part in row.get("parts") or [] if part for g in part]
        for gold in [*row.get("gold", []), *parts, *row.get("template", [])]:
            assert holds(text, [gold]), (row["id"], gold)


def test_make_eval_scores_every_held_out_set() -> None:
    lines = (ROOT / "Makefile").read_text(encoding="utf-8").splitlines()

    def listed(name: str) -> tuple[str, ...]:
        line = next(line for line in lines if line.startswith(f"{name} :="))
        return tuple(line.split("$(foreach s,")[1].split(",")[0].split())

    assert listed("FIRST") == FIRST_GUIDE_SETS
    assert listed("SECOND") == SECOND_GUIDE_SETS
    on_disk = {p.stem for p in EVAL.glob("*.jsonl")} - {"drafts", "plans"}  # the drafts and plans checks' own sets
    assert on_disk == set(FIRST_GUIDE_SETS)
    assert {p.stem for p in (EVAL / "second-guide").glob("*.jsonl")} == set(SECOND_GUIDE_SETS)
