"""Loopback load test of the Advisor: capacity, overload at 5x capacity, and a memory soak.

Usage: python -m scripts.loadtest [overload|soak|all] [--capacity N] [--factor 5] [--seconds 60]
                           [--soak-seconds 600] [--url http://127.0.0.1:PORT --pid PID] [--json FILE]

It starts its own server on a free 127.0.0.1 port (or uses --url and --pid for one already
running on this machine) and only ever sends to the loopback address. Every phase is bounded
in time and request count, and the script stops by itself.

- capacity: 16 keep-alive connections ask back to back for --capacity-seconds; capacity is the
  rate of 200s. Each request comes from one of many client addresses (X-Forwarded-For, believed
  because the server it starts trusts 127.0.0.1), so the per-client rate limit stays out of it.
- overload: open-loop arrivals at --factor x capacity for --seconds, 10% of them from a single
  abusive client. Pass: only 200, 429 and 503, no other 5xx, no connection errors, and right
  after, 20 ordinary questions answered 200.
- soak: half capacity for --soak-seconds; the server's RSS (VmRSS from /proc/PID/status) is sampled
  every 10 s after a 30 s warm-up. Pass: growth under 10%.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import ipaddress
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from api.launch import free_port
from scripts._cli import fail
from scripts._phase import REQUEST_TIMEOUT, Phase, timed
from scripts._pool import Pool

ROOT = Path(__file__).resolve().parents[1]

CAPACITY_WORKERS = 16
# Client addresses are only header values (X-Forwarded-For), from ranges reserved for tests.
BENCHMARK_NET = int(ipaddress.IPv4Address("198.18.0.0"))
CLIENT_ADDRESSES = 4000
ABUSER = "198.51.100.66"
QUESTIONS = (
    "can I email about visa sponsorship before interviews",
    "how many letters of intent can I send?",
    "can programs ask how I will rank them?",
    "should I send a thank you note after my interview",
    "what is a letter of intent",
    "is it ok to contact the program director after interview day",
    "what's the best pizza in Chicago?",
    "how do I renew my passport",
)


def client_address(i: int) -> str:
    return str(ipaddress.IPv4Address(BENCHMARK_NET + i % CLIENT_ADDRESSES))


def question(rng: random.Random) -> str:
    # A varying tail keeps an answer cache from turning the test into a cache benchmark.
    return f"{rng.choice(QUESTIONS)} (ref {rng.randrange(10**9)})"


def ask_bytes(host: str, q: str, forwarded_for: str) -> bytes:
    body = json.dumps({"question": q}).encode()
    head = (
        f"POST /api/ask HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
        f"X-Forwarded-For: {forwarded_for}\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


async def closed_loop(pool: Pool, host: str, seconds: float, workers: int, seed: int) -> Phase:
    phase = Phase("capacity", load_before=os.getloadavg())
    rng = random.Random(seed)
    deadline = time.perf_counter() + seconds
    counter = iter(range(10**9))

    async def worker() -> None:
        while time.perf_counter() < deadline:
            i = next(counter)
            started = time.perf_counter()
            await timed(phase, pool.request(ask_bytes(host, question(rng), client_address(i))), started)

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(workers)))
    phase.seconds = time.perf_counter() - started
    phase.sent = sum(phase.statuses.values())
    phase.load_after = os.getloadavg()
    return phase


async def open_loop(
    pool: Pool,
    host: str,
    name: str,
    rate: float,
    seconds: float,
    seed: int,
    abuse_share: float = 0.0,
    tick: Callable[[float], None] | None = None,
) -> Phase:
    """Arrivals on a fixed schedule whatever the replies: latency counts from the scheduled time."""
    phase = Phase(name, load_before=os.getloadavg(), extra={"target_rate": round(rate, 1)})
    rng = random.Random(seed)
    total = int(rate * seconds)
    tasks: set[asyncio.Task[None]] = set()
    loop = asyncio.get_running_loop()
    start = loop.time()
    started_wall = time.perf_counter()
    next_tick = 10.0
    for i in range(total):
        due = start + i / rate
        delay = due - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        if tick and loop.time() - start >= next_tick:
            tick(loop.time() - start)
            next_tick += 10.0
        sender = ABUSER if rng.random() < abuse_share else client_address(i)
        scheduled = started_wall + i / rate
        task = asyncio.create_task(timed(phase, pool.request(ask_bytes(host, question(rng), sender)), scheduled))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
    phase.sent = total
    phase.seconds = time.perf_counter() - started_wall
    if tasks:
        await asyncio.wait(tasks, timeout=REQUEST_TIMEOUT + 5)
    phase.load_after = os.getloadavg()
    return phase


async def after_check(pool: Pool, host: str, seed: int) -> Phase:
    phase = Phase("after", load_before=os.getloadavg())
    rng = random.Random(seed)
    started_all = time.perf_counter()
    for i in range(20):
        started = time.perf_counter()
        await timed(phase, pool.request(ask_bytes(host, question(rng), f"192.0.2.{200 + i}")), started)
    phase.seconds = time.perf_counter() - started_all
    phase.sent = 20
    phase.load_after = os.getloadavg()
    return phase


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for process {pid}")


@contextlib.contextmanager
def own_server(log_path: Path) -> Iterator[tuple[str, int]]:
    port = free_port()
    env = {**os.environ, "ADVISOR_TRUSTED_PROXIES": "127.0.0.1"}
    command = [sys.executable, "-m", "uvicorn", "--factory", "api.main:app_factory", "--host", "127.0.0.1"]
    command += ["--port", str(port), "--no-access-log", "--log-level", "warning"]
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if process.poll() is not None:
                fail(f"the server exited with {process.returncode}; see {log_path}")
            with contextlib.suppress(OSError), urllib.request.urlopen(url + "/healthz", timeout=2) as reply:
                if reply.status == 200:
                    break
            time.sleep(0.5)
        else:
            fail(f"the server was not ready in 120 s; see {log_path}")
        yield url, process.pid
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def loopback(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        is_loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        is_loopback = False
    if not is_loopback or parts.port is None:
        fail(f"{url} is not a loopback address with a port: this tool only loads 127.0.0.1")
    return host, parts.port


def print_phase(summary: dict[str, Any]) -> None:
    print(json.dumps(summary), flush=True)


async def run(args: argparse.Namespace, url: str, pid: int) -> dict[str, Any]:
    host, port = loopback(url)
    host_header = f"{host}:{port}"
    pool = Pool(host, port)
    report: dict[str, Any] = {"url": url, "pid": pid, "cores": os.cpu_count(), "phases": []}
    try:
        capacity = args.capacity
        if capacity is None:
            phase = await closed_loop(pool, host_header, args.capacity_seconds, CAPACITY_WORKERS, seed=1)
            capacity = phase.statuses["200"] / phase.seconds
            phase.extra["capacity_rps"] = round(capacity, 1)
            report["phases"].append(phase.summary())
            print_phase(report["phases"][-1])
        report["capacity_rps"] = round(capacity, 1)
        if args.mode in ("overload", "all"):
            rss_before = rss_kib(pid)
            phase = await open_loop(
                pool, host_header, "overload", capacity * args.factor, args.seconds, seed=2, abuse_share=0.1
            )
            phase.extra.update(rss_kib_before=rss_before, rss_kib_after=rss_kib(pid), factor=args.factor)
            other_5xx = sum(n for s, n in phase.statuses.items() if s.startswith("5") and s != "503")
            unexpected = sum(n for s, n in phase.statuses.items() if s not in ("200", "429", "503"))
            phase.extra.update(other_5xx=other_5xx, unexpected=unexpected)
            report["phases"].append(phase.summary())
            print_phase(report["phases"][-1])
            await pool.close()
            pool = Pool(host, port)
            after = await after_check(pool, host_header, seed=3)
            report["phases"].append(after.summary())
            print_phase(report["phases"][-1])
            report["overload_ok"] = unexpected == 0 and after.statuses["200"] == after.sent
        if args.mode in ("soak", "all"):
            samples: list[tuple[float, int]] = []

            def tick(elapsed: float) -> None:
                samples.append((round(elapsed), rss_kib(pid)))

            phase = await open_loop(pool, host_header, "soak", capacity / 2, args.soak_seconds, seed=4, tick=tick)
            samples.append((round(phase.seconds), rss_kib(pid)))
            baseline = next((kib for at, kib in samples if at >= args.warmup), samples[0][1])
            final = samples[-1][1]
            growth = (final - baseline) / baseline * 100
            phase.extra.update(
                rss_kib_samples=samples,
                rss_kib_baseline=baseline,
                rss_kib_final=final,
                rss_kib_max=max(kib for _, kib in samples),
                rss_growth_percent=round(growth, 2),
            )
            report["phases"].append(phase.summary())
            print_phase(report["phases"][-1])
            report["soak_ok"] = growth < 10 and set(phase.statuses) <= {"200", "429", "503"}
    finally:
        await pool.close()
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.loadtest", description=__doc__.split("\n\n")[0])
    parser.add_argument("mode", nargs="?", choices=("overload", "soak", "all"), default="overload")
    parser.add_argument("--capacity", type=float, help="requests/s the server sustains (measured if not given)")
    parser.add_argument("--capacity-seconds", type=float, default=15)
    parser.add_argument("--factor", type=float, default=5.0, help="overload rate as a multiple of capacity")
    parser.add_argument("--seconds", type=float, default=60, help="length of the overload phase")
    parser.add_argument("--soak-seconds", type=float, default=600)
    parser.add_argument("--warmup", type=float, default=30, help="soak seconds before the RSS baseline")
    parser.add_argument("--url", help="a server already running on 127.0.0.1 (needs --pid)")
    parser.add_argument("--pid", type=int, help="that server's process id, for its RSS")
    parser.add_argument("--json", type=Path, help="also write the report here")
    args = parser.parse_args(argv)
    if not (0 < args.seconds <= 600 and 0 < args.soak_seconds <= 3600 and 0 < args.factor <= 20):
        parser.error("bounds: --seconds up to 600, --soak-seconds up to 3600, --factor up to 20")
    if bool(args.url) != bool(args.pid):
        parser.error("--url and --pid go together")
    with contextlib.ExitStack() as stack:
        if args.url:
            url, pid = args.url, args.pid
        else:
            log_path = Path(tempfile.mkstemp(prefix="advisor-loadtest-", suffix=".log")[1])
            url, pid = stack.enter_context(own_server(log_path))
            print(f"server {url} pid {pid}, log {log_path}", file=sys.stderr)
        report = asyncio.run(run(args, url, pid))
    report["load_at_end"] = os.getloadavg()
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n")
    verdicts = [report.get(k) for k in ("overload_ok", "soak_ok") if k in report]
    print(
        f"capacity {report['capacity_rps']} req/s; "
        + ", ".join(f"{k}={report[k]}" for k in report if k.endswith("_ok"))
    )
    return 0 if all(verdicts) else 1


if __name__ == "__main__":
    sys.exit(main())
