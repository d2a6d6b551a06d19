"""The agent console: its page at /console, its JSON API at /console/api and its live
events at /console/ws (contract and states: docs/call-center.md).

Every /console/api route but login depends on `CurrentAgent` (401 without a live session)
and the supervisor's on `Supervisor` (403 for agents); tests/api/callcenter/test_console_access.py
walks the routes to keep it so.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query, Request, Response, WebSocket, WebSocketDisconnect, status
from fastapi.responses import FileResponse, StreamingResponse
from pydantic import BaseModel, Field, model_validator
from sqlalchemy import select

from api.callcenter import audit_log, auth, history, labels, queries, survey
from api.callcenter.access import citizen_hash
from api.callcenter.auth import CurrentAgent, Supervisor
from api.callcenter.canned import CANNED_REPLIES
from api.callcenter.handoff import CLAIMABLE, DISPOSITIONS, Conflict
from api.callcenter.service import CallCenterDep, can_see
from api.callcenter.teams import TEAMS
from api.conversations import store, turn
from api.core.config import SettingsDep
from api.db import SessionDep
from api.deps import MAX_DB_ID, DbId
from api.models import (
    Agent,
    AgentStatus,
    AssistSession,
    AuditEntry,
    Conversation,
    HandledBy,
    Handoff,
    HandoffNote,
    utcnow,
)
from api.privacy import vault as privacy
from api.pubsub import CONSOLE
from api.rasa_client import RasaDep
from api.routes import analytics
from api.schemas import MessageOut
from api.text import clean_text
from connectors.ratelimit import LoginLimitsDep, client_ip

logger = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).resolve().parents[1] / "callcenter" / "static"
TAKEN = "Percakapan ini sudah diambil petugas lain."
NOT_YOURS = "Percakapan ini tidak sedang Anda tangani."
NOT_FOUND = "Percakapan tidak ditemukan."
TOO_MANY_LOGINS = "Terlalu banyak percobaan masuk. Silakan coba lagi beberapa saat lagi."
MAX_TEXT = 4000
CLOSE_UNAUTHORIZED = 4401

router = APIRouter(tags=["console"])
api = APIRouter(prefix="/console/api")


# Everything is served by the gateway itself: no CDN, no inline script or style.
_PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
        "form-action 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


@router.get("/console", include_in_schema=False)
async def console_page() -> FileResponse:
    return FileResponse(STATIC_DIR / "index.html", headers=_PAGE_HEADERS)


# --- Sessions -------------------------------------------------------------------------------


class LoginIn(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)


class LoginOut(BaseModel):
    agent: queries.AgentOut


@api.post("/login", responses={401: {"description": auth.BAD_LOGIN}})
async def login(
    body: LoginIn,
    request: Request,
    response: Response,
    session: SessionDep,
    settings: SettingsDep,
    limits: LoginLimitsDep,
) -> LoginOut:
    # Per username (in the one form the check uses too), per address and in all: slows
    # password guessing and bounds the Argon2 work a flood can ask for.
    username = auth.normalize_username(body.username)
    if not await limits.admit(username, client_ip(request)):
        raise HTTPException(status.HTTP_429_TOO_MANY_REQUESTS, TOO_MANY_LOGINS)
    try:
        agent = await auth.authenticate(session, username, body.password, request.app.state.password_checks)
    except auth.Busy:
        raise HTTPException(status.HTTP_429_TOO_MANY_REQUESTS, TOO_MANY_LOGINS) from None
    if agent is None:
        logger.warning("console login refused")
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, auth.BAD_LOGIN)
    token = await auth.open_session(session, agent, settings)
    auth.set_cookie(response, token, settings)
    logger.info("console login agent=%s", agent.id)
    return LoginOut(agent=queries.agent_out(agent))


@api.post("/logout", status_code=status.HTTP_204_NO_CONTENT)
async def logout(agent: CurrentAgent, request: Request, response: Response, session: SessionDep) -> None:
    await auth.close_session(session, request.cookies.get(auth.COOKIE))
    response.delete_cookie(auth.COOKIE, path="/console")


@api.get("/me")
async def me(agent: CurrentAgent) -> queries.AgentOut:
    return queries.agent_out(agent)


class StatusIn(BaseModel):
    status: AgentStatus


@api.put("/me/status")
async def set_status(
    body: StatusIn, agent: CurrentAgent, session: SessionDep, callcenter: CallCenterDep
) -> queries.AgentOut:
    agent.status = body.status
    agent.last_seen_at = utcnow()
    await session.commit()
    await callcenter.broadcaster.publish(CONSOLE, {"type": "queue"})
    return queries.agent_out(agent)


# --- Hand-offs -------------------------------------------------------------------------------


@api.get("/handoffs")
async def list_handoffs(
    agent: CurrentAgent, session: SessionDep, scope: Literal["queue", "mine"] = "queue"
) -> list[queries.HandoffSummary]:
    return await (queries.queue(session, agent) if scope == "queue" else queries.mine(session, agent))


@contextlib.contextmanager
def _conflict_is_409(detail: str = NOT_YOURS) -> Iterator[None]:
    """A transition the hand-off's state does not allow (taken, not yours): 409 `detail`."""
    try:
        yield
    except Conflict:
        raise HTTPException(status.HTTP_409_CONFLICT, detail) from None


