"""Failed turns retried: the worker that keeps the apology's promise.

A citizen message Rasa did not answer stays stored (`failed`, `queued`, or `pending` whose
process died; api/conversations/waiting.py). Every gateway replica runs this worker. Each pass,
while Rasa reports itself healthy, it takes the conversations that are due (a lease: one replica
per conversation) and plays their waiting messages oldest first through the turn
(`turn.replay`), delivering each answer on the conversation's channel through the `Outbound`
port (api/conversations/delivery.py). A message whose attempt fails stops its conversation
until the next attempt (backoff doubling from `turn_retry_base_seconds`, with jitter), so a
later message is never answered before an earlier one; a new message of the conversation
waits behind (turn.py). Live turns come first: the worker sends only while this replica's
admission has room (api/rasa_client.py).

Nothing is done twice. Each part of a message carries the gateway's turn id: the actions key
their service calls by it (a replayed case, billing or ticket request gets the first answer,
api/service_api/_idempotency.py), and when the tracker shows Rasa already answered it (the
answer was lost on the way back), that answer is delivered without playing it again.

Past `turn_retry_window_minutes` from the oldest waiting message, the messages are `expired`:
the citizen is told and the conversation goes to the hand-off queue with reason
`bot_unavailable` (the `Handoffs` port). A conversation that went to a person meanwhile has its
waiting messages `expired` for that person, who reads them in the transcript.
"""

from __future__ import annotations

import logging
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.conversations import turn, waiting
from api.conversations.delivery import Outbound
from api.conversations.model import TextReply
from api.conversations.store import conversation_state, mask_stored, outgoing_message
from api.core.background import Periodic
from api.models import Author, Conversation, HandledBy, Message, RasaStatus, utcnow
from api.rasa_client import RasaBusyError, RasaClient, RasaUnavailableError

logger = logging.getLogger(__name__)

GIVE_UP_REASON = "bot_unavailable"  # the hand-off's reason (api/callcenter/handoff.py)
GAVE_UP_TEXT = (
    "Mohon maaf, asisten belum dapat menjawab pesan Anda. Pesan Anda kami teruskan ke petugas "
    "untuk ditindaklanjuti."
)
BATCH = 20  # conversations per pass


@dataclass(frozen=True)
class RetryPolicy:
    poll_seconds: float = 2.0
    base_seconds: float = 5.0
    max_delay_seconds: float = 300.0
    window: timedelta = timedelta(minutes=30)
    stale_pending: timedelta = timedelta(seconds=120)
    # A pending message of a process whose heartbeat stopped: once no live turn can still run it.
    orphan_pending: timedelta = timedelta(seconds=52)
    heartbeat_dead: timedelta = timedelta(seconds=10)  # several missed passes
    lease: timedelta = timedelta(seconds=60)  # renewed before each message: above one Rasa turn
    health_timeout: float = 1.0


