"""The hand-off state machine, owned by the gateway (diagram: docs/call-center.md).

Every transition is one conditional UPDATE (`... WHERE id = :id AND state IN (:from)`) in
the caller's transaction, plus a `HandoffEvent`: of two agents claiming at once, or two
gateway replicas sweeping the same timeout, exactly one changes the row and the other is
told it lost. Functions here change the database and return what the citizen should read;
`api.callcenter.service` stores, delivers and publishes it.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from api.callcenter.teams import GENERAL
from api.conversations.store import OPEN_HANDOFF
from api.models import (
    Agent,
    AgentStatus,
    Conversation,
    HandledBy,
    Handoff,
    HandoffEvent,
    HandoffState,
    utcnow,
)

QUEUED, ACTIVE, OFFERED = HandoffState.QUEUED, HandoffState.ACTIVE, HandoffState.OFFERED
CALLBACK, TICKET = HandoffState.CALLBACK, HandoffState.TICKET
RETURNED, CLOSED = HandoffState.RETURNED, HandoffState.CLOSED

# States in which the hand-off is not over; a conversation has at most one such hand-off.
OPEN = OPEN_HANDOFF
# Waiting for an agent to claim it (the console's queue).
CLAIMABLE = (QUEUED, CALLBACK, TICKET)
# The bot stays silent: the citizen waits for or talks with a person.
WITH_PEOPLE = (QUEUED, ACTIVE)

# `undelivered`: the outbox gave up on a reply to the citizen (api/conversations/outbox_worker.py);
# `bot_unavailable`: the retry window of a citizen's message passed (api/conversations/retry.py).
REASONS = ("citizen_request", "repeated_miss", "escalation", "undelivered", "bot_unavailable")
UNDELIVERED = "undelivered"
DISPOSITIONS = ("resolved", "unresolved", "follow_up", "abusive")
# An agent whose console pinged within this long is online.
ONLINE_WINDOW = timedelta(seconds=60)
# Average handling time assumed before the call center has any history, and its bounds.
DEFAULT_HANDLING = timedelta(minutes=5)
HANDLING_HISTORY = timedelta(days=7)


class Conflict(Exception):
    """The hand-off is not in a state that allows this (e.g. another agent claimed it)."""


async def open_handoff(session: AsyncSession, conversation_id: uuid.UUID) -> Handoff | None:
    """The conversation's hand-off that is not over, if any."""
    query = (
        select(Handoff)
        .where(Handoff.conversation_id == conversation_id, Handoff.state.in_(OPEN))
        .order_by(Handoff.id.desc())
        .limit(1)
    )
    return await session.scalar(query)


async def transition(
    session: AsyncSession,
    handoff: Handoff,
    to: HandoffState,
    *,
    allowed_from: Iterable[HandoffState],
    by: Agent | None = None,
    detail: str | None = None,
    **changes: object,
) -> None:
    """Move `handoff` to `to` if it is still in one of `allowed_from`; `Conflict` otherwise.
    Updates the conversation's `handled_by` to match. Does not commit."""
    now = utcnow()
    result = await session.execute(
        update(Handoff)
        .where(Handoff.id == handoff.id, Handoff.state.in_(tuple(allowed_from)))
        .values(state=to, updated_at=now, **changes)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict(handoff.id)
    handled_by = HandledBy.AGENT if to in WITH_PEOPLE else HandledBy.BOT
    await session.execute(
        update(Conversation).where(Conversation.id == handoff.conversation_id).values(handled_by=handled_by)
    )
    session.add(
        HandoffEvent(handoff_id=handoff.id, state=to, agent_id=by.id if by else None, detail=detail, at=now)
    )
    await session.flush()
    await session.refresh(handoff)


async def start(
    session: AsyncSession, conversation: Conversation, *, reason: str, team: str, state: HandoffState
) -> Handoff:
    """A new hand-off of `conversation` in `state` (queued, or offered when nobody can take it)."""
    now = utcnow()
    handoff = Handoff(
        conversation_id=conversation.id,
        state=state,
        reason=reason if reason in REASONS else "citizen_request",
        team=team,
        requested_at=now,
        queued_at=now,
    )
    session.add(handoff)
    conversation.handled_by = HandledBy.AGENT if state in WITH_PEOPLE else HandledBy.BOT
    await session.flush()
    session.add(HandoffEvent(handoff_id=handoff.id, state=state, detail=reason, at=now))
    return handoff


# --- Who is there -------------------------------------------------------------------------


@dataclass(frozen=True)
class Staffing:
    """Agents online and available, by team, at one moment."""

    by_team: dict[str, int]

    def serving(self, team: str) -> int:
        return self.by_team.get(team, 0)


async def staffing(session: AsyncSession, now: datetime | None = None) -> Staffing:
    now = now or utcnow()
    agents = await session.scalars(
        select(Agent).where(
            Agent.enabled.is_(True),
            Agent.status == AgentStatus.AVAILABLE,
            Agent.last_seen_at >= now - ONLINE_WINDOW,
        )
    )
    by_team: dict[str, int] = {}
    for agent in agents:
        for team in agent.teams or []:
            by_team[team] = by_team.get(team, 0) + 1
    return Staffing(by_team)


def route(service_team: str, staff: Staffing) -> str | None:
    """The team to queue for: the service's own when someone serves it, else general; None
    when nobody is there at all."""
    if staff.serving(service_team):
        return service_team
    if staff.serving(GENERAL):
        return GENERAL
    return None


async def position(session: AsyncSession, handoff: Handoff) -> int:
    """1-based place in its team's queue."""
    ahead = await session.scalar(
        select(func.count())
        .select_from(Handoff)
        .where(
            Handoff.state == QUEUED,
            Handoff.team == handoff.team,
            Handoff.queued_at < handoff.queued_at,
        )
    )
    return int(ahead or 0) + 1


async def average_handling(session: AsyncSession, now: datetime | None = None) -> timedelta:
    """Mean time from claim to end over the last week's hand-offs; 5 minutes without history."""
    now = now or utcnow()
    rows = await session.execute(
        select(Handoff.claimed_at, Handoff.closed_at).where(
            Handoff.claimed_at.is_not(None),
            Handoff.closed_at.is_not(None),
            Handoff.closed_at >= now - HANDLING_HISTORY,
        )
    )
    durations = [closed - claimed for claimed, closed in rows if closed and claimed and closed > claimed]
    if not durations:
        return DEFAULT_HANDLING
    return sum(durations, timedelta()) / len(durations)


async def estimated_wait_minutes(session: AsyncSession, handoff: Handoff, staff: Staffing) -> int:
    """Place in the queue times the average handling time, shared by the team's agents."""
    place = await position(session, handoff)
    handling = await average_handling(session)
    agents = max(1, staff.serving(handoff.team))
    return max(1, math.ceil(place * handling.total_seconds() / agents / 60))