async def _handoff(session: SessionDep, handoff_id: int, agent: Agent) -> Handoff:
    handoff = await session.get(Handoff, handoff_id)
    if handoff is None or not can_see(agent, handoff):
        raise HTTPException(status.HTTP_404_NOT_FOUND, NOT_FOUND)
    return handoff


@api.get("/handoffs/{handoff_id}")
async def get_handoff(handoff_id: DbId, agent: CurrentAgent, session: SessionDep) -> queries.HandoffDetail:
    handoff = await _handoff(session, handoff_id, agent)
    detail = await queries.detail(session, handoff)
    if detail.identity is not None:
        await _audit_identity_view(session, agent, handoff, detail.identity.nik)
    return detail


async def _audit_identity_view(session: SessionDep, agent: Agent, handoff: Handoff, nik: str) -> None:
    """The first time an agent is shown a hand-off's verified identity is a look-up of
    personal data: audited once per agent, hand-off and NIK (the console refetches often)."""
    target = f"handoff {handoff.id}"
    citizen = citizen_hash(nik)  # the log keeps a keyed hash, never the NIK
    seen = await session.scalar(
        select(AuditEntry.id).where(
            AuditEntry.agent_id == agent.id,
            AuditEntry.action == "view_identity",
            AuditEntry.target == target,
            AuditEntry.citizen == citizen,
        )
    )
    if seen is not None:
        return
    session.add(
        AuditEntry(
            at=utcnow(), agent_id=agent.id, action="view_identity", citizen=citizen, service="console",
            target=target, reason=f"hand-off {handoff.id} ({handoff.reason})", outcome="ok",
            conversation_id=handoff.conversation_id,
        )
    )  # fmt: skip
    await session.commit()


@api.post("/handoffs/{handoff_id}/claim", responses={409: {"description": TAKEN}})
async def claim(
    handoff_id: DbId, agent: CurrentAgent, session: SessionDep, callcenter: CallCenterDep
) -> queries.HandoffDetail:
    handoff = await _handoff(session, handoff_id, agent)
    with _conflict_is_409(TAKEN):
        await callcenter.claim(session, handoff, agent)
    logger.info("handoff claimed handoff=%s agent=%s", handoff.id, agent.id)
    return await get_handoff(handoff_id, agent, session)


class TextIn(BaseModel):
    text: str = Field(min_length=1, max_length=MAX_TEXT)

    @model_validator(mode="after")
    def _clean(self) -> TextIn:
        self.text = clean_text(self.text)
        if not self.text:
            raise ValueError("empty_text")
        return self


@api.post(
    "/handoffs/{handoff_id}/messages",
    status_code=status.HTTP_201_CREATED,
    responses={409: {"description": NOT_YOURS}},
)
async def reply(
    handoff_id: DbId, body: TextIn, agent: CurrentAgent, session: SessionDep, callcenter: CallCenterDep
) -> MessageOut:
    handoff = await _handoff(session, handoff_id, agent)
    with _conflict_is_409():
        message = await callcenter.reply(session, handoff, agent, body.text)
    return MessageOut.model_validate(message)


