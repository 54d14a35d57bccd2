"""Per-endpoint limits: requests and tokens per minute (leaky buckets, aiolimiter) and an adaptive
number of requests in flight that halves on a 429 and grows back by one as calls succeed."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import anyio
from aiolimiter import AsyncLimiter


@dataclass
class LimiterStats:
    limit: int
    in_flight: int
    throttled: int


class AdaptiveConcurrency:
    """A capacity limiter whose size moves: multiplicative decrease on a rate-limit answer,
    additive increase (one slot per ``limit`` successes) up to ``maximum``."""

    def __init__(self, start: int, *, minimum: int = 1, maximum: int | None = None) -> None:
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
        self.throttled += 1
        self._successes = 0
        self._limiter.total_tokens = max(self.minimum, self.limit // 2)

    def stats(self) -> LimiterStats:
        return LimiterStats(self.limit, int(self._limiter.borrowed_tokens), self.throttled)


class RateLimits:
    """Requests per minute and tokens per minute; tokens are estimated before the call and the
    difference to the reported usage is settled after it."""

    def __init__(self, rpm: float | None = None, tpm: float | None = None) -> None:
        self._requests = AsyncLimiter(rpm, 60) if rpm else None
        self._tokens = AsyncLimiter(tpm, 60) if tpm else None
        self.tpm = tpm

    async def acquire(self, estimated_tokens: int) -> None:
        if self._requests is not None:
            await self._requests.acquire()
        if self._tokens is not None and self.tpm:
            await self._tokens.acquire(min(float(estimated_tokens), self.tpm))

    async def settle(self, estimated_tokens: int, actual_tokens: int) -> None:
        """Charge tokens the estimate missed (an over-estimate is not refunded: the bucket drains)."""
        extra = actual_tokens - estimated_tokens
        if self._tokens is not None and self.tpm and extra > 0:
            await self._tokens.acquire(min(float(extra), self.tpm))
