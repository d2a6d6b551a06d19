"""Helpers for the call-center tests: accounts, console logins, a bot that hands off."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import delete, select, update

from api.callcenter.accounts import create_agent
from api.models import Agent, AgentStatus, Handoff, utcnow
from tests.api.fake_rasa import FakeRasa

PASSWORD = "kata-sandi-yang-panjang"
# Settings of a call center that is always open, national holidays too (tests pass any day).
ALWAYS_OPEN = {"call_center_hours": "mon-sun 00:00-24:00", "call_center_closed_on_holidays": False}
RESUME_TEXT = "Bapak/Ibu kembali dilayani Asisten Warga."
_names = itertools.count(1)


def handoff_bot(fake: FakeRasa, service: str | None = None) -> None:
    """A bot that asks for a person on /request_human, resumes on /handoff_returned and
    otherwise answers "bot: <text>"."""

    def respond(body: dict[str, Any]) -> list[dict[str, Any]]:
        message = body["message"]
        if message.lstrip("/") == "request_human":
            return [{"custom": {"type": "handoff", "reason": "citizen_request", "service": service}}]
        if message == "/handoff_returned":
            return [{"text": RESUME_TEXT, "buttons": [{"title": "Menu utama", "payload": "/ask_menu"}]}]
        if message == "/restart":
            return []
        return [{"text": f"bot: {message}"}]

    fake.respond = respond


async def add_agent(
    app: FastAPI,
    *,
    role: str = "agent",
    teams: list[str] | None = None,
    online: bool = True,
    name: str | None = None,
) -> Agent:
    """A new account (unique name), available and online unless `online` is False."""
    number = next(_names)
    async with app.state.sessionmaker() as session:
        agent = await create_agent(
            session,
            username=f"{role}{number}-{uuid.uuid4().hex[:6]}",
            password=PASSWORD,
            display_name=name or f"Petugas {number}",
            role=role,
            teams=teams or ["general"],
        )
        if online:
            agent.status = AgentStatus.AVAILABLE
            agent.last_seen_at = utcnow()
            await session.commit()
        return agent


async def fresh_call_center(app: FastAPI) -> None:
    """The database is shared by a test session: earlier tests' agents leave and their
    hand-offs go, so queues, staffing and handling-time history start empty."""
    async with app.state.sessionmaker() as session:
        await session.execute(update(Agent).values(last_seen_at=utcnow() - timedelta(hours=1)))
        await session.execute(delete(Handoff))
        await session.commit()


@asynccontextmanager
async def console(app: FastAPI, agent: Agent) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client logged into the console as `agent`."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway.test") as client:
        response = await client.post(
            "/console/api/login", json={"username": agent.username, "password": PASSWORD}
        )
        assert response.status_code == 200, response.text
        yield client


async def ask_for_person(client: httpx.AsyncClient, conversation_id: str) -> dict[str, Any]:
    response = await client.post(
        f"/api/v1/conversations/{conversation_id}/messages",
        json={"text": "/request_human", "metadata": {"button_title": "Bicara dengan petugas"}},
    )
    assert response.status_code == 200, response.text
    return response.json()


async def say(client: httpx.AsyncClient, conversation_id: str, text: str, **extra: Any) -> dict[str, Any]:
    response = await client.post(
        f"/api/v1/conversations/{conversation_id}/messages", json={"text": text, **extra}
    )
    assert response.status_code == 200, response.text
    return response.json()


async def handoff_of(app: FastAPI, conversation_id: str) -> Handoff:
    async with app.state.sessionmaker() as session:
        found = await session.scalar(
            select(Handoff)
            .where(Handoff.conversation_id == uuid.UUID(conversation_id))
            .order_by(Handoff.id.desc())
        )
        assert found is not None
        return found