@api.post(
    "/handoffs/{handoff_id}/typing",
    status_code=status.HTTP_204_NO_CONTENT,
    responses={409: {"description": NOT_YOURS}},
)
async def typing(
    handoff_id: DbId, agent: CurrentAgent, session: SessionDep, callcenter: CallCenterDep
) -> None:
    """The agent is typing a reply (the console says so every few seconds while they type)."""
    handoff = await _handoff(session, handoff_id, agent)
    with _conflict_is_409():
        await callcenter.typing(session, handoff, agent)


@api.post("/handoffs/{handoff_id}/notes", status_code=status.HTTP_201_CREATED)
async def add_note(
    handoff_id: DbId, body: TextIn, agent: CurrentAgent, session: SessionDep, callcenter: CallCenterDep
) -> queries.NoteOut:
    handoff = await _handoff(session, handoff_id, agent)
    note = HandoffNote(handoff_id=handoff.id, agent_id=agent.id, text=body.text, created_at=utcnow())
    session.add(note)
    await session.commit()
    await callcenter.broadcaster.publish(CONSOLE, {"type": "handoff", "id": handoff.id})
    return queries.NoteOut(id=note.id, author=agent.display_name, text=note.text, created_at=note.created_at)


class TransferIn(BaseModel):
    agent_id: int | None = Field(default=None, ge=1, le=MAX_DB_ID)
    team: str | None = None

    @model_validator(mode="after")
    def _one_target(self) -> TransferIn:
        if (self.agent_id is None) == (self.team is None):
            raise ValueError("isi salah satu: agent_id atau team")
        if self.team is not None and self.team not in TEAMS:
            raise ValueError("tim tidak dikenal")
        return self


@api.post("/handoffs/{handoff_id}/transfer", responses={409: {"description": NOT_YOURS}})
async def transfer(
    handoff_id: DbId, body: TransferIn, agent: CurrentAgent, session: SessionDep, callcenter: CallCenterDep
) -> queries.HandoffSummary:
    handoff = await _handoff(session, handoff_id, agent)
    if body.agent_id is None:
        assert body.team is not None
        with _conflict_is_409():
            await callcenter.transfer_to_team(session, handoff, agent, body.team)
        return await queries.summary(session, handoff)
    target = await session.get(Agent, body.agent_id)
    if target is None or not target.enabled or target.id == agent.id:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "Petugas tujuan tidak valid.")
    with _conflict_is_409():
        await callcenter.transfer_to_agent(session, handoff, agent, target)
    return await queries.summary(session, handoff)


@api.post("/handoffs/{handoff_id}/hand-back", responses={409: {"description": NOT_YOURS}})
async def hand_back(
    handoff_id: DbId, agent: CurrentAgent, session: SessionDep, callcenter: CallCenterDep
) -> queries.HandoffSummary:
    handoff = await _handoff(session, handoff_id, agent)
    with _conflict_is_409():
        await callcenter.hand_back(session, handoff, agent)
    return await queries.summary(session, handoff)


class CloseIn(BaseModel):
    disposition: Literal[DISPOSITIONS]  # type: ignore[valid-type]


@api.post("/handoffs/{handoff_id}/close", responses={409: {"description": NOT_YOURS}})
async def close(
    handoff_id: DbId, body: CloseIn, agent: CurrentAgent, session: SessionDep, callcenter: CallCenterDep
) -> queries.HandoffSummary:
    handoff = await _handoff(session, handoff_id, agent)
    with _conflict_is_409():
        await callcenter.close(session, handoff, agent, body.disposition)
    return await queries.summary(session, handoff)


# --- History: preview, search, past conversations, earlier contacts ------------------------------

NOT_WAITING = "Percakapan ini tidak lagi menunggu di antrean."
NOT_RECOGNISED = "Masukkan nomor tiket atau kasus, nomor telepon, atau NIK (16 digit)."
UNKNOWN_TEAM = "Tim tidak dikenal."
UNKNOWN_DISPOSITION = "Hasil percakapan tidak dikenal."
DATES_REVERSED = "Tanggal akhir tidak boleh sebelum tanggal awal."
MAX_PAGE = 10_000


class Days(BaseModel):
    """Days in the call center's time zone, both included. Searches and filters travel in a
    POST body: a NIK or a phone number in a URL would be written by proxies' logs."""

    date_from: date | None = None
    date_to: date | None = None


