"""Fidelity tests for content/pre-match-communication-pmr-non-us-img.md.

The Markdown file is a structured conversion of a raw web-page text dump of
the guide. These tests check that every sentence of the guide survives
verbatim, that site chrome was dropped, and that the structure the chunker
relies on (front matter, headings, fenced email templates) is in place.

Standard library + pytest only; no project imports.
"""

import re
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
SLUG = "pre-match-communication-pmr-non-us-img"
SOURCE_PATH = REPO_ROOT / ".." / "shared" / "guide-source" / f"{SLUG}.txt"
MARKDOWN_PATH = REPO_ROOT / "content" / f"{SLUG}.md"

TITLE = "Essential Guide to Pre-Match Communication for Non-US IMGs in PM&R Residency"

# Site chrome (rule 2). Exact source lines that must be dropped.
CHROME_EXACT_LINES = {
    "Residency Advisor Logo Residency Advisor",
    "International medical graduate considering pre-match communication in "
    "PM&R residency - non-US citizen IMG for Pre-Match Commu",
    "overview",
    "Related Articles",
}
KEYWORD_LINE_PREFIX = "non-US citizen IMG foreign national medical graduate PM&R residency physiatry match"
AD_BLOCK_START = "SmartPick - Residency Selection Made Smarter"
AD_BLOCK_END = "* 100% free to try. No credit card or account creation required."

# Chrome fragments that must not occur anywhere in the Markdown.
CHROME_FRAGMENTS = [
    "Residency Advisor Logo Residency Advisor",
    KEYWORD_LINE_PREFIX,
    "International medical graduate considering pre-match communication in "
    "PM&R residency - non-US citizen IMG for Pre-Match Commu",
    "SmartPick",
    "Residency Selection Made Smarter",
    "Take the guesswork out of residency applications with data-driven precision.",
    "Finding the right residency programs is challenging",
    "100% free to try. No credit card or account creation required.",
    "Related Articles",
]

EXPECTED_H2 = [
    "Understanding Pre-Match Communication vs. Pre-Match Offers",
    "Key Rules and Ethics: What Is Allowed and What Is Not",
    "Strategic Goals of Pre-Match Communication for a Non-US Citizen IMG",
    "Timing and Channels: When and How to Communicate",
    "Style, Content, and Pitfalls: How to Communicate Effectively",
    "Special PM&R Considerations for Non-US Citizen IMGs",
    "Practical Communication Templates You Can Adapt",
    "Frequently Asked Questions (FAQ)",
]

FAQ_QUESTIONS = [
    "1. As a non-US citizen IMG, should I directly ask for a pre-match offer in PM&R?",
    "2. Can I tell more than one PM&R program that they are my \u201ctop choice\u201d?",
    "3. If a program emails saying they are very interested in me, does that mean I will match there?",
    "4. Is it okay if a mentor contacts a PM&R program on my behalf before the Match?",
]

# The only heading text that is not taken from the source.
ADDED_HEADINGS = {"Conclusion"}

FRONT_MATTER_KEYS = ["title", "slug", "source_url", "last_reviewed"]

FENCE_OPEN = "```text"
FENCE_CLOSE = "```"


# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------

_NUMBERING = re.compile(r"^\d+\.\s+")
_HEADING = re.compile(r"^#{1,6}\s+")
_WS = re.compile(r"\s+")


def _collapse(text):
    return _WS.sub(" ", text).strip()


def _normalize_source_line(line):
    """Strip bullet marks, leading whitespace, 'N. ' numbering; collapse ws."""
    text = line.strip()
    if text.startswith("\u2022"):
        text = text[1:].strip()
    text = _NUMBERING.sub("", text)
    return _collapse(text)


def _normalize_markdown_line(line):
    """Strip the marks added by the conversion: '#', '- ', 'N. '."""
    text = line.strip()
    text = _HEADING.sub("", text)
    if text.startswith("- "):
        text = text[2:]
    text = _NUMBERING.sub("", text)
    return _collapse(text)


def _read_source_lines():
    if not SOURCE_PATH.is_file():
        pytest.skip(
            f"guide source dump not available at {SOURCE_PATH}; "
            "fidelity can only be checked where ../shared/guide-source exists"
        )
    return SOURCE_PATH.read_text(encoding="utf-8").splitlines()


def _is_chrome(line):
    text = line.strip()
    return text in CHROME_EXACT_LINES or text.startswith(KEYWORD_LINE_PREFIX)


