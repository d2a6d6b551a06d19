"""What the console reads: hand-off summaries and details, agents, the supervisor's
overview and the audit log, built from the database (contract: docs/call-center.md)."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, computed_field
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from api import cases as case_types
from api import regions
from api.callcenter import handoff as machine
from api.callcenter import labels
from api.callcenter.service import can_see
from api.callcenter.teams import TEAMS
from api.conversations import store
from api.models import (
    Agent,
    AgentRole,
    AgentStatus,
    AuditEntry,
    Case,
    CaseKind,
    Conversation,
    Direction,
    Handoff,
    HandoffEvent,
    HandoffNote,
    Message,
    VerifiedIdentity,
    utcnow,
)
from api.privacy import vault as privacy
from api.schemas import MessageOut

PREVIEW_CHARS = 120
TRANSCRIPT_LIMIT = 500


class AgentRef(BaseModel):
    id: int
    display_name: str


class AgentOut(BaseModel):
    id: int
    username: str
    display_name: str
    role: AgentRole
    teams: list[str]
    status: AgentStatus


class HandoffSummary(BaseModel):
    id: int
    conversation_id: uuid.UUID
    channel: str
    state: str
    reason: str
    team: str
    team_name: str
    agent: AgentRef | None
    requested_at: datetime
    claimed_at: datetime | None
    closed_at: datetime | None
    disposition: str | None
    position: int | None
    waiting_seconds: int
    preview: str
    case_number: str | None
    callback_phone: str | None


class NoteOut(BaseModel):
    id: int
    author: str
    text: str
    created_at: datetime


class IdentityOut(BaseModel):
    nik: str
    birth_date: str
    region: str | None
    verified_by: str
    verified_at: datetime


class CaseRef(BaseModel):
    case_number: str
    kind: str
    status: str
    created_at: datetime

    @computed_field  # type: ignore[prop-decorator]
    @property
    def status_label(self) -> str:
        """The status as citizens and agents read it ("Sedang ditangani petugas")."""
        kind = CaseKind(self.kind) if self.kind in set(CaseKind) else None
        return case_types.status_label(kind, self.status) if kind else labels.readable(self.status)


class EventOut(BaseModel):
    state: str
    at: datetime
    agent: str | None
    detail: str | None
    detail_label: str | None = None  # in words (api/callcenter/labels.py)


class HandoffDetail(HandoffSummary):
    transcript: list[MessageOut]
    notes: list[NoteOut]
    identity: IdentityOut | None
    cases: list[CaseRef]
    events: list[EventOut]


class AgentLoad(BaseModel):
    id: int
    display_name: str
    role: AgentRole
    teams: list[str]
    status: AgentStatus
    online: bool
    active: int
    closed_today: int


class Overview(BaseModel):
    waiting: int
    active: int
    closed_today: int
    average_wait_seconds: int | None
    agents: list[AgentLoad]
    conversations: list[HandoffSummary]


class AuditOut(BaseModel):
    id: int
    at: datetime
    agent: str
    action: str
    citizen: str | None
    service: str
    target: str | None
    reason: str
    outcome: str

    # What the console shows: words, not the gateway's codes (api/callcenter/labels.py).
    @computed_field  # type: ignore[prop-decorator]
    @property
    def service_label(self) -> str:
        return labels.service(self.service)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def target_label(self) -> str | None:
        return labels.endpoint(self.target)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def reason_label(self) -> str:
        return labels.audit_reason(self.reason)


def agent_out(agent: Agent) -> AgentOut:
    return AgentOut(
        id=agent.id, username=agent.username, display_name=agent.display_name, role=agent.role,
        teams=list(agent.teams or []), status=agent.status,
    )  # fmt: skip


async def summary(session: AsyncSession, handoff: Handoff, now: datetime | None = None) -> HandoffSummary:
    now = now or utcnow()
    conversation = await session.get(Conversation, handoff.conversation_id)
    agent = await session.get(Agent, handoff.agent_id) if handoff.agent_id else None
    latest = await session.scalar(
        select(Message.text)
        .where(Message.conversation_id == handoff.conversation_id, Message.direction == Direction.IN)
        .order_by(Message.id.desc())
        .limit(1)
    )
    waiting_since = handoff.queued_at if handoff.state in machine.CLAIMABLE else None
    ended = handoff.claimed_at or handoff.closed_at or now
    return HandoffSummary(
        id=handoff.id,
        conversation_id=handoff.conversation_id,
        channel=conversation.channel if conversation else "",
        state=handoff.state.value,
        reason=handoff.reason,
        team=handoff.team,
        team_name=TEAMS.get(handoff.team, handoff.team),
        agent=AgentRef(id=agent.id, display_name=agent.display_name) if agent else None,
        requested_at=handoff.requested_at,
        claimed_at=handoff.claimed_at,
        closed_at=handoff.closed_at,
        disposition=handoff.disposition,
        position=await machine.position(session, handoff) if handoff.state is machine.QUEUED else None,
        waiting_seconds=int(
            ((now if waiting_since else ended) - (waiting_since or handoff.requested_at)).total_seconds()
        ),
        preview=(latest or "")[:PREVIEW_CHARS],
        case_number=handoff.case_number,
        callback_phone=handoff.callback_phone,
    )


async def detail(session: AsyncSession, handoff: Handoff) -> HandoffDetail:
    base = await summary(session, handoff)
    transcript = await store.history(session, handoff.conversation_id, TRANSCRIPT_LIMIT)
    notes, events = await notes_and_events(session, handoff)
    return HandoffDetail(
        **base.model_dump(),
        transcript=[MessageOut.model_validate(message) for message in transcript],
        notes=notes,
        identity=await identity(session, handoff.conversation_id),
        cases=await open_cases(session, handoff.conversation_id),
        events=events,
    )


async def notes_and_events(session: AsyncSession, handoff: Handoff) -> tuple[list[NoteOut], list[EventOut]]:
    """A hand-off's internal notes and its transitions, oldest first."""
    notes = await session.execute(
        select(HandoffNote, Agent.display_name)
        .outerjoin(Agent, Agent.id == HandoffNote.agent_id)
        .where(HandoffNote.handoff_id == handoff.id)
        .order_by(HandoffNote.id)
    )
    events = (
        await session.execute(
            select(HandoffEvent, Agent.display_name)
            .outerjoin(Agent, Agent.id == HandoffEvent.agent_id)
            .where(HandoffEvent.handoff_id == handoff.id)
            .order_by(HandoffEvent.id)
        )
    ).all()
    # The agents transfers went to (`agent:<id>`), named in the history.
    targets = {
        int(e.detail[6:])
        for e, _ in events
        if e.detail and e.detail[6:].isdigit() and e.detail[:6] == "agent:"
    }
    names = (
        dict(
            (await session.execute(select(Agent.id, Agent.display_name).where(Agent.id.in_(targets))))
            .tuples()
            .all()
        )
        if targets
        else {}
    )
    return (
        [
            NoteOut(id=note.id, author=name or "-", text=note.text, created_at=note.created_at)
            for note, name in notes
        ],
        [
            EventOut(
                state=event.state.value,
                at=event.at,
                agent=name,
                detail=event.detail,
                detail_label=labels.event_detail(event.detail, names),
            )  # fmt: skip
            for event, name in events
        ],
    )


