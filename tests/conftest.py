from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.main import create_app, question_encoder
from api.settings import Settings
from index.answer.advisor import Advisor
from index.guides.content import Guide, load_guides
from index.model.embeddings import MiniLMEmbedder
from index.store.build import build_index
from scripts._server import docker_command, free_port
from tests.fakes import HashingEmbedder

ROOT = Path(__file__).resolve().parents[1]
CONTENT = ROOT / "content"
LOOPBACK = ("127.0.0.1", 50000)  # a TestClient's peer: /metrics answers loopback callers by default


@pytest.fixture(scope="session", autouse=True)
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Votes the tests send (schemathesis's among them) go to a temporary database, never to the repo's data/."""
    folder = tmp_path_factory.mktemp("data")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ADVISOR_DATA_DIR", str(folder))
        patch.delenv("ADVISOR_DATABASE_URL", raising=False)
        yield folder


@pytest.fixture(scope="session")
def guide() -> Guide:
    return load_guides(CONTENT)[0]


@pytest.fixture(scope="session")
def embedder() -> MiniLMEmbedder:
    return MiniLMEmbedder()


@pytest.fixture(scope="session")
def served_encoder() -> MiniLMEmbedder:
    """The question encoder as the service runs it: the reader `make index` made (ADVISOR_MODEL_PRECISION)."""
    return question_encoder(Settings())


@pytest.fixture(scope="session")
def index_dir(
    tmp_path_factory: pytest.TempPathFactory, embedder: MiniLMEmbedder, served_encoder: MiniLMEmbedder
) -> Path:
    """The guide's index built as `make index` builds it (passages in fp32), for the served reader."""
    root = tmp_path_factory.mktemp("index")
    build_index(CONTENT, root, embedder, reader_sha256=served_encoder.reader_sha256)
    return root


@pytest.fixture(scope="session")
def advisor(index_dir: Path, served_encoder: MiniLMEmbedder) -> Advisor:
    return Advisor.load(CONTENT, index_dir, served_encoder)


@pytest.fixture(scope="session")
def client(index_dir: Path, served_encoder: MiniLMEmbedder) -> Iterator[TestClient]:
    # One session-wide client for many tests: a per-client rate limit would make them depend on their order.
    settings = Settings(content_dir=CONTENT, index_dir=index_dir, rate_limit_per_minute=0)
    app = create_app(settings, embedder_factory=lambda: served_encoder)
    with TestClient(app, client=LOOPBACK) as test_client:
        yield test_client


@pytest.fixture
def content_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "content"
    shutil.copytree(CONTENT, folder)
    return folder


@pytest.fixture
def fake_embedder() -> HashingEmbedder:
    return HashingEmbedder()


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


@pytest.fixture(scope="session")
def live_server(index_dir: Path) -> Iterator[str]:
    with running_server(index_dir, ADVISOR_RATE_LIMIT_PER_MINUTE="0") as url:  # shared, as `client` is
        yield url


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser tests run last: Playwright's sync API leaves an event loop set on the main thread,
    which would break every later test that calls asyncio.run()."""
    items.sort(key=lambda item: "tests/browser/" in item.nodeid.replace("\\", "/"))
