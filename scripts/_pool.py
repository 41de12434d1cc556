"""Keep-alive HTTP/1.1 connections to one loopback port, for the load test (scripts/loadtest.py).

A connection idle for longer than IDLE_MAX is not reused: uvicorn closes kept-alive connections after 5 s,
and a request sent on one it is closing would count as a failure of the server.
"""

from __future__ import annotations

import asyncio
import time

MAX_CONNECTIONS = 512
IDLE_MAX = 3.0  # seconds a kept-alive connection is reused after; uvicorn closes them after 5


Connection = tuple[asyncio.StreamReader, asyncio.StreamWriter]


class Pool:
    """Keep-alive HTTP/1.1 connections to one loopback port, at most MAX_CONNECTIONS of them."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.idle: list[tuple[Connection, float]] = []  # and when it was last used
        self.open = 0
        self.freed = asyncio.Condition()

    async def _acquire(self, fresh: bool) -> tuple[Connection, bool]:
        """A connection, and whether it was used before."""
        async with self.freed:
            while True:
                if fresh and self.open >= MAX_CONNECTIONS and self.idle:
                    (_, writer), _ = self.idle.pop(0)  # make room: drop the longest idle one
                    writer.close()
                    self.open -= 1
                while self.idle and not fresh:
                    conn, last_used = self.idle.pop()
                    if time.monotonic() - last_used < IDLE_MAX:
                        return conn, True
                    conn[1].close()  # the server is about to drop it, or has
                    self.open -= 1
                if self.open < MAX_CONNECTIONS:
                    self.open += 1
                    break
                await self.freed.wait()
        try:
            return await asyncio.open_connection(self.host, self.port), False
        except OSError:
            await self._discard(None)
            raise

    async def _discard(self, writer: asyncio.StreamWriter | None) -> None:
        if writer is not None:
            writer.close()
        async with self.freed:
            self.open -= 1
            self.freed.notify()

    async def _release(self, conn: Connection) -> None:
        async with self.freed:
            self.idle.append((conn, time.monotonic()))
            self.freed.notify()

    async def request(self, raw: bytes, fresh: bool = False) -> tuple[int, bytes]:
        conn, reused = await self._acquire(fresh)
        reader, writer = conn
        try:
            writer.write(raw)
            await writer.drain()
            head = await reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, ConnectionError):
            await self._discard(writer)
            if reused:  # closed by the server while idle, just before this request: not a failure
                return await self.request(raw, fresh=True)
            raise
        except BaseException:
            await self._discard(writer)
            raise
        try:
            lines = head.decode("latin-1").lower().split("\r\n")
            status = int(lines[0].split(" ", 2)[1])
            headers = dict(line.split(": ", 1) for line in lines[1:] if ": " in line)
            body = await reader.readexactly(int(headers.get("content-length", "0")))
        except BaseException:
            await self._discard(writer)
            raise
        if headers.get("connection") == "close":
            await self._discard(writer)
        else:
            await self._release(conn)
        return status, body

    async def close(self) -> None:
        for (_, writer), _ in self.idle:
            writer.close()
        self.idle.clear()
