"""Per-sender rate limits: in-process, in Redis (shared by replicas), and on the HTTP API."""

from __future__ import annotations

import uuid

import httpx
import pytest
from redis.asyncio import Redis

import api.composition
from connectors.ratelimit import (
    RATE_LIMITED_TEXT,
    Admission,
    MemoryRateLimiter,
    RedisRateLimiter,
    sender_key,
)
from tests.api.fake_rasa import FakeRasa
from tests.api.support import GatewayFactory, new_conversation, session_headers
from tests.services import REDIS_URL, require


class Clock:
    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def clock_the_gateways_limiter(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """Make the next gateway's in-process limiter count windows on the returned clock, so a
    test can move to the next window (`clock.now += window_seconds`)."""
    clock = Clock()

    def create(redis_url: str | None, limit: int, window_seconds: int) -> MemoryRateLimiter:
        assert redis_url is None, "the clocked limiter is the in-process one"
        return MemoryRateLimiter(limit, window_seconds, clock=clock)

    monkeypatch.setattr(api.composition, "create_rate_limiter", create)
    return clock


async def admissions(
    limiter: MemoryRateLimiter | RedisRateLimiter, count: int, sender: str = "62811"
) -> list[Admission]:
    return [await limiter.admit("whatsapp", sender) for _ in range(count)]


async def test_memory_limit_per_sender_and_window() -> None:
    clock = Clock()
    limiter = MemoryRateLimiter(limit=3, window_seconds=60, clock=clock)

    assert await admissions(limiter, 5) == [Admission.ALLOWED] * 3 + [
        Admission.REFUSED_FIRST,
        Admission.REFUSED,
    ]
    assert await limiter.admit("whatsapp", "62822") is Admission.ALLOWED  # another sender
    assert await limiter.admit("telegram", "62811") is Admission.ALLOWED  # another channel

    clock.now += 60  # the next window
    assert await limiter.admit("whatsapp", "62811") is Admission.ALLOWED


async def test_zero_means_no_limit() -> None:
    limiter = MemoryRateLimiter(limit=0, window_seconds=60)
    assert set(await admissions(limiter, 50)) == {Admission.ALLOWED}


def test_keys_do_not_hold_the_sender() -> None:
    key = sender_key("whatsapp", "6281234567890")
    assert key.startswith("whatsapp:") and "6281234567890" not in key
    assert key != sender_key("telegram", "6281234567890")


@pytest.fixture
def redis_prefix() -> str:
    return f"aw:test:{uuid.uuid4().hex[:8]}"


async def test_redis_counts_are_shared_by_replicas(redis_prefix: str) -> None:
    require("Redis")
    clock = Clock()
    replicas = [
        RedisRateLimiter(Redis.from_url(REDIS_URL), 3, 60, clock=clock, prefix=redis_prefix) for _ in range(2)
    ]
    try:
        results = [await replicas[n % 2].admit("telegram", "777") for n in range(5)]
        assert results == [Admission.ALLOWED] * 3 + [Admission.REFUSED_FIRST, Admission.REFUSED]
        clock.now += 60
        assert await replicas[0].admit("telegram", "777") is Admission.ALLOWED
        ttl = await replicas[0]._redis.ttl(
            f"{redis_prefix}:{sender_key('telegram', '777')}:{int(clock.now // 60)}"
        )
        assert 0 < ttl <= 120  # keys expire on their own
    finally:
        for replica in replicas:
            await replica.aclose()


async def test_redis_down_lets_messages_through(caplog: pytest.LogCaptureFixture) -> None:
    limiter = RedisRateLimiter.from_url("redis://127.0.0.1:9/0", limit=1, window_seconds=60)
    try:
        assert await admissions(limiter, 3) == [Admission.ALLOWED] * 3
    finally:
        await limiter.aclose()
    assert "rate limit unavailable" in caplog.text


async def test_gateway_uses_redis_when_configured(gateway: GatewayFactory, fake_rasa: FakeRasa) -> None:
    require("Redis")
    fake_rasa.reply({"text": "Baik."})
    # A day's window: the three messages cannot straddle two windows (Redis counts on wall time).
    settings = {"redis_url": REDIS_URL, "rate_limit_messages": 2, "rate_limit_window_seconds": 86_400}
    async with gateway(**settings) as (app, client):
        assert isinstance(app.state.channels.limiter, RedisRateLimiter)
        conversation_id = await new_conversation(client)
        codes = [
            (
                await client.post(f"/api/v1/conversations/{conversation_id}/messages", json={"text": "halo"})
            ).status_code
            for _ in range(3)
        ]
    assert codes == [200, 200, 429]


async def test_http_api_answers_429_and_does_not_store(
    gateway: GatewayFactory, fake_rasa: FakeRasa, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock_the_gateways_limiter(monkeypatch)  # one window, however slow the run
    fake_rasa.reply({"text": "Baik."})
    async with gateway(rate_limit_messages=2) as (app, client):
        conversation_id = await new_conversation(client)
        url = f"/api/v1/conversations/{conversation_id}/messages"
        responses = [await client.post(url, json={"text": f"pesan {n}"}) for n in range(3)]
        other = await client.post(
            f"/api/v1/conversations/{await new_conversation(client)}/messages", json={"text": "halo"}
        )
        history = (await client.get(url, headers=session_headers(app, conversation_id))).json()["messages"]

    assert [response.status_code for response in responses] == [200, 200, 429]
    assert responses[2].json() == {"detail": RATE_LIMITED_TEXT}
    assert other.status_code == 200
    assert [message["text"] for message in history if message["author"] == "citizen"] == [
        "pesan 0",
        "pesan 1",
    ]


async def test_default_limit_leaves_a_normal_conversation_alone(
    client: httpx.AsyncClient, fake_rasa: FakeRasa
) -> None:
    fake_rasa.reply({"text": "Baik."})
    conversation_id = await new_conversation(client)
    for n in range(20):
        response = await client.post(
            f"/api/v1/conversations/{conversation_id}/messages", json={"text": f"pesan {n}"}
        )
        assert response.status_code == 200
