"""Guides as editors write them: repeated and letterless headings, BOM and CRLF, YAML front matter, inline
images, long unbroken runs, tables, nested lists, and a guide with no text."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import struct
import subprocess
import termios
from html.parser import HTMLParser
from pathlib import Path

import pytest

from api.pages import render_guide_html
from index.errors import ContentError
from index.guides.answer_units import answer_units
from index.guides.chunks import MAX_CHARS, Chunk, chunk_guide
from index.guides.content import Guide, load_guides
from index.guides.markdown import read_blocks
from index.store.build import build_store
from tests.fakes import HashingEmbedder
from tests.helpers import CONTENT, ROOT, script

FRONT = "---\ntitle: Lots\nslug: lots\nsource_url:\nlast_reviewed: 2026-01-31\n---\n"


def write(folder: Path, text: str, name: str = "g.md") -> Path:
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_bytes(text.encode("utf-8"))
    return path


def one_guide(folder: Path, text: str) -> Guide:
    write(folder, text)
    (guide,) = load_guides(folder)
    return guide


def units_of(chunks: list[Chunk]) -> list[str]:
    return [u.text for i, c in enumerate(chunks) for u in answer_units(c, i)]


class _Ids(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.headings: list[tuple[str, str]] = []  # (id, text)
        self.tags: list[str] = []
        self._open: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if re.fullmatch(r"h[1-6]", tag):
            self._open = dict(attrs).get("id") or ""
            self.headings.append((self._open, ""))

    def handle_endtag(self, tag: str) -> None:
        if re.fullmatch(r"h[1-6]", tag):
            self._open = None

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            anchor, text = self.headings[-1]
            self.headings[-1] = (anchor, text + data)


def page_of(guide: Guide) -> _Ids:
    parser = _Ids()
    parser.feed(render_guide_html(guide))
    return parser


HEADINGS = ["Lot", "Lot", "Lot 1", "Lot-1", "Lot", "🎉", "🎉 🎊", "Виза", "Виза", "ビザ", "ビザの種類", "!!!", "Lots"]


def test_anchors_and_chunk_ids_are_unique_and_each_links_its_own_heading(tmp_path: Path) -> None:
    body = "Text before any heading, under the title.\n\n# Lots\n\nIntro.\n\n" + "".join(
        f"### {h}\n\nParagraph {n} under {h}.\n\n" for n, h in enumerate(HEADINGS)
    )
    guide = one_guide(tmp_path, FRONT + body)
    chunks = chunk_guide(guide)
    assert len({c.id for c in chunks}) == len(chunks), [c.id for c in chunks]
    anchors = [c.anchor for c in chunks]
    assert len(set(anchors)) == len(anchors) == len(HEADINGS) + 2, anchors
    assert all(a and not a.startswith("-") for a in anchors)
    page = page_of(guide)
    ids = [anchor for anchor, _ in page.headings]
    assert len(set(ids)) == len(ids)
    heading_of = dict(page.headings)
    for n, heading in enumerate(HEADINGS):
        chunk = next(c for c in chunks if f"Paragraph {n} under" in c.text)
        assert heading_of[chunk.anchor] == heading, (chunk.anchor, heading)  # "Go to section" lands on its heading
    intro = next(c for c in chunks if "Text before any heading" in c.text)
    assert intro.anchor in render_guide_html(guide)  # the text above the first heading has a target too


def test_a_bom_and_crlf_build_and_offsets_index_the_file_as_stored(tmp_path: Path) -> None:
    source = (CONTENT / "pre-match-communication-pmr-non-us-img.md").read_text("utf-8")
    path = write(tmp_path, "\ufeff" + source.replace("\n", "\r\n"))
    (guide,) = load_guides(tmp_path)
    (plain_guide,) = load_guides(CONTENT)
    assert (guide.title, guide.slug, guide.last_reviewed) == (plain_guide.title, plain_guide.slug, "2026-11-25")
    stored = path.read_bytes().decode("utf-8")
    chunks = chunk_guide(guide)
    for chunk in chunks:
        assert stored[chunk.start : chunk.end] == chunk.text
        for unit in answer_units(chunk, 0):
            assert stored[unit.start : unit.end] == unit.sentence
    assert [c.text.replace("\r\n", "\n") for c in chunks] == [c.text for c in chunk_guide(plain_guide)]
    assert [u.replace("\r\n", "\n") for u in units_of(chunks)] == units_of(chunk_guide(plain_guide))
    report = build_store(tmp_path, tmp_path / "index", HashingEmbedder())
    assert report.chunks == len(chunks)


@pytest.mark.parametrize(
    ("title_line", "reviewed_line", "title", "reviewed"),
    [
        ('title: "Visas: J-1 and H-1B"', "last_reviewed: 2026-01-31", "Visas: J-1 and H-1B", "2026-01-31"),
        ("title: 'A Guide'", 'last_reviewed: "2026-01-31"', "A Guide", "2026-01-31"),
        ("title: A Guide", "last_reviewed: '2026-02-01'", "A Guide", "2026-02-01"),
    ],
)
def test_front_matter_is_yaml(tmp_path: Path, title_line: str, reviewed_line: str, title: str, reviewed: str) -> None:
    front = FRONT.replace("title: Lots", title_line).replace("last_reviewed: 2026-01-31", reviewed_line)
    guide = one_guide(tmp_path, front + "\n# T\n\nText.\n")
    assert (guide.title, guide.last_reviewed) == (title, reviewed)
    assert all(c.section == (title,) or c.section[0] != f'"{title}"' for c in chunk_guide(guide))


@pytest.mark.parametrize(
    ("front", "field"),
    [
        (FRONT.replace("last_reviewed: 2026-01-31", "last_reviewed: soon"), "last_reviewed"),
        (FRONT.replace("last_reviewed: 2026-01-31", "last_reviewed: 2026-01-31 10:00"), "last_reviewed"),
        (FRONT.replace("title: Lots", "title: [a, b]"), "title"),
        (FRONT.replace("title: Lots", "title: 2026"), "title"),
        (FRONT.replace("slug: lots", "slug: Lots Of"), "slug"),
        (FRONT.replace("source_url:", "source_url: [x]"), "source_url"),
        (FRONT.replace("title: Lots", "title: Visas: J-1"), "line 2"),
        ("---\n- a list\n---\n", "key: value"),
    ],
)
def test_front_matter_errors_name_the_file_and_the_field(tmp_path: Path, front: str, field: str) -> None:
    path = write(tmp_path, front + "\n# T\n\nText.\n")
    with pytest.raises(ContentError, match=re.escape(field)) as info:
        load_guides(tmp_path)
    assert str(path) in str(info.value)


PAYLOAD = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg" * 40


def test_an_inline_data_uri_is_indexed_by_its_alt_text_never_its_payload(tmp_path: Path) -> None:
    body = (
        "# Lots\n\n## Where programs are\n\nThe map shows where programs sponsor visas. "
        f"![Map of programs that sponsor J-1 visas](data:image/png;base64,{PAYLOAD}) "
        "Most sponsor J-1 only.\n\nSmall one: ![tiny chart](data:image/gif;base64,R0lGODlhAQABAAAAACw=) ends here.\n"
    )
    guide = one_guide(tmp_path, FRONT + body)
    chunks = chunk_guide(guide)
    for chunk in chunks:
        assert "base64" not in chunk.text and "R0lGOD" not in chunk.text and len(chunk.text) <= MAX_CHARS
        assert "iVBOR" not in chunk.embed_text and "data:" not in chunk.embed_text
    embedded = " ".join(c.embed_text for c in chunks)
    for words in ("Map of programs that sponsor J-1 visas", "The map shows", "Most sponsor J-1 only.", "tiny chart"):
        assert words in embedded
    assert not any("iVBOR" in u or "R0lGOD" in u for u in units_of(chunks))


@pytest.mark.parametrize(
    "run",
    [
        "https://example.org/" + "a1b2c3d4e5" * 150,  # a URL of 1,520 characters
        "x" * 1333,
        ("word " * 300).strip() + ("y" * 700),
    ],
)
def test_a_forced_cut_drops_no_character(tmp_path: Path, run: str) -> None:
    guide = one_guide(tmp_path, FRONT + f"\n# Lots\n\n## Long\n\nBefore it. {run} After it.\n")
    chunks = chunk_guide(guide)
    covered = set().union(*(range(c.start, c.end) for c in chunks))
    (paragraph,) = [b for b in read_blocks(guide.text, guide.body_start) if b.kind == "paragraph"]
    lost = [i for i in range(paragraph.start, paragraph.end) if i not in covered and not guide.text[i].isspace()]
    assert lost == []
    assert all(len(c.text) <= MAX_CHARS for c in chunks)


TABLE = """# Lots