def _unprocessable(detail: str) -> HTTPException:
    return HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail)


def _check_dates(date_from: date | None, date_to: date | None) -> None:
    if date_from and date_to and date_to < date_from:
        raise _unprocessable(DATES_REVERSED)


@api.get(
    "/handoffs/{handoff_id}/preview",
    responses={404: {"description": NOT_FOUND}, 409: {"description": NOT_WAITING}},
)
async def preview_handoff(
    handoff_id: DbId, agent: CurrentAgent, session: SessionDep
) -> history.HandoffPreview:
    """A waiting hand-off, read only, before claiming it: the transcript so far (identifiers
    masked), without the verified identity or the notes; audited once per agent."""
    handoff = await _handoff(session, handoff_id, agent)
    if handoff.state not in CLAIMABLE:
        raise HTTPException(status.HTTP_409_CONFLICT, NOT_WAITING)
    shown = await history.preview(session, handoff)
    await audit_log.write(
        session, agent, "preview", target=f"handoff {handoff.id}",
        reason=f"hand-off {handoff.id} ({handoff.reason})", conversation_id=handoff.conversation_id,
        once=True,
    )  # fmt: skip
    return shown


@api.get("/handoffs/{handoff_id}/earlier", responses={404: {"description": NOT_FOUND}})
async def earlier_contacts(
    handoff_id: DbId, agent: CurrentAgent, session: SessionDep
) -> list[history.EarlierContact]:
    """The citizen's other conversations: the same channel account or the same NIK proved by
    the citizen. For a supervisor or the agent holding the hand-off (404 to others); audited."""
    handoff = await _handoff(session, handoff_id, agent)
    if not history.may_list_earlier(agent, handoff):
        raise HTTPException(status.HTTP_404_NOT_FOUND, NOT_FOUND)
    contacts = await history.earlier_contacts(session, handoff)
    if contacts:
        await audit_log.write(
            session, agent, "view_history", target=f"handoff {handoff.id}",
            reason=f"Kontak sebelumnya dari percakapan #{handoff.id}",
            conversation_id=handoff.conversation_id, once=True,
        )  # fmt: skip
    return contacts


class HistorySearchIn(Days):
    q: str | None = Field(default=None, max_length=64, description="ticket or case number, phone or NIK")
    team: str | None = Field(default=None, max_length=32)
    disposition: str | None = Field(default=None, max_length=32)
    page: int = Field(default=1, ge=1, le=MAX_PAGE)


@api.post("/history/search", responses={422: {"description": NOT_RECOGNISED}})
async def search_history(
    body: HistorySearchIn, agent: CurrentAgent, session: SessionDep, callcenter: CallCenterDep
) -> history.SearchPage:
    """Hand-offs the agent may see, newest first, by number and filters; every search is
    audited (the number as its keyed hash)."""
    _check_dates(body.date_from, body.date_to)
    if body.team and body.team not in TEAMS:
        raise _unprocessable(UNKNOWN_TEAM)
    if body.disposition and body.disposition not in history.DISPOSITIONS:
        raise _unprocessable(UNKNOWN_DISPOSITION)
    identifier = None
    if body.q and body.q.strip():
        try:
            identifier = history.identify(body.q)
        except history.NotRecognised:
            raise _unprocessable(NOT_RECOGNISED) from None
    request = history.Search(
        identifier, body.date_from, body.date_to, body.team or None, body.disposition or None, body.page
    )
    zone = callcenter.hours.zone
    found = await history.search(session, agent, request, zone, utcnow().astimezone(zone).date())
    await audit_log.write(
        session, agent, "search_history",
        target=f"search {identifier.kind}" if identifier else "search",
        reason=history.describe(request), citizen=identifier.value if identifier else None,
    )  # fmt: skip
    return found


