"""Outbound: the channels' side of the `Outbound` port (api/conversations/delivery.py).

Stored messages that answer no citizen request (an agent's reply, a hand-off notice, the
bot's message when an agent hands back) go to the conversation's own channel: a Telegram
chat or a WhatsApp number (WhatsApp's 24-hour window applies), each delivery recorded; any
other conversation (the web widget) hears them on its open sockets through the gateway's
events (connectors/web/socket.py).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Bot

from api.conversations import store
from api.conversations.delivery import Outbox, deliver
from api.models import ChannelThread, Conversation, Message
from api.pubsub import Broadcaster
from connectors.telegram.channel import TelegramOutbox
from connectors.web import socket
from connectors.whatsapp import identity as whatsapp_identity
from connectors.whatsapp.channel import SERVICE_WINDOW, WhatsAppOutbox
from connectors.whatsapp.client import GraphClient


class ChannelOutbound:
    """Built before the call center; `telegram` and `whatsapp` are None when that channel is off."""

    def __init__(self, broadcaster: Broadcaster, telegram: Bot | None, whatsapp: GraphClient | None) -> None:
        self._broadcaster = broadcaster
        self._telegram = telegram
        self._whatsapp = whatsapp

    async def push(self, session: AsyncSession, conversation: Conversation, messages: list[Message]) -> None:
        if conversation.channel not in ("telegram", "whatsapp"):
            await socket.push(self._broadcaster, conversation.id, messages)
            return
        outbox: Outbox
        window_open = True
        if conversation.channel == "telegram" and self._telegram is not None:
            outbox = TelegramOutbox(self._telegram, int(conversation.channel_user_id or 0))
        elif conversation.channel == "whatsapp" and self._whatsapp is not None:
            to = await whatsapp_identity.send_to(session, conversation.channel_user_id or "")
            outbox = WhatsAppOutbox(self._whatsapp, to)
            thread = await session.scalar(
                select(ChannelThread).where(
                    ChannelThread.channel == conversation.channel,
                    ChannelThread.channel_user_id == conversation.channel_user_id,
                )
            )
            window_open = thread is not None and store.within(thread, SERVICE_WINDOW)
        else:
            return
        await deliver(session, outbox, conversation.channel, messages, window_open=window_open)
