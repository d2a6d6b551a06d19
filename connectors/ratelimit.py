"""Per-sender flood protection: at most N messages per fixed window.

`RedisRateLimiter` shares the counts across gateway replicas; `MemoryRateLimiter` is the
in-process fallback for the embedded setup. Keys are hashed, so no chat id or phone number
is written to Redis or kept in memory in clear.
"""

from __future__ import annotations

import enum
import hashlib
import logging
import time
from collections.abc import Callable
from typing import Protocol

from redis.asyncio import Redis
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# What a sender over the limit reads (once per window on Telegram and WhatsApp).
RATE_LIMITED_TEXT = (
    "Mohon maaf, Anda mengirim terlalu banyak pesan dalam waktu singkat. Mohon tunggu "
    "sebentar, lalu kirim kembali pesan Anda."
)


class Admission(enum.Enum):
    ALLOWED = "allowed"
    # The first refused message of a window: tell the sender once.
    REFUSED_FIRST = "refused_first"
    # Later refused messages of the same window: drop quietly.
    REFUSED = "refused"

    @property
    def allowed(self) -> bool:
        return self is Admission.ALLOWED


class RateLimiter(Protocol):
    async def admit(self, channel: str, sender: str) -> Admission: ...

    async def aclose(self) -> None: ...


def sender_key(channel: str, sender: str) -> str:
    digest = hashlib.sha256(f"{channel}\0{sender}".encode()).hexdigest()[:24]
    return f"{channel}:{digest}"


def _admission(count: int, limit: int) -> Admission:
    if limit == 0 or count <= limit:
        return Admission.ALLOWED
    return Admission.REFUSED_FIRST if count == limit + 1 else Admission.REFUSED


class MemoryRateLimiter:
    """Fixed windows counted in this process (one gateway replica)."""

    def __init__(self, limit: int, window_seconds: int, clock: Callable[[], float] = time.monotonic) -> None:
        self._limit, self._window, self._clock = limit, window_seconds, clock
        self._counts: dict[str, tuple[int, int]] = {}  # key -> (window index, count)

    async def admit(self, channel: str, sender: str) -> Admission:
        if self._limit == 0:
            return Admission.ALLOWED
        window = int(self._clock() // self._window)
        if len(self._counts) > 10_000:  # forget finished windows now and then
            self._counts = {key: value for key, value in self._counts.items() if value[0] == window}
        key = sender_key(channel, sender)
        seen_window, count = self._counts.get(key, (window, 0))
        count = count + 1 if seen_window == window else 1
        self._counts[key] = (window, count)
        return _admission(count, self._limit)

    async def aclose(self) -> None:
        self._counts.clear()


class RedisRateLimiter:
    """Fixed windows counted in Redis (INCR + EXPIRE), shared by every replica. When Redis
    does not answer, messages are let through (logged): losing flood protection for a while
    is better than refusing every citizen."""

    def __init__(
        self,
        redis: Redis,
        limit: int,
        window_seconds: int,
        clock: Callable[[], float] = time.time,
        prefix: str = "aw:rate",
    ) -> None:
        self._redis, self._limit, self._window = redis, limit, window_seconds
        self._clock, self._prefix = clock, prefix

    @classmethod
    def from_url(cls, url: str, limit: int, window_seconds: int) -> RedisRateLimiter:
        redis = Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
        return cls(redis, limit, window_seconds)

    async def admit(self, channel: str, sender: str) -> Admission:
        if self._limit == 0:
            return Admission.ALLOWED
        window = int(self._clock() // self._window)
        key = f"{self._prefix}:{sender_key(channel, sender)}:{window}"
        try:
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.incr(key)
                pipe.expire(key, self._window * 2)
                count, _ = await pipe.execute()
        except (RedisError, OSError) as error:
            logger.warning("rate limit unavailable, message let through: %s", type(error).__name__)
            return Admission.ALLOWED
        return _admission(int(count), self._limit)

    async def aclose(self) -> None:
        await self._redis.aclose()


def create_rate_limiter(redis_url: str | None, limit: int, window_seconds: int) -> RateLimiter:
    if redis_url:
        return RedisRateLimiter.from_url(redis_url, limit, window_seconds)
    return MemoryRateLimiter(limit, window_seconds)
