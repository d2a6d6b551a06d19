"""The ministry layer: service token, deadlines, injected faults, real URLs, latency.
(The simulators' own settings and latency: tests/simulators/.)"""

from __future__ import annotations

import time

import httpx
import pytest

from api.core.config import Settings
from api.ministries.registry import discover
from simulators.seed import sample
from tests.api.support import GatewayFactory

pytestmark = pytest.mark.asyncio

G1_MINISTRIES = {"dukcapil", "bpjs", "satusehat", "puslapdik", "kemensos"}


def _membership_body() -> dict[str, str]:
    persona = sample("bpjs_active")
    return {"nik": persona["nik"], "birth_date": persona["birth_date"]}


async def test_every_ministry_has_an_adapter_with_a_url_setting() -> None:
    adapters = discover()
    assert set(adapters) >= G1_MINISTRIES
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    for key in adapters:
        assert hasattr(settings, f"{key}_url"), key
        assert settings.ministry_url(key) is None  # the simulator by default


async def test_no_token_configured_means_no_authentication(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/health/bpjs/rates")
    assert response.status_code == 200


async def test_service_token_is_required_when_set(gateway: GatewayFactory) -> None:
    async with gateway(service_token="rahasia-layanan") as (_, client):
        missing = await client.get("/api/v1/health/bpjs/rates")
        wrong = await client.get("/api/v1/health/bpjs/rates", headers={"Authorization": "Bearer salah"})
        right = await client.get(
            "/api/v1/health/bpjs/rates", headers={"Authorization": "Bearer rahasia-layanan"}
        )
        conversations = await client.post("/api/v1/conversations", json={})
    for response in (missing, wrong):
        assert response.status_code == 401
        assert response.json()["code"] == "unauthorized"
        assert response.headers["www-authenticate"] == "Bearer"
    assert right.status_code == 200
    assert conversations.status_code == 404  # the channel API is not on the internal listener


async def test_timed_out_ministry_is_504(gateway: GatewayFactory) -> None:
    async with gateway(simulated_faults="bpjs=timeout", ministry_timeout_seconds=0.2) as (_, client):
        started = time.monotonic()
        response = await client.post("/api/v1/health/bpjs/membership", json=_membership_body())
        elapsed = time.monotonic() - started
        other = await client.get("/api/v1/education/spmb", params={"level": "sd"})
    assert response.status_code == 504
    body = response.json()
    assert body["code"] == "ministry_timeout" and "BPJS Kesehatan" in body["detail"]
    assert elapsed < 2
    assert other.status_code == 200  # only the faulty ministry is affected


async def test_failing_ministry_is_503(gateway: GatewayFactory) -> None:
    async with gateway(simulated_faults="kemensos=error") as (_, client):
        persona = sample("bansos_pkh")
        response = await client.post(
            "/api/v1/social/recipients/by-nik",
            json={"nik": persona["nik"], "birth_date": persona["birth_date"]},
        )
    assert response.status_code == 503
    assert response.json()["code"] == "ministry_unavailable"


async def test_unreachable_real_url_is_503(gateway: GatewayFactory) -> None:
    async with gateway(bpjs_url="http://127.0.0.1:9") as (_, client):
        response = await client.get("/api/v1/health/bpjs/rates")
    assert response.status_code == 503
    assert response.json()["code"] == "ministry_unavailable"


async def test_errors_are_logged_without_personal_data(
    gateway: GatewayFactory, caplog: pytest.LogCaptureFixture
) -> None:
    body = _membership_body()
    async with gateway(simulated_faults="bpjs=timeout", ministry_timeout_seconds=0.1) as (_, client):
        with caplog.at_level("DEBUG", logger="api"):
            await client.post("/api/v1/health/bpjs/membership", json=body)
    assert "ministry=bpjs" in caplog.text and "timeout" in caplog.text
    assert body["nik"] not in caplog.text and body["birth_date"] not in caplog.text


async def test_simulated_latency_applies(gateway: GatewayFactory) -> None:
    async with gateway(simulated_latency_ms=200) as (_, client):
        started = time.monotonic()
        response = await client.get("/api/v1/health/bpjs/rates")
    assert response.status_code == 200
    assert time.monotonic() - started >= 0.1
