"""One sentence splitter for the guides' answer units, the chunker's cuts and the email-draft check."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.drafts.check import draft_sentences
from index.guides.answer_units import answer_units
from index.guides.chunks import chunk_guide
from index.guides.content import load_guides

FRONT = "---\ntitle: T\nslug: t\nsource_url:\nlast_reviewed: 2026-01-31\n---\n\n# T\n\n## S\n\n"
PARAGRAPHS = [
    (
        "Ask Prof. Smith about the visa sponsorship rules of the program. "
        "Then wait for the reply from Ms. Roe (approx. two weeks). It went well!",
        [
            "Ask Prof. Smith about the visa sponsorship rules of the program.",
            "Then wait for the reply from Ms. Roe (approx. two weeks).",
            "It went well!",
        ],
    ),
    (
        "The U.S. rules apply, i.e. the NRMP ones, to Dept. heads and program directors alike. "
        "Programs may ask about research options, call schedules, etc. and you may answer.",
        [
            "The U.S. rules apply, i.e. the NRMP ones, to Dept. heads and program directors alike.",
            "Programs may ask about research options, call schedules, etc. and you may answer.",
        ],
    ),
]


@pytest.mark.parametrize(("paragraph", "expected"), PARAGRAPHS)
def test_guide_sentences_chunk_cuts_and_draft_sentences_are_cut_alike(
    tmp_path: Path, paragraph: str, expected: list[str]
) -> None:
    (tmp_path / "t.md").write_text(FRONT + paragraph + "\n", "utf-8")
    (guide,) = load_guides(tmp_path)
    units = [u.sentence for i, c in enumerate(chunk_guide(guide)) for u in answer_units(c, i)]
    assert units == expected
    assert [s.text for s in draft_sentences(paragraph)] == expected
    offset = guide.text.index(paragraph)
    starts = {offset + paragraph.index(s) for s in expected}
    ends = {offset + paragraph.index(s) + len(s) for s in expected}
    small = chunk_guide(guide, max_chars=100, pack_chars=100)
    assert len(small) > 1
    assert {c.start for c in small} <= starts and {c.end for c in small} <= ends  # cut only where a sentence ends
