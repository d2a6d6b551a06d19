"""A citizen message sent again by its client: answered from what the gateway stored, never
played a second time.

The web widget and the HTTP API give each citizen message an id (a UUID the client makes,
`client_message_id`); the gateway stores it with the message, unique per conversation
(`uq_messages_client_message_id`), and the turn raises `store.DuplicateMessage` for an id it
stored before, whether the first attempt is over or still racing this one
(api/conversations/turn.py). A client resends when its connection died before the answer came:
the gateway behind it was killed, the network dropped, the load balancer closed it.

The resend's answer is the first attempt's: the replies stored for that message (`reply_to`).
While the first attempt's turn may still be running (its message `pending`, its process alive),
the resend waits for it, at most as long as a live turn can take. When that process died
mid-turn, the message is the retry worker's (api/conversations/retry.py): it plays it once no
turn can still run it and delivers the answer on the conversation's channel; the resend is told
so at once (`RECEIVED_TEXT`, stored as the message's reply, so later resends get it too).
Telegram and WhatsApp need none of this: they redeliver an update with its own id, which the
store recognises (`store.DuplicateUpdate`), and their replies go out through the outbox.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from api.conversations import waiting
from api.conversations.model import TextReply
from api.conversations.store import outgoing_message, replies_to
from api.models import Author, Message, RasaStatus, utcnow

logger = logging.getLogger(__name__)

# The first attempt's process died mid-turn: the answer comes through the retry worker.
RECEIVED_TEXT = (
    "Pesan Anda sudah kami terima dan sedang kami proses. Jawabannya akan muncul di sini "
    "sesegera mungkin. Anda tidak perlu mengirim ulang."
)


@dataclass(frozen=True)
class Resends:
    """How long a resend waits for its first attempt's turn: at most `longest_turn` (the
    admission queue's wait and Rasa's deadline, for each of two questions), and not at all once
    the process playing it has missed its heartbeat for `heartbeat_dead`."""

    longest_turn: timedelta = timedelta(seconds=52)
    heartbeat_dead: timedelta = timedelta(seconds=10)

    async def answer(self, session: AsyncSession, message_id: int) -> tuple[Message, list[Message]] | None:
        """The stored message `message_id` and the replies stored for it, once its turn is
        over (or cannot end here); None when it is gone (the conversation was erased)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.longest_turn.total_seconds()
        pause = 0.02
        while True:
            message = await session.get(Message, message_id, populate_existing=True)
            if message is None:
                return None
            running = message.rasa_status is RasaStatus.PENDING and await waiting.holder_alive(
                session, message.rasa_holder, utcnow() - self.heartbeat_dead
            )
            await session.commit()  # nothing written: no connection held while it waits
            if not running or loop.time() + pause > deadline:
                break
            await asyncio.sleep(pause)
            pause = min(0.2, pause * 2)
        replies = await replies_to(session, message)
        if not replies and message.rasa_status is RasaStatus.PENDING:
            notice = outgoing_message(message.conversation_id, Author.SYSTEM, TextReply(text=RECEIVED_TEXT))
            notice.reply_to = message.id
            session.add(notice)
            await session.commit()
            replies = [notice]
        logger.info(
            "resend answered from the store conversation=%s message=%s rasa_status=%s replies=%d",
            message.conversation_id,
            message.id,
            message.rasa_status,
            len(replies),
        )
        return message, replies
