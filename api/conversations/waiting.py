"""Citizen messages Rasa has not answered yet, and the conversations that hold them: the store
side of retried turns (the worker is api/conversations/retry.py, the turn api/conversations/turn.py).

A message waits while its `rasa_status` is `failed` (Rasa down, too slow, malformed), `queued`
(behind an earlier waiting message of its conversation, or beyond the admission bound) or
`pending` for longer than a live turn can take. A `pending` message records the process
playing it (`rasa_holder`); each process's retry worker renews its heartbeat
(`gateway_replicas`) every pass. When that heartbeat stops (the process was killed), its pending
messages wait only until no live turn can still be running them in Rasa (`orphan_after`: the
admission wait and Rasa's deadline), not the long stale bound meant for a live but stalled
process. A conversation with waiting
messages gets a `turn_retries` row when the worker first sees it: when it may be tried next
(backoff with jitter), how often it was, and the lease of the replica playing it. The lease is
one conditional UPDATE (`... WHERE lease_until IS NULL OR lease_until < now`), so of several
replicas exactly one plays a conversation, in order, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import asyncio
import random
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, delete, exists, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from api.models import Direction, GatewayReplica, Message, RasaStatus, TurnRetry, utcnow

# Waiting whatever their age; `pending` only once stale, or once orphaned.
_WAITING_NOW = (RasaStatus.FAILED, RasaStatus.QUEUED)

# This process, in the `pending` messages it plays and in its heartbeat.
PROCESS = uuid.uuid4().hex


@dataclass(frozen=True)
class Cutoffs:
    """When a `pending` message waits: stored before `stale_before` (whatever its process), or
    before `orphan_before` by a process not seen since `alive_after`."""

    stale_before: datetime
    orphan_before: datetime
    alive_after: datetime

    @classmethod
    def at(cls, now: datetime, stale: timedelta, orphan: timedelta, heartbeat_dead: timedelta) -> Cutoffs:
        return cls(now - stale, now - orphan, now - heartbeat_dead)


def _given_up(cutoffs: Cutoffs) -> ColumnElement[bool]:
    """Of a `pending` message: no live turn is playing it any more (stale, or orphaned)."""
    alive = exists().where(
        GatewayReplica.holder == Message.rasa_holder, GatewayReplica.seen_at >= cutoffs.alive_after
    )
    orphaned = and_(Message.rasa_holder.is_not(None), Message.created_at < cutoffs.orphan_before, ~alive)
    return or_(Message.created_at < cutoffs.stale_before, orphaned)


def _waiting(cutoffs: Cutoffs) -> ColumnElement[bool]:
    """The condition on `messages` of a citizen message waiting for Rasa."""
    return and_(
        Message.direction == Direction.IN,
        or_(
            Message.rasa_status.in_(_WAITING_NOW),
            and_(Message.rasa_status == RasaStatus.PENDING, _given_up(cutoffs)),
        ),
    )


async def heartbeat(session: AsyncSession, process: str, now: datetime) -> None:
    """`process` is alive at `now` (one UPDATE, an INSERT the first time). Commits."""
    seen = await session.execute(
        update(GatewayReplica)
        .where(GatewayReplica.holder == process)
        .values(seen_at=now)
        .execution_options(synchronize_session=False)
    )
    if not seen.rowcount:  # type: ignore[attr-defined]
        session.add(GatewayReplica(holder=process, seen_at=now))
    try:
        await session.commit()
    except IntegrityError:  # inserted meanwhile: alive anyway
        await session.rollback()


async def holder_alive(session: AsyncSession, holder: str | None, alive_after: datetime) -> bool:
    """Whether the process `holder` may still be playing its `pending` turns: this process, one
    seen since `alive_after`, or one that never beat (its replica runs no retry worker, so
    only the age bounds tell)."""
    if holder is None or holder == PROCESS:
        return True
    seen = await session.scalar(select(GatewayReplica.seen_at).where(GatewayReplica.holder == holder))
    return seen is None or seen >= alive_after


def backoff(attempts: int, base: float, cap: float, rng: random.Random | None = None) -> timedelta:
    """The wait before attempt `attempts + 1`: `base` doubled per attempt, at most `cap`, with
    jitter (between half and all of it, so replicas and conversations spread out)."""
    ceiling = min(cap, base * 2 ** min(attempts, 30))
    return timedelta(seconds=ceiling * (rng or random).uniform(0.5, 1.0))


async def earlier_waits(session: AsyncSession, conversation_id: uuid.UUID) -> bool:
    """Whether the conversation has a message that failed or is queued: a new one waits behind
    it. One probe of the partial index `ix_messages_waiting`."""
    query = select(
        exists().where(
            Message.conversation_id == conversation_id,
            Message.direction == Direction.IN,
            Message.rasa_status.in_(_WAITING_NOW),
        )
    )
    return bool(await session.scalar(query))


async def earlier_pending(
    session: AsyncSession, conversation_id: uuid.UUID, message_id: int, cutoffs: Cutoffs | None = None
) -> bool:
    """Whether an earlier citizen message of the conversation is `pending` (with `cutoffs`: in a
    live turn, not given up). One probe of the partial index `ix_messages_waiting`."""
    condition = and_(
        Message.conversation_id == conversation_id,
        Message.direction == Direction.IN,
        Message.rasa_status == RasaStatus.PENDING,
        Message.id < message_id,
    )
    if cutoffs is not None:
        condition = and_(condition, ~_given_up(cutoffs))
    return bool(await session.scalar(select(exists().where(condition))))


async def turn_comes(
    session: AsyncSession, conversation_id: uuid.UUID, message_id: int, wait_seconds: float
) -> bool:
    """One turn per conversation at a time, in the order the gateway stored the messages, across
    its replicas: wait (polling, backing off from 10 to 200 ms) until no earlier message of the
    conversation is `pending`. False after `wait_seconds`: the message is then kept for the
    retry worker, which plays it after the earlier one. Ends each probe's transaction: no
    database connection is held while it waits, nor while Rasa answers next."""
    deadline = asyncio.get_running_loop().time() + wait_seconds
    pause = 0.01
    while True:
        blocked = await earlier_pending(session, conversation_id, message_id)
        await session.commit()  # nothing to write: gives the connection back to the pool
        if not blocked:
            return True
        if asyncio.get_running_loop().time() + pause > deadline:
            return False
        await asyncio.sleep(pause)
        pause = min(0.2, pause * 2)


async def nudge(session: AsyncSession, conversation_id: uuid.UUID) -> None:
    """The citizen wrote again: try the conversation at the worker's next pass. No commit."""
    await session.execute(
        update(TurnRetry)
        .where(TurnRetry.conversation_id == conversation_id)
        .values(next_at=utcnow())
        .execution_options(synchronize_session=False)
    )