## Visas by program

Sponsorship at a glance:

| Program | Visa sponsored | Step 3 needed |
|---|---|:-:|
| Riverside Rehab | J-1 only | no |
| Lakeside PM&R | J-1 and H-1B | yes, for H-1B |
""" + "".join(f"| Program number {n} with a long name | J-1 and H-1B | only for H-1B |\n" for n in range(20))


def test_a_table_row_is_indexed_with_its_header_and_rendered_as_a_table(tmp_path: Path) -> None:
    guide = one_guide(tmp_path, FRONT + "\n" + TABLE + "\nAfter the table.\n")
    chunks = chunk_guide(guide)
    rows = [c for c in chunks if "Program number 17 " in c.text]
    assert len(rows) == 1
    assert (
        "| Program | Visa sponsored | Step 3 needed |" in rows[0].text or "Program | Visa sponsored" in rows[0].context
    )
    assert "|---|" not in rows[0].embed_text
    lakeside = next(u for i, c in enumerate(chunks) for u in answer_units(c, i) if "Lakeside" in u.sentence)
    assert "Visa sponsored" in lakeside.text and "J-1 and H-1B" in lakeside.text
    assert guide.text[lakeside.start : lakeside.end] == lakeside.sentence
    page = page_of(guide)
    assert {"table", "th", "td"} <= set(page.tags)


NESTED = """# Lots

