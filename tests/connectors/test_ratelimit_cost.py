"""The in-process limiter costs O(1) per check whatever the number of senders, and its
memory is bounded: a flood of made-up senders neither slows every check nor gets a budget
each once the table is full."""

from __future__ import annotations

import time

import pytest

from connectors.ratelimit import Admission, MemoryRateLimiter

pytestmark = pytest.mark.asyncio


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


async def _seconds_per_check(limiter: MemoryRateLimiter, senders: int, checks: int = 2000) -> float:
    for n in range(senders):
        await limiter.admit("web", f"sender-{n}")
    started = time.perf_counter()
    for n in range(checks):
        await limiter.admit("web", f"other-{n % 50}")
    return (time.perf_counter() - started) / checks


async def test_a_check_costs_the_same_with_many_senders() -> None:
    few = await _seconds_per_check(MemoryRateLimiter(1000, 60, clock=Clock()), 100)
    many = await _seconds_per_check(MemoryRateLimiter(1000, 60, clock=Clock()), 30_000)
    assert many < 5 * few + 20e-6, (few, many)


async def test_a_full_table_puts_new_senders_in_one_shared_count() -> None:
    clock = Clock()
    limiter = MemoryRateLimiter(3, 60, clock=clock, max_keys=10)
    for n in range(10):
        assert await limiter.admit("web", f"known-{n}") is Admission.ALLOWED
    newcomers = [await limiter.admit("web", f"new-{n}") for n in range(5)]
    assert newcomers == [Admission.ALLOWED] * 3 + [Admission.REFUSED_FIRST, Admission.REFUSED]
    assert await limiter.admit("web", "known-0") is Admission.ALLOWED  # known senders keep theirs
    clock.now += 60  # a new window starts a new table
    assert await limiter.admit("web", "new-4") is Admission.ALLOWED
