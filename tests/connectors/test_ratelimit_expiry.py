"""A sender's count in Redis lives at least until its window ends: a key that expired early
would let a flood through again in the middle of its window. Against the real Redis."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from redis.asyncio import Redis

from connectors.ratelimit import Admission, RedisRateLimiter, sender_key
from tests.services import REDIS_URL, require

pytestmark = pytest.mark.asyncio

WINDOW_START = 1_000_020.0  # a multiple of both windows below: the whole window lies ahead


class FrozenClock:
    """The limiter's clock, held at the start of a window while Redis's own time runs on."""

    def __call__(self) -> float:
        return WINDOW_START


@pytest_asyncio.fixture
async def redis() -> AsyncIterator[Redis]:
    require("Redis")
    client = Redis.from_url(REDIS_URL)
    try:
        yield client
    finally:
        await client.aclose()


def limiter(redis: Redis, prefix: str, limit: int, window_seconds: int) -> RedisRateLimiter:
    return RedisRateLimiter(redis, limit, window_seconds, clock=FrozenClock(), prefix=prefix)


async def test_the_key_lives_at_least_until_its_window_ends(redis: Redis) -> None:
    prefix = f"aw:test:{uuid.uuid4().hex[:8]}"
    window = 60
    assert await limiter(redis, prefix, 3, window).admit("telegram", "777") is Admission.ALLOWED
    key = f"{prefix}:{sender_key('telegram', '777')}:{int(WINDOW_START // window)}"
    try:
        remaining_ms = await redis.pttl(key)
        # Written at the window's first second: it must outlive the whole window (a little
        # slack for the time this test took), and it must expire at all (-1: never).
        assert remaining_ms >= (window - 1) * 1000, remaining_ms
        assert remaining_ms <= 10 * window * 1000, remaining_ms  # and not linger for ever
    finally:
        await redis.delete(key)


async def test_a_refused_sender_stays_refused_for_the_rest_of_the_window(redis: Redis) -> None:
    prefix = f"aw:test:{uuid.uuid4().hex[:8]}"
    limited = limiter(redis, prefix, 1, window_seconds=2)
    try:
        assert [await limited.admit("whatsapp", "62811") for _ in range(2)] == [
            Admission.ALLOWED,
            Admission.REFUSED_FIRST,
        ]
        await asyncio.sleep(1.2)  # real time passes; the limiter is still in the same window
        assert await limited.admit("whatsapp", "62811") is Admission.REFUSED
    finally:
        await redis.delete(f"{prefix}:{sender_key('whatsapp', '62811')}:{int(WINDOW_START // 2)}")
