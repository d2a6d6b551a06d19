"""The citizen's rights through the chat (docs/privacy.md): erasure of their data ("Hapus data
saya") and who looked at their data ("Siapa yang melihat data saya"). Both act for the
conversation the action server names (`X-Conversation-ID`)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from fastapi import APIRouter, status
from pydantic import BaseModel
from sqlalchemy import select, update

from api.callcenter.access import citizen_hash
from api.cases import current_conversation
from api.db import SessionDep
from api.identity.guard import Unverified
from api.identity.sessions import verified_nik
from api.ministries.base import InvalidInput
from api.models import Agent, AuditEntry, Conversation, utcnow

router = APIRouter(prefix="/privacy", tags=["privacy"])

# The latest entries a citizen is shown.
ACCESS_LOG_LIMIT = 20


class ErasureAccepted(BaseModel):
    status: Literal["scheduled"] = "scheduled"
    # What goes: "citizen", every conversation bound to the verified NIK, on every channel;
    # "conversation", this one and its channel user's (api/privacy/erasure.py). For the reply.
    scope: Literal["citizen", "conversation"] = "conversation"


class AccessOut(BaseModel):
    at: datetime
    service: str
    # Who: an agent by role and number, never by name; both None for a look-up the service
    # made for the bot, in the citizen's own chat (action `bot_lookup`).
    agent_role: str | None
    agent_id: int | None
    action: str


class AccessLog(BaseModel):
    items: list[AccessOut]


def _conversation() -> uuid.UUID:
    conversation_id = current_conversation.get()
    if conversation_id is None:
        raise InvalidInput("Percakapan tidak dikenal.")
    return conversation_id


@router.post("/erasure", status_code=status.HTTP_202_ACCEPTED)
async def request_erasure(session: SessionDep) -> ErasureAccepted:
    """The citizen confirmed "Hapus data saya": their data is erased at the end of this turn,
    once Rasa has answered (api/privacy/erasure.py)."""
    conversation_id = _conversation()
    marked = await session.execute(
        update(Conversation).where(Conversation.id == conversation_id).values(erasure_requested_at=utcnow())
    )
    await session.commit()
    if not marked.rowcount:  # type: ignore[attr-defined]
        raise InvalidInput("Percakapan tidak dikenal.")
    verified = await verified_nik(session, conversation_id) is not None
    return ErasureAccepted(scope="citizen" if verified else "conversation")


@router.get("/access-log")
async def access_log(session: SessionDep) -> AccessLog:
    """Who looked up the verified citizen's data, newest first, from the audit log: the service
    area and the agent's role and number (none for the services' look-ups for the bot).
    Without a verified session, the same 403 `identity_unverified` as every personal-data
    route (api/identity/guard.py)."""
    nik = await verified_nik(session, _conversation())
    if nik is None:
        raise Unverified()
    query = (
        select(AuditEntry, Agent.role)
        .outerjoin(Agent, Agent.id == AuditEntry.agent_id)
        # The audit log keeps a keyed hash of the NIK, never the NIK (api/callcenter/access.py).
        .where(AuditEntry.citizen == citizen_hash(nik))
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(ACCESS_LOG_LIMIT)
    )
    rows = (await session.execute(query)).all()
    return AccessLog(
        items=[
            AccessOut(at=entry.at, service=entry.service, agent_role=role.value if role else None,
                      agent_id=entry.agent_id, action=entry.action)
            for entry, role in rows
        ]
    )  # fmt: skip
