""" "Siapa yang melihat data saya" (api/service_api/privacy.py): a verified citizen sees the
audit log's entries for their own NIK only — the service, the agent's role and number, when —
and nobody sees them without a verified session."""

from __future__ import annotations

import uuid
from datetime import timedelta

import httpx
from fastapi import FastAPI

from api.callcenter.access import citizen_hash
from api.models import Agent, AgentRole, AuditEntry, Conversation, VerifiedSession, utcnow
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