@dataclass(frozen=True)
class Due:
    """A conversation with waiting messages: whether one of them failed (it waits the first
    backoff, counted from its oldest message) and when its oldest was stored."""

    failed: bool
    oldest: datetime


async def due(session: AsyncSession, now: datetime, cutoffs: Cutoffs, limit: int) -> dict[uuid.UUID, Due]:
    """Conversations with waiting messages that are free to play now (no row yet, or due and
    not leased), oldest message first."""
    free = or_(
        TurnRetry.conversation_id.is_(None),
        and_(TurnRetry.next_at <= now, or_(TurnRetry.lease_until.is_(None), TurnRetry.lease_until < now)),
    )
    query = (
        select(Message.conversation_id, Message.rasa_status, Message.created_at)
        .outerjoin(TurnRetry, TurnRetry.conversation_id == Message.conversation_id)
        .where(_waiting(cutoffs), free)
        .order_by(Message.id)
        .limit(limit * 4)
    )
    found: dict[uuid.UUID, Due] = {}
    for conversation_id, status, created_at in await session.execute(query):
        known = found.get(conversation_id)
        if known is None and len(found) < limit:
            found[conversation_id] = Due(status is not RasaStatus.QUEUED, created_at)
        elif known is not None and status is not RasaStatus.QUEUED and not known.failed:
            found[conversation_id] = Due(True, known.oldest)
    return found


