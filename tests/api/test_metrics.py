"""`/metrics` (api/routes/metrics.py): scraped like Prometheus does, its numbers move with the
traffic that passes; the token guards it; the instruments count what they say."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import httpx
import pydantic
import pytest
from fastapi import FastAPI, HTTPException
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr

from api.core.config import Settings
from api.metrics import instruments
from api.ministries.base import InvalidInput, MinistryTimeout, MinistryUnavailable, NotFound
from api.ministries.samsat import SamsatAdapter
from api.routes.metrics import check_token
from connectors.ratelimit import MemoryRateLimiter
from tests.api.callcenter.support import (
    ALWAYS_OPEN,
    add_agent,
    ask_for_person,
    console,
    fresh_call_center,
    handoff_bot,
    handoff_of,
)
from tests.api.fake_rasa import FakeRasa
from tests.api.support import GatewayFactory, new_conversation

TOKEN = "metrik-Operator-7f3a9c2e1b"

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def parse(body: str) -> Samples:
    """Every sample of a scrape, by name and labels (what Prometheus stores)."""
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(body)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


async def scrape(client: httpx.AsyncClient, token: str | None = None) -> Samples:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = await client.get("/metrics", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    return parse(response.text)


# --- Scraped through the running gateway ------------------------------------------------


@pytest.mark.asyncio
async def test_turn_histograms_move_with_traffic(client: httpx.AsyncClient, fake_rasa: FakeRasa) -> None:
    fake_rasa.reply({"text": "Halo, ada yang bisa dibantu?"})
    before = await scrape(client)
    conversation = await new_conversation(client)
    for text in ("halo", "cek pajak kendaraan", "terima kasih"):
        response = await client.post(f"/api/v1/conversations/{conversation}/messages", json={"text": text})
        assert response.status_code == 200, response.text
    after = await scrape(client)

    turns = "aw_turn_seconds_count", {"channel": "web", "outcome": "delivered"}
    assert value(after, turns[0], **turns[1]) - value(before, turns[0], **turns[1]) == 3
    assert value(after, "aw_turn_seconds_sum", **turns[1]) > value(before, "aw_turn_seconds_sum", **turns[1])
    # Every turn falls in the +Inf bucket; a turn of the fake Rasa within 16 s.
    inf = value(after, "aw_turn_seconds_bucket", le="+Inf", **turns[1])
    assert inf == value(after, *turns[:1], **turns[1])
    assert value(after, "aw_turn_seconds_bucket", le="16.0", **turns[1]) == inf
    assert (
        value(after, "aw_rasa_request_seconds_count", outcome="ok")
        - value(before, "aw_rasa_request_seconds_count", outcome="ok")
        == 3
    )
    assert value(after, "aw_snapshot_up") == 1
    assert value(after, "aw_rasa_concurrency") >= 1


@pytest.mark.asyncio
async def test_rasa_errors_and_failed_turns_are_counted(
    client: httpx.AsyncClient, fake_rasa: FakeRasa
) -> None:
    conversation = await new_conversation(client)
    before = await scrape(client)
    fake_rasa.status = 500
    await client.post(f"/api/v1/conversations/{conversation}/messages", json={"text": "halo"})
    fake_rasa.status, fake_rasa.delay = 200, 2.0  # past the tests' 0.5 s deadline
    other = await new_conversation(client)  # the first one's failed message waits for a retry
    await client.post(f"/api/v1/conversations/{other}/messages", json={"text": "halo"})
    after = await scrape(client)

    def grew(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert grew("aw_rasa_errors_total", kind="http") == 1
    assert grew("aw_rasa_errors_total", kind="timeout") == 1
    assert grew("aw_turn_seconds_count", channel="web", outcome="failed") == 2


@pytest.mark.asyncio
async def test_queue_length_and_wait_per_team(gateway: GatewayFactory, fake_rasa: FakeRasa) -> None:
    handoff_bot(fake_rasa, service="health")
    async with gateway(**ALWAYS_OPEN) as (app, client):
        await fresh_call_center(app)
        agent = await add_agent(app, teams=["health"])
        conversation = await new_conversation(client)
        await ask_for_person(client, conversation)
        waiting = await scrape(client)
        assert value(waiting, "aw_handoff_queue_length", team="health", state="queued") == 1
        assert value(waiting, "aw_handoff_queue_oldest_seconds", team="health") >= 0
        assert (
            value(waiting, "aw_handoff_max_wait_seconds") == app.state.settings.handoff_max_wait_minutes * 60
        )

        handoff = await handoff_of(app, conversation)
        async with console(app, agent) as agent_client:
            response = await agent_client.post(f"/console/api/handoffs/{handoff.id}/claim")
            assert response.status_code == 200, response.text
        claimed = await scrape(client)
    assert value(claimed, "aw_handoff_queue_length", team="health", state="queued") == 0
    assert value(claimed, "aw_handoff_wait_seconds_count", team="health") == (
        value(waiting, "aw_handoff_wait_seconds_count", team="health") + 1
    )


@pytest.mark.asyncio
async def test_scrape_answers_when_the_database_does_not(app: FastAPI, client: httpx.AsyncClient) -> None:
    working = app.state.sessionmaker

    def broken() -> Any:
        raise OSError("database down")

    app.state.sessionmaker = broken
    try:
        samples = await scrape(client)
    finally:
        app.state.sessionmaker = working
    assert value(samples, "aw_snapshot_up") == 0
    assert ("aw_rasa_in_flight", frozenset()) in samples  # this replica's own numbers still come


# --- The token ---------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_token_required_when_set(gateway: GatewayFactory) -> None:
    async with gateway(metrics_token=TOKEN) as (_, client):
        missing = await client.get("/metrics")
        wrong_scheme = await client.get("/metrics", headers={"Authorization": f"Basic {TOKEN}"})
        wrong = await client.get("/metrics", headers={"Authorization": "Bearer " + TOKEN[:-1] + "x"})
        hostile = await client.get(
            "/metrics", headers={"Authorization": ("Bearer " + "é" * 5000).encode("latin-1")}
        )
        await scrape(client, TOKEN)
    assert (missing.status_code, missing.headers["www-authenticate"]) == (401, "Bearer")
    assert missing.json() == {"detail": "Akses ditolak: token metrik diperlukan."}
    assert wrong_scheme.status_code == 401
    assert wrong.status_code == hostile.status_code == 403
    assert "aw_turn_seconds" not in wrong.text


def _settings(**values: Any) -> Settings:
    return Settings.model_construct(**values)


def test_without_a_token_open_in_local_and_off_in_production() -> None:
    check_token(_settings(environment="local", metrics_token=SecretStr("")), None)
    with pytest.raises(HTTPException) as refused:
        check_token(_settings(environment="production", metrics_token=SecretStr("")), f"Bearer {TOKEN}")
    assert refused.value.status_code == 404


@pytest.mark.parametrize(
    "token",
    ["short", "changeme-changeme-changeme", "<metrics-token-here>", "x" * 32, "REPLACE_ME_0123456789"],
)
def test_production_refuses_a_placeholder_token(monkeypatch: pytest.MonkeyPatch, token: str) -> None:
    _production(monkeypatch)
    with pytest.raises(pydantic.ValidationError, match="AW_METRICS_TOKEN"):
        Settings(_env_file=None, metrics_token=token)  # type: ignore[call-arg]


def test_production_takes_a_strong_token_or_none(monkeypatch: pytest.MonkeyPatch) -> None:
    _production(monkeypatch)
    assert Settings(_env_file=None, metrics_token=TOKEN).metrics_token.get_secret_value() == TOKEN  # type: ignore[call-arg]
    assert not Settings(_env_file=None).metrics_token.get_secret_value()  # type: ignore[call-arg]


def _production(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AW_ENVIRONMENT", "production")
    monkeypatch.setenv("AW_IDENTITY_KEY", "k" * 32)
    monkeypatch.setenv("AW_DATA_KEY", "a-key-of-at-least-sixteen-characters")
    monkeypatch.setenv("AW_SERVICE_TOKEN", "a-long-enough-service-token")
    monkeypatch.setenv("AW_WIDGET_SESSION_KEY", "a-key-for-the-widget-sessions")


# --- The instruments, each where it is called --------------------------------------------


def _count(metric: str, **labels: str) -> float:
    found = instruments.REGISTRY.get_sample_value(metric, labels)
    return found or 0.0


def _samsat(handler: Callable[[httpx.Request], httpx.Response]) -> SamsatAdapter:
    client = httpx.AsyncClient(transport=httpx.MockTransport(handler), base_url="http://samsat.test")
    return SamsatAdapter(client, timeout_seconds=0.2)


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("answer", "outcome", "raised"),
    [
        (lambda r: httpx.Response(404, json={"error": "NOT_FOUND"}), "rejected", NotFound),
        (lambda r: httpx.Response(422, json={}), "rejected", InvalidInput),
        (lambda r: httpx.Response(401, json={}), "unavailable", MinistryUnavailable),  # our credentials
        (lambda r: httpx.Response(503, json={}), "unavailable", MinistryUnavailable),
        (lambda r: httpx.Response(200, content=b"<html>"), "unavailable", MinistryUnavailable),
        (lambda r: (_ for _ in ()).throw(httpx.ConnectError("refused")), "unavailable", MinistryUnavailable),
        (lambda r: (_ for _ in ()).throw(httpx.ReadTimeout("slow")), "timeout", MinistryTimeout),
    ],
)
async def test_ministry_calls_by_adapter_and_outcome(
    answer: Callable[[httpx.Request], httpx.Response], outcome: str, raised: type[Exception]
) -> None:
    labels = {"ministry": "samsat", "outcome": outcome}
    before = _count("aw_ministry_request_seconds_count", **labels)
    adapter = _samsat(answer)
    with pytest.raises(raised):
        await adapter.vehicle_tax("B 1234 ABC")
    await adapter.aclose()
    assert _count("aw_ministry_request_seconds_count", **labels) == before + 1


@pytest.mark.asyncio
async def test_a_ministry_deadline_is_a_timeout() -> None:
    async def slow(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(1)
        return httpx.Response(200, json={})

    client = httpx.AsyncClient(transport=httpx.MockTransport(slow), base_url="http://samsat.test")
    adapter = SamsatAdapter(client, timeout_seconds=0.05)
    before = _count("aw_ministry_request_seconds_count", ministry="samsat", outcome="timeout")
    with pytest.raises(MinistryTimeout):
        await adapter.vehicle_tax("B 1234 ABC")
    await adapter.aclose()
    assert _count("aw_ministry_request_seconds_count", ministry="samsat", outcome="timeout") == before + 1
    slowest = _count("aw_ministry_request_seconds_bucket", ministry="samsat", outcome="timeout", le="0.025")
    assert slowest < before + 1  # observed at its real duration, not at zero


@pytest.mark.asyncio
async def test_rate_limit_refusals_by_limit() -> None:
    limiter = MemoryRateLimiter(limit=2, window_seconds=60, clock=lambda: 0.0)
    before = _count("aw_rate_limit_refusals_total", limit="telegram")
    admitted = [await limiter.admit("telegram", "42") for _ in range(5)]
    assert [a.allowed for a in admitted] == [True, True, False, False, False]
    assert _count("aw_rate_limit_refusals_total", limit="telegram") == before + 3


def test_a_label_takes_a_bounded_number_of_values() -> None:
    bounded = instruments._Bounded(limit=2)
    assert [bounded(v) for v in ("web", "telegram", "whatsapp", "web", None)] == [
        "web", "telegram", instruments.OTHER, "web", instruments.OTHER,
    ]  # fmt: skip
