"""`python -m simulators`: every simulated ministry on one server, under its key."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx

from simulators.backends import FACTORIES
from simulators.server import create_server, ministry_urls
from simulators.settings import SimulatorSettings

ROOT = Path(__file__).resolve().parents[2]


async def test_each_ministry_is_served_under_its_key(tmp_path: Path) -> None:
    settings = SimulatorSettings(  # type: ignore[call-arg]
        _env_file=None,
        simulated_latency_ms=0,
        simulators_database_url=f"sqlite+aiosqlite:///{tmp_path / 'simulators.db'}",
    )
    server = create_server(settings)
    async with server.router.lifespan_context(server):
        transport = httpx.ASGITransport(app=server)
        async with httpx.AsyncClient(transport=transport, base_url="http://simulators.test") as client:
            informasi = await client.get("/bkn/sscasn/v1/informasi")
            elsewhere = await client.get("/bpjs/sscasn/v1/informasi")
    assert informasi.status_code == 200 and informasi.json()["tahun"]
    assert elsewhere.status_code == 404


def test_the_gateways_settings_point_every_ministry_at_the_server() -> None:
    urls = ministry_urls("http://127.0.0.1:8100/")
    assert set(urls) == {f"AW_{key.upper()}_URL" for key in FACTORIES}
    assert urls["AW_BPJS_URL"] == "http://127.0.0.1:8100/bpjs"
    printed = subprocess.run(
        [sys.executable, "-m", "simulators", "--port", "8123", "--env"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout.splitlines()  # fmt: skip
    assert printed[0] == "AW_SIMULATORS=off"
    assert "AW_DUKCAPIL_URL=http://127.0.0.1:8123/dukcapil" in printed
    assert len(printed) == 1 + len(FACTORIES)
