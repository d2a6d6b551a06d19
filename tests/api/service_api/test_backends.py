"""Which backend answers for a ministry: its URL, the embedded simulators, or none (the
gateway refuses to start). Production never serves simulated data unless told to."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from pydantic import ValidationError

from api.core.config import Settings
from api.ministries.registry import SimulatedBackendRefused, discover
from simulators.backends import FACTORIES, IDENTITY_PROVIDERS, Simulators
from simulators.seed import sample
from simulators.server import ministry_urls
from tests.api.support import GatewayFactory

ROOT = Path(__file__).resolve().parents[3]
KEY = "k" * 32  # AW_IDENTITY_KEY, required in production
# A production gateway needs a service token, an identity key, and to wait for Rasa longer
# than an action chain.
PRODUCTION = {
    "environment": "production",
    "service_token": "a-long-enough-service-token",
    "identity_key": KEY,
    "rasa_timeout_seconds": 20,
}
AUTH = {"Authorization": "Bearer a-long-enough-service-token"}


def _every_url(base: str) -> dict[str, str]:
    """Gateway settings pointing every ministry at `base`/<key>."""
    return {name.removeprefix("AW_").lower(): url for name, url in ministry_urls(base).items()}


def _every_backend(base: str) -> dict[str, str]:
    """`_every_url`, with the client secret a real INApas needs."""
    return {**_every_url(base), "inapas_client_secret": "rahasia-uji"}


def test_every_adapter_has_a_simulator_and_a_url_setting() -> None:
    adapters = discover()
    assert set(adapters) == set(FACTORIES) - IDENTITY_PROVIDERS
    assert set(_every_url("http://x")) == {f"{key}_url" for key in FACTORIES}
    assert all(f"{key}_url" in Settings.model_fields for key in FACTORIES)


def test_the_gateways_code_imports_no_simulator() -> None:
    """Only the setting loads the simulators: importing the whole gateway does not."""
    check = (
        "import sys, api.main, api.ministries.registry as r; r.discover();"
        "sys.exit(' '.join(m for m in sys.modules if m.split('.')[0] == 'simulators') or 0)"
    )
    environment = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-c", check], cwd=ROOT, env=environment, capture_output=True)
    assert result.returncode == 0, result.stderr.decode()[-2000:]


async def test_ministries_without_a_url_are_simulated_in_process(gateway: GatewayFactory) -> None:
    async with gateway(bpjs_url="http://127.0.0.1:9") as (app, client):
        assert isinstance(app.state.ministries.simulators, Simulators)
        simulated = await client.get("/api/v1/education/spmb", params={"level": "sd"})
        real = await client.get("/api/v1/health/bpjs/rates")
    assert simulated.status_code == 200
    assert real.status_code == 503  # the URL is called, not the simulator


async def test_production_refuses_to_start_with_a_simulated_ministry(gateway: GatewayFactory) -> None:
    urls = _every_backend("http://127.0.0.1:9")
    del urls["lapor_url"]
    with pytest.raises(SimulatedBackendRefused, match="AW_LAPOR_URL"):
        async with gateway(**PRODUCTION, **urls):
            pass


async def test_production_may_serve_simulators_when_the_setting_says_so(gateway: GatewayFactory) -> None:
    async with gateway(**PRODUCTION, allow_simulated_backends=True) as (app, client):
        response = await client.get("/api/v1/education/spmb", params={"level": "sd"}, headers=AUTH)
    assert response.status_code == 200


async def test_production_with_every_url_embeds_no_simulator(gateway: GatewayFactory) -> None:
    async with gateway(**PRODUCTION, **_every_backend("http://127.0.0.1:9")) as (app, client):
        assert app.state.ministries.simulators is None
        response = await client.get("/api/v1/health/bpjs/rates", headers=AUTH)
    assert response.status_code == 503


async def test_simulators_off_needs_every_url(gateway: GatewayFactory) -> None:
    urls = _every_backend("http://127.0.0.1:9")
    del urls["bkn_url"]
    with pytest.raises(SimulatedBackendRefused, match="AW_BKN_URL"):
        async with gateway(simulators="off", **urls):
            pass


async def test_malformed_simulator_settings_stop_the_gateway(gateway: GatewayFactory) -> None:
    with pytest.raises(ValidationError):
        async with gateway(simulated_faults="bpjs=slow"):
            pass


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def simulator_server(tmp_path: Path) -> Iterator[str]:
    """`python -m simulators` on a free port; its base URL."""
    port = _free_port()
    environment = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "AW_SIMULATED_LATENCY_MS": "0",
        "AW_SIMULATORS_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'simulators.db'}",
    }
    log = (tmp_path / "simulators.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "simulators", "--port", str(port)],
        cwd=tmp_path, env=environment, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, (tmp_path / "simulators.log").read_text()
            assert time.monotonic() < deadline, "the simulators did not start"
            try:
                if httpx.get(f"{base}/bkn/sscasn/v1/informasi", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


async def test_the_standalone_simulators_answer_at_real_urls(
    gateway: GatewayFactory, simulator_server: str
) -> None:
    persona = sample("adult")
    identity = {"nik": persona["nik"], "birth_date": persona["birth_date"]}
    async with gateway(simulators="off", **_every_backend(simulator_server)) as (app, client):
        assert app.state.ministries.simulators is None
        verified = await client.post("/api/v1/population/verify", json=identity)
        applied = await client.post(
            "/api/v1/population/applications",
            json={"type": "kk_change", **identity, "details": {"reason": "tambah_anggota"}},
        )
        followed = await client.get(f"/api/v1/cases/{applied.json().get('case_number')}")
    assert verified.status_code == 200, verified.text
    assert applied.status_code == 201, applied.text
    assert followed.status_code == 200 and followed.json()["status"] == "diterima"
