"""Delivery: sending stored replies on a channel and recording what became of each.

Every reply for Telegram or WhatsApp is in the outbox (api/conversations/outbox.py) from the
commit that stored it. `deliver` is the fast path: the code that stored the replies sends
them at once, in order; a reply the channel refuses for now (429, 5xx, a timeout) is left to
the delivery worker (outbox_worker.py) with its backoff, and the replies after it wait
behind it. A crash after the commit leaves them to the worker too.

Ports, implemented by the channels (connectors/) and the call center:
- `Outbox` sends replies to one channel user: a channel answering its own webhook uses it
  with `deliver` (stored replies) and `notify` (a notice that is not stored);
- `Outbound` sends stored messages that answer no citizen request (an agent's reply, a
  hand-off notice, a retried turn's answer) on the conversation's own channel: the call
  center gets it in its constructor;
- `Senders` gives the worker an `Outbox` for a conversation (connectors/outbound.py);
- `Attention` makes a reply that was given up visible to agents (the call center).
"""

from __future__ import annotations

import logging
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from api.conversations import outbox as queue
from api.conversations.model import Reply, TextReply, needs_window
from api.conversations.store import record_delivery, stored_reply
from api.metrics import instruments as metrics
from api.models import Conversation, DeliveryStatus, Message

logger = logging.getLogger(__name__)

OUTSIDE_WINDOW = "outside_24h_window"


class DeliveryFailed(Exception):
    """The channel did not take a message; `reason` is the channel's error, no content.

    `retryable`: the channel may take it later (429, 5xx, a timeout or a lost connection);
    `retry_after`: the seconds the channel asked to wait (HTTP Retry-After, Telegram's
    `retry_after`); `sent_parts`: the parts of the reply the channel took before it failed
    (a long text is several messages), which a retry skips."""

    def __init__(
        self,
        reason: str,
        *,
        retryable: bool = False,
        retry_after: float | None = None,
        sent_parts: int = 0,
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable
        self.retry_after = retry_after
        self.sent_parts = sent_parts


class Outbox(Protocol):
    """Sends replies to one channel user. `ref` is the stored message id (None for a notice
    that is not stored); `skip`: parts of the reply already sent by an earlier attempt.
    Returns the channel's id of the (last) message sent."""

    async def send(self, reply: Reply, ref: int | None, skip: int = 0) -> str | None: ...


class Outbound(Protocol):
    """Sends stored messages that answer no citizen request to the conversation's channel,
    recording each delivery."""

    async def push(
        self, session: AsyncSession, conversation: Conversation, messages: list[Message]
    ) -> None: ...


class Senders(Protocol):
    """The worker's side of the channels: what this replica can send on."""

    @property
    def channels(self) -> frozenset[str]:
        """The outward channels configured here."""
        ...

    async def outbox_for(
        self, session: AsyncSession, conversation: Conversation
    ) -> tuple[Outbox, bool] | None:
        """The conversation's `Outbox` and whether its channel's window is open (WhatsApp's 24
        hours); None when its channel is off here."""
        ...


class Attention(Protocol):
    """Someone must see a reply the outbox gave up on (the call center: a ticket)."""

    async def undelivered(self, session: AsyncSession, conversation: Conversation) -> None:
        """Mark the conversation for agents; commits (with the caller's changes)."""
        ...


async def deliver(
    session: AsyncSession,
    outbox: Outbox,
    channel: str,
    messages: list[Message],
    *,
    window_open: bool = True,
) -> None:
    """Send the stored replies in order, recording each one's delivery (the fast path).
    Outside the channel's window nothing is sent and each is marked undelivered. A reply the
    channel refuses for now goes to the worker, and the ones after it wait behind it; so do
    all of them when an earlier reply of the conversation is still waiting."""
    policy = queue.policy()
    ids = [message.id for message in messages]
    outward = channel in queue.OUTWARD_CHANNELS and messages
    if outward and await queue.backlog(session, messages[0].conversation_id, min(ids)):
        logger.info("replies wait behind an earlier one channel=%s message=%s", channel, ids[0])
        await queue.release(session, ids)
        return
    for index, message in enumerate(messages):
        reply = stored_reply(message)
        if reply is None:
            await queue.drop(session, message.id)
            await session.commit()
            continue
        if not window_open and needs_window(reply):
            logger.warning(
                "reply not sent, outside the 24-hour window channel=%s message=%s", channel, message.id
            )
            await queue.drop(session, message.id)
            await record_delivery(session, message, DeliveryStatus.UNDELIVERED, error=OUTSIDE_WINDOW)
            metrics.outbound_failed(channel, "outside_window")
            continue
        if not policy.fast_path_open(message):  # the worker may soon take it: leave it
            await queue.release(session, ids[index:])
            return
        try:
            channel_message_id = await outbox.send(reply, message.id)
        except DeliveryFailed as error:
            if not error.retryable:
                logger.warning(
                    "reply not delivered channel=%s message=%s reason=%s", channel, message.id, error.reason
                )
                await queue.drop(session, message.id)
                await record_delivery(session, message, DeliveryStatus.FAILED, error=error.reason)
                metrics.outbound_failed(channel, "permanent")
                continue
            metrics.outbound_failed(channel, "retryable")
            delay = policy.delay(0, error.retry_after)
            logger.warning(
                "reply left to the outbox channel=%s message=%s reason=%s retry_in=%.1fs",
                channel,
                message.id,
                error.reason,
                delay,
            )
            await queue.reschedule(
                session,
                message.id,
                attempts=1,
                parts_sent=error.sent_parts,
                delay_seconds=delay,
                error=error.reason,
            )
            await queue.release(session, ids[index + 1 :])
            return
        await queue.drop(session, message.id)
        await record_delivery(session, message, DeliveryStatus.SENT, channel_message_id=channel_message_id)
        metrics.outbound_sent(channel)


async def notify(outbox: Outbox, text: str) -> None:
    """A short notice that is not part of the conversation (not stored)."""
    try:
        await outbox.send(TextReply(text=text), None)
    except DeliveryFailed as error:
        logger.warning("notice not delivered reason=%s", error.reason)
