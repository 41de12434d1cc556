"""Fixtures for every test, where pytest finds them: the guide, the encoders, a store built once, the Advisor, an app
client and a live server (helpers that are not fixtures: tests/helpers.py)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from api.settings import Settings
from index.answer.advisor import Advisor
from index.guides.content import Guide, load_guides
from index.model.embeddings import MiniLMEmbedder
from index.reader.encoder import question_encoder
from index.store.build import build_store
from tests.fakes import HashingEmbedder
from tests.helpers import CONTENT, EVAL, LOOPBACK, running_server


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
    build_store(CONTENT, root, embedder, reader_sha256=served_encoder.reader_sha256)
    return root


@pytest.fixture(scope="session")
def both_guides(
    tmp_path_factory: pytest.TempPathFactory, embedder: MiniLMEmbedder, served_encoder: MiniLMEmbedder
) -> Advisor:
    """The Advisor with the second guide (tests/eval/second-guide/) loaded beside the first."""
    content = tmp_path_factory.mktemp("both-guides")
    for guide in [*CONTENT.glob("*.md"), *(EVAL / "second-guide/content").glob("*.md")]:
        shutil.copy2(guide, content / guide.name)
    build_store(content, content / "index", embedder, reader_sha256=served_encoder.reader_sha256)
    return Advisor.load(content, content / "index", served_encoder)


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


@pytest.fixture(scope="session")
def live_server(index_dir: Path) -> Iterator[str]:
    with running_server(index_dir, ADVISOR_RATE_LIMIT_PER_MINUTE="0") as url:  # shared, as `client` is
        yield url


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser tests run last: Playwright's sync API leaves an event loop set on the main thread,
    which would break every later test that calls asyncio.run()."""
    items.sort(key=lambda item: "tests/browser/" in item.nodeid.replace("\\", "/"))
