"""A loopback HTTP/1.1 load generator: keep-alive connections, pre-encoded requests, bounded runs.

It speaks just enough HTTP for a JSON POST and its Content-Length reply, so one Python process
can drive several hundred requests a second on two cores; `canned_server` measures that ceiling.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np


@dataclass
class LoadResult:
    latencies: list[float] = field(default_factory=list)  # seconds, successful requests only
    errors: int = 0
    seconds: float = 0.0

    @property
    def count(self) -> int:
        return len(self.latencies)

    @property
    def rate(self) -> float:
        return self.count / self.seconds if self.seconds else 0.0

    def ms(self, q: float) -> float:
        return float(np.percentile(self.latencies, q) * 1000) if self.latencies else float("nan")


def ask_request(host: str, port: int, question: str, top_k: int = 3) -> bytes:
    body = json.dumps({"question": question, "top_k": top_k}).encode()
    head = (
        f"POST /api/ask HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


async def _exchange(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes) -> int:
    writer.write(request)
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    length = next((int(v) for k, _, v in (ln.partition(":") for ln in lines[1:]) if k.lower() == "content-length"), 0)
    await reader.readexactly(length)
    return status


async def _client(host: str, port: int, requests: Iterator[bytes], deadline: float, result: LoadResult) -> None:
    connection: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None
    for request in requests:
        if time.perf_counter() > deadline:
            break
        started = time.perf_counter()
        try:
            if connection is None:
                connection = await asyncio.open_connection(host, port)
            status = await _exchange(*connection, request)
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError, IndexError):
            result.errors += 1
            if connection is not None:
                connection[1].close()
            connection = None
            continue
        if status == 200:
            result.latencies.append(time.perf_counter() - started)
        else:
            result.errors += 1
    if connection is not None:
        connection[1].close()


async def _drive(host: str, port: int, requests: list[bytes], concurrency: int, seconds: float) -> LoadResult:
    result = LoadResult()
    shared = iter(requests)  # one iterator: the clients together send each request once
    started = time.perf_counter()
    await asyncio.gather(
        *(_client(host, port, shared, started + seconds, result) for _ in range(concurrency)),
    )
    result.seconds = time.perf_counter() - started
    return result


def drive(host: str, port: int, requests: list[bytes], concurrency: int, seconds: float) -> LoadResult:
    """Send `requests` over `concurrency` keep-alive connections, stopping after `seconds`."""
    return asyncio.run(_drive(host, port, requests, concurrency, seconds))


# A server that answers every request with the same bytes as fast as asyncio can: what is left of
# its latency at a given concurrency is the load generator's own cost (plus the loopback's).
_CANNED = r"""
import asyncio, sys
BODY = b"x" * int(sys.argv[2])
REPLY = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: %d\r\n\r\n" % len(BODY) + BODY
async def serve(reader, writer):
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.split(b"\r\n")
            length = next((int(l.split(b":")[1]) for l in lines if l.lower().startswith(b"content-length")), 0)
            await reader.readexactly(length)
            writer.write(REPLY)
    except (asyncio.IncompleteReadError, ConnectionError):
        writer.close()
async def main():
    server = await asyncio.start_server(serve, "127.0.0.1", int(sys.argv[1]))
    print("ready", flush=True)
    await server.serve_forever()
asyncio.run(main())
"""


def canned_server(port: int, body_bytes: int) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [sys.executable, "-c", _CANNED, str(port), str(body_bytes)], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
    )
    assert process.stdout is not None
    process.stdout.readline()
    return process
