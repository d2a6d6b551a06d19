"""Console access control: every console route refuses a request without a live session,
supervisors' routes refuse agents, sessions expire, passwords are hashed."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI
from sqlalchemy import select, update

from api.models import Agent, AgentSession, utcnow
from tests.api.callcenter.support import ALWAYS_OPEN, PASSWORD, add_agent, console
from tests.api.support import GatewayFactory

pytestmark = pytest.mark.asyncio

SUPERVISOR_ROUTES = {
    ("GET", "/console/api/supervisor/overview"),
    ("GET", "/console/api/supervisor/audit"),
    ("POST", "/console/api/supervisor/audit/entries"),
    ("POST", "/console/api/supervisor/audit/export"),
    ("GET", "/console/api/supervisor/audit/filters"),
    ("GET", "/console/api/supervisor/analytics"),
    ("GET", "/console/api/supervisor/analytics/export.csv"),
    ("GET", "/console/api/supervisor/analytics/options"),
    ("GET", "/console/api/supervisor/surveys"),
}


@pytest_asyncio.fixture
async def center(gateway: GatewayFactory) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    async with gateway(**ALWAYS_OPEN) as running:
        yield running


def _console_routes(app: FastAPI) -> list[tuple[str, str]]:
    """Every console API operation, from the app's OpenAPI schema (so a new route is covered)."""
    routes = []
    for path, operations in app.openapi()["paths"].items():
        if path.startswith("/console/api") and path != "/console/api/login":
            concrete = (
                path.replace("{handoff_id}", "1")
                .replace("{assist_id}", "00000000-0000-0000-0000-000000000000")
                .replace("{conversation_id}", "00000000-0000-0000-0000-000000000000")
            )
            routes += [(method.upper(), concrete) for method in operations]
    return routes


async def test_every_console_route_refuses_a_logged_out_request(
    center: tuple[FastAPI, httpx.AsyncClient],
) -> None:
    app, client = center
    routes = _console_routes(app)
    assert len(routes) >= 18  # the walk found the API
    for method, path in routes:
        response = await client.request(method, path, json={})
        assert response.status_code == 401, (method, path, response.status_code)
        assert response.json()["detail"] == "Sesi Anda telah berakhir. Silakan masuk kembali."


async def test_an_agent_cannot_open_the_supervisor_view(center: tuple[FastAPI, httpx.AsyncClient]) -> None:
    app, _ = center
    agent, supervisor = await add_agent(app), await add_agent(app, role="supervisor")
    async with console(app, agent) as desk:
        for method, path in SUPERVISOR_ROUTES:
            response = await desk.request(method, path, json={})
            assert (
                response.status_code == 403
                and response.json()["detail"] == "Halaman ini hanya untuk supervisor."
            )
        assert (await desk.get("/console/api/me")).json()["role"] == "agent"
    async with console(app, supervisor) as desk:
        for method, path in SUPERVISOR_ROUTES:
            assert (await desk.request(method, path, json={})).status_code == 200


async def test_login_logout_and_wrong_passwords(center: tuple[FastAPI, httpx.AsyncClient]) -> None:
    app, client = center
    agent = await add_agent(app)
    wrong = await client.post(
        "/console/api/login", json={"username": agent.username, "password": "salah-sekali"}
    )
    assert wrong.status_code == 401 and wrong.json()["detail"] == "Nama pengguna atau kata sandi salah."
    unknown = await client.post("/console/api/login", json={"username": "tidak-ada", "password": PASSWORD})
    assert unknown.status_code == 401
    async with console(app, agent) as desk:
        cookie = desk.cookies.get("aw_console")
        assert cookie and len(cookie) >= 40
        assert (await desk.post("/console/api/logout")).status_code == 204
        assert (await desk.get("/console/api/me")).status_code == 401
    # Only a SHA-256 of the token is stored; the password only as an Argon2id hash.
    async with app.state.sessionmaker() as session:
        stored = await session.get(Agent, agent.id)
        assert stored is not None and stored.password_hash.startswith("$argon2id$")
        assert PASSWORD not in stored.password_hash


async def test_sessions_expire_when_idle_or_old(center: tuple[FastAPI, httpx.AsyncClient]) -> None:
    app, _ = center
    agent = await add_agent(app)
    async with console(app, agent) as desk:
        assert (await desk.get("/console/api/me")).status_code == 200
        async with app.state.sessionmaker() as session:
            await session.execute(
                update(AgentSession)
                .where(AgentSession.agent_id == agent.id)
                .values(last_used_at=utcnow() - timedelta(minutes=31))
            )
            await session.commit()
        assert (await desk.get("/console/api/me")).status_code == 401
    async with console(app, agent) as desk:
        async with app.state.sessionmaker() as session:
            await session.execute(
                update(AgentSession).where(AgentSession.agent_id == agent.id).values(expires_at=utcnow())
            )
            await session.commit()
        assert (await desk.get("/console/api/me")).status_code == 401
        async with app.state.sessionmaker() as session:
            left = await session.scalars(select(AgentSession).where(AgentSession.agent_id == agent.id))
            assert list(left) == []  # expired sessions are deleted


async def test_a_disabled_account_cannot_log_in_or_keep_its_session(
    center: tuple[FastAPI, httpx.AsyncClient],
) -> None:
    app, client = center
    agent = await add_agent(app)
    async with console(app, agent) as desk:
        async with app.state.sessionmaker() as session:
            await session.execute(update(Agent).where(Agent.id == agent.id).values(enabled=False))
            await session.commit()
        assert (await desk.get("/console/api/me")).status_code == 401
    refused = await client.post("/console/api/login", json={"username": agent.username, "password": PASSWORD})
    assert refused.status_code == 401


async def test_console_socket_refuses_without_a_session(center: tuple[FastAPI, httpx.AsyncClient]) -> None:
    from starlette.testclient import TestClient
    from starlette.websockets import WebSocketDisconnect

    app, _ = center
    with TestClient(app) as http, pytest.raises(WebSocketDisconnect) as closed:  # noqa: SIM117
        with http.websocket_connect("/console/ws") as socket:
            socket.receive_json()
    assert closed.value.code == 4401