def _content_source_lines():
    """Non-empty, non-chrome source lines (raw), in source order."""
    lines = _read_source_lines()
    kept = []
    in_ad = False
    for line in lines:
        text = line.strip()
        if text == AD_BLOCK_START:
            in_ad = True
        if in_ad:
            if text == AD_BLOCK_END:
                in_ad = False
            continue
        if text == "Related Articles":
            break  # site navigation; nothing after it is guide content
        if not text or _is_chrome(line):
            continue
        kept.append(line)
    return kept


def _read_markdown():
    assert MARKDOWN_PATH.is_file(), f"missing {MARKDOWN_PATH}"
    return MARKDOWN_PATH.read_text(encoding="utf-8")


def _split_front_matter(text):
    lines = text.split("\n")
    assert lines[0] == "---", "front matter must start on the very first line"
    end = lines.index("---", 1)
    return lines[1:end], lines[end + 1 :]


def _body_lines():
    _, body = _split_front_matter(_read_markdown())
    return body


def _normalized_body_lines():
    """Body lines with added marks removed; fence and empty lines dropped."""
    out = []
    for line in _body_lines():
        if line.strip() in (FENCE_OPEN, FENCE_CLOSE):
            continue
        norm = _normalize_markdown_line(line)
        if norm:
            out.append(norm)
    return out


def _headings(level):
    prefix = "#" * level + " "
    return [line[len(prefix) :] for line in _outside_fences(_body_lines()) if line.startswith(prefix)]


def _outside_fences(lines):
    inside = False
    for line in lines:
        if line == FENCE_OPEN and not inside:
            inside = True
            continue
        if line == FENCE_CLOSE and inside:
            inside = False
            continue
        if not inside:
            yield line


def _fenced_blocks():
    blocks = []
    current = None
    for line in _body_lines():
        if current is None and line == FENCE_OPEN:
            current = []
        elif current is not None and line == FENCE_CLOSE:
            blocks.append(current)
            current = None
        elif current is not None:
            current.append(line)
    assert current is None, "unclosed ```text fence"
    return blocks


# --------------------------------------------------------------------------
# fidelity
# --------------------------------------------------------------------------


def test_every_source_line_is_kept_verbatim():
    body = _normalized_body_lines()
    body_set = set(body)
    body_text = "\n".join(body)
    missing = []
    for line in _content_source_lines():
        norm = _normalize_source_line(line)
        if norm not in body_set and norm not in body_text:
            missing.append(line)
    assert not missing, "source lines not found verbatim in Markdown:\n" + "\n".join(missing)


def test_source_lines_keep_their_order():
    body = _normalized_body_lines()
    pos = 0
    for line in _content_source_lines():
        norm = _normalize_source_line(line)
        try:
            pos = body.index(norm, pos) + 1
        except ValueError:
            pytest.fail(f"source line out of order or missing: {line!r}")


def test_no_words_added_to_markdown_body():
    """Every Markdown body line comes from the source (bar added headings)."""
    source_norm = {_normalize_source_line(line) for line in _content_source_lines()}
    allowed = source_norm | ADDED_HEADINGS
    extra = [line for line in _normalized_body_lines() if line not in allowed]
    assert not extra, "Markdown lines not present in source:\n" + "\n".join(extra)


def test_typography_preserved():
    text = _read_markdown()
    source = "\n".join(_content_source_lines())
    for ch in ("\u201c", "\u201d", "\u2019", "\u2013", "\u2014", "\u2026"):
        assert text.count(ch) == source.count(ch), f"count of {ch!r} differs"
    for token in ("#1", "[Program Name]", "[AAMC ID]", "[Name]"):
        assert text.count(token) == source.count(token), token


# --------------------------------------------------------------------------
# chrome removal
# --------------------------------------------------------------------------


def test_chrome_is_removed():
    text = _read_markdown()
    for fragment in CHROME_FRAGMENTS:
        assert fragment not in text, f"site chrome left in Markdown: {fragment!r}"
    for line in text.split("\n"):
        assert line.strip().lower() != "overview", "trailing 'overview' line kept"


def test_source_chrome_lines_are_recognised():
    """Guard: the chrome this test strips really is in the source dump."""
    raw = _read_source_lines()
    stripped = [line.strip() for line in raw]
    assert stripped[0] == "Residency Advisor Logo Residency Advisor"
    assert any(line.startswith(KEYWORD_LINE_PREFIX) for line in stripped)
    assert AD_BLOCK_START in stripped and AD_BLOCK_END in stripped