async def claim(
    session: AsyncSession,
    conversation_id: uuid.UUID,
    holder: str,
    now: datetime,
    lease: timedelta,
    first_due: datetime,
) -> bool:
    """Take the conversation for `holder` until `now + lease`, if it is due and free. A
    conversation seen for the first time gets its row, due at `first_due` (taken now if that
    has come). Commits."""
    taken = await session.execute(
        update(TurnRetry)
        .where(
            TurnRetry.conversation_id == conversation_id,
            TurnRetry.next_at <= now,
            or_(TurnRetry.lease_until.is_(None), TurnRetry.lease_until < now),
        )
        .values(holder=holder, lease_until=now + lease)
        .execution_options(synchronize_session=False)
    )
    if taken.rowcount:  # type: ignore[attr-defined]
        await session.commit()
        return True
    await session.rollback()
    if await session.scalar(
        select(TurnRetry.conversation_id).where(TurnRetry.conversation_id == conversation_id)
    ):
        return False
    now_due = first_due <= now
    session.add(
        TurnRetry(
            conversation_id=conversation_id,
            attempts=0,
            next_at=first_due,
            holder=holder if now_due else None,
            lease_until=now + lease if now_due else None,
            created_at=now,
        )
    )
    try:
        await session.commit()
    except IntegrityError:  # another replica saw it first
        await session.rollback()
        return False
    return now_due


async def renew(session: AsyncSession, conversation_id: uuid.UUID, holder: str, lease: timedelta) -> bool:
    """Extend `holder`'s lease before each message; False when it was lost (expired and taken).
    Commits."""
    now = utcnow()
    renewed = await session.execute(
        update(TurnRetry)
        .where(
            TurnRetry.conversation_id == conversation_id,
            TurnRetry.holder == holder,
            TurnRetry.lease_until >= now,
        )
        .values(lease_until=now + lease)
        .execution_options(synchronize_session=False)
    )
    await session.commit()
    return bool(renewed.rowcount)  # type: ignore[attr-defined]


async def attempt_failed(
    session: AsyncSession, conversation_id: uuid.UUID, holder: str, reason: str, delay: timedelta
) -> None:
    """An attempt failed: free the conversation until `now + delay`, one attempt more. Commits."""
    await session.execute(
        update(TurnRetry)
        .where(TurnRetry.conversation_id == conversation_id, TurnRetry.holder == holder)
        .values(
            attempts=TurnRetry.attempts + 1,
            next_at=utcnow() + delay,
            holder=None,
            lease_until=None,
            last_error=reason[:64],
        )
        .execution_options(synchronize_session=False)
    )
    await session.commit()


async def attempts(session: AsyncSession, conversation_id: uuid.UUID) -> int:
    found = await session.scalar(
        select(TurnRetry.attempts).where(TurnRetry.conversation_id == conversation_id)
    )
    return int(found or 0)


async def release(session: AsyncSession, conversation_id: uuid.UUID, holder: str) -> None:
    """Free the conversation without counting an attempt (Rasa busy with live turns). Commits."""
    await session.execute(
        update(TurnRetry)
        .where(TurnRetry.conversation_id == conversation_id, TurnRetry.holder == holder)
        .values(holder=None, lease_until=None)
        .execution_options(synchronize_session=False)
    )
    await session.commit()


async def finished(session: AsyncSession, conversation_id: uuid.UUID, holder: str) -> None:
    """Nothing waits any more: the row goes. Commits."""
    await session.execute(
        delete(TurnRetry).where(TurnRetry.conversation_id == conversation_id, TurnRetry.holder == holder)
    )
    await session.commit()


async def messages(session: AsyncSession, conversation_id: uuid.UUID, cutoffs: Cutoffs) -> list[Message]:
    """The conversation's waiting messages, oldest first."""
    query = (
        select(Message)
        .where(Message.conversation_id == conversation_id, _waiting(cutoffs))
        .order_by(Message.id)
        .execution_options(populate_existing=True)
    )
    return list((await session.scalars(query)).all())
