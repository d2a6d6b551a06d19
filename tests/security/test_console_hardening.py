"""The console's edges (issue #16, section 5): Argon2 off the event loop, one username form
for the limit and the check, per-IP and overall login limits, polling that does not keep a
session alive, and a console socket that notices a logout."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select, update
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from api.callcenter import auth
from api.main import create_app
from api.models import AgentSession, utcnow
from tests.api.callcenter.support import ALWAYS_OPEN, PASSWORD, add_agent
from tests.api.fake_rasa import FakeRasa
from tests.api.support import Database, GatewayFactory, make_settings

pytestmark = pytest.mark.asyncio


@asynccontextmanager
async def from_address(app: FastAPI, ip: str) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, client=(ip, 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway.test") as client:
        yield client


async def _login(client: httpx.AsyncClient, username: str, password: str = "salah-sekali") -> int:
    response = await client.post("/console/api/login", json={"username": username, "password": password})
    return response.status_code


async def test_a_padded_username_shares_the_budget(gateway: GatewayFactory) -> None:
    """ " sari" and "SARI" are the same account for the check: the same for the limit."""
    async with gateway(**ALWAYS_OPEN, login_limit_per_user=3) as (app, client):
        agent = await add_agent(app)
        name = agent.username
        assert [await _login(client, name) for _ in range(3)] == [401, 401, 401]
        for variant in (f" {name}", f"{name.upper()} ", f"\u3000{name}"):
            assert await _login(client, variant) == 429, repr(variant)
        assert await _login(client, f" {name}", PASSWORD) == 429  # the right password too


async def test_logins_are_limited_per_address_and_in_all(gateway: GatewayFactory) -> None:
    async with gateway(**ALWAYS_OPEN, login_limit_per_ip=3, login_limit_global=5) as (app, _):
        async with from_address(app, "10.0.0.1") as one:
            assert [await _login(one, f"nama-{n}") for n in range(4)] == [401, 401, 401, 429]
        async with from_address(app, "10.0.0.2") as two:
            # Every attempt counts in all, the refused one too: the 6th is over the overall 5.
            assert [await _login(two, f"lain-{n}") for n in range(2)] == [401, 429]


async def test_a_password_check_never_holds_the_event_loop(
    gateway: GatewayFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Argon2 on the event loop once took /health from 5 ms to 905 ms under 16 parallel logins.
    Checked without a clock, so a loaded machine cannot decide it: a login's password check is
    held mid-way until the test lets it go; /health must answer meanwhile, which it cannot when
    the check runs on the loop (the loop would sit in the check until it gave up waiting)."""
    real = auth._hasher
    started, finished, release = threading.Event(), threading.Event(), threading.Event()

    class HeldHasher:
        def __getattr__(self, name: str) -> Any:
            return getattr(real, name)

        def verify_and_update(self, password: str, password_hash: str) -> tuple[bool, str | None]:
            started.set()
            release.wait(timeout=HELD_SECONDS)
            try:
                return real.verify_and_update(password, password_hash)
            finally:
                finished.set()

    async with gateway(**ALWAYS_OPEN) as (app, client):
        agent = await add_agent(app)
        monkeypatch.setattr(auth, "_hasher", HeldHasher())
        login = asyncio.create_task(_login(client, agent.username, PASSWORD))
        while not started.is_set():
            await asyncio.sleep(0.01)
        health = (await client.get("/health")).status_code
        answered_while_held = not finished.is_set()
        release.set()
        assert await login == 200
    assert health == 200
    assert answered_while_held, "the password check held the event loop"


HELD_SECONDS = 10.0


async def test_polling_does_not_keep_a_session_alive(gateway: GatewayFactory) -> None:
    async with gateway(**ALWAYS_OPEN) as (app, client):
        agent = await add_agent(app)
        assert await _login(client, agent.username, PASSWORD) == 200
        almost_idle = utcnow() - timedelta(minutes=29)
        await _set_last_used(app, agent.id, almost_idle)
        # The console's background refetches: reads.
        for path in (
            "/console/api/handoffs?scope=queue",
            "/console/api/me",
            "/console/api/handoffs?scope=mine",
        ):
            assert (await client.get(path)).status_code == 200
        assert abs((await _last_used(app, agent.id) - almost_idle).total_seconds()) < 1
        # An action of the agent is activity.
        assert (await client.put("/console/api/me/status", json={"status": "available"})).status_code == 200
        assert (utcnow() - await _last_used(app, agent.id)).total_seconds() < 60
        # Left alone, only polled, the session ends.
        await _set_last_used(app, agent.id, utcnow() - timedelta(minutes=31))
        assert (await client.get("/console/api/handoffs?scope=queue")).status_code == 401


async def _set_last_used(app: FastAPI, agent_id: int, when: object) -> None:
    async with app.state.sessionmaker() as session:
        await session.execute(
            update(AgentSession).where(AgentSession.agent_id == agent_id).values(last_used_at=when)
        )
        await session.commit()


async def _last_used(app: FastAPI, agent_id: int):  # type: ignore[no-untyped-def]
    async with app.state.sessionmaker() as session:
        return await session.scalar(
            select(AgentSession.last_used_at).where(AgentSession.agent_id == agent_id)
        )


def test_the_console_socket_closes_after_logout(database: Database, fake_rasa: FakeRasa) -> None:
    settings = make_settings(database, fake_rasa.url, **ALWAYS_OPEN)
    with TestClient(create_app(settings)) as http:
        app = http.app
        assert isinstance(app, FastAPI)
        agent = http.portal.call(_agent, app)  # type: ignore[union-attr]
        login = http.post("/console/api/login", json={"username": agent, "password": PASSWORD})
        assert login.status_code == 200
        with http.websocket_connect("/console/ws") as socket:
            socket.send_json({"type": "ping"})
            assert socket.receive_json()["type"] in ("pong", "queue")
            assert http.post("/console/api/logout").status_code == 204
            socket.send_json({"type": "ping"})
            with pytest.raises(WebSocketDisconnect) as closed:
                while True:  # events published meanwhile may come first
                    assert socket.receive_json()["type"] != "pong"
            assert closed.value.code == 4401


async def _agent(app: FastAPI) -> str:
    return (await add_agent(app)).username