# --------------------------------------------------------------------------
# structure
# --------------------------------------------------------------------------


def test_front_matter():
    fm, _ = _split_front_matter(_read_markdown())
    keys = []
    values = {}
    for line in fm:
        key, sep, value = line.partition(":")
        assert sep, f"bad front matter line: {line!r}"
        keys.append(key)
        values[key] = value.strip()
    assert keys == FRONT_MATTER_KEYS
    assert values["title"] == TITLE
    assert values["slug"] == SLUG
    assert values["source_url"] == ""
    assert values["last_reviewed"] == "2026-11-25"
    for key in ("title", "slug", "last_reviewed"):
        assert not values[key].startswith(("'", '"')), f"{key} must be unquoted"


def test_h1_is_title():
    body = _body_lines()
    first = next(line for line in body if line.strip())
    assert first == f"# {TITLE}"
    assert _headings(1) == [TITLE]


def test_h2_sections():
    h2 = _headings(2)
    assert h2 == [*EXPECTED_H2, "Conclusion"]
    assert len([h for h in h2 if h != "Conclusion"]) == 8


def test_example_email_headings_are_h4():
    assert _headings(4) == [
        "Example: Visa clarification email",
        "Example: Post-interview thank-you",
    ]


def test_faq_questions_are_h3_headings():
    body = list(_outside_fences(_body_lines()))
    faq_start = body.index("## Frequently Asked Questions (FAQ)")
    faq_end = body.index("## Conclusion")
    faq_h3 = [line[4:] for line in body[faq_start:faq_end] if line.startswith("### ")]
    assert faq_h3 == FAQ_QUESTIONS


def test_conclusion_paragraph():
    body = [line for line in _outside_fences(_body_lines()) if line.strip()]
    idx = body.index("## Conclusion")
    assert body[idx + 1].startswith("Thoughtful, ethical pre-match communication won\u2019t magically")
    assert idx + 2 == len(body), "Conclusion must be the last section"


def test_five_fenced_templates_match_source():
    blocks = _fenced_blocks()
    assert len(blocks) == 5
    assert _read_markdown().count(FENCE_OPEN) == 5
    source_text = "\n".join(line.strip() for line in _read_source_lines())
    for block in blocks:
        assert block[0].startswith("Subject: ")
        assert block[-1] in ("[Name]", "[AAMC ID]")
        assert "Sincerely," in block
        assert "\n".join(block) in source_text, "template is not a verbatim copy of the source:\n" + "\n".join(block)


def test_formatting():
    text = _read_markdown()
    assert text.endswith("\n") and not text.endswith("\n\n")
    assert "\r" not in text
    lines = text.split("\n")
    for n, line in enumerate(lines, 1):
        assert line == line.rstrip(), f"trailing whitespace on line {n}"
    assert "\n\n\n" not in text, "paragraphs must be separated by one blank line"
    assert not re.search(r"</?[A-Za-z][^>]*>", text), "HTML found"
    assert "**" not in text and "__" not in text, "bold found"
    assert "\u2022" not in text, "raw bullet characters left"
    # items of one list are contiguous (no blank line between them)
    item = re.compile(r"^(- |\d+\. )")
    for i in range(1, len(lines) - 1):
        if not lines[i] and item.match(lines[i - 1]) and item.match(lines[i + 1]):
            pytest.fail(f"blank line inside a list at line {i + 1}")


def test_lead_ins_are_plain_paragraphs_before_lists():
    body = list(_outside_fences(_body_lines()))
    for lead in (
        "Programs may:",
        "Programs may not:",
        "You, as the applicant, may:",
        "You may not:",
        "You may email:",
        "Letter of strong interest (can send to multiple):",
        "Letter of intent (only if you are truly committed):",
        "Avoid:",
        "General guidance:",
        "Strategic tips:",
        "Instead, focus on:",
    ):
        i = body.index(lead)
        assert body[i - 1] == "" and body[i + 1] == "", lead
        assert re.match(r"^(- |\d+\. )", body[i + 2]), lead


def test_important_note_is_plain_paragraph():
    body = _body_lines()
    hits = [line for line in body if "This is not a pre-match offer" in line]
    assert hits == [
        "Important: This is not a pre-match offer or early commitment in the "
        "NRMP sense. It is non-binding for the program and carries no "
        "guarantee. It simply communicates your genuine ranking plan and "
        "enthusiasm."
    ]