class TurnRetries:
    def __init__(
        self,
        policy: RetryPolicy,
        sessionmaker: async_sessionmaker[AsyncSession],
        rasa: RasaClient,
        handoffs: turn.Handoffs | None,
        outbound: Outbound,
        *,
        clock: Callable[[], datetime] = utcnow,
        rng: random.Random | None = None,
        process: str = waiting.PROCESS,
    ) -> None:
        self.policy = policy
        self._sessionmaker = sessionmaker
        self._rasa = rasa
        self._handoffs = handoffs
        self._outbound = outbound
        self._clock = clock
        self._rng = rng or random.Random()
        self.holder = uuid.uuid4().hex  # this replica, in the leases it takes
        self.process = process  # this process, in its heartbeat and its pending messages
        # Jitter: replicas' passes spread out.
        self._loop = Periodic(
            "turn-retries",
            self.run_once,
            lambda: self.policy.poll_seconds,
            log=logger,
            failed="turn retries pass failed",
            jitter=0.25,
            rng=self._rng,
        )

    def start(self) -> None:
        self._loop.start()

    async def aclose(self) -> None:
        await self._loop.aclose()

    async def run_once(self) -> int:
        """One pass; the number of messages answered (or given up)."""
        now = self._clock()
        async with self._sessionmaker() as session:
            await waiting.heartbeat(session, self.process, now)
            found = await waiting.due(session, now, self._cutoffs(now), BATCH)
        if not found:
            return 0
        healthy = (await self._rasa.health(self.policy.health_timeout)).up
        done = 0
        for conversation_id, seen in found.items():
            if healthy and not self._rasa.admission.has_room():
                break  # live turns first
            # A failed turn is tried again the first backoff after it was stored; a queued one now.
            first_due = seen.oldest + self._delay(0) if seen.failed else now
            async with self._sessionmaker() as session:
                if not await waiting.claim(
                    session, conversation_id, self.holder, now, self.policy.lease, first_due
                ):
                    continue
                done += await self._play(session, conversation_id, healthy=healthy)
        return done

    async def _play(self, session: AsyncSession, conversation_id: uuid.UUID, *, healthy: bool) -> int:
        """Play the claimed conversation's waiting messages in order; the number answered."""
        done = 0
        while True:
            now = self._clock()
            state = await conversation_state(session, conversation_id)
            pending = await waiting.messages(session, conversation_id, self._cutoffs(now))
            if state is None or not pending:
                await waiting.finished(session, conversation_id, self.holder)
                return done
            conversation = state.conversation
            await session.refresh(conversation)
            if conversation.handled_by is HandledBy.AGENT:
                await self._expire(session, pending)  # the person reads them in the transcript
                await waiting.finished(session, conversation_id, self.holder)
                return done + len(pending)
            if now - pending[0].created_at > self.policy.window:
                await self._give_up(session, conversation, pending)
                await waiting.finished(session, conversation_id, self.holder)
                return done + len(pending)
            if not healthy:  # Rasa down: no attempt, the health check is the gate
                await waiting.release(session, conversation_id, self.holder)
                return done
            for message in pending:
                if not self._rasa.admission.has_room():
                    await waiting.release(session, conversation_id, self.holder)
                    return done
                if await waiting.earlier_pending(session, conversation_id, message.id, self._cutoffs(now)):
                    # An earlier message is in a live turn (turn.py): this one comes after it.
                    await waiting.release(session, conversation_id, self.holder)
                    return done
                if not await waiting.renew(session, conversation_id, self.holder, self.policy.lease):
                    logger.warning("retry lease lost conversation=%s", conversation_id)
                    return done
                try:
                    replies = await turn.replay(
                        session, self._rasa, conversation, message, handoffs=self._handoffs
                    )
                except RasaBusyError:  # live turns took the room meanwhile: no attempt counted
                    await session.rollback()
                    await waiting.release(session, conversation_id, self.holder)
                    return done
                except RasaUnavailableError as error:
                    await session.rollback()
                    logger.warning(
                        "retry failed conversation=%s message=%s reason=%s",
                        conversation_id,
                        message.id,
                        error.reason,
                    )
                    await self._failed(session, conversation_id, error.reason)
                    return done
                logger.info("retry answered conversation=%s message=%s", conversation_id, message.id)
                done += 1
                await self._outbound.push(session, conversation, replies)
                if conversation.handled_by is HandledBy.AGENT:
                    break  # the bot handed off: the rest is the person's (next loop)

    async def _failed(self, session: AsyncSession, conversation_id: uuid.UUID, reason: str) -> None:
        attempts = await waiting.attempts(session, conversation_id)
        await waiting.attempt_failed(session, conversation_id, self.holder, reason, self._delay(attempts + 1))

    def _cutoffs(self, now: datetime) -> waiting.Cutoffs:
        policy = self.policy
        return waiting.Cutoffs.at(now, policy.stale_pending, policy.orphan_pending, policy.heartbeat_dead)

    def _delay(self, attempts: int) -> timedelta:
        return waiting.backoff(attempts, self.policy.base_seconds, self.policy.max_delay_seconds, self._rng)

    async def _expire(self, session: AsyncSession, messages: list[Message]) -> None:
        for message in messages:
            message.rasa_status = RasaStatus.EXPIRED
        await session.commit()
        await mask_stored(session, messages)

    async def _give_up(
        self, session: AsyncSession, conversation: Conversation, messages: list[Message]
    ) -> None:
        """The window passed: the citizen is told, and a person follows up (hand-off queue)."""
        for message in messages:
            message.rasa_status = RasaStatus.EXPIRED
        outgoing = [outgoing_message(conversation.id, Author.SYSTEM, TextReply(text=GAVE_UP_TEXT))]
        session.add_all(outgoing)
        if self._handoffs is not None:
            signal = {"type": turn.HANDOFF_SIGNAL, "reason": GIVE_UP_REASON}
            notices = await self._handoffs.on_signal(session, conversation, signal)  # commits
            outgoing += [outgoing_message(conversation.id, Author.SYSTEM, notice) for notice in notices]
            session.add_all(outgoing)
        await session.commit()
        logger.warning(
            "retry window passed conversation=%s messages=%d: handed off", conversation.id, len(messages)
        )
        await mask_stored(session, messages)
        await self._outbound.push(session, conversation, outgoing)
