"""The transactional outbox: every reply for an outward channel (Telegram, WhatsApp) is
recorded for delivery in the same transaction as the message itself.

- A `before_flush` hook on every session adds an `OutboxEntry` for each new outgoing message
  of a Telegram or WhatsApp conversation, in the same flush: no producer (a turn, the call
  center, the failed-turn retry, a case update) can store a reply and forget to send it.
- The row is born reserved for the fast path (`next_attempt_at` = now + `fast_path_seconds`):
  the code that stored it sends it at once after the commit (delivery.deliver), and the
  worker (outbox_worker.py) takes it only when the fast path failed or the process died.
- The statements both share are here: finish (sent, undelivered, failed: the row is deleted
  and the message's `delivery_status` says which), reschedule (backoff with full jitter, or
  the channel's Retry-After), release, and the worker's claim of each chat's oldest row.

The web widget and the HTTP API get no rows: their clients read the stored messages
(docs/channels.md#delivery).
"""

from __future__ import annotations

import logging
import random
import uuid
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, event, inspect, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, aliased

from api.models import Conversation, Direction, Message, OutboxEntry, utcnow

logger = logging.getLogger(__name__)

# The channels whose replies leave the gateway (the others read the store).
OUTWARD_CHANNELS = frozenset({"telegram", "whatsapp"})


@dataclass(frozen=True)
class RetryPolicy:
    """The outbox's bounds (settings `AW_OUTBOX_*`, api/core/config.py)."""

    # How long a new row is left to the fast path before the worker may take it. The fast
    # path starts no send after half of it, so a send in flight ends before the worker starts.
    fast_path_seconds: float = 60.0
    # How long a worker holds a row it is sending (longer than the sends of one reply).
    lease_seconds: float = 120.0
    backoff_base_seconds: float = 1.0
    backoff_max_seconds: float = 300.0
    # After this long since the message was stored, a failed reply is given up.
    give_up_seconds: float = 3600.0

    def delay(
        self, attempts: int, retry_after: float | None = None, rng: random.Random | None = None
    ) -> float:
        """Seconds before attempt `attempts + 1`: exponential backoff with full jitter
        (uniform in [0, min(max, base * 2^attempts)]), never sooner than the channel asked."""
        ceiling = min(self.backoff_max_seconds, self.backoff_base_seconds * 2 ** min(attempts, 32))
        jittered = (rng or _rng).uniform(0, ceiling)
        return max(jittered, retry_after) if retry_after is not None else jittered

    def fast_path_open(self, message: Message, now: datetime | None = None) -> bool:
        """Whether the fast path may still start sending `message` (see `fast_path_seconds`)."""
        born = message.created_at or utcnow()
        return (now or utcnow()) < born + timedelta(seconds=self.fast_path_seconds / 2)

    def deadline(self, created_at: datetime) -> datetime:
        return created_at + timedelta(seconds=self.give_up_seconds)


_rng = random.SystemRandom()
_policy = RetryPolicy()


def configure(policy: RetryPolicy) -> None:
    """Set the bounds (the composition root does, from the settings)."""
    global _policy
    _policy = policy


def policy() -> RetryPolicy:
    return _policy


# --- Recording: the before_flush hook ----------------------------------------------------

# A conversation's channel never changes: remembered, so the hook reads it once.
_CHANNEL_CACHE_SIZE = 10_000
_channels: OrderedDict[uuid.UUID, str] = OrderedDict()


def _enqueue(session: Session, _context: Any, _instances: Any) -> None:
    """Add an outbox row for each new outgoing message of an outward channel, in this flush."""
    outgoing = [obj for obj in session.new if isinstance(obj, Message) and obj.direction == Direction.OUT]
    if not outgoing:
        return
    queued = {id(obj.message) for obj in session.new if isinstance(obj, OutboxEntry)}
    channels = _channels_of(session, {message.conversation_id for message in outgoing} - {None})
    reserved_until = utcnow() + timedelta(seconds=_policy.fast_path_seconds)
    for message in outgoing:
        if id(message) in queued:
            continue
        # Built with `conversation=` rather than its id: the related object says.
        related = inspect(message).dict.get("conversation")
        channel = channels.get(message.conversation_id) or _loaded_channel(related)
        if channel not in OUTWARD_CHANNELS:
            continue
        entry = OutboxEntry(
            message=message,
            conversation_id=message.conversation_id,
            channel=channel,
            attempts=0,
            parts_sent=0,
            next_attempt_at=reserved_until,
        )
        if message.conversation_id is None:
            entry.conversation = related  # its id is set in this flush
        session.add(entry)


