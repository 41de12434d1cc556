"""The per-client rate limit (the `limits` library) and the client address it is keyed by."""

from __future__ import annotations

import ipaddress
import math
import time
from collections.abc import Iterable, Sequence

from limits import RateLimitItemPerSecond
from limits.aio.storage import RedisStorage
from limits.aio.strategies import SlidingWindowCounterRateLimiter as AsyncLimiter
from limits.storage import MemoryStorage
from limits.strategies import SlidingWindowCounterRateLimiter

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

STORAGE_SCHEMES = ("memory://", "redis://", "rediss://", "redis+unix://")
REDIS_TIMEOUT_S = 0.5  # a Redis that does not answer must not hold a request up for long


def window_seconds(per_minute: float, burst: int) -> int:
    """The window that `burst` requests fill at `per_minute`, in whole seconds, rounded up (never a faster rate)."""
    return max(1, math.ceil(burst * 60 / per_minute - 1e-9))


class ClientLimiter:
    """At most `burst` requests per client in any window of `window_seconds(per_minute, burst)`.

    Counted by limits' sliding-window counter: the current window's count plus the previous window's,
    weighted by how much of it the sliding window still covers. A client's burst is spent at once; it comes
    back gradually as the previous window slides out, about `per_minute` a minute. `storage_url` is
    `memory://` (this process only) or a Redis URL (`redis://host:port/db`, `rediss://...`,
    `redis+unix:///path/to/socket`), which every replica pointed at it shares, so they enforce one limit.
    Redis is reached with redis-py's asyncio client, so a request never blocks the event loop on it.
    """

    def __init__(self, storage_url: str, per_minute: float, burst: int) -> None:
        self.burst = burst
        self.window = window_seconds(per_minute, burst)
        self.item = RateLimitItemPerSecond(burst, self.window)
        self._local: SlidingWindowCounterRateLimiter | None = None
        self._shared: AsyncLimiter | None = None
        if storage_url.startswith("memory://"):
            # The synchronous storage: a dictionary and a lock, no await per request.
            self._local = SlidingWindowCounterRateLimiter(MemoryStorage())
        else:
            storage = RedisStorage(
                f"async+{storage_url}",
                implementation="redispy",
                wrap_exceptions=True,
                socket_connect_timeout=REDIS_TIMEOUT_S,
                socket_timeout=REDIS_TIMEOUT_S,
            )
            self._shared = AsyncLimiter(storage)

    async def wait(self, key: str) -> float:
        """0.0 when `key` may go ahead (and the request is counted), else the seconds until it may.

        Raises limits.errors.StorageError when the shared storage cannot be reached.
        """
        if self._local is not None:
            if self._local.hit(self.item, key):
                return 0.0
            stats = self._local.get_window_stats(self.item, key)
        else:
            assert self._shared is not None
            if await self._shared.hit(self.item, key):
                return 0.0
            stats = await self._shared.get_window_stats(self.item, key)
        return max(stats.reset_time - time.time(), 0.0)


def parse_networks(entries: Iterable[str]) -> tuple[IPNetwork, ...]:
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries if entry.strip())


def _address(text: str) -> IPAddress | None:
    try:
        address = ipaddress.ip_address(text.strip().strip("[]"))
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _trusted(address: IPAddress, networks: Sequence[IPNetwork]) -> bool:
    return any(address in network for network in networks)


def client_address(peer: str | None, forwarded_for: str | None, trusted: Sequence[IPNetwork]) -> IPAddress | None:
    """The client's address: the peer's, or, when the peer is a trusted proxy, what X-Forwarded-For says.

    X-Forwarded-For is believed only when the peer is a trusted proxy, and then only up to the first
    hop (from the right) that is not itself trusted: entries left of it are whatever the client chose
    to send. None when the peer is not an IP address (a unix socket, a test client).
    """
    address = _address(peer) if peer else None
    if address is not None and forwarded_for and _trusted(address, trusted):
        for hop in reversed(forwarded_for.split(",")):
            hop_address = _address(hop)
            if hop_address is None:
                break
            address = hop_address
            if not _trusted(hop_address, trusted):
                break
    return address


def client_key(peer: str | None, forwarded_for: str | None, trusted: Sequence[IPNetwork]) -> str:
    """Who to count a request against: the client's address; IPv6 clients by their /64, which one
    subscriber usually holds whole."""
    address = client_address(peer, forwarded_for, trusted)
    if address is None:
        return peer or "unknown"
    if isinstance(address, ipaddress.IPv6Address):
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)


def within(address: IPAddress | None, networks: Sequence[IPNetwork]) -> bool:
    return address is not None and _trusted(address, networks)
