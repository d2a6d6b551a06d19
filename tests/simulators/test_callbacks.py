"""A simulated ministry's signed callback: SIMPONI tells the gateway of a payment, signed with
the shared secret, once per payment; without a URL or a secret it calls nobody."""

from __future__ import annotations

import json
import time
from pathlib import Path

import httpx
import pytest

from api.notifications import signature
from simulators import simponi
from simulators.base import SimulatorContext
from simulators.callbacks import Callbacks
from simulators.settings import SimulatorSettings
from simulators.store import Storage

pytestmark = pytest.mark.asyncio

URL = "http://gateway.test/api/v1/callbacks/{ministry}"
SECRETS = "simponi=simponi-secret"


def _context(path: Path, callbacks: Callbacks) -> SimulatorContext:
    settings = SimulatorSettings(  # type: ignore[call-arg]
        _env_file=None, simulators_database_url=f"sqlite+aiosqlite:///{path}", simulated_latency_ms=0
    )
    return SimulatorContext(settings, Storage(settings), callbacks=callbacks)


async def _pay_one(context: SimulatorContext) -> tuple[str, httpx.Response, httpx.Response]:
    transport = httpx.ASGITransport(app=simponi.build(context))
    async with httpx.AsyncClient(transport=transport, base_url="http://simponi.test") as client:
        issued = await client.post("/api/billing", json={"kode_tarif": "skck", "nik": "3273010101900001"})
        assert issued.status_code == 201, issued.text
        code = issued.json()["data"]["kode_billing"]
        paid = await client.post(f"/api/billing/{code}/bayar")
        again = await client.post(f"/api/billing/{code}/bayar")
    await context.callbacks.drain()
    return code, paid, again


async def test_a_payment_is_called_back_signed_once(tmp_path: Path) -> None:
    received: list[httpx.Request] = []

    def gateway(request: httpx.Request) -> httpx.Response:
        received.append(request)
        return httpx.Response(202, json={"accepted": True, "updates": 1})

    context = _context(tmp_path / "sim.db", Callbacks(URL, SECRETS, httpx.MockTransport(gateway)))
    try:
        code, paid, again = await _pay_one(context)
    finally:
        await context.storage.aclose()
    assert paid.status_code == 200 and again.status_code == 409
    assert len(received) == 1  # the refused second payment is no change
    request = received[0]
    assert str(request.url) == "http://gateway.test/api/v1/callbacks/simponi"
    assert json.loads(request.content) == {"reference": code, "urgent": False}
    header = request.headers[signature.HEADER]
    assert signature.verify("simponi-secret", request.content, header, time.time())
    assert not signature.verify("other-secret", request.content, header, time.time())


@pytest.mark.parametrize(("url", "secrets"), [("", SECRETS), (URL, ""), (URL, "lapor=x")])
async def test_no_url_or_no_secret_calls_nobody(tmp_path: Path, url: str, secrets: str) -> None:
    received: list[httpx.Request] = []
    callbacks = Callbacks(
        url, secrets, httpx.MockTransport(lambda r: received.append(r) or httpx.Response(202))
    )
    context = _context(tmp_path / "sim.db", callbacks)
    try:
        await _pay_one(context)
    finally:
        await context.storage.aclose()
    assert received == []


async def test_an_unreachable_gateway_is_logged_not_raised() -> None:
    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("down", request=request)

    assert await Callbacks(URL, SECRETS, httpx.MockTransport(down)).send("simponi", "820000000000001") is None
