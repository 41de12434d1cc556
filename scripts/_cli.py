"""Shared bits of the command-line scripts: one-line errors and quiet start-up."""

from __future__ import annotations

import argparse
import json
import sys
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

if TYPE_CHECKING:
    from api.settings import Settings
    from index.answer.advisor import Advisor

TIMEOUT = 30
# In-process, a citation of a guide without a source_url links to the Advisor's own page of it: a path
# unless ADVISOR_PUBLIC_URL says where the Advisor is served (no server may be running at 127.0.0.1:8000).
SERVER_NEEDED = (
    "(Links are paths on the Advisor's server: open them on one started with `make serve`, or set ADVISOR_PUBLIC_URL.)"
)


def cli_settings() -> Settings:
    """The ADVISOR_* settings; an unusable value ends the script with one line naming the variable."""
    from api.settings import get_settings
    from index.errors import SettingsError

    try:
        return get_settings()
    except SettingsError as exc:
        fail(str(exc))


def load_advisor() -> Advisor:
    """The Advisor as the service loads it (the ADVISOR_* settings, the reader `make index` made), in this process."""
    from index.answer.advisor import Advisor
    from index.reader.encoder import question_encoder

    current = cli_settings()
    return Advisor.load(current.content_dir, current.index_dir, question_encoder(current))


def link_base() -> str:
    """The base of in-process links: ADVISOR_PUBLIC_URL, else "/", which makes them paths on a server."""
    return cli_settings().public_url or "/"


def server_note(urls: Iterable[str | None]) -> list[str]:
    """SERVER_NEEDED, once, when any of `urls` is a path on the Advisor's server."""
    return [SERVER_NEEDED] if any(url and url.startswith("/") for url in urls) else []


class Parser(argparse.ArgumentParser):
    """argparse that names the script as it is run (`python -m scripts.ask`) and reports bad usage in one line."""

    def __init__(self, description: str) -> None:
        spec = getattr(sys.modules["__main__"], "__spec__", None)
        super().__init__(prog=f"python -m {spec.name}" if spec else None, description=description)

    def error(self, message: str) -> NoReturn:
        sys.stderr.write(f"{self.prog}: error: {message} (see --help)\n")
        sys.exit(2)


def fail(message: str, code: int = 1) -> NoReturn:
    sys.stderr.write(f"error: {message}\n")
    sys.exit(code)


def post_json(url: str, path: str, payload: dict[str, Any]) -> dict[str, Any]:
    """POST to a running Advisor; any failure ends the script with one line."""
    request = urllib.request.Request(
        url.rstrip("/") + path, data=json.dumps(payload).encode(), headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            reply: dict[str, Any] = json.loads(response.read())
            return reply
    except urllib.error.HTTPError as exc:
        try:
            detail = json.loads(exc.read()).get("detail", exc.reason)
        except ValueError:
            detail = exc.reason
        fail(f"server at {url} answered {exc.code}: {detail}")
    except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
        reason = getattr(exc, "reason", exc)
        fail(f"cannot reach the Advisor at {url}: {reason}")
    except ValueError:
        fail(f"server at {url} did not answer with JSON")


def read_set(path: Path) -> list[dict[str, Any]]:
    """A labelled set (index.evaluation.read_jsonl); an unreadable one ends the script with one line."""
    from index.evaluation import read_jsonl

    try:
        return read_jsonl(path)
    except (OSError, ValueError) as exc:
        fail(f"cannot read set {path}: {exc}")


def reply_from(
    url: str | None, remote: Callable[[str], dict[str, Any]], local: Callable[[], dict[str, Any]]
) -> dict[str, Any]:
    """The server's reply when `url` is given, else the in-process one; a domain error ends the script with one line."""
    if url:
        return remote(url)
    from index.errors import AdvisorError

    try:
        return local()
    except AdvisorError as exc:
        fail(str(exc))


def print_reply(reply: dict[str, Any], as_json: bool, render: Callable[[dict[str, Any]], str]) -> None:
    sys.stdout.write(json.dumps(reply, ensure_ascii=False, indent=2) + "\n" if as_json else render(reply))
