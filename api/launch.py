"""Starting the service as the image does, for the benchmark, the load test and the tests: the Dockerfile's
command, on a free loopback port (read from the Dockerfile of the checkout this module is in)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CONTENT = ROOT / "content"
HOST = "127.0.0.1"


def docker_command(host: str, port: int) -> list[str]:
    """The Dockerfile's CMD with another host and port: benchmarks and tests run what the image runs."""
    line = next(ln for ln in (ROOT / "Dockerfile").read_text().splitlines() if ln.startswith("CMD "))
    command: list[str] = json.loads(line[4:])
    command[command.index("--host") + 1] = host
    command[command.index("--port") + 1] = str(port)
    return command


def healthcheck_command(port: int) -> list[str]:
    """The Dockerfile's HEALTHCHECK (exec form) against another port, run with this interpreter."""
    line = next(ln for ln in _joined_lines() if ln.startswith("HEALTHCHECK "))
    command: list[str] = json.loads(line.split(" CMD ", 1)[1])
    return [sys.executable, *(part.replace("127.0.0.1:8000/", f"127.0.0.1:{port}/") for part in command[1:])]


def _joined_lines() -> list[str]:
    return (ROOT / "Dockerfile").read_text().replace("\\\n", " ").splitlines()


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    port: int
    ready_seconds: float

    def peak_rss_mb(self) -> float:
        """VmHWM of the server process and of its worker processes, summed."""
        pids = [self.process.pid, *_children(self.process.pid)]
        return sum(_status_kb(pid, "VmHWM") for pid in pids) / 1024

    def cpu_seconds(self) -> float:
        """User + system CPU time of the server process and of its worker processes."""
        pids = [self.process.pid, *_children(self.process.pid)]
        ticks = sum(
            sum(int(v) for v in Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[11:13]) for pid in pids
        )
        return ticks / os.sysconf("SC_CLK_TCK")


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def _status_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def _healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://{HOST}:{port}/healthz", timeout=2) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


@contextmanager
def server(index_dir: Path, workers: int = 1, timeout: float = 120, **settings: str) -> Iterator[Server]:
    """The image's command on a free port; `settings` are extra ADVISOR_* variables (lower-case names)."""
    port = free_port()
    command = [sys.executable, "-m", *docker_command(HOST, port)]
    if workers > 1:
        command += ["--workers", str(workers)]
    env = {
        **os.environ,
        "ADVISOR_CONTENT_DIR": str(CONTENT),
        "ADVISOR_INDEX_DIR": str(index_dir),
        "ADVISOR_RATE_LIMIT_PER_MINUTE": "0",  # one loopback client would otherwise be throttled
        **{f"ADVISOR_{name.upper()}": value for name, value in settings.items()},
    }
    with tempfile.NamedTemporaryFile("w+b", suffix=".log") as log:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = started + timeout
            # Each worker logs this once its lifespan has loaded the model and index.
            while Path(log.name).read_bytes().count(b"Application startup complete") < workers or not _healthy(port):
                if process.poll() is not None or time.perf_counter() > deadline:
                    raise RuntimeError(f"server did not start:\n{Path(log.name).read_text()[-2000:]}")
                time.sleep(0.01)
            yield Server(process, port, time.perf_counter() - started)
        finally:
            process.terminate()
            process.wait(timeout=30)