@api.get("/history/conversations/{conversation_id}", responses={404: {"description": NOT_FOUND}})
async def past_conversation(
    conversation_id: uuid.UUID,
    agent: CurrentAgent,
    session: SessionDep,
    via: Annotated[
        int | None, Query(ge=1, le=MAX_DB_ID, description="the hand-off it is an earlier contact of")
    ] = None,
) -> history.ConversationRecord:
    """A past conversation read back, if the agent may see it; audited once per agent."""
    conversation = await session.get(Conversation, conversation_id)
    through = await session.get(Handoff, via) if via is not None else None
    if (
        conversation is None
        or conversation.channel == "assist"
        or not await history.may_read(session, agent, conversation_id, through)
    ):
        raise HTTPException(status.HTTP_404_NOT_FOUND, NOT_FOUND)
    shown = await history.record(session, conversation, agent)
    await audit_log.write(
        session, agent, "view_history", target=f"conversation {conversation_id}",
        reason=f"Kontak sebelumnya dari percakapan #{via}" if through else "Dibuka dari riwayat",
        conversation_id=conversation_id, once=True,
    )  # fmt: skip
    return shown


# --- Reference lists --------------------------------------------------------------------------


class CannedOut(BaseModel):
    id: str
    title: str
    text: str


@api.get("/canned-replies")
async def canned_replies(agent: CurrentAgent) -> list[CannedOut]:
    return [CannedOut(id=reply.id, title=reply.title, text=reply.text) for reply in CANNED_REPLIES]


class TeamOut(BaseModel):
    key: str
    name: str


@api.get("/teams")
async def teams(agent: CurrentAgent) -> list[TeamOut]:
    return [TeamOut(key=key, name=name) for key, name in TEAMS.items()]


class AgentListed(BaseModel):
    id: int
    display_name: str
    teams: list[str]
    status: AgentStatus
    online: bool
    active: int


@api.get("/agents")
async def agents(agent: CurrentAgent, session: SessionDep) -> list[AgentListed]:
    return [
        AgentListed(
            id=load.id,
            display_name=load.display_name,
            teams=load.teams,
            status=load.status,
            online=load.online,
            active=load.active,
        )  # fmt: skip
        for load in await queries.agent_loads(session, {})
    ]


# --- Supervisor ----------------------------------------------------------------------------------


@api.get("/supervisor/overview")
async def supervisor_overview(
    supervisor: Supervisor, session: SessionDep, callcenter: CallCenterDep
) -> queries.Overview:
    return await queries.overview(session, queries.start_of_day(utcnow(), callcenter.hours.zone))


@api.get("/supervisor/audit")
async def supervisor_audit(
    supervisor: Supervisor,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    citizen: Annotated[str | None, Query(max_length=32)] = None,
) -> list[queries.AuditOut]:
    """The audit log; `citizen` (a NIK, card number, ...) finds the entries about it by its
    keyed hash."""
    return await queries.audit_log(session, limit, citizen)


class AuditFilters(BaseModel):
    """What the audit log can be filtered by, for the supervisor's form."""

    agents: list[queries.AgentRef]
    services: list[TeamOut]


class AuditFilterIn(Days):
    agent_id: int | None = Field(default=None, ge=1, le=MAX_DB_ID)
    citizen: str | None = Field(default=None, max_length=32, description="an identifier as typed")
    service: str | None = Field(default=None, max_length=32)

    def checked(self) -> audit_log.AuditFilter:
        _check_dates(self.date_from, self.date_to)
        if self.service and self.service not in audit_log.SERVICES:
            raise _unprocessable("Layanan tidak dikenal.")
        citizen = (self.citizen or "").strip() or None
        return audit_log.AuditFilter(
            self.agent_id, citizen, self.service or None, self.date_from, self.date_to
        )


class AuditPageIn(AuditFilterIn):
    page: int = Field(default=1, ge=1, le=MAX_PAGE)


@api.get("/supervisor/audit/filters")
async def supervisor_audit_filters(supervisor: Supervisor, session: SessionDep) -> AuditFilters:
    agents = await session.scalars(select(Agent).order_by(Agent.display_name))
    return AuditFilters(
        agents=[queries.AgentRef(id=agent.id, display_name=agent.display_name) for agent in agents],
        services=[TeamOut(key=key, name=name) for key, name in audit_log.SERVICES.items()],
    )


@api.post("/supervisor/audit/entries")
async def supervisor_audit_entries(
    body: AuditPageIn, supervisor: Supervisor, session: SessionDep, callcenter: CallCenterDep
) -> audit_log.AuditPage:
    """The audit log a page at a time, newest first, filtered, each row in Indonesian."""
    return await audit_log.page(session, body.checked(), body.page, callcenter.hours.zone)


