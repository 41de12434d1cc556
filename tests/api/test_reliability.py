"""A broken index is refused, never served; a build killed half-way leaves the old one serving."""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from uvicorn.config import STARTUP_FAILURE

from api.main import create_app
from api.settings import Settings
from index.answer.advisor import Advisor
from index.model.embeddings import MiniLMEmbedder
from index.ranking.linear import LinearModel
from index.reader.fitting import blank_models
from index.store.build import build_store
from index.store.manifest import CHUNKS_FILE, CURRENT_LINK, MANIFEST_FILE, VECTORS_FILE
from tests.fakes import HashingEmbedder
from tests.helpers import CONTENT, ROOT, docker_command, free_port, script

QUESTION = "can I email about visa sponsorship before interviews"


def truncate_vectors(folder: Path) -> None:
    path = folder / VECTORS_FILE
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def corrupt_chunks(folder: Path) -> None:
    path = folder / CHUNKS_FILE
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x20  # one flipped bit: same size, still plausible JSON
    path.write_bytes(bytes(data))


def other_model(folder: Path) -> None:
    path = folder / MANIFEST_FILE
    manifest = json.loads(path.read_text("utf-8"))
    manifest["model_name"] = "some-other-model"
    path.write_text(json.dumps(manifest), "utf-8")


def dangling_link(folder: Path) -> None:
    shutil.rmtree(folder)


FAULTS: dict[str, tuple[Callable[[Path], None], str]] = {
    "truncated vectors": (truncate_vectors, "corrupt"),
    "flipped bit in chunks": (corrupt_chunks, "corrupt"),
    "another model": (other_model, "model"),
    "current points at nothing": (dangling_link, "no index"),
}


def broken_copy(index_dir: Path, tmp_path: Path, fault: str) -> Path:
    root = tmp_path / "index"
    shutil.copytree(index_dir, root, symlinks=True)
    FAULTS[fault][0]((root / CURRENT_LINK).resolve())
    return root


@pytest.mark.parametrize("fault", FAULTS)
def test_a_broken_index_keeps_the_service_unready(
    fault: str, index_dir: Path, served_encoder: MiniLMEmbedder, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    root = broken_copy(index_dir, tmp_path, fault)
    caplog.set_level(logging.INFO, logger="advisor")
    app = create_app(Settings(content_dir=CONTENT, index_dir=root), embedder_factory=lambda: served_encoder)
    with TestClient(app) as client:
        health, ready = client.get("/healthz"), client.get("/readyz")
        ask = client.post("/api/ask", json={"question": QUESTION})
    assert health.status_code == ready.status_code == ask.status_code == 503
    reason = FAULTS[fault][1]
    assert reason in health.json()["detail"] and reason in ask.json()["detail"]
    for body in (health.text, ready.text, ask.text):
        assert str(tmp_path) not in body  # file names only, never the server's paths
    errors = [r.getMessage() for r in caplog.records if r.name == "advisor" and r.levelno >= logging.ERROR]
    assert len(errors) == 1 and errors[0].startswith("advisor not ready: ") and "\n" not in errors[0]


def test_a_real_server_with_a_corrupt_index_answers_503_and_logs_one_line(index_dir: Path, tmp_path: Path) -> None:
    root = broken_copy(index_dir, tmp_path, "truncated vectors")
    port, log_path = free_port(), tmp_path / "server.log"
    env = {**os.environ, "ADVISOR_CONTENT_DIR": str(CONTENT), "ADVISOR_INDEX_DIR": str(root)}
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", *docker_command("127.0.0.1", port)], cwd=ROOT, env=env, stdout=log, stderr=log
        )
    try:
        status, deadline = 0, time.monotonic() + 90
        while time.monotonic() < deadline and process.poll() is None:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
                status = 200
            except urllib.error.HTTPError as exc:
                status = exc.code
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.3)
                continue
            break
    finally:
        process.terminate()
        process.wait(timeout=20)
    assert status == 503
    lines = [line for line in log_path.read_text().splitlines() if "not ready" in line]
    assert len(lines) == 1 and "corrupt" in lines[0], log_path.read_text()[-2000:]


ASK = script("ask")


@pytest.mark.parametrize("fault", ["truncated vectors", "another model"])
def test_the_cli_refuses_a_broken_index_in_one_line(fault: str, index_dir: Path, tmp_path: Path) -> None:
    root = broken_copy(index_dir, tmp_path, fault)
    env = {k: v for k, v in os.environ.items() if k != "ADVISOR_URL"}
    env.update(ADVISOR_CONTENT_DIR=str(CONTENT), ADVISOR_INDEX_DIR=str(root))
    result = subprocess.run(
        [*ASK, QUESTION], capture_output=True, text=True, env=env, cwd=ROOT, timeout=120, check=False
    )
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1
    assert FAULTS[fault][1] in result.stderr


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("ADVISOR_MAX_IN_FLIGHT", "many", "valid integer"),
        ("ADVISOR_TRUSTED_PROXIES", "10.0.0.300", "not an IP address"),
        ("ADVISOR_MODEL_PRECISION", "fp16", "'fp32' or 'int8'"),
        ("ADVISOR_CACHE_SIZE", "-1", "greater than or equal to 0"),
        ("ADVISOR_DATABASE_URL", "nonsense://db", "not a usable database URL"),
    ],
)
def test_a_bad_setting_stops_the_cli_and_the_server_with_one_line_naming_it(
    variable: str, value: str, message: str
) -> None:
    env = {k: v for k, v in os.environ.items() if k != "ADVISOR_URL"} | {variable: value}
    cli = subprocess.run([*ASK, QUESTION], capture_output=True, text=True, env=env, cwd=ROOT, timeout=120, check=False)
    assert cli.returncode == 1 and cli.stdout == "" and cli.stderr.count("\n") == 1
    assert cli.stderr.startswith(f"error: bad settings: {variable}") and message in cli.stderr
    # as the image runs it, and with several workers, whose supervisor would restart a worker exiting otherwise
    # (uvicorn's own supervisor then stops with 0: it ends, which the timeout holds it to)
    for workers, code in (([], STARTUP_FAILURE), (["--workers", "2"], None)):
        server = subprocess.run(
            [sys.executable, "-m", *docker_command("127.0.0.1", free_port()), *workers],
            capture_output=True, text=True, env=env, cwd=ROOT, timeout=120, check=False,
        )  # fmt: skip
        assert code is None or server.returncode == code
        assert "Traceback" not in server.stderr
        assert f"error: bad settings: {variable}" in server.stderr and message in server.stderr


