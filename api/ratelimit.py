"""Per-client token buckets and the client address they are keyed by."""

from __future__ import annotations

import ipaddress
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

MAX_CLIENTS = 50_000


class TokenBuckets:
    """`burst` requests at once, refilled at `per_minute`; bounded in memory.

    A bucket left alone long enough to refill completely is the same as no bucket, so idle
    clients are dropped; past `max_clients` the least recently seen are dropped too.
    """

    def __init__(
        self,
        per_minute: float,
        burst: int,
        max_clients: int = MAX_CLIENTS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.rate = per_minute / 60.0
        self.burst = float(burst)
        self.max_clients = max_clients
        self.clock = clock
        self.refill_seconds = self.burst / self.rate
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # key -> (tokens, last seen)

    def __len__(self) -> int:
        return len(self._buckets)

    def take(self, key: str) -> float:
        """0.0 when `key` may go ahead (and a token is spent), else the seconds until it may."""
        now = self.clock()
        self._evict(now)
        tokens, last = self._buckets.pop(key, (self.burst, now))
        tokens = min(self.burst, tokens + (now - last) * self.rate)
        wait = 0.0
        if tokens >= 1.0:
            tokens -= 1.0
        else:
            wait = (1.0 - tokens) / self.rate
        self._buckets[key] = (tokens, now)
        return wait

    def _evict(self, now: float) -> None:
        buckets = self._buckets
        while buckets:
            key, (_, last) = next(iter(buckets.items()))
            if now - last < self.refill_seconds and len(buckets) < self.max_clients:
                break
            del buckets[key]


def parse_networks(entries: Iterable[str]) -> tuple[IPNetwork, ...]:
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries if entry.strip())


def _address(text: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(text.strip().strip("[]"))
    except ValueError:
        return None


def _trusted(address: IPAddress, networks: Sequence[IPNetwork]) -> bool:
    return any(address in network for network in networks)


def client_key(peer: str | None, forwarded_for: str | None, trusted: Sequence[IPNetwork]) -> str:
    """Who to count a request against.

    X-Forwarded-For is believed only when the peer is a trusted proxy, and then only up to
    the first hop (from the right) that is not itself trusted: entries left of it are
    whatever the client chose to send. IPv6 clients are keyed by their /64, which one
    subscriber usually holds whole.
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
    if address is None:
        return peer or "unknown"
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)
