"""The delivery worker: sends what the fast path could not (api/conversations/delivery.py).

Each round it leases the due rows that head their conversation's queue (`outbox.claim`: one
per chat, so message n+1 never goes before n is sent or given up) and sends them, several
chats at once. A failure the channel may recover from is retried with exponential backoff and
full jitter, never sooner than the channel's Retry-After; a permanent one is recorded as
`failed`. A reply whose next attempt would fall past `give_up_seconds` since it was stored is
given up (so each reply is tried at least once, even after a long outage), `failed` with
`gave_up`, and the conversation is marked for agents through the `Attention` port. Outside
WhatsApp's 24-hour window a reply is kept `undelivered`, as on the fast path.

Safe on several gateway replicas (PostgreSQL: `FOR UPDATE SKIP LOCKED` and a lease); on SQLite
one process runs it. A replica sends only on the channels it has configured.
"""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.conversations import outbox as queue
from api.conversations.delivery import OUTSIDE_WINDOW, Attention, DeliveryFailed, Senders
from api.conversations.model import needs_window
from api.conversations.store import record_delivery, stored_reply
from api.core.background import Periodic
from api.metrics import instruments as metrics
from api.models import Conversation, DeliveryStatus, Message, OutboxEntry, utcnow

logger = logging.getLogger(__name__)

GAVE_UP = "gave_up"


class DeliveryWorker:
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        senders: Senders,
        attention: Attention | None,
        *,
        poll_seconds: float = 1.0,
        batch: int = 50,
        concurrency: int = 8,
    ) -> None:
        self._sessionmaker = sessionmaker
        self._senders = senders
        self._attention = attention
        self._poll_seconds = poll_seconds
        self._batch = batch
        self._limit = asyncio.Semaphore(concurrency)
        # A busy round is followed by the next at once: a backlog drains without pausing.
        self._loop = Periodic(
            "outbox-worker",
            self.run_once,
            lambda: self._poll_seconds,
            log=logger,
            failed="outbox round failed",
            again_while_busy=True,
        )

    def start(self) -> None:
        if self._senders.channels:
            self._loop.start()

    async def aclose(self) -> None:
        await self._loop.aclose()

    async def run_once(self) -> int:
        """One round: lease the due heads and attempt each; returns how many were attempted."""
        channels = self._senders.channels
        if not channels:
            return 0
        async with self._sessionmaker() as session:
            entries = await queue.claim(session, channels, self._batch, queue.policy().lease_seconds)
        await asyncio.gather(*(self._attempt_guarded(entry) for entry in entries))
        return len(entries)

    async def drain(self, timeout: float = 30.0) -> None:
        """Rounds until nothing is due (tests, shutdown)."""
        async with asyncio.timeout(timeout):
            while await self.run_once():
                pass

    async def _attempt_guarded(self, entry: OutboxEntry) -> None:
        async with self._limit:
            try:
                await self._attempt(entry)
            except Exception:  # the lease expires and another round retries it
                logger.exception("outbox attempt failed message=%s", entry.message_id)

    async def _attempt(self, entry: OutboxEntry) -> None:
        async with self._sessionmaker() as session:
            message = await session.get(Message, entry.message_id)
            conversation = await session.get(Conversation, entry.conversation_id)
            if message is None or conversation is None:  # erased meanwhile: the row cascades
                return
            reply = stored_reply(message)
            target = await self._senders.outbox_for(session, conversation)
            if reply is None or target is None:
                logger.warning("outbox row without a readable reply or channel message=%s", message.id)
                await queue.drop(session, message.id)
                await session.commit()
                return
            outbox, window_open = target
            if not window_open and needs_window(reply):
                await queue.drop(session, message.id)
                await record_delivery(session, message, DeliveryStatus.UNDELIVERED, error=OUTSIDE_WINDOW)
                metrics.outbound_failed(entry.channel, "outside_window")
                return
            try:
                channel_message_id = await outbox.send(reply, message.id, entry.parts_sent)
            except DeliveryFailed as error:
                await self._failed(session, conversation, message, entry, error)
                return
            except Exception as error:  # a fault of the client, not an answer of the channel
                logger.exception("outbox send raised message=%s", message.id)
                unexpected = DeliveryFailed(f"unexpected: {type(error).__name__}", retryable=True)
                await self._failed(session, conversation, message, entry, unexpected)
                return
            await queue.drop(session, message.id)
            await record_delivery(
                session, message, DeliveryStatus.SENT, channel_message_id=channel_message_id
            )
            metrics.outbound_sent(entry.channel)
            logger.info(
                "outbox delivered channel=%s message=%s attempts=%d",
                entry.channel,
                message.id,
                entry.attempts + 1,
            )

    async def _failed(
        self,
        session: AsyncSession,
        conversation: Conversation,
        message: Message,
        entry: OutboxEntry,
        error: DeliveryFailed,
    ) -> None:
        policy = queue.policy()
        metrics.outbound_failed(entry.channel, "retryable" if error.retryable else "permanent")
        if not error.retryable:
            logger.warning(
                "reply not delivered channel=%s message=%s reason=%s", entry.channel, message.id, error.reason
            )
            await queue.drop(session, message.id)
            await record_delivery(session, message, DeliveryStatus.FAILED, error=error.reason)
            return
        delay = policy.delay(entry.attempts, error.retry_after)
        due = utcnow().timestamp() + delay
        if due >= policy.deadline(message.created_at).timestamp():
            await self._give_up(session, conversation, message, error.reason)
            return
        logger.info(
            "outbox retry channel=%s message=%s attempt=%d reason=%s retry_in=%.1fs",
            entry.channel,
            message.id,
            entry.attempts + 1,
            error.reason,
            delay,
        )
        await queue.reschedule(
            session,
            message.id,
            attempts=entry.attempts + 1,
            parts_sent=max(entry.parts_sent, error.sent_parts),
            delay_seconds=delay,
            error=error.reason,
        )

    async def _give_up(
        self, session: AsyncSession, conversation: Conversation, message: Message, last_error: str | None
    ) -> None:
        """Past the bound: `failed` with `gave_up`, and the conversation marked for agents."""
        logger.warning(
            "outbox gave up channel=%s message=%s last_error=%s", conversation.channel, message.id, last_error
        )
        await queue.drop(session, message.id)
        metrics.outbound_failed(conversation.channel, "gave_up")
        message.delivery_status = DeliveryStatus.FAILED
        message.delivery_error = f"{GAVE_UP}: {last_error or 'unknown'}"[:255]
        if self._attention is not None:
            await self._attention.undelivered(session, conversation)
        else:
            await session.commit()
