from __future__ import annotations

import itertools

from index.guides.answer_units import answer_units
from index.guides.chunks import MAX_CHARS, chunk_guide
from index.guides.content import Guide
from index.guides.markdown import plain


def test_every_chunk_is_verbatim_text_at_its_offsets(guide: Guide) -> None:
    chunks = chunk_guide(guide)
    assert len(chunks) > 30
    for chunk in chunks:
        assert guide.text[chunk.start : chunk.end] == chunk.text
        assert 0 < len(chunk.text) <= MAX_CHARS
        assert chunk.start >= guide.body_start


def test_chunks_cover_the_whole_body_in_order(guide: Guide) -> None:
    chunks = chunk_guide(guide)
    joined = " ".join(plain(c.text) for c in chunks)
    for sentence in (
        "Binding pre-match offers are not allowed.",
        "Ask you how you will rank them",
        "Use it strategically, sparingly, and honestly",
    ):
        assert sentence in joined
    assert [c.start for c in chunks] == sorted(c.start for c in chunks)
    assert all(a.end <= b.start for a, b in itertools.pairwise(chunks))


def test_a_list_stays_with_its_lead_in_and_carries_its_headings(guide: Guide) -> None:
    chunk = next(c for c in chunk_guide(guide) if "Ask you how you will rank them" in c.text)
    assert "Programs may not:" in chunk.text
    assert chunk.section == (
        "Key Rules and Ethics: What Is Allowed and What Is Not",
        "NRMP and ACGME basics in plain language",
    )
    assert chunk.embed_text.startswith("Key Rules and Ethics: What Is Allowed and What Is Not > NRMP and ACGME")
    assert chunk.anchor == "nrmp-and-acgme-basics-in-plain-language"


def test_a_faq_question_stays_with_its_answer(guide: Guide) -> None:
    chunk = next(c for c in chunk_guide(guide) if "should I directly ask for a pre-match offer" in c.text)
    assert chunk.kind == "faq"
    assert "No. For ACGME-accredited PM&R residencies" in chunk.text
    assert chunk.section[0] == "Frequently Asked Questions (FAQ)"


def test_ids_are_stable_and_unique(guide: Guide) -> None:
    first, second = chunk_guide(guide), chunk_guide(guide)
    assert [c.id for c in first] == [c.id for c in second]
    assert len({c.id for c in first}) == len(first)
    assert all(c.id.startswith(f"{guide.slug}/") for c in first)


def test_long_sections_split_with_their_lead_in_as_context(guide: Guide) -> None:
    chunks = chunk_guide(guide, max_chars=200, pack_chars=150)
    assert all(len(c.text) <= 200 for c in chunks)
    item = next(c for c in chunks if "Request a commitment to rank them" in c.text)
    assert "Programs may not:" in item.text or item.context == "Programs may not:"


def test_answer_units_are_verbatim_and_keep_their_lead_in(guide: Guide) -> None:
    chunks = chunk_guide(guide)
    units = [u for i, c in enumerate(chunks) for u in answer_units(c, i)]
    for unit in units:
        assert guide.text[unit.start : unit.end] == unit.sentence
    texts = {u.text for u in units}
    assert "Programs may not: Ask you how you will rank them" in texts
    assert "Binding pre-match offers are not allowed." in {u.sentence for u in units}
