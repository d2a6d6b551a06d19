"""Outbound: the channels' side of the `Outbound` and `Senders` ports
(api/conversations/delivery.py).

Stored messages that answer no citizen request (an agent's reply, a hand-off notice, the
bot's message when an agent hands back, a retried turn's answer) go to the conversation's own
channel: a Telegram chat or a WhatsApp number (WhatsApp's 24-hour window applies), through
the outbox's fast path, each delivery recorded; any other conversation (the web widget) hears
them on its open sockets through the gateway's events (connectors/web/socket.py) and reads
them from the store when it comes back. The delivery worker asks `outbox_for` for the
`Outbox` of a conversation whose reply it retries.
"""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Bot

from api.attachments.storage import Storage
from api.conversations import store
from api.conversations.delivery import Outbox, deliver
from api.models import ChannelThread, Conversation, Message
from api.pubsub import Broadcaster, conversation_topic
from connectors.telegram.channel import TelegramOutbox
from connectors.web import socket
from connectors.whatsapp import identity as whatsapp_identity
from connectors.whatsapp.channel import SERVICE_WINDOW, WhatsAppOutbox
from connectors.whatsapp.client import GraphClient

logger = logging.getLogger(__name__)


class ChannelOutbound:
    """Built before the call center; `telegram` and `whatsapp` are None when that channel is off."""

    def __init__(
        self,
        broadcaster: Broadcaster,
        telegram: Bot | None,
        whatsapp: GraphClient | None,
        *,
        attachments: Storage | None = None,
    ) -> None:
        self._broadcaster = broadcaster
        self._telegram = telegram
        self._whatsapp = whatsapp
        self._attachments = attachments  # agents' files, uploaded to the channel

    @property
    def channels(self) -> frozenset[str]:
        on = {"telegram": self._telegram, "whatsapp": self._whatsapp}
        return frozenset(channel for channel, sender in on.items() if sender is not None)

    async def push(self, session: AsyncSession, conversation: Conversation, messages: list[Message]) -> None:
        if conversation.channel not in ("telegram", "whatsapp"):
            await socket.push(self._broadcaster, conversation.id, messages)
            return
        target = await self.outbox_for(session, conversation)
        if target is None:
            return
        outbox, window_open = target
        await deliver(session, outbox, conversation.channel, messages, window_open=window_open)

    async def typing(self, conversation: Conversation) -> None:
        """An agent is typing to the citizen, where the channel shows it: the widget's sockets
        (a `typing` frame from the agent, which the widget clears by itself) and Telegram's
        chat action (shown for 5 seconds). WhatsApp's typing indicator needs the citizen's
        last message id, which is not kept: nothing there."""
        if conversation.channel == "web":
            await self._broadcaster.publish(
                conversation_topic(conversation.id), {"type": "typing", "active": True, "author": "agent"}
            )
        elif (
            conversation.channel == "telegram" and self._telegram is not None and conversation.channel_user_id
        ):
            try:
                await self._telegram.send_chat_action(int(conversation.channel_user_id), "typing")
            except Exception as error:  # best effort: a lost indicator is no harm
                logger.info("telegram typing not shown error=%s", type(error).__name__)

    async def outbox_for(
        self, session: AsyncSession, conversation: Conversation
    ) -> tuple[Outbox, bool] | None:
        if conversation.channel == "telegram" and self._telegram is not None:
            chat_id = int(conversation.channel_user_id or 0)
            return TelegramOutbox(self._telegram, chat_id, attachments=self._attachments), True
        if conversation.channel == "whatsapp" and self._whatsapp is not None:
            thread = await session.scalar(
                select(ChannelThread).where(
                    ChannelThread.channel == conversation.channel,
                    ChannelThread.channel_user_id == conversation.channel_user_id,
                )
            )
            window_open = thread is not None and store.within(thread, SERVICE_WINDOW)
            to = await whatsapp_identity.send_to(session, conversation.channel_user_id or "")
            return WhatsAppOutbox(self._whatsapp, to, attachments=self._attachments), window_open
        return None
