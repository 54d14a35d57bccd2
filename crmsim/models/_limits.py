"""Per-endpoint limits: requests and tokens per minute (leaky buckets, aiolimiter) and an adaptive
number of requests in flight that halves on a 429 and grows back by one as calls succeed."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import anyio
from aiolimiter import AsyncLimiter

TOKEN_WINDOW_S = 10.0
"""The tokens-per-minute bucket holds this many seconds' worth (a call larger than that is charged
the whole window)."""


@dataclass
class LimiterStats:
    limit: int
    in_flight: int
    throttled: int


class AdaptiveConcurrency:
    """A capacity limiter whose size moves: multiplicative decrease on a rate-limit answer,
    additive increase (one slot per ``limit`` successes) up to ``maximum``."""

    def __init__(self, start: int, *, minimum: int = 1, maximum: int | None = None, cooldown_s: float = 2.0) -> None:
        self.cooldown_s = cooldown_s
        self._last_decrease = -float("inf")
        self.minimum = max(1, minimum)
        self.maximum = max(self.minimum, maximum or start)
        self._limiter = anyio.CapacityLimiter(max(self.minimum, min(start, self.maximum)))
        self._successes = 0
        self.throttled = 0

    @property
    def limit(self) -> int:
        return int(self._limiter.total_tokens)

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        async with self._limiter:
            yield

    def succeeded(self) -> None:
        self._successes += 1
        if self._successes >= self.limit and self.limit < self.maximum:
            self._successes = 0
            self._limiter.total_tokens = self.limit + 1

    def rate_limited(self) -> None:
        """Halve the slots, at most once per cool-down: the 429s of one overload count once."""
        self.throttled += 1
        self._successes = 0
        now = time.monotonic()
        if now - self._last_decrease >= self.cooldown_s:
            self._last_decrease = now
            self._limiter.total_tokens = max(self.minimum, self.limit // 2)

    def stats(self) -> LimiterStats:
        return LimiterStats(self.limit, int(self._limiter.borrowed_tokens), self.throttled)


class RateLimits:
    """Requests per minute and tokens per minute; tokens are estimated before the call and the
    difference to the reported usage is settled after it."""

    def __init__(self, rpm: float | None = None, tpm: float | None = None) -> None:
        # Buckets refill smoothly and hold only a short window's worth, so a run does not start with
        # a whole minute's burst that a provider enforcing shorter windows would answer with 429s.
        request_period = max(1.0, 60.0 / rpm) if rpm else 1.0
        self._requests = AsyncLimiter(rpm * request_period / 60.0, request_period) if rpm else None
        self._token_capacity = tpm * TOKEN_WINDOW_S / 60.0 if tpm else 0.0
        self._tokens = AsyncLimiter(self._token_capacity, TOKEN_WINDOW_S) if tpm else None
        self.tpm = tpm

    async def acquire(self, estimated_tokens: int) -> None:
        if self._requests is not None:
            await self._requests.acquire()
        if self._tokens is not None:
            await self._tokens.acquire(min(float(estimated_tokens), self._token_capacity))

    async def settle(self, estimated_tokens: int, actual_tokens: int) -> None:
        """Charge tokens the estimate missed (an over-estimate is not refunded: the bucket drains)."""
        extra = actual_tokens - estimated_tokens
        if self._tokens is not None and extra > 0:
            await self._tokens.acquire(min(float(extra), self._token_capacity))
