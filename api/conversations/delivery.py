"""Delivery: sending stored replies on a channel and recording what became of each.

Two ports, implemented by the channels (connectors/):
- `Outbox` sends replies to one channel user: a channel answering its own webhook uses it
  with `deliver` (stored replies) and `notify` (a notice that is not stored);
- `Outbound` sends stored messages that answer no citizen request (an agent's reply, a
  hand-off notice) on the conversation's own channel: the call center gets it in its
  constructor.
"""

from __future__ import annotations

import logging
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from api.conversations.model import Reply, TextReply
from api.conversations.store import record_delivery, stored_reply
from api.models import Conversation, DeliveryStatus, Message

logger = logging.getLogger(__name__)


class DeliveryFailed(Exception):
    """The channel did not take a message; `reason` is the channel's error, no content."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Outbox(Protocol):
    """Sends replies to one channel user. `ref` is the stored message id (None for a notice
    that is not stored); returns the channel's id of the (last) message sent."""

    async def send(self, reply: Reply, ref: int | None) -> str | None: ...


class Outbound(Protocol):
    """Sends stored messages that answer no citizen request to the conversation's channel,
    recording each delivery."""

    async def push(
        self, session: AsyncSession, conversation: Conversation, messages: list[Message]
    ) -> None: ...


async def deliver(
    session: AsyncSession,
    outbox: Outbox,
    channel: str,
    messages: list[Message],
    *,
    window_open: bool = True,
) -> None:
    """Send the stored replies in order, recording each one's delivery. Outside the
    channel's window nothing is sent and each is marked undelivered."""
    for message in messages:
        reply = stored_reply(message)
        if reply is None:
            continue
        if not window_open:
            logger.warning(
                "reply not sent, outside the 24-hour window channel=%s message=%s",
                channel,
                message.id,
            )
            await record_delivery(session, message, DeliveryStatus.UNDELIVERED, error="outside_24h_window")
            continue
        try:
            channel_message_id = await outbox.send(reply, message.id)
        except DeliveryFailed as error:
            logger.warning(
                "reply not delivered channel=%s message=%s reason=%s",
                channel,
                message.id,
                error.reason,
            )
            await record_delivery(session, message, DeliveryStatus.FAILED, error=error.reason)
            continue
        await record_delivery(session, message, DeliveryStatus.SENT, channel_message_id=channel_message_id)


async def notify(outbox: Outbox, text: str) -> None:
    """A short notice that is not part of the conversation (not stored)."""
    try:
        await outbox.send(TextReply(text=text), None)
    except DeliveryFailed as error:
        logger.warning("notice not delivered reason=%s", error.reason)
