"""Who looked up whom, through the service API.

The action server names the conversation it acts for in `X-Conversation-ID` (its Rasa
sender id). For the length of the request the service API then knows that conversation:
a case opened belongs to it (`api.cases.current_conversation`); a NIK whose birth date a
ministry accepted becomes the conversation's verified identity (shown to the agent who
takes it over); and when the conversation is an agent-assist session, the request is a
look-up of a caller's personal data by an agent, written to the append-only audit log
whatever its outcome. Otherwise a personal-data route that opened a verified citizen's record
(api/identity/guard.py) is written as the bot's look-up (`bot_lookup`, no agent), so the citizen
sees which services opened their data.

The body is read after the conversation's tokens were resolved (api/privacy/boundary.py).
The audit log keeps a keyed hash of the citizen's identifier, never the identifier
(`citizen_hash`); the verified identity keeps the conversation's token of the NIK, which the
console resolves through the vault (api/callcenter/queries.py).
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import AsyncIterator
from datetime import date
from typing import Annotated, Any

from fastapi import Header, Request
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.requests import ClientDisconnect

from api.callcenter.lookup_keys import nik_key
from api.cases import current_conversation
from api.identity.guard import granted_subject
from api.ministries.base import ServiceError
from api.models import AssistSession, AuditEntry, VerifiedIdentity, utcnow
from api.privacy import vault as privacy

logger = logging.getLogger(__name__)

# The fields (body, path or query) that identify a citizen, in the order they are recorded.
SUBJECT_FIELDS = (
    "nik", "card_number", "nisn", "participant_number", "plate", "billing_code", "case_number", "name",
)  # fmt: skip


async def track_access(
    request: Request, x_conversation_id: Annotated[str | None, Header()] = None
) -> AsyncIterator[None]:
    """Service-API dependency: see the module docstring. A malformed or unknown id is
    ignored (the request itself is served as usual)."""
    conversation_id = _uuid(x_conversation_id)
    if conversation_id is None:
        yield
        return
    # Read now: once the response is sent the body can no longer be received.
    body = await _json_body(request)
    token = current_conversation.set(conversation_id)
    outcome = "ok"
    try:
        yield
    except ServiceError as error:
        outcome = error.error_code
        raise
    except Exception:
        outcome = "error"
        raise
    finally:
        current_conversation.reset(token)
        sessionmaker: async_sessionmaker[AsyncSession] = request.app.state.sessionmaker
        try:
            async with sessionmaker() as session:
                await _record(session, request, conversation_id, body, outcome)
        except Exception:
            # Recording must not turn a served request into an error; the log says so.
            logger.exception("access not recorded conversation=%s", conversation_id)


async def _record(
    session: AsyncSession, request: Request, conversation_id: uuid.UUID, body: dict[str, Any], outcome: str
) -> None:
    service = _service(request)
    assist = await session.get(AssistSession, conversation_id)
    if assist is not None:
        session.add(
            AuditEntry(
                at=utcnow(),
                agent_id=assist.agent_id,
                action="service_lookup",
                citizen=citizen_hash(subject(body, request)),
                service=service,
                target=f"{request.method} {request.url.path}"[:128],
                reason=assist.reason,
                outcome=outcome[:32],
                conversation_id=conversation_id,
            )
        )
    elif outcome == "ok" and (opened := granted_subject(request)) is not None:
        # The bot's look-up for its verified citizen: the service and the time, for "Siapa yang
        # melihat data saya" (api/service_api/privacy.py); no agent.
        session.add(
            AuditEntry(
                at=utcnow(), agent_id=None, action="bot_lookup", citizen=citizen_hash(opened),
                service=service, target=f"{request.method} {request.url.path}"[:128],
                reason="citizen_chat", outcome="ok", conversation_id=conversation_id,
            )
        )  # fmt: skip
    nik, birth_date = body.get("nik"), body.get("birth_date")
    if outcome == "ok" and isinstance(nik, str) and isinstance(birth_date, str) and _is_date(birth_date):
        token = await privacy.current().pseudonym(session, conversation_id, "nik", nik)
        identity = await session.get(VerifiedIdentity, conversation_id)
        if identity is None:
            identity = VerifiedIdentity(conversation_id=conversation_id)
            session.add(identity)
        identity.nik, identity.birth_date, identity.service, identity.verified_at = (
            token,
            birth_date,
            service,
            utcnow(),
        )
        identity.nik_hash = nik_key(nik)  # the console's history finds the person by it
    try:
        await session.commit()
    except Exception:
        # The conversation id may name no conversation (a foreign key): nothing to record.
        await session.rollback()
        raise


def citizen_hash(value: str | None) -> str | None:
    """What the audit log keeps of a citizen's identifier: its keyed hash (api/privacy/vault.py)."""
    return privacy.current().keyed_hash(value) if value else None


def subject(body: dict[str, Any], request: Request) -> str | None:
    """The citizen's identifier in the request: from the body, the path or the query."""
    sources = (body, request.path_params, request.query_params)
    for field in SUBJECT_FIELDS:
        for source in sources:
            value = source.get(field)
            if isinstance(value, str | int) and str(value).strip():
                return str(value).strip()[:32]
    return None


def _service(request: Request) -> str:
    """The area of `/api/v1/<area>/...`."""
    parts = request.url.path.split("/")
    return parts[3][:32] if len(parts) > 3 else "unknown"


async def _json_body(request: Request) -> dict[str, Any]:
    """The JSON body, as the service API's routes see it (tokens resolved), as a copy."""
    try:
        body = await request.json() if await request.body() else {}
    except (ValueError, RuntimeError, ClientDisconnect):
        return {}
    return json.loads(json.dumps(body)) if isinstance(body, dict) else {}


def _uuid(value: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(value) if value else None
    except ValueError:
        return None


def _is_date(value: str) -> bool:
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True