@api.post("/supervisor/audit/export", response_class=StreamingResponse)
async def supervisor_audit_export(
    body: AuditFilterIn,
    request: Request,
    supervisor: Supervisor,
    session: SessionDep,
    callcenter: CallCenterDep,
) -> StreamingResponse:
    """The filtered audit log as CSV (supervisors only); the export itself is audited first."""
    audit = body.checked()
    zone = callcenter.hours.zone
    parts = [
        f"{name} {day.strftime('%d-%m-%Y')}"
        for name, day in (("dari", audit.date_from), ("sampai", audit.date_to))
        if day
    ]
    await audit_log.write(
        session, supervisor, "export_audit", target="export", citizen=audit.citizen,
        reason="Unduh log audit" + (f" ({', '.join(parts)})" if parts else ""),
    )  # fmt: skip
    sessionmaker = request.app.state.sessionmaker

    async def lines() -> AsyncIterator[str]:
        # Its own session: the request's closes when the endpoint returns.
        async with sessionmaker() as reading:
            async for chunk in audit_log.export(reading, audit, zone):
                yield chunk

    filename = audit_log.export_filename(utcnow().astimezone(zone).date())
    return StreamingResponse(
        lines(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )


@api.get("/supervisor/surveys")
async def supervisor_surveys(
    supervisor: Supervisor,
    session: SessionDep,
    callcenter: CallCenterDep,
    days: Annotated[int, Query(ge=1, le=90)] = 7,
) -> survey.SurveySummary:
    """The satisfaction surveys of the last `days` days (today included), per agent and team."""
    since = queries.start_of_day(utcnow(), callcenter.hours.zone) - timedelta(days=days - 1)
    return await survey.summaries(session, since)


# --- Agent-assist ---------------------------------------------------------------------------------


class AssistIn(BaseModel):
    reason: str = Field(min_length=5, max_length=255)


class AssistOut(BaseModel):
    id: uuid.UUID
    reason: str
    created_at: Any


class AssistMessageIn(TextIn):
    payload: str | None = Field(default=None, max_length=MAX_TEXT)


class Understood(BaseModel):
    intent: str | None
    # The intent in words: the service it belongs to and the question (api/callcenter/labels.py).
    service: str | None = None
    question: str | None = None
    confidence: float | None
    entities: list[dict[str, Any]]
    ranking: list[dict[str, Any]]


class AssistTurn(BaseModel):
    understood: Understood | None
    replies: list[MessageOut]


class AssistTranscript(AssistOut):
    transcript: list[MessageOut]


@api.post("/assist", status_code=status.HTTP_201_CREATED)
async def start_assist(body: AssistIn, agent: CurrentAgent, session: SessionDep) -> AssistOut:
    """A session for a phone caller: what the agent types goes through the assistant; every
    look-up of personal data in it is audited with this reason."""
    conversation = Conversation(channel="assist", handled_by=HandledBy.BOT)
    session.add(conversation)
    await session.flush()
    assist = AssistSession(conversation_id=conversation.id, agent_id=agent.id, reason=clean_text(body.reason))
    session.add(assist)
    await session.commit()
    logger.info("assist started conversation=%s agent=%s", conversation.id, agent.id)
    return AssistOut(id=conversation.id, reason=assist.reason, created_at=assist.created_at)


async def _assist(session: SessionDep, assist_id: uuid.UUID, agent: Agent) -> AssistSession:
    assist = await session.get(AssistSession, assist_id)
    if assist is None or assist.agent_id != agent.id:
        raise HTTPException(status.HTTP_404_NOT_FOUND, NOT_FOUND)
    return assist


@api.get("/assist/{assist_id}")
async def get_assist(assist_id: uuid.UUID, agent: CurrentAgent, session: SessionDep) -> AssistTranscript:
    assist = await _assist(session, assist_id, agent)
    transcript = await store.history(session, assist.conversation_id, queries.TRANSCRIPT_LIMIT)
    return AssistTranscript(
        id=assist.conversation_id, reason=assist.reason, created_at=assist.created_at,
        transcript=[MessageOut.model_validate(message) for message in transcript],
    )  # fmt: skip


@api.post("/assist/{assist_id}/messages")
async def assist_message(
    assist_id: uuid.UUID, body: AssistMessageIn, agent: CurrentAgent, session: SessionDep, rasa: RasaDep
) -> AssistTurn:
    """The caller's words (or a button of the assistant's last reply), through the assistant:
    what it understood and what it would answer."""
    assist = await _assist(session, assist_id, agent)
    conversation = await session.get(Conversation, assist.conversation_id)
    assert conversation is not None
    _, replies = await turn.receive(
        session, rasa, conversation, text=body.text, payload=body.payload, metadata={"agent_id": agent.id},
        handoff=None, handoffs=None,
    )  # fmt: skip
    understood = await rasa.understanding(str(conversation.id))
    # The NLU saw tokens for identifiers: the agent sees them masked (api/privacy/vault.py).
    vault = privacy.current()
    entities = [
        {
            "entity": entity.get("entity"),
            "value": await vault.reveal(session, conversation.id, str(entity.get("value"))),
        }
        for entity in (understood.entities if understood is not None else [])
    ]
    return AssistTurn(
        understood=_understood(understood.intent, understood.intent_ranking, entities)
        if understood is not None
        else None,
        replies=[MessageOut.model_validate(reply) for reply in replies],
    )


def _understood(
    intent: dict[str, Any], ranking: list[dict[str, Any]], entities: list[dict[str, Any]]
) -> Understood:
    """What the NLU made of the caller's words, with each code in words beside it."""
    name = intent.get("name")
    service, question = labels.intent(name)
    return Understood(
        intent=name,
        service=service,
        question=question,
        confidence=intent.get("confidence"),
        entities=[
            {
                **entity,
                "label": labels.entity(entity.get("entity")),
                "value_label": labels.entity_value(entity),
            }
            for entity in entities
        ],
        ranking=[
            {
                "name": item.get("name"),
                "label": labels.intent(item.get("name"))[1],
                "confidence": item.get("confidence"),
            }
            for item in ranking[:5]
        ],
    )


# --- Live events ------------------------------------------------------------------------------------


# The open console socket re-checks its session at each ping and at least this often: a
# logout or an expired session closes it (4401).
SESSION_RECHECK_SECONDS = 30.0


@router.websocket("/console/ws")
async def console_socket(websocket: WebSocket) -> None:
    """Queue and conversation events for a logged-in console; pings keep the agent online
    (present), but are not activity: they do not keep the session alive."""
    await websocket.accept()
    state = websocket.app.state
    token = websocket.cookies.get(auth.COOKIE)
    async with state.sessionmaker() as session:
        agent = await auth.agent_for_token(session, token, state.settings, activity=False)
        if agent is not None:
            agent.last_seen_at = utcnow()
            await session.commit()
    if agent is None:
        await websocket.close(CLOSE_UNAUTHORIZED)
        return
    agent_id = agent.id
    callcenter = state.callcenter
    async with callcenter.broadcaster.subscribe(CONSOLE) as events:
        forward = asyncio.create_task(_forward(websocket, events))
        try:
            while True:
                try:
                    frame = await asyncio.wait_for(websocket.receive_json(), SESSION_RECHECK_SECONDS)
                except TimeoutError:
                    frame = None
                if not await _session_alive(state, token):
                    await websocket.close(CLOSE_UNAUTHORIZED)
                    break
                if isinstance(frame, dict) and frame.get("type") == "ping":
                    await _seen(state, agent_id)
                    await websocket.send_json({"type": "pong"})
        except (WebSocketDisconnect, ValueError, RuntimeError):
            pass
        finally:
            forward.cancel()
            with contextlib.suppress(asyncio.CancelledError, WebSocketDisconnect, RuntimeError):
                await forward


async def _forward(websocket: WebSocket, events: asyncio.Queue[dict[str, Any]]) -> None:
    while True:
        await websocket.send_json(await events.get())


async def _session_alive(state: Any, token: str | None) -> bool:
    async with state.sessionmaker() as session:
        return await auth.agent_for_token(session, token, state.settings, activity=False) is not None


async def _seen(state: Any, agent_id: int) -> None:
    async with state.sessionmaker() as session:
        agent = await session.get(Agent, agent_id)
        if agent is not None:
            agent.last_seen_at = utcnow()
            await session.commit()


api.include_router(analytics.router)  # the supervisor's dashboard (docs/analytics.md)
router.include_router(api)
