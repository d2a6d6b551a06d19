"""The "sedang ramai" notice: what a citizen reads when their turn waits in this replica's
admission queue (api/rasa_client.py `Admission`), before the answer comes.

It is stored as a system message and sent on the conversation's own channel through the
`Outbound` port (api/conversations/delivery.py): a Telegram chat, a WhatsApp number, or the
web widget's open sockets (the widget's HTTP fallback reads it from the history).
"""

from __future__ import annotations

import logging
import uuid

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.conversations.delivery import Outbound
from api.conversations.model import TextReply
from api.conversations.store import outgoing_message
from api.models import Author, Conversation

logger = logging.getLogger(__name__)

BUSY_TEXT = "Mohon tunggu sebentar, asisten sedang ramai. Pesan Anda segera kami jawab."


class BusyNotice:
    """The admission's `on_queued` hook."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], outbound: Outbound) -> None:
        self._sessionmaker = sessionmaker
        self._outbound = outbound

    async def __call__(self, sender: str) -> None:
        try:
            conversation_id = uuid.UUID(sender)
        except ValueError:
            return
        async with self._sessionmaker() as session:
            conversation = await session.get(Conversation, conversation_id)
            if conversation is None:
                return
            notice = outgoing_message(conversation_id, Author.SYSTEM, TextReply(text=BUSY_TEXT))
            session.add(notice)
            await session.commit()
            logger.info("busy notice conversation=%s", conversation_id)
            await self._outbound.push(session, conversation, [notice])
