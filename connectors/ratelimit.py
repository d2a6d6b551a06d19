"""Per-sender flood protection: at most N messages per fixed window.

`RedisRateLimiter` shares the counts across gateway replicas; `MemoryRateLimiter` is the
in-process fallback for the embedded setup. Keys are hashed, so no chat id or phone number
is written to Redis or kept in memory in clear.

The same limiters, keyed by the client's IP address (`IpLimits`), bound how fast one address
can open conversations, open WebSockets and call the service API.
"""

from __future__ import annotations

import enum
import hashlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Protocol

from fastapi import Depends, Request
from redis.asyncio import Redis
from redis.exceptions import RedisError
from starlette.requests import HTTPConnection

from api.metrics import instruments as metrics

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


def _counted(limit: str, admission: Admission) -> Admission:
    """`admission`, a refusal counted under `limit` (the channel or the edge's name)."""
    if not admission.allowed:
        metrics.rate_limited(limit)
    return admission


# Senders counted apart in one window of a `MemoryRateLimiter`; past it, new senders share one
# count (a flood of made-up senders cannot grow the memory, nor get a budget each).
MAX_MEMORY_KEYS = 200_000
_OVERFLOW = "overflow"


class MemoryRateLimiter:
    """Fixed windows counted in this process (one gateway replica). Only the current window's
    counts are kept: a new window starts a new table, so a check costs O(1) whatever the
    number of senders, and the memory is bounded by `max_keys`."""

    def __init__(
        self,
        limit: int,
        window_seconds: int,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = MAX_MEMORY_KEYS,
    ) -> None:
        self._limit, self._window, self._clock, self._max_keys = limit, window_seconds, clock, max_keys
        self._current: int | None = None  # the window index the counts belong to
        self._counts: dict[str, int] = {}

    async def admit(self, channel: str, sender: str) -> Admission:
        if self._limit == 0:
            return Admission.ALLOWED
        window = int(self._clock() // self._window)
        if window != self._current:
            self._current, self._counts = window, {}
        key = sender_key(channel, sender)
        if key not in self._counts and len(self._counts) >= self._max_keys:
            key = _OVERFLOW
        count = self._counts.get(key, 0) + 1
        self._counts[key] = count
        return _counted(channel, _admission(count, self._limit))

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
            metrics.rate_limit_unavailable()
            return Admission.ALLOWED
        return _counted(channel, _admission(int(count), self._limit))

    async def aclose(self) -> None:
        await self._redis.aclose()


def create_rate_limiter(redis_url: str | None, limit: int, window_seconds: int) -> RateLimiter:
    if redis_url:
        return RedisRateLimiter.from_url(redis_url, limit, window_seconds)
    return MemoryRateLimiter(limit, window_seconds)


def client_ip(request: HTTPConnection) -> str:
    """The caller's address (behind a proxy: what uvicorn took from X-Forwarded-For, trusted
    only from FORWARDED_ALLOW_IPS)."""
    return request.client.host if request.client else "unknown"


@dataclass
class IpLimits:
    """Per-IP limits at the gateway's edges."""

    conversations: RateLimiter  # POST /api/v1/conversations
    sockets: RateLimiter  # WebSocket opens (the widget's)
    service_api: RateLimiter  # every call on the internal listener

    async def aclose(self) -> None:
        for limiter in (self.conversations, self.sockets, self.service_api):
            await limiter.aclose()


def create_ip_limits(
    redis_url: str | None, conversations: int, sockets: int, service_api: int, window_seconds: int
) -> IpLimits:
    return IpLimits(
        create_rate_limiter(redis_url, conversations, window_seconds),
        create_rate_limiter(redis_url, sockets, window_seconds),
        create_rate_limiter(redis_url, service_api, window_seconds),
    )


@dataclass
class LoginLimits:
    """Console login attempts: per username (normalised), per client IP, and in all."""

    per_user: RateLimiter
    per_ip: RateLimiter
    overall: RateLimiter

    async def admit(self, username: str, ip: str) -> bool:
        """Counted in all three, so a flood spread over many names or addresses is still bounded."""
        admissions = [
            await self.overall.admit("console-login-all", "all"),
            await self.per_ip.admit("console-login-ip", ip),
            await self.per_user.admit("console-login", username),
        ]
        return all(admission.allowed for admission in admissions)

    async def aclose(self) -> None:
        for limiter in (self.per_user, self.per_ip, self.overall):
            await limiter.aclose()


def create_login_limits(
    redis_url: str | None, per_user: int, per_ip: int, overall: int, window_seconds: int
) -> LoginLimits:
    return LoginLimits(
        create_rate_limiter(redis_url, per_user, window_seconds),
        create_rate_limiter(redis_url, per_ip, window_seconds),
        create_rate_limiter(redis_url, overall, window_seconds),
    )


async def _ip_limits(request: Request) -> IpLimits:
    limits: IpLimits = request.app.state.ip_limits
    return limits


IpLimitsDep = Annotated[IpLimits, Depends(_ip_limits)]


async def _login_limits(request: Request) -> LoginLimits:
    limits: LoginLimits = request.app.state.login_limits
    return limits


LoginLimitsDep = Annotated[LoginLimits, Depends(_login_limits)]
