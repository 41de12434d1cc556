"""What the tests share besides fixtures (those are in conftest.py): the repo's folders, and running the
service and the scripts as an operator does."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from api.launch import docker_command, free_port

ROOT = Path(__file__).resolve().parents[1]
CONTENT = ROOT / "content"
EVAL = ROOT / "tests" / "eval"
LOOPBACK = ("127.0.0.1", 50000)  # a TestClient's peer: /metrics answers loopback callers by default


def script(name: str) -> list[str]:
    """The command that runs scripts/<name>.py as operators do, `python -m scripts.<name>`: run it with cwd=ROOT."""
    return [sys.executable, "-m", f"scripts.{name}"]


def wait_until_ready(url: str, process: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    raise RuntimeError(f"server at {url} not ready after {seconds}s")


@contextmanager
def running_server(index_dir: Path, **env: str) -> Iterator[str]:
    """A real uvicorn process serving the app on a free loopback port."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    environment = {**os.environ, "ADVISOR_CONTENT_DIR": str(CONTENT), "ADVISOR_INDEX_DIR": str(index_dir), **env}
    process = subprocess.Popen(
        [sys.executable, "-m", *docker_command(host="127.0.0.1", port=port), "--log-level", "warning"],
        cwd=ROOT,
        env=environment,
    )
    try:
        wait_until_ready(url, process)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)
