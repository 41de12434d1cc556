from __future__ import annotations

from pathlib import Path

import pytest

from index.errors import ContentError
from index.guides.content import content_hash, load_guides

GOOD = "---\ntitle: A Guide\nslug: a-guide\nsource_url:\nlast_reviewed: 2026-01-31\n---\n\n# A Guide\n\nText.\n"


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text(text, "utf-8")
    return path


def test_front_matter_is_read(tmp_path: Path) -> None:
    write(tmp_path, "a.md", GOOD.replace("source_url:", "source_url: https://example.org/a"))
    (guide,) = load_guides(tmp_path)
    assert (guide.slug, guide.title, guide.source_url, guide.last_reviewed) == (
        "a-guide",
        "A Guide",
        "https://example.org/a",
        "2026-01-31",
    )
    assert guide.body.startswith("\n# A Guide")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("# No front matter\n", "missing front matter"),
        ("---\ntitle: T\n", "not closed"),
        (GOOD.replace("slug: a-guide", "slug: A Guide"), "slug"),
        (GOOD.replace("last_reviewed: 2026-01-31", "last_reviewed: soon"), "YYYY-MM-DD"),
        (GOOD.replace("title: A Guide\n", ""), "lacks title"),
    ],
)
def test_malformed_guides_are_named_with_the_reason(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, "bad.md", text)
    with pytest.raises(ContentError, match=message) as info:
        load_guides(tmp_path)
    assert str(path) in str(info.value)


def test_duplicate_slugs_and_empty_folders_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ContentError, match=r"no \.md guide"):
        load_guides(tmp_path)
    write(tmp_path, "a.md", GOOD)
    write(tmp_path, "b.md", GOOD)
    with pytest.raises(ContentError, match="used by both"):
        load_guides(tmp_path)


def test_content_hash_changes_with_any_guide(tmp_path: Path) -> None:
    write(tmp_path, "a.md", GOOD)
    before = content_hash(load_guides(tmp_path))
    write(tmp_path, "a.md", GOOD.replace("Text.", "Text!"))
    assert content_hash(load_guides(tmp_path)) != before