async def identity(session: AsyncSession, conversation_id: uuid.UUID) -> IdentityOut | None:
    found = await session.get(VerifiedIdentity, conversation_id)
    if found is None:
        return None
    # The row holds the conversation's token of the NIK (api/callcenter/access.py); the agent
    # who takes the conversation over sees the NIK, and that view is audited (api/routes/console.py).
    nik = await privacy.current().resolve(session, conversation_id, found.nik) or found.nik
    return IdentityOut(
        nik=nik,
        birth_date=found.birth_date,
        region=regions.nik_region_name(nik),
        verified_by=TEAMS.get(found.service, found.service),
        verified_at=found.verified_at,
    )


async def open_cases(session: AsyncSession, conversation_id: uuid.UUID) -> list[CaseRef]:
    """The cases opened in this conversation, newest first (closed ones included: the
    citizen may ask about them)."""
    rows = await session.scalars(
        select(Case).where(Case.conversation_id == conversation_id).order_by(Case.id.desc()).limit(20)
    )
    return [
        CaseRef(
            case_number=case.case_number, kind=case.kind.value, status=case.status, created_at=case.created_at
        )
        for case in rows
    ]


async def queue(session: AsyncSession, agent: Agent) -> list[HandoffSummary]:
    """Waiting hand-offs the agent may claim, oldest first."""
    rows = await session.scalars(
        select(Handoff).where(Handoff.state.in_(machine.CLAIMABLE)).order_by(Handoff.queued_at, Handoff.id)
    )
    now = utcnow()
    return [await summary(session, handoff, now) for handoff in rows if can_see(agent, handoff)]


