"""Starting the service as the image does: the Dockerfile's command, on a free loopback port."""

from __future__ import annotations

import json
import socket
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def docker_command(host: str, port: int) -> list[str]:
    """The Dockerfile's CMD with another host and port: benchmarks and tests run what the image runs."""
    line = next(ln for ln in (ROOT / "Dockerfile").read_text().splitlines() if ln.startswith("CMD "))
    command: list[str] = json.loads(line[4:])
    command[command.index("--host") + 1] = host
    command[command.index("--port") + 1] = str(port)
    return command


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])
