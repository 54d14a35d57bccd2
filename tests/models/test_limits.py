"""Per-endpoint limits: adaptive concurrency (halve on 429, grow back by one per window of
successes), requests and tokens per minute, and the retry backoff."""

from __future__ import annotations

import time

import anyio
from hypothesis import given
from hypothesis import strategies as st

from crmsim.models import AdaptiveConcurrency, RateLimits, backoff


def test_a_rate_limit_halves_the_limit_never_below_the_minimum() -> None:
    concurrency = AdaptiveConcurrency(10, cooldown_s=0)
    limits = []
    for _ in range(5):
        concurrency.rate_limited()
        limits.append(concurrency.limit)
    assert limits == [5, 2, 1, 1, 1]
    assert concurrency.stats().throttled == 5 and concurrency.stats().limit == 1
    floored = AdaptiveConcurrency(16, minimum=3, cooldown_s=0)
    for _ in range(4):
        floored.rate_limited()
    assert floored.limit == 3


def test_successes_grow_the_limit_by_one_per_window_up_to_the_maximum() -> None:
    concurrency = AdaptiveConcurrency(8, cooldown_s=0)
    for _ in range(3):
        concurrency.rate_limited()
    assert concurrency.limit == 1
    observed, expected = [], []
    limit, window = 1, 0
    for _ in range(40):
        concurrency.succeeded()
        observed.append(concurrency.limit)
        window += 1
        if window >= limit and limit < 8:
            limit, window = limit + 1, 0
        expected.append(limit)
    assert observed == expected
    assert observed[:6] == [2, 2, 3, 3, 3, 4]  # a window is as many successes as the current limit
    assert observed[27:] == [8] * 13  # 1 + 2 + ... + 7 successes bring it back to 8, and no further


def test_a_rate_limit_restarts_the_window_of_successes() -> None:
    concurrency = AdaptiveConcurrency(8, cooldown_s=0)
    concurrency.rate_limited()
    for _ in range(3):
        concurrency.succeeded()  # one short of growing from 4 to 5
    concurrency.rate_limited()
    assert concurrency.limit == 2
    concurrency.succeeded()
    assert concurrency.limit == 2
    concurrency.succeeded()
    assert concurrency.limit == 3


def test_start_and_maximum() -> None:
    assert AdaptiveConcurrency(10, maximum=3).limit == 3
    assert AdaptiveConcurrency(0).limit == 1
    concurrency = AdaptiveConcurrency(2, maximum=3)
    for _ in range(10):
        concurrency.succeeded()
    assert concurrency.limit == 3


async def test_slots_hold_requests_in_flight_to_the_limit() -> None:
    concurrency = AdaptiveConcurrency(4)
    concurrency.rate_limited()
    in_flight = peak = 0

    async def call() -> None:
        nonlocal in_flight, peak
        async with concurrency.slot():
            in_flight += 1
            peak = max(peak, in_flight)
            assert concurrency.stats().in_flight <= 2  # a released slot passes straight to a waiter
            await anyio.sleep(0.02)
            in_flight -= 1

    async with anyio.create_task_group() as tg:
        for _ in range(8):
            tg.start_soon(call)
    assert peak == 2 and concurrency.stats().in_flight == 0


def test_the_429s_of_one_overload_halve_the_limit_once() -> None:
    concurrency = AdaptiveConcurrency(64, cooldown_s=60)
    for _ in range(10):
        concurrency.rate_limited()
    assert concurrency.limit == 32 and concurrency.stats().throttled == 10


async def test_rpm_holds_one_second_then_spaces_requests() -> None:
    # The request bucket holds one second's worth (10 at 600 rpm), never a whole minute's burst.
    limits = RateLimits(rpm=600)
    started = time.monotonic()
    for _ in range(10):
        await limits.acquire(100)
    assert time.monotonic() - started < 0.3
    started = time.monotonic()
    for _ in range(5):
        await limits.acquire(100)
    assert 0.4 <= time.monotonic() - started < 1.5
    slow = RateLimits(rpm=30)  # under 60 rpm: one request per two seconds
    await slow.acquire(1)
    with anyio.move_on_after(0.5) as scope:
        await slow.acquire(1)
    assert scope.cancelled_caught


async def test_tpm_charges_the_estimate_before_and_the_shortfall_after() -> None:
    limits = RateLimits(tpm=60_000)  # 1000 tokens per second, a bucket of ten seconds' worth
    started = time.monotonic()
    await limits.acquire(10**9)  # an estimate above the bucket is capped at it, never waits forever
    assert time.monotonic() - started < 0.1
    started = time.monotonic()
    await limits.settle(estimated_tokens=500, actual_tokens=300)  # an over-estimate is not refunded
    assert time.monotonic() - started < 0.1
    await limits.settle(estimated_tokens=100, actual_tokens=350)  # 250 more tokens: a quarter second
    assert 0.2 <= time.monotonic() - started < 1.0


async def test_no_limits_never_wait() -> None:
    limits = RateLimits()
    started = time.monotonic()
    for _ in range(1000):
        await limits.acquire(10**6)
        await limits.settle(1, 10**6)
    assert time.monotonic() - started < 0.5


@given(attempt=st.integers(1, 40), retry_after=st.none() | st.floats(0, 1000),
       base=st.floats(0.01, 5), cap=st.floats(0.1, 120))
def test_backoff_is_at_least_retry_after_and_within_the_exponential_cap(
        attempt: int, retry_after: float | None, base: float, cap: float) -> None:
    wait = backoff(attempt, retry_after, base=base, cap=cap)
    ceiling = min(cap, base * 2 ** attempt)
    if retry_after is None:
        assert 0 <= wait <= ceiling
    else:
        assert retry_after <= wait <= max(ceiling, retry_after * 1.1 + 0.05)


def test_backoff_is_full_jitter_doubling_per_attempt() -> None:
    first = [backoff(1, None) for _ in range(200)]
    assert all(0 <= w <= 1.0 for w in first) and len(set(first)) > 100
    assert max(backoff(3, None) for _ in range(200)) > 1.0  # the ceiling doubled twice: 4 s
    assert all(backoff(30, None) <= 30.0 for _ in range(200))  # capped
    assert all(2.0 <= backoff(1, 2.0) <= 2.25 for _ in range(50))  # Retry-After plus a little jitter