async def mine(session: AsyncSession, agent: Agent) -> list[HandoffSummary]:
    rows = await session.scalars(
        select(Handoff)
        .where(Handoff.state == machine.ACTIVE, Handoff.agent_id == agent.id)
        .order_by(Handoff.claimed_at)
    )
    now = utcnow()
    return [await summary(session, handoff, now) for handoff in rows]


def is_online(agent: Agent, now: datetime) -> bool:
    return agent.last_seen_at is not None and agent.last_seen_at >= now - machine.ONLINE_WINDOW


def start_of_day(now: datetime, hours_zone: object) -> datetime:
    local = now.astimezone(hours_zone)  # type: ignore[arg-type]
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


async def agent_loads(session: AsyncSession, closed_today: dict[int, int]) -> list[AgentLoad]:
    """Every enabled account with its presence and the conversations it holds now;
    `closed_today` by agent id comes from the caller."""
    now = utcnow()
    agents = await session.scalars(select(Agent).where(Agent.enabled.is_(True)).order_by(Agent.display_name))
    active = dict(
        (
            await session.execute(
                select(Handoff.agent_id, func.count())
                .where(Handoff.state == machine.ACTIVE)
                .group_by(Handoff.agent_id)
            )
        )
        .tuples()
        .all()
    )
    return [
        AgentLoad(
            id=agent.id,
            display_name=agent.display_name,
            role=agent.role,
            teams=list(agent.teams or []),
            status=agent.status,
            online=is_online(agent, now),
            active=active.get(agent.id, 0),
            closed_today=closed_today.get(agent.id, 0),
        )  # fmt: skip
        for agent in agents
    ]


async def overview(session: AsyncSession, day_start: datetime) -> Overview:
    now = utcnow()
    counts = dict(
        (await session.execute(select(Handoff.state, func.count()).group_by(Handoff.state))).tuples().all()
    )
    today = list(
        await session.scalars(
            select(Handoff).where(Handoff.requested_at >= day_start).order_by(Handoff.id.desc())
        )
    )
    waits = [
        (handoff.claimed_at - handoff.queued_at).total_seconds()
        for handoff in today
        if handoff.claimed_at is not None and handoff.claimed_at >= handoff.queued_at
    ]
    closed_today = [h for h in today if h.state is machine.CLOSED]
    closed_by_agent: dict[int, int] = {}
    for handoff in closed_today:
        if handoff.agent_id is not None:
            closed_by_agent[handoff.agent_id] = closed_by_agent.get(handoff.agent_id, 0) + 1
    return Overview(
        waiting=sum(counts.get(state, 0) for state in machine.CLAIMABLE),
        active=counts.get(machine.ACTIVE, 0),
        closed_today=len(closed_today),
        average_wait_seconds=round(sum(waits) / len(waits)) if waits else None,
        agents=await agent_loads(session, closed_by_agent),
        conversations=[await summary(session, handoff, now) for handoff in today],
    )


async def audit_log(session: AsyncSession, limit: int, citizen: str | None = None) -> list[AuditOut]:
    """The latest entries; with `citizen` (an identifier as typed), only those about it: the
    log keeps its keyed hash (api/callcenter/access.py `citizen_hash`)."""
    query = (
        select(AuditEntry, Agent.display_name)
        .join(Agent, Agent.id == AuditEntry.agent_id)
        .order_by(AuditEntry.id.desc())
        .limit(limit)
    )
    if citizen:
        query = query.where(AuditEntry.citizen == privacy.current().keyed_hash(citizen.strip()[:32]))
    rows = await session.execute(query)
    return [
        AuditOut(
            id=entry.id,
            at=entry.at,
            agent=name,
            action=entry.action,
            citizen=entry.citizen,
            service=entry.service,
            target=entry.target,
            reason=entry.reason,
            outcome=entry.outcome,
        )  # fmt: skip
        for entry, name in rows
    ]
