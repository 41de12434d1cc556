"""The README states each default once, in its settings tables, and states it as the code has it.

The service's table is checked against `api.settings.Settings`, the widget's against the `DEFAULTS` of
`api/static/widget/element.js`: every setting is listed once, and each default cell is a literal (`60`), the
word none, or, for a default the code computes, the rule it computes it by.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

import api.settings
from api.settings import Settings
from api.widget import WIDGET_DIR
from tests.helpers import ROOT

README = ROOT / "README.md"
ROW = re.compile(r"^\| `([^`]+)` \| (.+?) \| .+ \|$")
LITERAL = re.compile(r"`([^`]*)`")
PER_CORE = re.compile(r"one per usable core, at most `(\d+)`")


def table(header: str) -> dict[str, str]:
    """The rows of the README's table that starts with `header`: first cell (without its backticks) -> second."""
    lines = README.read_text("utf-8").splitlines()
    start = lines.index(header)
    rows: dict[str, str] = {}
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        match = ROW.match(line)
        assert match, f"README: a row of the table {header!r} is not `name` | default | meaning: {line}"
        assert match[1] not in rows, f"README: {match[1]} is listed twice"
        rows[match[1]] = match[2]
    return rows


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """No ADVISOR_ variable from the shell or another test: the settings as their defaults make them."""
    for name in [n for n in os.environ if n.startswith("ADVISOR_")]:
        monkeypatch.delenv(name)
    return monkeypatch


def stated(environment: pytest.MonkeyPatch, variable: str, literal: str) -> object:
    """What the settings make of `literal` given as `variable`, as an operator would give it."""
    environment.setenv(variable, literal)
    value = getattr(Settings(), variable.removeprefix("ADVISOR_").lower())
    environment.delenv(variable)
    return ROOT / value if isinstance(value, Path) else value  # the README's paths are the repository's


def test_the_readme_lists_every_setting_once() -> None:
    listed = set(table("| variable | default | meaning |"))
    fields = {f"ADVISOR_{name.upper()}" for name in Settings.model_fields}
    assert listed - fields == set(), "the README lists settings the Settings class does not have"
    assert fields - listed == set(), "the README leaves these settings out"


def test_each_default_in_the_readme_is_the_settings_default(environment: pytest.MonkeyPatch) -> None:
    defaults = Settings()
    wrong: list[str] = []
    for variable, cell in table("| variable | default | meaning |").items():
        field = variable.removeprefix("ADVISOR_").lower()
        actual = getattr(defaults, field)
        if cell == "none":
            if actual not in (None, []):
                wrong.append(f"{variable}: README none, settings {actual!r}")
        elif literal := LITERAL.fullmatch(cell):
            if (said := stated(environment, variable, literal[1])) != actual:
                wrong.append(f"{variable}: README {literal[1]} ({said!r}), settings {actual!r}")
        elif per_core := PER_CORE.fullmatch(cell):
            cap = int(per_core[1])
            for cores in (1, cap + 60):
                environment.setattr(api.settings, "usable_cores", lambda cores=cores: cores)
                if (made := getattr(Settings(), field)) != min(cores, cap):
                    wrong.append(f"{variable}: README {cell} ({min(cores, cap)} on {cores} cores), settings {made}")
        else:
            wrong.append(f"{variable}: README {cell!r} is neither `a literal`, none, nor a rule this test knows")
    assert not wrong, "the README's settings table and the Settings class disagree:\n" + "\n".join(wrong)


def test_no_default_is_stated_outside_the_settings_table() -> None:
    lines = README.read_text("utf-8").splitlines()
    outside = [line for line in lines if not line.startswith("| `ADVISOR_")]
    restated = [line for line in outside if re.search(r"ADVISOR_[A-Z_]+", line) and "default" in line.lower()]
    assert not restated, "a default is stated in the settings table only, not again in:\n" + "\n".join(restated)


def test_the_widgets_defaults_in_the_readme_are_the_scripts() -> None:
    source = (WIDGET_DIR / "element.js").read_text("utf-8")
    block = re.search(r"const DEFAULTS = \{(.*?)\};", source, re.DOTALL)
    names = re.search(r"const SETTINGS = \[(.*?)\];", source, re.DOTALL)
    assert block and names, "element.js: DEFAULTS and SETTINGS are where the widget's defaults are read from"
    defaults = dict(re.findall(r'(\w+): "([^"]*)"', block[1]))
    settings = set(re.findall(r'"(\w+)"', names[1])) | set(defaults)
    rows = table("| setting | default | meaning |")
    assert set(rows) == {f"data-{name}" for name in settings}
    for attribute, cell in rows.items():
        name = attribute.removeprefix("data-")
        if name not in defaults:
            assert not LITERAL.fullmatch(cell) and cell != "none", f"README: {attribute} is computed, not {cell}"
        elif cell == "none":
            assert defaults[name] == "", f"README: {attribute} defaults to none; the script says {defaults[name]!r}"
        else:
            literal = LITERAL.fullmatch(cell)
            assert literal, f"README: state {attribute}'s default as `a literal` or none"
            assert literal[1] == defaults[name], (
                f"README: {attribute} is {literal[1]!r}; the script has {defaults[name]!r}"
            )
