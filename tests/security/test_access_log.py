""" "Siapa yang melihat data saya" (api/service_api/privacy.py): a verified citizen sees the
audit log's entries for their own NIK only — the service, the agent's role and number, when;
the services' look-ups for the bot, by service and time — and nobody sees them without a
verified session."""

from __future__ import annotations

import uuid
from datetime import timedelta

import httpx
from fastapi import FastAPI
from sqlalchemy import select

from api.callcenter.access import citizen_hash
from api.models import Agent, AgentRole, AuditEntry, Conversation, VerifiedSession, utcnow
from simulators.seed import health
from simulators.seed.population import population
from tests.api.identity_support import verified_conversation
from tests.api.support import service_client

NIK = "3201014101900003"
OTHER_NIK = "3171020202850004"


async def _setup(app: FastAPI, *, verified_minutes_ago: int | None) -> tuple[uuid.UUID, int]:
    now = utcnow()
    async with app.state.sessionmaker() as session:
        agent = Agent(
            username=f"agent-{uuid.uuid4().hex[:8]}", display_name="Sari Wulandari", password_hash="x",
            role=AgentRole.SUPERVISOR, teams=[],
        )  # fmt: skip
        conversation = Conversation(channel="web")
        session.add_all([agent, conversation])
        await session.flush()
        for citizen, service, minutes in (
            (NIK, "health", 30),
            (OTHER_NIK, "social", 20),
            (NIK, "social", 10),
        ):
            session.add(
                AuditEntry(
                    at=now - timedelta(minutes=minutes), agent_id=agent.id, action="service_lookup",
                    citizen=citizen_hash(citizen), service=service, target="POST /api/v1/x",
                    reason="telepon warga", outcome="ok",
                )
            )  # fmt: skip
        if verified_minutes_ago is not None:
            # A verified session (api/identity/sessions.py) lasts 30 minutes from the proof.
            verified_at = now - timedelta(minutes=verified_minutes_ago)
            session.add(
                VerifiedSession(
                    conversation_id=conversation.id, nik=NIK, method="otp", verified_at=verified_at,
                    expires_at=verified_at + timedelta(minutes=30),
                )
            )  # fmt: skip
        await session.commit()
        return conversation.id, agent.id


async def test_a_verified_citizen_sees_who_looked_at_their_nik_only(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    conversation, agent_id = await _setup(app, verified_minutes_ago=1)

    async with service_client(app) as actions:  # a service-API route: the internal listener
        response = await actions.get(
            "/api/v1/privacy/access-log", headers={"X-Conversation-ID": str(conversation)}
        )

    assert response.status_code == 200, response.text
    items = response.json()["items"]
    assert [item["service"] for item in items] == ["social", "health"]  # newest first, NIK's only
    assert {item["agent_role"] for item in items} == {"supervisor"}
    assert {item["agent_id"] for item in items} == {agent_id}
    assert "Sari" not in response.text and OTHER_NIK not in response.text


async def test_without_a_verified_session_nothing_is_shown(app: FastAPI, client: httpx.AsyncClient) -> None:
    unverified, _ = await _setup(app, verified_minutes_ago=None)
    stale, _ = await _setup(app, verified_minutes_ago=45)

    async with service_client(app) as actions:
        for conversation in (unverified, stale):
            response = await actions.get(
                "/api/v1/privacy/access-log", headers={"X-Conversation-ID": str(conversation)}
            )
            assert response.status_code == 403
            # The same refusal as every personal-data route (api/identity/guard.py).
            assert response.json()["code"] == "identity_unverified"
        assert (await actions.get("/api/v1/privacy/access-log")).status_code == 422


async def test_the_services_lookups_for_the_bot_are_listed_by_service_without_the_nik(app: FastAPI) -> None:
    """Each personal-data look-up the service API answers for the bot is in the citizen's access
    log: which service, when, no agent; the audit log keeps the NIK's keyed hash, not the NIK.
    A refused look-up opened nothing and is not listed."""
    members = list(health.memberships().values())
    member, other = members[-1], members[-2]
    birth_date = next(c.birth_date for c in population().citizens if c.nik == member.nik).isoformat()
    conversation = await verified_conversation(app, member.nik)
    headers = {"X-Conversation-ID": str(conversation)}

    async with service_client(app) as actions:
        before = (await actions.get("/api/v1/privacy/access-log", headers=headers)).json()["items"]
        opened = await actions.post(
            "/api/v1/health/bpjs/membership",
            json={"nik": member.nik, "birth_date": birth_date},
            headers=headers,
        )
        refused = await actions.post(
            "/api/v1/health/bpjs/membership",
            json={"nik": other.nik, "birth_date": "1990-01-01"},
            headers=headers,
        )
        after = (await actions.get("/api/v1/privacy/access-log", headers=headers)).json()["items"]

    assert (opened.status_code, refused.status_code) == (200, 403)
    assert len(after) == len(before) + 1
    newest = after[0]
    assert (newest["service"], newest["action"], newest["agent_role"], newest["agent_id"]) == (
        "health", "bot_lookup", None, None,
    )  # fmt: skip
    async with app.state.sessionmaker() as session:
        rows = list(
            await session.scalars(select(AuditEntry).where(AuditEntry.conversation_id == conversation))
        )
    assert [(row.action, row.citizen) for row in rows] == [("bot_lookup", citizen_hash(member.nik))]
    assert all(member.nik not in str(value) for row in rows for value in vars(row).values())