def _channels_of(session: Session, conversation_ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    """The channel of each conversation: remembered, in the session, or read (one query)."""
    found: dict[uuid.UUID, str] = {}
    new = {obj.id: obj for obj in session.new if isinstance(obj, Conversation)}
    for conversation_id in conversation_ids:
        if conversation_id in _channels:
            found[conversation_id] = _channels[conversation_id]
            continue
        loaded = new.get(conversation_id) or session.identity_map.get(
            Session.identity_key(Conversation, conversation_id)
        )
        channel = _loaded_channel(loaded)
        if channel is not None:
            found[conversation_id] = channel
    missing = conversation_ids - found.keys()
    if missing:
        with session.no_autoflush:
            rows = session.execute(
                select(Conversation.id, Conversation.channel).where(Conversation.id.in_(missing))
            )
            found.update({conversation_id: channel for conversation_id, channel in rows})
    for conversation_id, channel in found.items():
        _channels[conversation_id] = channel
        _channels.move_to_end(conversation_id)
    while len(_channels) > _CHANNEL_CACHE_SIZE:
        _channels.popitem(last=False)
    return found


def _loaded_channel(conversation: object) -> str | None:
    """The channel of a conversation object as loaded, without loading anything."""
    if not isinstance(conversation, Conversation):
        return None
    channel = inspect(conversation).dict.get("channel")
    return channel if isinstance(channel, str) else None


event.listen(Session, "before_flush", _enqueue)


# --- The statements the fast path and the worker share -----------------------------------


async def backlog(session: AsyncSession, conversation_id: uuid.UUID, before_message_id: int) -> bool:
    """Whether an older reply of this conversation is still waiting: then a newer one must
    wait behind it (per-chat order)."""
    query = (
        select(OutboxEntry.id)
        .where(OutboxEntry.conversation_id == conversation_id, OutboxEntry.message_id < before_message_id)
        .limit(1)
    )
    return (await session.scalar(query)) is not None


async def drop(session: AsyncSession, message_id: int) -> None:
    """The message is done with (sent, undelivered, failed): its row goes. Does not commit."""
    await session.execute(
        delete(OutboxEntry)
        .where(OutboxEntry.message_id == message_id)
        .execution_options(synchronize_session=False)
    )


async def reschedule(
    session: AsyncSession,
    message_id: int,
    *,
    attempts: int,
    parts_sent: int,
    delay_seconds: float,
    error: str,
) -> datetime:
    """A failed attempt: free the row, due again after `delay_seconds`. Commits."""
    due = utcnow() + timedelta(seconds=delay_seconds)
    await session.execute(
        update(OutboxEntry)
        .where(OutboxEntry.message_id == message_id)
        .values(
            attempts=attempts,
            parts_sent=parts_sent,
            next_attempt_at=due,
            lease_until=None,
            last_error=error[:255],
        )
        .execution_options(synchronize_session=False)
    )
    await session.commit()
    return due


async def release(session: AsyncSession, message_ids: Sequence[int]) -> None:
    """Rows the fast path leaves to the worker: due now. Commits."""
    if not message_ids:
        return
    await session.execute(
        update(OutboxEntry)
        .where(OutboxEntry.message_id.in_(list(message_ids)))
        .values(next_attempt_at=utcnow(), lease_until=None)
        .execution_options(synchronize_session=False)
    )
    await session.commit()


async def claim(
    session: AsyncSession, channels: Iterable[str], limit: int, lease_seconds: float
) -> list[OutboxEntry]:
    """Lease up to `limit` rows that are due, each the oldest of its conversation, in one
    statement. Safe with several workers: PostgreSQL skips rows another worker has locked
    (`FOR UPDATE SKIP LOCKED`), and the UPDATE takes the lease only where it is still free, so
    a row is held by one worker at a time. SQLite takes its write lock for the statement.
    Commits."""
    now = utcnow()
    head, earlier = aliased(OutboxEntry), aliased(OutboxEntry)
    older_waiting = (
        select(earlier.id)
        .where(earlier.conversation_id == head.conversation_id, earlier.message_id < head.message_id)
        .exists()
    )
    heads = (
        select(head.id)
        .where(
            head.channel.in_(list(channels)),
            head.next_attempt_at <= now,
            or_(head.lease_until.is_(None), head.lease_until < now),
            ~older_waiting,
        )
        .order_by(head.next_attempt_at)
        .limit(limit)
        .with_for_update(skip_locked=True, of=head)
    )
    leased = await session.scalars(
        update(OutboxEntry)
        .where(
            OutboxEntry.id.in_(heads),
            OutboxEntry.next_attempt_at <= now,
            or_(OutboxEntry.lease_until.is_(None), OutboxEntry.lease_until < now),
        )
        .values(lease_until=now + timedelta(seconds=lease_seconds))
        .returning(OutboxEntry)
        .execution_options(synchronize_session=False)
    )
    rows = list(leased.all())
    await session.commit()
    return rows