## What to send

Prepare these:

- Documents:
  - Passport copy
  - ECFMG certificate
    - with the date of issue
- A short cover note
1. Step one:
   1. Fill in the form
"""


def test_a_nested_list_item_keeps_its_parent_as_lead_in(tmp_path: Path) -> None:
    guide = one_guide(tmp_path, FRONT + "\n" + NESTED)
    chunks = chunk_guide(guide)
    units = units_of(chunks)
    assert "Documents:" not in units  # never quoted alone
    assert any("Documents:" in u and u.endswith("Passport copy") for u in units), units
    assert any("ECFMG certificate" in u and u.endswith("with the date of issue") for u in units), units
    assert any("Step one:" in u and u.endswith("Fill in the form") for u in units), units
    small = chunk_guide(guide, max_chars=60, pack_chars=60)
    passport = next(c for c in small if "Passport copy" in c.text)
    assert "Documents:" in passport.text or "Documents:" in passport.context


def test_a_guide_with_front_matter_and_no_text_is_named_in_a_warning(tmp_path: Path) -> None:
    content = tmp_path / "content"
    write(content, (CONTENT / "pre-match-communication-pmr-non-us-img.md").read_text("utf-8"), "full.md")
    empty = write(content, FRONT.replace("lots", "empty-one") + "\n\n", "empty.md")
    headings_only = write(content, FRONT.replace("lots", "headings-only") + "\n# Title\n\n## Nothing\n", "h.md")
    report = build_store(content, tmp_path / "index", HashingEmbedder())
    assert any(str(empty) in w for w in report.warnings) and any(str(headings_only) in w for w in report.warnings)
    result = subprocess.run(
        [*script("build_index"), "--content", str(content), "--out", str(tmp_path / "o")],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 2 and str(empty) in "\n".join(warnings)
    # not a terminal: the progress is plain lines, not a bar redrawn with carriage returns
    assert "\r" not in result.stderr
    assert re.search(r"^embedding \d+/\d+", result.stderr, re.MULTILINE)


def test_the_progress_is_a_bar_on_a_terminal(tmp_path: Path) -> None:
    controller, terminal = pty.openpty()
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))  # a terminal 100 columns wide
    process = subprocess.Popen(
        [*script("build_index"), "--out", str(tmp_path / "o")],
        cwd=ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=terminal,
    )  # fmt: skip
    os.close(terminal)
    seen = b""
    while True:
        try:
            data = os.read(controller, 4096)
        except OSError:
            break
        if not data:
            break
        seen += data
    assert process.wait(timeout=300) == 0
    os.close(controller)
    text = seen.decode("utf-8", "replace")
    assert "\r" in text and "100%" in text and "|" in text  # one line redrawn in place: a bar
