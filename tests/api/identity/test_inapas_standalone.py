"""Login with INApas against `python -m simulators` over real HTTP: the gateway configured
with `AW_INAPAS_URL` and the shared client secret, as with a real provider."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from api.identity.sessions import verified_nik
from simulators.seed import sample
from tests.api.support import GatewayFactory, new_conversation

ROOT = Path(__file__).resolve().parents[3]
SECRET = "rahasia-uji-inapas"


@pytest.fixture
def provider_url(tmp_path: Path) -> Iterator[str]:
    """`python -m simulators` on a free port, with the client secret; INApas's issuer."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    environment = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "AW_SIMULATED_LATENCY_MS": "0",
        "AW_SIMULATORS_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'simulators.db'}",
        "AW_INAPAS_CLIENT_SECRET": SECRET,
    }
    log = (tmp_path / "simulators.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "simulators", "--port", str(port)],
        cwd=tmp_path, env=environment, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    issuer = f"http://127.0.0.1:{port}/inapas"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, (tmp_path / "simulators.log").read_text()
            assert time.monotonic() < deadline, "the simulators did not start"
            try:
                if httpx.get(f"{issuer}/.well-known/openid-configuration", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        yield issuer
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


async def test_a_login_against_the_standalone_provider(gateway: GatewayFactory, provider_url: str) -> None:
    nik = sample("adult")["nik"]
    async with gateway(inapas_url=provider_url, inapas_client_secret=SECRET) as (app, client):
        assert app.state.inapas.provider_app is None  # a URL: nothing simulated in-process
        conversation = await new_conversation(client)
        started = await client.get("/auth/inapas/start", params={"conversation": conversation})
        authorize = started.headers["location"]
        assert authorize.startswith(f"{provider_url}/authorize?")
        async with httpx.AsyncClient() as browser_at_provider:
            page = await browser_at_provider.get(authorize)
            assert page.status_code == 200
            form = dict(httpx.URL(authorize).params)
            answer = await browser_at_provider.post(
                f"{provider_url}/authorize", data={**form, "nik": nik, "decision": "allow"}
            )
        callback = answer.headers["location"]
        assert callback.startswith("http://gateway.test/auth/inapas/callback?")
        done = await client.get(callback)
        assert done.status_code == 200, done.text
        async with app.state.sessionmaker() as session:
            assert await verified_nik(session, uuid.UUID(conversation)) == nik
