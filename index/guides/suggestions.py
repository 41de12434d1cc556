"""What to offer an applicant to ask: the guide's own FAQ questions, its question headings, and its topics.

Every suggestion is the guide's own words: a question as the guide asks it ("How often is too often?"),
or a heading offered as a topic ("Confirm and reinforce genuine interest"), never a heading forced
into a question frame. Clicking one asks it as written.
"""

from __future__ import annotations

import re
from functools import lru_cache

from index.guides.content import Guide
from index.guides.markdown import NUMBERING, plain, read_blocks

_FAQ = re.compile(r"^(frequently asked questions|faq)\b", re.IGNORECASE)
_NOT_A_TOPIC = re.compile(r"^(conclusion|introduction|summary|frequently asked questions|faq)\b", re.IGNORECASE)
_EXAMPLE = re.compile(r"^example\b", re.IGNORECASE)


def plain_title(heading: str) -> str:
    """A heading as a reader names it: no Markdown, no list numbering ("3. Update and strengthen your file")."""
    return NUMBERING.sub("", plain(heading))


def section_title(section_path: str) -> str:
    """The plain title of a citation's section ("Timing and Channels > Pre-interview phase" -> its last part)."""
    return plain_title(section_path.split(" > ")[-1])


@lru_cache(maxsize=64)
def _headings(guide: Guide) -> tuple[tuple[int, str, str, bool], ...]:
    """(level, top-level heading, plain title, in the FAQ) for each heading below the title, in order."""
    out = []
    top = ""
    in_faq = False
    for block in read_blocks(guide.text, guide.body_start):
        if block.kind != "heading" or block.level < 2:
            continue
        title = plain_title(block.text)
        if block.level == 2:
            top, in_faq = block.text, bool(_FAQ.match(title))
        out.append((block.level, top, title, in_faq))
    return tuple(out)


def _is_offered(level: int, title: str) -> bool:
    # level 4 and "Example: ..." headings name templates, not topics an applicant asks about
    return 2 <= level <= 3 and not _NOT_A_TOPIC.match(title) and not _EXAMPLE.match(title)


@lru_cache(maxsize=64)
def faq_questions(guide: Guide) -> tuple[str, ...]:
    """The guide's FAQ questions, as written, numbering dropped."""
    return tuple(title for level, _, title, in_faq in _headings(guide) if in_faq and title.endswith("?") and level > 2)


@lru_cache(maxsize=64)
def guide_suggestions(guide: Guide) -> tuple[str, ...]:
    """The FAQ's questions, then the other question headings, then the top-level sections as topics."""
    questions = [t for lvl, _, t, faq in _headings(guide) if t.endswith("?") and not faq and _is_offered(lvl, t)]
    topics = [t for lvl, _, t, _ in _headings(guide) if lvl == 2 and not t.endswith("?") and _is_offered(lvl, t)]
    return tuple(dict.fromkeys([*faq_questions(guide), *questions, *topics]))


def near_section(guide: Guide, section_path: str) -> list[str]:
    """Headings beside a cited section (same top-level section), then the guide's usual suggestions; the cited
    section itself and its parents are left out."""
    path = [part.strip() for part in section_path.split(" > ")]
    own = {plain_title(p) for p in path}
    beside = [
        title
        for level, top, title, _ in _headings(guide)
        if plain(top) == plain(path[0]) and _is_offered(level, title) and title not in own
    ]
    return [s for s in dict.fromkeys([*beside, *guide_suggestions(guide)]) if s not in own]
