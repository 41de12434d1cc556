"""Several replicas, one rate limit: two real servers (the image's command) counting in one Redis.

Where the server comes from: `make test` runs the Makefile's `redis` target first, which installs Debian's
redis-server with apt-get when it is missing; the fixture below starts a throwaway one on a unix socket in a
temporary folder (no port that another developer's run could be using) and stops it afterwards.
ADVISOR_TEST_REDIS_URL points the test at a server of your own instead.

Decision: without redis-server these tests skip, saying why, on a developer's machine (no root, no apt-get,
or plain `pytest`). Under CI=true on a machine with apt-get they fail instead: there `make test` can always
install it, so a skip would only hide a broken set-up and leave the several-replica path untested.
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
import redis

from api.launch import server
from tests.api.helpers import fresh_window

WINDOW_S = 180  # 3 requests at 1 a minute


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = os.environ.get("ADVISOR_TEST_REDIS_URL")
    if url:
        yield url
        return
    binary = shutil.which("redis-server") or shutil.which("redis-server", path="/usr/sbin:/usr/bin")
    if binary is None:
        reason = "redis-server is not installed: `make redis` (part of `make test`) installs Debian's"
        if os.environ.get("CI") == "true" and shutil.which("apt-get"):
            pytest.fail(f"{reason} (under CI=true with apt-get available this must not be skipped)")
        pytest.skip(reason)
    folder = tmp_path_factory.mktemp("redis")
    socket = folder / "redis.sock"
    options = ["--port", "0", "--unixsocket", str(socket), "--unixsocketperm", "700", "--dir", str(folder)]
    options += ["--save", "", "--appendonly", "no", "--daemonize", "no", "--logfile", str(folder / "redis.log")]
    process = subprocess.Popen([binary, *options], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        client = redis.Redis(unix_socket_path=str(socket), socket_timeout=1)
        deadline = time.monotonic() + 20
        while True:
            try:
                client.ping()
                break
            except redis.RedisError:
                if process.poll() is not None or time.monotonic() > deadline:
                    log = folder / "redis.log"
                    pytest.fail(f"redis-server did not start: {log.read_text()[-500:] if log.exists() else ''}")
                time.sleep(0.05)
        client.close()
        yield f"redis+unix://{socket}"
    finally:
        process.terminate()
        process.wait(timeout=20)


def status(port: int, client: str) -> tuple[int, str | None]:
    request = urllib.request.Request(f"http://127.0.0.1:{port}/api/guides", headers={"X-Forwarded-For": client})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, None
    except urllib.error.HTTPError as error:
        return error.code, error.headers["Retry-After"]


def test_two_replicas_sharing_redis_enforce_one_limit(redis_url: str, index_dir: Path) -> None:
    settings = {
        "rate_limit_storage": redis_url,
        "rate_limit_per_minute": "1",
        "rate_limit_burst": "3",
        "trusted_proxies": "127.0.0.1",  # as behind a load balancer: each run counts a client of its own
    }
    client = f"198.51.100.{random.randrange(1, 255)}, 2001:db8:{random.randrange(1 << 16):x}::1"
    with ExitStack() as replicas:
        a, b = (replicas.enter_context(server(index_dir, **settings)) for _ in range(2))
        fresh_window(WINDOW_S)
        answers = [status(replica.port, client) for replica in (a, b, a, b, a, b)]
    assert [code for code, _ in answers] == [200, 200, 200, 429, 429, 429], answers
    assert all(retry is not None and 1 <= int(retry) <= WINDOW_S for code, retry in answers if code == 429)
