"""Agent-assist and the audit log: an agent's look-ups of a caller's data are written to an
append-only log (who, when, which citizen, which service, why); the identity a citizen
verified is shown to the agent who takes the conversation over, and that view is audited
too; a case opened in a conversation is listed with it."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import date, timedelta

import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI
from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import DBAPIError

from api.callcenter.access import citizen_hash
from api.identity import sessions
from api.models import AuditEntry
from simulators.seed import sample
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
from tests.api.support import GatewayFactory, new_conversation, service_client

pytestmark = pytest.mark.asyncio

VERIFY = "/api/v1/population/verify"


@pytest_asyncio.fixture
async def center(
    gateway: GatewayFactory, fake_rasa: FakeRasa
) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    handoff_bot(fake_rasa)
    async with gateway(**ALWAYS_OPEN, rasa_token=fake_rasa.token) as (app, client):
        await fresh_call_center(app)
        yield app, client


async def _call(app: FastAPI, path: str, **kwargs: object) -> httpx.Response:
    """A POST to the internal service API, as the action server makes it."""
    async with service_client(app) as service:
        return await service.post(path, **kwargs)  # type: ignore[arg-type]


async def _entries(app: FastAPI, conversation_id: str) -> list[AuditEntry]:
    async with app.state.sessionmaker() as session:
        rows = await session.scalars(
            select(AuditEntry)
            .where(AuditEntry.conversation_id == uuid.UUID(conversation_id))
            .order_by(AuditEntry.id)
        )
        return list(rows)


async def test_assist_shows_what_the_assistant_understood_and_would_reply(
    center: tuple[FastAPI, httpx.AsyncClient], fake_rasa: FakeRasa
) -> None:
    app, _ = center
    agent = await add_agent(app)
    fake_rasa.latest_message = {
        "intent": {"name": "social_bansos_check", "confidence": 0.93},
        "entities": [
            {"entity": "nik", "value": "3273014508950001", "extractor": "IdentifierEntityExtractor"}
        ],
        "intent_ranking": [
            {"name": "social_bansos_check", "confidence": 0.93},
            {"name": "inform", "confidence": 0.04},
        ],
    }
    async with console(app, agent) as desk:
        too_short = await desk.post("/console/api/assist", json={"reason": "cek"})
        assert too_short.status_code == 422
        started = await desk.post(
            "/console/api/assist", json={"reason": "Penelepon menanyakan status bansos"}
        )
        assert started.status_code == 201
        session_id = started.json()["id"]
        turn = await desk.post(f"/console/api/assist/{session_id}/messages", json={"text": "cek bansos saya"})
        assert turn.status_code == 200, turn.text
        body = turn.json()
        assert body["understood"]["intent"] == "social_bansos_check"
        assert body["understood"]["confidence"] == 0.93
        assert body["understood"]["entities"] == [
            {"entity": "nik", "value": "3273014508950001", "label": "NIK", "value_label": "3273014508950001"}
        ]
        # In words for the agent; an intent the console has no words for is still readable.
        assert body["understood"]["service"] == "Layanan umum"
        assert body["understood"]["question"] == "Social bansos check"
        assert [reply["text"] for reply in body["replies"]] == ["bot: cek bansos saya"]
        assert fake_rasa.received[-1]["input_channel"] == "assist"
        transcript = (await desk.get(f"/console/api/assist/{session_id}")).json()["transcript"]
        assert [m["text"] for m in transcript] == ["cek bansos saya", "bot: cek bansos saya"]
        # Another agent cannot use this session.
        other = await add_agent(app)
        async with console(app, other) as theirs:
            assert (await theirs.get(f"/console/api/assist/{session_id}")).status_code == 404


async def verify(app: FastAPI, conversation: str, nik: str) -> None:
    """The conversation's citizen proved `nik` (what an OTP leaves behind)."""
    async with app.state.sessionmaker() as session:
        await sessions.bind(session, uuid.UUID(conversation), nik, "otp")


