"""How the client paces itself: reconnect and retry backoff, keepalive, and the
retry budget (docs/PROTOCOL.md, "Client guidance")."""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class Backoff:
    """Exponential backoff with jitter: the n-th delay (from 0) is
    ``min(initial * multiplier**n, maximum)``, spread by ±``jitter`` (a fraction)
    so that clients which lost the same server do not come back in step."""

    initial: float
    multiplier: float
    jitter: float
    maximum: float

    def delay(self, attempt: int, spread: float | None = None) -> float:
        """Seconds to wait before attempt ``attempt + 1``; ``spread`` in [-1, 1]
        picks the jitter (random when None)."""
        if spread is None:
            spread = random.uniform(-1.0, 1.0)
        base = min(self.initial * self.multiplier ** min(attempt, 64), self.maximum)
        return max(0.0, base * (1.0 + self.jitter * spread))


CONNECTION_BACKOFF = Backoff(initial=1.0, multiplier=1.6, jitter=0.2, maximum=120.0)
"""gRPC's connection backoff, as PROTOCOL.md asks: 1 s, x1.6, ±20 %, at most 120 s."""

RETRY_BACKOFF = Backoff(initial=0.05, multiplier=2.0, jitter=0.2, maximum=2.0)
"""Between retries of one call: 50 ms, x2, ±20 %, at most 2 s (the Swift client's)."""


@dataclass(frozen=True)
class Keepalive:
    """After ``interval`` seconds with nothing read, send a PING; no PONG within
    ``timeout`` seconds means the peer is dead: drop the connection and reconnect.
    The defaults, 30 s and 10 s, stay clear of the server's minimum ping interval."""

    interval: float = 30.0
    timeout: float = 10.0


class RetryThrottle:
    """gRPC's retry throttling: a bucket of 10 tokens, starting full. A retryable
    failure takes 1, a success gives back 0.1 (up to 10), and retries are allowed
    only while more than 5 remain. Not thread-safe: one client's I/O thread owns it."""

    def __init__(self, maximum: float = 10.0, ratio: float = 0.1) -> None:
        self._maximum = maximum
        self._ratio = ratio
        self.tokens = maximum

    def record_failure(self) -> bool:
        """Counts a retryable failure; returns whether it may be retried."""
        self.tokens = max(0.0, self.tokens - 1.0)
        return self.tokens > self._maximum / 2

    def record_success(self) -> None:
        self.tokens = min(self._maximum, self.tokens + self._ratio)