def wait_for(condition: Callable[[], bool], seconds: float, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if process.poll() is not None:
            raise AssertionError(f"the build ended (exit {process.returncode}) before it could be killed")
        if time.monotonic() > deadline:
            process.kill()
            raise AssertionError(f"gave up after {seconds} s")
        time.sleep(0.01)


def assert_previous_index_serves(
    root: Path, folder: Path, content: Path, embedder: object, models: dict[str, LinearModel] | None = None
) -> None:
    assert os.readlink(root / CURRENT_LINK) == folder.name
    advisor = Advisor.load(content, root, embedder, models)  # type: ignore[arg-type]
    assert advisor.ask(QUESTION).citations


def test_a_build_killed_while_embedding_leaves_the_previous_index_serving(
    content_copy: Path, tmp_path: Path, embedder: MiniLMEmbedder, served_encoder: MiniLMEmbedder
) -> None:
    root = tmp_path / "index"
    previous = build_store(content_copy, root, embedder, reader_sha256=served_encoder.reader_sha256).folder
    guide = next(content_copy.glob("*.md"))
    guide.write_text(guide.read_text("utf-8") + "\nA paragraph added before the rebuild.\n", "utf-8")
    process = subprocess.Popen(
        [*script("build_index"), "--content", str(content_copy), "--out", str(root)],
        cwd=ROOT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    assert process.stderr is not None
    os.set_blocking(process.stderr.fileno(), False)
    seen = bytearray()

    def embedding_started() -> bool:
        seen.extend(process.stderr.read() or b"")  # type: ignore[union-attr]
        return bool(re.search(rb"embedding \d+/\d+", seen))

    try:
        wait_for(embedding_started, 120, process)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
    finally:
        process.stderr.close()
    assert process.returncode == -signal.SIGKILL
    assert not re.search(rb"embedding (\d+)/\1\b", seen)  # killed before the last batch
    assert_previous_index_serves(root, previous, CONTENT, served_encoder)


SLOW_SAVE = """
import sys, time
from pathlib import Path
import index.store.folder
from index.store.build import build_store
from tests.fakes import HashingEmbedder

index.store.folder._fsync = lambda path: time.sleep(60)  # hold the build inside save_store, files half written
build_store(Path(sys.argv[1]), Path(sys.argv[2]), HashingEmbedder())
"""


def test_a_build_killed_while_saving_leaves_the_previous_index_serving(
    content_copy: Path, tmp_path: Path, fake_embedder: HashingEmbedder
) -> None:
    root = tmp_path / "index"
    previous = build_store(content_copy, root, fake_embedder).folder
    process = subprocess.Popen(
        [sys.executable, "-c", SLOW_SAVE, str(content_copy), str(root)], cwd=ROOT, stdout=subprocess.DEVNULL
    )
    wait_for(lambda: any((p / MANIFEST_FILE).exists() for p in root.glob(".tmp-index-*")), 60, process)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)
    assert_previous_index_serves(root, previous, content_copy, fake_embedder, blank_models())
    assert list(root.glob(".tmp-index-*"))  # the killed build's leftovers are there, and ignored
    rebuilt = build_store(content_copy, root, fake_embedder).folder
    assert sorted(p.name for p in root.iterdir()) == sorted([CURRENT_LINK, rebuilt.name])


UNSAFE_LOADING = re.compile(
    r"\bimport (?:c?pickle|dill|joblib|cloudpickle|shelve|marshal)\b|\bfrom (?:c?pickle|dill|joblib|shelve) import"
    r"|\bpickle\.loads?\(|torch\.load\(|allow_pickle\s*=\s*True|\bBM25\.load\(|\.load_state_dict\("
)


def test_nothing_is_unpickled() -> None:
    sources = [p for folder in ("api", "index", "scripts") for p in (ROOT / folder).rglob("*.py")]
    offenders = [str(p.relative_to(ROOT)) for p in sources if UNSAFE_LOADING.search(p.read_text("utf-8"))]
    assert offenders == []


def test_the_model_and_the_index_are_in_formats_that_cannot_run_code(index_dir: Path) -> None:
    from index.model.files import bundled_model_dir

    pickled = [".bin", ".pt", ".pth", ".pkl", ".pickle", ".joblib", ".ckpt"]
    assert [p.name for p in bundled_model_dir().rglob("*") if p.suffix in pickled] == []
    assert {p.suffix for p in (index_dir / CURRENT_LINK).iterdir()} <= {".faiss", ".json"}
