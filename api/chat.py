"""The message path: store the citizen's message, forward it to Rasa, store the replies."""

from __future__ import annotations

import logging
import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.models import Author, Conversation, Direction, HandledBy, Message, RasaStatus, utcnow
from api.rasa_client import BotReply, RasaClient, RasaUnavailableError

logger = logging.getLogger(__name__)

RASA_UNAVAILABLE_TEXT = (
    "Mohon maaf, asisten sedang tidak dapat dihubungi. Pesan Anda sudah kami simpan dan "
    "akan kami tindak lanjuti. Silakan coba lagi beberapa saat lagi."
)


async def receive(
    session: AsyncSession,
    rasa: RasaClient,
    conversation: Conversation,
    text: str,
    payload: str | None,
    metadata: dict[str, Any],
) -> tuple[Message, list[Message]]:
    """Handle one citizen message; return it and the messages sent back."""
    for_bot = conversation.handled_by is HandledBy.BOT
    incoming = Message(
        conversation_id=conversation.id,
        direction=Direction.IN,
        author=Author.CITIZEN,
        text=text,
        payload=payload if payload != text else None,
        buttons=[],
        rasa_status=RasaStatus.PENDING if for_bot else None,
    )
    session.add(incoming)
    conversation.last_message_at = utcnow()
    # Committed before Rasa is called: the message survives whatever happens next.
    await session.commit()
    logger.info(
        "message in conversation=%s message=%s chars=%d",
        conversation.id,
        incoming.id,
        len(text),
    )
    if not for_bot:
        return incoming, []

    try:
        replies = await rasa.send(
            sender=str(conversation.id),
            message=incoming.rasa_text,
            input_channel=conversation.channel,
            metadata=metadata,
        )
    except RasaUnavailableError as error:
        logger.warning(
            "rasa unavailable conversation=%s message=%s reason=%s",
            conversation.id,
            incoming.id,
            error.reason,
        )
        incoming.rasa_status = RasaStatus.FAILED
        outgoing = [_outgoing(conversation.id, Author.SYSTEM, RASA_UNAVAILABLE_TEXT)]
    else:
        incoming.rasa_status = RasaStatus.DELIVERED
        outgoing = [
            _outgoing(conversation.id, Author.BOT, reply.text or "", _buttons(reply))
            for reply in replies
            if reply.text or reply.buttons
        ]
        logger.info(
            "rasa replied conversation=%s message=%s replies=%d",
            conversation.id,
            incoming.id,
            len(outgoing),
        )

    session.add_all(outgoing)
    conversation.last_message_at = utcnow()
    await session.commit()
    return incoming, outgoing


async def history(session: AsyncSession, conversation_id: uuid.UUID, limit: int) -> list[Message]:
    """The latest `limit` messages of a conversation, oldest first."""
    latest = (
        select(Message)
        .where(Message.conversation_id == conversation_id)
        .order_by(Message.id.desc())
        .limit(limit)
    )
    messages = list((await session.scalars(latest)).all())
    messages.reverse()
    return messages


def _buttons(reply: BotReply) -> list[dict[str, str]]:
    return [{"title": button.title, "payload": button.payload} for button in reply.buttons]


def _outgoing(
    conversation_id: uuid.UUID,
    author: Author,
    text: str,
    buttons: list[dict[str, str]] | None = None,
) -> Message:
    return Message(
        conversation_id=conversation_id,
        direction=Direction.OUT,
        author=author,
        text=text,
        buttons=buttons or [],
    )
