"""Retention: what is older than `AW_RETENTION_DAYS` (default 90) is deleted, in the gateway
and in Rasa's tracker store, by a job every replica runs and only one at a time does.

Each run deletes messages created before the cut-off, then the conversations left without a
message that have not been touched since (their hand-offs, verified identities and channel
threads go with them), the channel update ids of that age, and Rasa's tracker events of that
age; and of identity verification, the one-time code rows sent before the cut-off (unless a
lockout is running), the proved numbers and verified sessions of that age, and at every run
the number of any code that expired. The append-only audit log stays (docs/privacy.md).

One replica at a time: the `job_leases` row. A replica takes the lease with one conditional
UPDATE (free or expired) or, the first time, one INSERT; the database decides, so two
replicas — or two processes on one SQLite file — never run it together, and a replica that
dies mid-run frees it when the lease expires. A run done by any replica within the interval
is not repeated.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, exists, or_, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.attachments import files
from api.attachments.storage import Storage
from api.core.config import Settings
from api.models import (
    ChannelUpdate,
    Conversation,
    JobLease,
    Message,
    OtpChallenge,
    ProvenPhone,
    UnansweredQuestion,
    VerifiedSession,
    utcnow,
)
from api.privacy.tracker_db import TrackerDatabase

logger = logging.getLogger(__name__)

JOB = "retention"
# Longer than any run; a replica that died holding the lease frees it after this.
LEASE = timedelta(minutes=10)


@dataclass(frozen=True)
class Pruned:
    messages: int
    conversations: int
    channel_updates: int
    tracker_events: int
    identity_rows: int = 0  # one-time codes, proved numbers, verified sessions
    # The dashboard's unanswered questions (masked texts, api/analytics): kept as long as messages.
    unanswered_questions: int = 0


def holder_name() -> str:
    """This process, as the lease names it."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


async def take_lease(session: AsyncSession, holder: str, interval: timedelta, now: datetime) -> bool:
    """Whether this holder may run the job now: the lease is free or expired and the last run
    is older than `interval`. Commits."""
    due = or_(JobLease.last_run_at.is_(None), JobLease.last_run_at <= now - interval)
    taken = await session.execute(
        update(JobLease)
        .where(JobLease.name == JOB, JobLease.expires_at <= now, due)
        .values(holder=holder, expires_at=now + LEASE)
    )
    if taken.rowcount:  # type: ignore[attr-defined]
        await session.commit()
        return True
    await session.rollback()
    if await session.get(JobLease, JOB) is not None:
        return False
    session.add(JobLease(name=JOB, holder=holder, expires_at=now + LEASE))
    try:
        await session.commit()
    except IntegrityError:  # another replica inserted it first
        await session.rollback()
        return False
    return True


async def release_lease(session: AsyncSession, holder: str, now: datetime) -> None:
    await session.execute(
        update(JobLease)
        .where(JobLease.name == JOB, JobLease.holder == holder)
        .values(expires_at=now, last_run_at=now)
    )
    await session.commit()


async def prune(session: AsyncSession, tracker: TrackerDatabase | None, days: int, now: datetime) -> Pruned:
    """Delete what is older than `days` before `now`; commits."""
    cutoff = now - timedelta(days=days)
    messages = await session.execute(delete(Message).where(Message.created_at < cutoff))
    has_message = exists().where(Message.conversation_id == Conversation.id)
    conversations = await session.execute(
        delete(Conversation).where(Conversation.updated_at < cutoff, ~has_message)
    )
    updates = await session.execute(delete(ChannelUpdate).where(ChannelUpdate.received_at < cutoff))
    identity = await _prune_identity(session, cutoff, now)
    questions = await session.execute(delete(UnansweredQuestion).where(UnansweredQuestion.at < cutoff))
    await session.commit()
    events = await tracker.delete_before(cutoff.timestamp()) if tracker else 0
    return Pruned(
        int(messages.rowcount or 0),  # type: ignore[attr-defined]
        int(conversations.rowcount or 0),  # type: ignore[attr-defined]
        int(updates.rowcount or 0),  # type: ignore[attr-defined]
        events,
        identity,
        int(questions.rowcount or 0),  # type: ignore[attr-defined]
    )


async def _prune_identity(session: AsyncSession, cutoff: datetime, now: datetime) -> int:
    """What identity verification keeps, past its life; how many rows went."""
    # A number is kept only while its code can be typed back.
    await session.execute(
        update(OtpChallenge)
        .where(OtpChallenge.expires_at <= now, OtpChallenge.phone.is_not(None))
        .values(phone=None)
    )
    unlocked = or_(OtpChallenge.locked_until.is_(None), OtpChallenge.locked_until <= now)
    deleted = 0
    for statement in (
        delete(OtpChallenge).where(OtpChallenge.sent_at < cutoff, unlocked),
        delete(ProvenPhone).where(ProvenPhone.proven_at < cutoff),
        delete(VerifiedSession).where(VerifiedSession.expires_at < cutoff),
    ):
        deleted += int((await session.execute(statement)).rowcount or 0)  # type: ignore[attr-defined]
    return deleted


async def run_once(
    sessionmaker: async_sessionmaker[AsyncSession],
    tracker: TrackerDatabase | None,
    settings: Settings,
    holder: str,
    now: datetime | None = None,
    attachments: Storage | None = None,
) -> Pruned | None:
    """One run if this replica gets the lease; None if another has it or ran recently. The
    files of pruned or erased messages go too (api/attachments)."""
    now = now or utcnow()
    interval = timedelta(minutes=settings.retention_interval_minutes)
    async with sessionmaker() as session:
        if not await take_lease(session, holder, interval, now):
            return None
        try:
            pruned = await prune(session, tracker, settings.retention_days, now)
            if attachments is not None:
                await files.sweep(session, attachments)
        finally:
            await release_lease(session, holder, now)
    logger.info(
        "retention run messages=%d conversations=%d channel_updates=%d tracker_events=%d identity_rows=%d"
        " unanswered_questions=%d",
        pruned.messages, pruned.conversations, pruned.channel_updates, pruned.tracker_events,
        pruned.identity_rows, pruned.unanswered_questions,
    )  # fmt: skip
    return pruned


async def run_forever(
    sessionmaker: async_sessionmaker[AsyncSession],
    tracker: TrackerDatabase | None,
    settings: Settings,
    stop: asyncio.Event,
    clock: Callable[[], datetime] = utcnow,
    attachments: Storage | None = None,
) -> None:
    """The lifespan's task: a run now, then every interval, until `stop` is set. A run is never
    cut short: cancelled mid-transaction, its connection would keep its locks."""
    holder = holder_name()
    while not stop.is_set():
        try:
            await run_once(sessionmaker, tracker, settings, holder, clock(), attachments)
        except Exception:
            logger.exception("retention run failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), settings.retention_interval_minutes * 60)


@contextlib.asynccontextmanager
async def running(
    sessionmaker: async_sessionmaker[AsyncSession],
    tracker: TrackerDatabase | None,
    settings: Settings,
    attachments: Storage | None = None,
) -> AsyncIterator[None]:
    """Run the job in the background while the app lives; on exit, let a run in progress end."""
    stop = asyncio.Event()
    task = asyncio.create_task(run_forever(sessionmaker, tracker, settings, stop, attachments=attachments))
    try:
        yield
    finally:
        stop.set()
        try:
            await asyncio.wait_for(asyncio.shield(task), LEASE.total_seconds())
        except TimeoutError:  # a stuck run: the lease frees itself when it expires
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
