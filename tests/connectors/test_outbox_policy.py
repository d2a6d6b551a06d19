"""The outbox's retry policy and how each channel's errors are read: what is retried, after
how long, and what is final."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import httpx
import pytest
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from api.conversations.delivery import DeliveryFailed
from api.conversations.outbox import RetryPolicy
from connectors.telegram.channel import failure
from connectors.whatsapp.client import GraphClient, retry_after


def test_backoff_is_exponential_with_full_jitter_and_capped() -> None:
    policy = RetryPolicy(backoff_base_seconds=1, backoff_max_seconds=60)
    rng = random.Random(7)
    for attempts in range(12):
        ceiling = min(60, 2**attempts)
        delays = [policy.delay(attempts, rng=rng) for _ in range(200)]
        assert all(0 <= delay <= ceiling for delay in delays)
        assert max(delays) > ceiling * 0.8 and min(delays) < ceiling * 0.2  # spread over the range


def test_backoff_never_comes_sooner_than_the_channel_asked() -> None:
    policy = RetryPolicy(backoff_base_seconds=1, backoff_max_seconds=60)
    rng = random.Random(3)
    assert all(policy.delay(0, retry_after=5, rng=rng) >= 5 for _ in range(100))
    assert policy.delay(10, retry_after=90, rng=rng) >= 90  # past the cap too


def test_give_up_deadline_is_counted_from_the_message() -> None:
    stored = datetime(2026, 12, 7, 12, tzinfo=UTC)
    assert RetryPolicy(give_up_seconds=3600).deadline(stored) == stored + timedelta(hours=1)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("7", 7.0), (" 0 ", 0.0), ("soon", None), ("", None), (None, None)],
)
def test_retry_after_in_seconds(value: str | None, expected: float | None) -> None:
    assert retry_after(value) == expected


def test_retry_after_as_an_http_date() -> None:
    later = datetime.now(UTC) + timedelta(seconds=30)
    assert 25 <= (retry_after(format_datetime(later, usegmt=True)) or 0) <= 30
    assert retry_after(format_datetime(datetime(2000, 1, 1, tzinfo=UTC), usegmt=True)) == 0.0


@pytest.mark.parametrize(
    ("error", "retryable", "wait"),
    [
        (RetryAfter(3), True, 3.0),
        (NetworkError("Bad Gateway"), True, None),
        (TimedOut(), True, None),
        (BadRequest("Bad Request: message text is empty"), False, None),
        (Forbidden("Forbidden: bot was blocked by the user"), False, None),
    ],
)
def test_telegram_errors(error: Any, retryable: bool, wait: float | None) -> None:
    read = failure(error, sent_parts=1)
    assert (read.retryable, read.retry_after, read.sent_parts) == (retryable, wait, 1)
    assert read.reason.startswith(type(error).__name__)


def _graph(response: httpx.Response) -> GraphClient:
    client = GraphClient("http://graph.test/v21.0", "token", "123")
    client._http = httpx.AsyncClient(  # noqa: SLF001 - the transport is the test's
        base_url="http://graph.test/v21.0", transport=httpx.MockTransport(lambda _: response)
    )
    return client


@pytest.mark.parametrize(
    ("response", "retryable", "wait"),
    [
        (httpx.Response(429, json={"error": {"code": 130429}}, headers={"Retry-After": "2"}), True, 2.0),
        (httpx.Response(400, json={"error": {"code": 131056, "type": "OAuthException"}}), True, None),
        (httpx.Response(503, text="unavailable"), True, None),
        (httpx.Response(400, json={"error": {"code": 131030, "type": "OAuthException"}}), False, None),
        (httpx.Response(401, json={"error": {"code": 190}}), False, None),
        (httpx.Response(200, json={"unexpected": True}), False, None),  # taken: never twice
    ],
)
async def test_graph_errors(response: httpx.Response, retryable: bool, wait: float | None) -> None:
    client = _graph(response)
    with pytest.raises(DeliveryFailed) as raised:
        await client.send("6281234567890", {"type": "text", "text": {"body": "halo"}})
    await client.aclose()
    assert (raised.value.retryable, raised.value.retry_after) == (retryable, wait)


async def test_graph_connection_errors_are_retried() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    client = GraphClient("http://graph.test/v21.0", "token", "123")
    client._http = httpx.AsyncClient(
        base_url="http://graph.test/v21.0", transport=httpx.MockTransport(refuse)
    )  # noqa: SLF001
    with pytest.raises(DeliveryFailed) as raised:
        await client.send("6281234567890", {"type": "text", "text": {"body": "halo"}})
    await client.aclose()
    assert raised.value.retryable