async def test_every_lookup_in_an_assist_session_is_audited(
    center: tuple[FastAPI, httpx.AsyncClient],
) -> None:
    app, client = center
    agent = await add_agent(app, name="Rina")
    persona = sample("adult")
    async with console(app, agent) as desk:
        session_id = (
            await desk.post("/console/api/assist", json={"reason": "Penelepon minta cek data"})
        ).json()["id"]
    headers = {"X-Conversation-ID": session_id}
    await verify(app, session_id, persona["nik"])  # the caller proved who they are (an OTP)
    ok = await _call(app,
        VERIFY, json={"nik": persona["nik"], "birth_date": persona["birth_date"]}, headers=headers
    )
    assert ok.status_code == 200
    wrong = (date.fromisoformat(persona["birth_date"]) + timedelta(days=1)).isoformat()
    refused = await _call(app,VERIFY, json={"nik": persona["nik"], "birth_date": wrong}, headers=headers)
    assert refused.status_code == 403
    entries = await _entries(app, session_id)
    hashed = citizen_hash(persona["nik"])  # the log keeps a keyed hash, never the NIK
    assert [(e.agent_id, e.action, e.citizen, e.service, e.outcome) for e in entries] == [
        (agent.id, "service_lookup", hashed, "population", "ok"),
        (agent.id, "service_lookup", hashed, "population", "identity_mismatch"),
    ]
    assert all(e.reason == "Penelepon minta cek data" and e.target == f"POST {VERIFY}" for e in entries)
    # The supervisor reads the log; agents cannot.
    supervisor = await add_agent(app, role="supervisor")
    async with console(app, supervisor) as desk:
        log = (await desk.get("/console/api/supervisor/audit", params={"limit": 1000})).json()
    assert {(e["agent"], e["citizen"], e["outcome"]) for e in log} >= {
        ("Rina", hashed, "ok"),
        ("Rina", hashed, "identity_mismatch"),
    }


async def test_citizens_own_lookups_are_not_agent_lookups(center: tuple[FastAPI, httpx.AsyncClient]) -> None:
    app, client = center
    conversation = await new_conversation(client)
    persona = sample("adult")
    headers = {"X-Conversation-ID": conversation}
    await verify(app, conversation, persona["nik"])
    assert (
        await _call(app,
            VERIFY, json={"nik": persona["nik"], "birth_date": persona["birth_date"]}, headers=headers
        )
    ).status_code == 200
    # Logged as the service's look-up for the bot, for the citizen's access log: no agent.
    entries = await _entries(app, conversation)
    assert [(entry.action, entry.agent_id, entry.service) for entry in entries] == [
        ("bot_lookup", None, "population")
    ]
    # A malformed or unknown conversation id holds no verified session.
    for bogus in ("not-a-uuid", str(uuid.uuid4())):
        response = await _call(app,
            VERIFY,
            json={"nik": persona["nik"], "birth_date": persona["birth_date"]},
            headers={"X-Conversation-ID": bogus},
        )
        assert response.status_code == 403


async def test_agent_sees_the_verified_identity_and_cases_and_the_view_is_audited(
    center: tuple[FastAPI, httpx.AsyncClient],
) -> None:
    app, client = center
    agent = await add_agent(app)
    persona = sample("adult")
    conversation = await new_conversation(client)
    headers = {"X-Conversation-ID": conversation}
    await verify(app, conversation, persona["nik"])
    await _call(app,
        VERIFY, json={"nik": persona["nik"], "birth_date": persona["birth_date"]}, headers=headers
    )
    opened = await _call(app,
        "/api/v1/population/applications",
        json={
            "type": "kk_change",
            "nik": persona["nik"],
            "birth_date": persona["birth_date"],
            "details": {"reason": "tambah_anggota"},
        },
        headers=headers,
    )
    assert opened.status_code == 201
    await ask_for_person(client, conversation)
    handoff = await handoff_of(app, conversation)
    async with console(app, agent) as desk:
        detail = (await desk.post(f"/console/api/handoffs/{handoff.id}/claim")).json()
        await desk.get(f"/console/api/handoffs/{handoff.id}")  # a refetch is not a new look-up
    assert detail["identity"]["nik"] == persona["nik"]
    assert detail["identity"]["birth_date"] == persona["birth_date"]
    assert detail["identity"]["region"]
    assert [c["case_number"] for c in detail["cases"]] == [opened.json()["case_number"]]
    views = [e for e in await _entries(app, conversation) if e.action == "view_identity"]
    assert [(v.agent_id, v.citizen) for v in views] == [(agent.id, citizen_hash(persona["nik"]))]


async def test_the_audit_log_is_append_only(center: tuple[FastAPI, httpx.AsyncClient]) -> None:
    app, _ = center
    agent = await add_agent(app)
    async with app.state.sessionmaker() as session:
        session.add(
            AuditEntry(
                agent_id=agent.id, action="service_lookup", service="health", reason="uji", outcome="ok"
            )
        )
        await session.commit()
    for statement in (
        update(AuditEntry).where(AuditEntry.agent_id == agent.id).values(reason="diubah"),
        delete(AuditEntry).where(AuditEntry.agent_id == agent.id),
    ):
        async with app.state.sessionmaker() as session:
            with pytest.raises(DBAPIError, match="append-only"):
                await session.execute(statement)
                await session.commit()
    async with app.state.sessionmaker() as session:
        if session.bind.dialect.name == "postgresql":
            with pytest.raises(DBAPIError, match="append-only"):
                await session.execute(text("TRUNCATE audit_log"))
            await session.rollback()
        left = await session.scalars(select(AuditEntry).where(AuditEntry.agent_id == agent.id))
        assert [e.reason for e in left] == ["uji"]
