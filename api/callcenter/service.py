"""The call center as the gateway runs it: hand-offs started by the bot's signal, the
citizen's hand-off buttons, the agents' actions, and the timeouts. Each operation commits
its transition (api/callcenter/handoff.py), stores what the citizen should read, delivers
it on the citizen's own channel through the outbound port it is built with
(api/conversations/delivery.py) and tells every console through the event broadcaster.

It is the `Handoffs` port of a citizen's turn (api/conversations/turn.py): the core calls it
without knowing it, and it knows no channel.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Annotated, Any, Protocol, runtime_checkable

import phonenumbers
from fastapi import Depends, Request
from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api import cases
from api.callcenter import handoff as machine
from api.callcenter import reach, survey, texts
from api.callcenter.handoff import Conflict
from api.callcenter.hours import OpeningHours
from api.callcenter.lookup_keys import callback_key
from api.callcenter.signal import read_signal
from api.callcenter.teams import GENERAL, TEAMS
from api.conversations.bot_conversations import BotConversations
from api.conversations.delivery import Outbound
from api.conversations.model import ContactIn, Inbound, Reply, TextIn, TextReply, from_rasa_replies
from api.conversations.store import mask_stored, outgoing_message
from api.conversations.turn import reveal_replies
from api.core.background import Periodic
from api.core.config import Settings
from api.identity.verifier import Verifier
from api.metrics import instruments as metrics
from api.models import (
    Agent,
    Author,
    CaseKind,
    Conversation,
    DeliveryStatus,
    Direction,
    Handoff,
    HandoffEvent,
    HandoffState,
    Message,
    utcnow,
)
from api.pubsub import CONSOLE, Broadcaster
from api.rasa_client import RasaClient, RasaUnavailableError

logger = logging.getLogger(__name__)

# What the gateway sends Rasa when the bot takes a conversation back (actions: resume).
RESUME_PAYLOAD = "/handoff_returned"
# When an agent closes: the bot starts afresh.
RESTART_PAYLOAD = "/restart"
SWEEP_SECONDS = 30

CONTACT_LABELS = {
    "callback": "Menunggu ditelepon petugas",
    "ticket": "Menunggu tindak lanjut petugas",
    "in_progress": "Sedang ditangani petugas",
    "closed": "Selesai",
}
cases.register_case_type(CaseKind.CONTACT_REQUEST, CONTACT_LABELS)


@runtime_checkable
class ShowsTyping(Protocol):
    """An outbound port that can show the citizen an agent is typing (connectors/outbound.py)."""

    async def typing(self, conversation: Conversation) -> None: ...


class CallCenter:
    def __init__(
        self,
        settings: Settings,
        sessionmaker: async_sessionmaker[AsyncSession],
        rasa: RasaClient,
        broadcaster: Broadcaster,
        outbound: Outbound,
        bot_conversations: BotConversations,
    ) -> None:
        """`outbound` delivers what answers no citizen request (api/conversations/delivery.py);
        `bot_conversations` is told when a hand-off starts."""
        self.settings = settings
        self.hours = OpeningHours.parse(
            settings.call_center_hours,
            settings.call_center_timezone,
            closed_on_holidays=settings.call_center_closed_on_holidays,
        )
        self.broadcaster = broadcaster
        self._sessionmaker = sessionmaker
        self._rasa = rasa
        self._outbound = outbound
        # The timeouts' sweeper: every SWEEP_SECONDS, the first one SWEEP_SECONDS after start.
        self._sweeper = Periodic(
            "handoff-sweeper",
            self.sweep,
            lambda: SWEEP_SECONDS,
            log=logger,
            failed="handoff sweep failed",
            pause_first=True,
        )
        self.bot_conversations = bot_conversations
        # Proves callback numbers (api/identity/verifier.py); set by the app once its adapters
        # exist. Without it no callback is booked to a number the citizen typed.
        self.verifier: Verifier | None = None
        self.mailer: reach.Mailer | None = None  # e-mail for tickets' answers (AW_SMTP_HOST)
        # The service's WhatsApp number a web citizen may message a ticket's code to.
        self._whatsapp_number = settings.whatsapp_display_number if settings.whatsapp_enabled else ""

    def start(self) -> None:
        """The timeouts' sweeper."""
        self._sweeper.start()

    async def aclose(self) -> None:
        await self._sweeper.aclose()

    # --- The citizen's side (called by a turn) -------------------------------------------

    @staticmethod
    def intercepts(conversation: Conversation, handoff: Handoff | None, event: Inbound) -> bool:
        """Whether the gateway answers this event itself: a hand-off or survey button, the
        phone number it asked for, or the survey's comment."""
        payload = event.rasa_message()
        if payload in texts.HANDOFF_PAYLOADS or payload in survey.SURVEY_PAYLOADS:
            return True
        if CallCenter._is_comment(conversation, handoff, event):
            return True
        return handoff is not None and handoff.awaiting_phone and isinstance(event, TextIn | ContactIn)

    async def on_control(
        self, session: AsyncSession, conversation: Conversation, handoff: Handoff | None, event: Inbound
    ) -> list[Reply]:
        """Answer a hand-off or survey button, the callback number or the survey's comment.
        Commits."""
        payload = event.rasa_message()
        if payload in survey.SURVEY_PAYLOADS or self._is_comment(conversation, handoff, event):
            return [await self._on_survey(session, conversation, payload, event)]
        if handoff is None:
            return [texts.NOTHING_TO_CANCEL]
        if payload == texts.CANCEL:
            if handoff.state not in (machine.QUEUED, machine.OFFERED):
                return [texts.NOTHING_TO_CANCEL]
            await machine.transition(
                session, handoff, machine.RETURNED, allowed_from=(machine.QUEUED, machine.OFFERED),
                detail="citizen_cancelled", closed_at=utcnow(), awaiting_phone=False,
            )  # fmt: skip
            await session.commit()
            await self._publish_change(handoff)
            return await self._resume_bot(conversation)
        if handoff.state is not machine.OFFERED:
            return [texts.NOTHING_TO_CANCEL]
        if payload == texts.TICKET and conversation.channel == "web":  # ask where to answer
            return [reach.ask_reach(email=self.mailer is not None)]
        if payload in (texts.TICKET, texts.REACH_SELF):
            return [await self._book(session, conversation, handoff, machine.TICKET, phone=None)]
        if payload in (texts.REACH_WHATSAPP, texts.REACH_EMAIL):
            return [await self._ask_reach_address(session, conversation, handoff, payload)]
        if payload == texts.CALLBACK:
            handoff.reach_channel = None  # a callback after all
            # Only a number the citizen proved: the WhatsApp sender's own, a Telegram contact
            # shared by its own user, or one that received a code typed back.
            known = await self.verifier.proven_phone(session, conversation.id) if self.verifier else None
            if known:
                return [await self._book_phone(session, conversation, handoff, f"+{known}")]
            handoff.awaiting_phone = True
            await session.commit()
            return [texts.ASK_PHONE]
        if handoff.reach_channel == reach.EMAIL:
            return [await self._take_email(session, conversation, handoff, event)]
        return [await self._prove_phone(session, conversation, handoff, event)]

    @staticmethod
    def _is_comment(conversation: Conversation, handoff: Handoff | None, event: Inbound) -> bool:
        """Typed words (not a button's payload) within the comment window after a rating."""
        return (
            handoff is None
            and isinstance(event, TextIn)
            and event.text not in texts.HANDOFF_PAYLOADS
            and survey.awaits_comment(conversation)
        )

    async def _on_survey(
        self, session: AsyncSession, conversation: Conversation, payload: str, event: Inbound
    ) -> Reply:
        """A rating, "Lewati", or the comment typed after a rating. Commits."""
        score = survey.score_of(payload)
        if score is not None:
            rated = await survey.rate(session, conversation, score)
            answer = texts.survey_rated(score, survey.SKIP_COMMENT) if rated else texts.SURVEY_CLOSED
        elif payload == survey.SKIP_COMMENT:
            survey.skip_comment(conversation)
            answer = texts.SURVEY_THANKS
        else:
            assert isinstance(event, TextIn)
            await survey.comment(session, conversation, event.text)
            answer = texts.SURVEY_THANKS
        await session.commit()
        # The comment window is a column of the conversation: every replica reads it again.
        await self.bot_conversations.handoff_started(conversation.id)
        return answer

    async def _prove_phone(
        self, session: AsyncSession, conversation: Conversation, handoff: Handoff, event: Inbound
    ) -> Reply:
        """The number asked for: a contact the channel vouches is the citizen's own is booked;
        a typed number gets a code by SMS, and is booked once the code is typed back."""
        verifier = self.verifier
        if isinstance(event, ContactIn):
            if not event.own or conversation.channel not in ("telegram", "whatsapp") or verifier is None:
                return texts.OWN_NUMBER_ONLY
            await verifier.record_proven_phone(
                session, conversation.id, event.phone_number, conversation.channel
            )
            proven = await verifier.proven_phone(session, conversation.id)
            if proven is None:
                return texts.INVALID_PHONE
            return await self._book_phone(session, conversation, handoff, f"+{proven}")
        assert isinstance(event, TextIn)
        if verifier is None:
            return texts.OWN_NUMBER_ONLY
        typed = event.text.strip().replace(" ", "")
        if typed.isdigit() and len(typed) == 6 and await verifier.pending_phone(session, conversation.id):
            proved = await verifier.check_phone_code(session, conversation.id, typed)
            if proved is None:
                return texts.ASK_CODE_AGAIN
            return await self._book_phone(session, conversation, handoff, f"+{proved}")
        phone = parse_phone(event.text)
        masked = await verifier.send_phone_code(session, conversation.id, phone) if phone else None
        if masked is None:
            return texts.INVALID_PHONE
        return texts.code_sent(masked)

    async def _ask_reach_address(
        self, session: AsyncSession, conversation: Conversation, handoff: Handoff, payload: str
    ) -> Reply:
        """WhatsApp: the number proved in this conversation, else ask one (proved by SMS code);
        e-mail: ask the address (api/callcenter/reach.py)."""
        if payload == texts.REACH_EMAIL and self.mailer is None:
            return reach.ask_reach(email=False)
        handoff.reach_channel = reach.WHATSAPP if payload == texts.REACH_WHATSAPP else reach.EMAIL
        if handoff.reach_channel == reach.WHATSAPP and self.verifier is not None:
            known = await self.verifier.proven_phone(session, conversation.id)
            if known:
                return await self._book_phone(session, conversation, handoff, f"+{known}")
        handoff.awaiting_phone = True  # the next text is the number or the address
        if handoff.reach_channel == reach.EMAIL:
            await session.commit()
            return reach.ASK_EMAIL
        code = reach.new_code() if self._whatsapp_number else None
        if code is not None:  # or proved by messaging the service's WhatsApp number
            handoff.reach_code_hash = reach.code_hash(code)
            handoff.reach_code_expires_at = utcnow() + reach.CODE_TTL
        await session.commit()
        return reach.ask_whatsapp(code, self._whatsapp_number)

    @staticmethod
    def reach_code(text: str) -> str | None:
        return reach.code_in(text)

    async def claim_whatsapp_code(self, session: AsyncSession, code: str, address: str) -> str:
        """A "TIKET 123456" message from WhatsApp `address` (+number, or the sender's BSUID):
        the web ticket waiting for that code is booked with the answer going there, and the
        web conversation is told. Returns the WhatsApp sender's answer. Commits."""
        handoff = await session.scalar(
            select(Handoff).where(
                Handoff.reach_code_hash == reach.code_hash(code),
                Handoff.reach_code_expires_at > utcnow(),
                Handoff.state == machine.OFFERED,
                Handoff.reach_channel == reach.WHATSAPP,
            )
        )
        conversation = await session.get(Conversation, handoff.conversation_id) if handoff else None
        if handoff is None or conversation is None:
            logger.info("whatsapp reach code not matched")
            return reach.UNKNOWN_CODE
        handoff.reach_code_hash = handoff.reach_code_expires_at = None  # used once
        given = await self._book(
            session, conversation, handoff, machine.TICKET, phone=None, reach_to=(reach.WHATSAPP, address)
        )
        await self._send_replies(session, conversation, Author.SYSTEM, [given])  # the web page
        logger.info("whatsapp reach proved by message handoff=%s", handoff.id)
        return reach.code_accepted(handoff.case_number or "")

    async def _take_email(
        self, session: AsyncSession, conversation: Conversation, handoff: Handoff, event: Inbound
    ) -> Reply:
        address = reach.parse_email(event.text) if isinstance(event, TextIn) else None
        if address is None:
            return reach.INVALID_EMAIL
        return await self._book(
            session, conversation, handoff, machine.TICKET, phone=None, reach_to=(reach.EMAIL, address)
        )

    async def _book_phone(
        self, session: AsyncSession, conversation: Conversation, handoff: Handoff, phone: str
    ) -> Reply:
        """A proved number: a callback, or where a web ticket's answer goes on WhatsApp."""
        if handoff.reach_channel == reach.WHATSAPP:
            return await self._book(
                session, conversation, handoff, machine.TICKET, phone=None, reach_to=(reach.WHATSAPP, phone)
            )
        return await self._book(session, conversation, handoff, machine.CALLBACK, phone=phone)

    async def on_signal(
        self, session: AsyncSession, conversation: Conversation, custom: Mapping[str, Any]
    ) -> list[Reply]:
        """The bot asked for a person (`custom`: its signal): queue the conversation, or offer
        a callback or a ticket when the call center is closed or nobody is there. Commits."""
        if conversation.channel == "assist":  # an agent is already talking to the caller
            return []
        signal = read_signal(custom)
        current = await machine.open_handoff(session, conversation.id)
        if current is not None and current.state in machine.WITH_PEOPLE:
            return [await self._queue_notice(session, current)]
        if current is not None:  # an offer, callback or ticket pending: this request replaces it
            await machine.transition(
                session, current, machine.RETURNED, allowed_from=(current.state,), detail="superseded",
                closed_at=utcnow(), awaiting_phone=False,
            )  # fmt: skip
        now = utcnow()
        staff = await machine.staffing(session, now)
        team = machine.route(signal.team, staff)
        open_now = self.hours.is_open(now)
        if not open_now or team is None:
            await machine.start(
                session, conversation, reason=signal.reason, team=signal.team, state=machine.OFFERED
            )
            await session.commit()
            await self.bot_conversations.handoff_started(conversation.id)
            logger.info("handoff offered conversation=%s closed=%s", conversation.id, not open_now)
            return [texts.offer(self.hours.describe(), closed=not open_now)]
        handoff = await machine.start(
            session, conversation, reason=signal.reason, team=team, state=machine.QUEUED
        )
        await session.commit()
        await self.bot_conversations.handoff_started(conversation.id)
        logger.info("handoff queued conversation=%s team=%s reason=%s", conversation.id, team, signal.reason)
        await self._publish_change(handoff)
        return [await self._queue_notice(session, handoff, staff)]

    async def undelivered(self, session: AsyncSession, conversation: Conversation) -> None:
        """The outbox gave up on a reply (the `Attention` port, api/conversations/delivery.py):
        agents follow it up. Without an open hand-off the conversation becomes a ticket in the
        general queue (reason `undelivered`); an offer still open becomes that ticket; any other
        open hand-off, already with or waiting for people, gets an event saying so. Commits
        (with the caller's changes)."""
        now = utcnow()
        current = await machine.open_handoff(session, conversation.id)
        if current is None:
            handoff = await machine.start(
                session, conversation, reason=machine.UNDELIVERED, team=GENERAL, state=machine.TICKET
            )
        elif current.state is machine.OFFERED:
            await machine.transition(
                session, current, machine.TICKET, allowed_from=(machine.OFFERED,), detail=machine.UNDELIVERED,
                queued_at=now, awaiting_phone=False,
            )  # fmt: skip
            handoff = current
        else:
            session.add(
                HandoffEvent(handoff_id=current.id, state=current.state, detail=machine.UNDELIVERED, at=now)
            )
            handoff = current
        await session.commit()
        await self.bot_conversations.handoff_started(conversation.id)
        logger.warning(
            "handoff for an undelivered reply conversation=%s handoff=%s", conversation.id, handoff.id
        )
        await self._publish_change(handoff)

    async def on_message_for_people(self, handoff: Handoff | None) -> None:
        """A citizen's message stored for the agent (not sent to the bot)."""
        if handoff is not None:
            await self.broadcaster.publish(CONSOLE, {"type": "handoff", "id": handoff.id})

    # --- The agents' side (called by the console routes) --------------------------------

    async def claim(self, session: AsyncSession, handoff: Handoff, agent: Agent) -> None:
        """Take a waiting conversation. Of two agents claiming at once exactly one wins; the
        other gets `Conflict`. Supervisors may take any team's; agents only their teams'."""
        if not can_see(agent, handoff):
            raise Conflict(handoff.id)
        await machine.transition(
            session, handoff, machine.ACTIVE, allowed_from=machine.CLAIMABLE, by=agent,
            agent_id=agent.id, claimed_at=utcnow(),
        )  # fmt: skip
        metrics.handoff_claimed(handoff.team, handoff.queued_at, handoff.claimed_at)
        if handoff.case_number:
            await self._set_case_status(session, handoff.case_number, "in_progress")
        await self._notify(session, handoff, texts.agent_joined(agent_label(agent)))

    async def reply(self, session: AsyncSession, handoff: Handoff, agent: Agent, text: str) -> Message:
        """An agent's message to the citizen, on the citizen's channel."""
        self._require_owner(handoff, agent)
        message = outgoing_message(handoff.conversation_id, Author.AGENT, TextReply(text=text))
        message.agent_id, message.sender_name = agent.id, agent_label(agent)
        session.add(message)
        await session.commit()
        await self._deliver(session, handoff.conversation_id, [message])
        if handoff.reach_channel in (reach.WHATSAPP, reach.EMAIL):  # a web ticket's answer
            template = self.settings.whatsapp_answer_template, self.settings.whatsapp_update_template_language
            await reach.relay(session, handoff, text, self._outbound, self.mailer, *template)
        # Delivered as written; kept masked (an agent may repeat a NIK or a birth date).
        await mask_stored(session, [message])
        await self._publish_change(handoff)
        return message

    async def typing(self, session: AsyncSession, handoff: Handoff, agent: Agent) -> None:
        """The agent is typing: shown to the citizen where the channel can."""
        self._require_owner(handoff, agent)
        conversation = await session.get(Conversation, handoff.conversation_id)
        if conversation is not None and isinstance(self._outbound, ShowsTyping):
            await self._outbound.typing(conversation)

    async def citizen_activity(
        self, conversation_id: uuid.UUID, handoff: Handoff | None, activity: str
    ) -> None:
        """The citizen is typing (`typing`) or has read the agent's messages (`read`): the
        consoles showing the conversation hear it. Only while an agent has it."""
        if handoff is not None and handoff.state is machine.ACTIVE:
            await self.broadcaster.publish(
                CONSOLE, {"type": activity, "id": handoff.id, "conversation_id": str(conversation_id)}
            )

    async def message_read(self, session: AsyncSession, conversation_id: uuid.UUID) -> None:
        """A channel's "read" status (WhatsApp), recorded already: the agent's console hears it."""
        await self.citizen_activity(
            conversation_id, await machine.open_handoff(session, conversation_id), "read"
        )

    async def read_by_citizen(self, session: AsyncSession, conversation_id: uuid.UUID, up_to: int) -> None:
        """The web widget showed the citizen the agents' messages up to `up_to`: they are
        read, and the consoles hear it (WhatsApp's own "read" statuses are recorded by its
        webhook). Commits."""
        result = await session.execute(
            update(Message)
            .where(
                Message.conversation_id == conversation_id,
                Message.author == Author.AGENT,
                Message.id <= up_to,
                or_(Message.delivery_status.is_(None), Message.delivery_status != DeliveryStatus.READ),
            )
            .values(delivery_status=DeliveryStatus.READ)
            .execution_options(synchronize_session=False)
        )
        await session.commit()
        if result.rowcount:  # type: ignore[attr-defined]
            handoff = await machine.open_handoff(session, conversation_id)
            await self.citizen_activity(conversation_id, handoff, "read")

    async def send_file(
        self,
        session: AsyncSession,
        handoff: Handoff,
        agent: Agent,
        keep: Callable[[], Awaitable[tuple[Message, object]]],
    ) -> Message:
        """An agent's file (api/attachments: `keep` stores it and adds its message) to the
        citizen, on the citizen's channel."""
        self._require_owner(handoff, agent)
        message, _ = await keep()
        message.agent_id, message.sender_name = agent.id, agent_label(agent)
        await session.commit()
        await self._deliver(session, handoff.conversation_id, [message])
        await mask_stored(session, [message])  # a caption or name may repeat a NIK
        await self._publish_change(handoff)
        return message

    async def transfer_to_agent(
        self, session: AsyncSession, handoff: Handoff, agent: Agent, target: Agent
    ) -> None:
        self._require_owner(handoff, agent)
        await machine.transition(
            session, handoff, machine.ACTIVE, allowed_from=(machine.ACTIVE,), by=agent,
            detail=f"agent:{target.id}", agent_id=target.id, claimed_at=utcnow(),
        )  # fmt: skip
        await self._notify(session, handoff, texts.transferred_to_agent(agent_label(target)))

    async def transfer_to_team(
        self, session: AsyncSession, handoff: Handoff, agent: Agent, team: str
    ) -> None:
        self._require_owner(handoff, agent)
        await machine.transition(
            session, handoff, machine.QUEUED, allowed_from=(machine.ACTIVE,), by=agent,
            detail=f"team:{team}", team=team, agent_id=None, claimed_at=None, queued_at=utcnow(),
        )  # fmt: skip
        place = await machine.position(session, handoff)
        await self._notify(session, handoff, texts.transferred_to_team(TEAMS[team], place))

    async def hand_back(self, session: AsyncSession, handoff: Handoff, agent: Agent) -> None:
        """The bot takes the conversation back and resumes with its context."""
        self._require_owner(handoff, agent)
        await machine.transition(
            session, handoff, machine.RETURNED, allowed_from=(machine.ACTIVE,), by=agent, closed_at=utcnow()
        )
        await session.commit()
        await self._publish_change(handoff)
        conversation = await session.get(Conversation, handoff.conversation_id)
        assert conversation is not None
        await self._send_replies(session, conversation, Author.BOT, await self._resume_bot(conversation))

    async def close(self, session: AsyncSession, handoff: Handoff, agent: Agent, disposition: str) -> None:
        """End the conversation with `disposition`: the citizen's notice says what it means (a
        follow-up keeps a ticket open), then the satisfaction survey, unless abusive."""
        self._require_owner(handoff, agent)
        await machine.transition(
            session, handoff, machine.CLOSED, allowed_from=(machine.ACTIVE,), by=agent, detail=disposition,
            disposition=disposition, closed_at=utcnow(),
        )  # fmt: skip
        conversation = await session.get(Conversation, handoff.conversation_id)
        assert conversation is not None
        ticket = (
            await self._follow_up_ticket(session, conversation, handoff)
            if disposition == "follow_up"
            else None
        )
        if handoff.case_number and disposition != "follow_up":
            await self._set_case_status(session, handoff.case_number, "closed")
        notices: list[Reply] = [texts.closed(disposition, ticket)]
        if disposition not in survey.NOT_ASKED:
            await survey.ask(session, handoff, conversation.channel)
            notices.append(
                texts.survey_question({score: f"{survey.RATING_PREFIX}{score}" for score in survey.SCORES})
            )
        await self._notify(session, handoff, *notices)
        await self._restart_bot(handoff.conversation_id)

    async def _follow_up_ticket(
        self, session: AsyncSession, conversation: Conversation, handoff: Handoff
    ) -> str:
        """The ticket a follow-up stays open under: the hand-off's own case (left open), or a new
        one "waiting for an agent's follow-up" that the citizen can ask about."""
        if handoff.case_number:  # stays open, "being handled by an agent"
            return handoff.case_number
        case = await cases.open_case(
            session,
            CaseKind.CONTACT_REQUEST,
            status="ticket",
            summary={"type": "ticket", "team": handoff.team},
            conversation_id=conversation.id,
        )
        handoff.case_number = case.case_number
        return case.case_number

    # --- Timeouts --------------------------------------------------------------------------

    async def sweep(self, now: datetime | None = None) -> int:
        """Apply the timeouts once; returns how many hand-offs changed. Safe on several
        replicas at once: each transition is conditional."""
        now = now or utcnow()
        max_wait = timedelta(minutes=self.settings.handoff_max_wait_minutes)
        idle = timedelta(minutes=self.settings.handoff_idle_minutes)
        changed = 0
        async with self._sessionmaker() as session:
            # Offers first: one made by this very sweep must not expire in it.
            offers = await session.scalars(
                select(Handoff).where(Handoff.state == machine.OFFERED, Handoff.updated_at <= now - idle)
            )
            for handoff in list(offers):
                changed += await self._timeout(session, handoff, machine.RETURNED, "offer_expired", None)
            waited = await session.scalars(
                select(Handoff).where(Handoff.state == machine.QUEUED, Handoff.queued_at <= now - max_wait)
            )
            for handoff in list(waited):
                changed += await self._timeout(
                    session,
                    handoff,
                    machine.OFFERED,
                    "waited_too_long",
                    texts.waited_too_long(self.hours.describe()),
                )
            for handoff in list(
                await session.scalars(select(Handoff).where(Handoff.state == machine.ACTIVE))
            ):
                if await self._last_citizen_activity(session, handoff) <= now - idle:
                    changed += await self._timeout(
                        session,
                        handoff,
                        machine.CLOSED,
                        "abandoned",
                        texts.ABANDONED,
                        disposition="abandoned",
                    )
        return changed

    async def _timeout(
        self,
        session: AsyncSession,
        handoff: Handoff,
        to: HandoffState,
        detail: str,
        notice: Reply | None,
        **changes: Any,
    ) -> int:
        ended: dict[str, Any] = {"closed_at": utcnow()} if to in (machine.CLOSED, machine.RETURNED) else {}
        try:
            await machine.transition(
                session, handoff, to, allowed_from=(handoff.state,), detail=detail,
                awaiting_phone=False, **ended, **changes,
            )  # fmt: skip
        except Conflict:
            return 0  # another replica or an agent got there first
        logger.info("handoff timeout handoff=%s to=%s", handoff.id, to.value)
        metrics.handoff_timeout(handoff.team, detail)
        if notice is not None:
            await self._notify(session, handoff, notice)
        else:
            await session.commit()
            await self._publish_change(handoff)
        return 1

    @staticmethod
    async def _last_citizen_activity(session: AsyncSession, handoff: Handoff) -> datetime:
        latest = await session.scalar(
            select(func.max(Message.created_at)).where(
                Message.conversation_id == handoff.conversation_id, Message.direction == Direction.IN
            )
        )
        claimed = handoff.claimed_at or handoff.updated_at
        return max(claimed, latest) if latest is not None else claimed

    # --- Helpers -----------------------------------------------------------------------------

    @staticmethod
    def _require_owner(handoff: Handoff, agent: Agent) -> None:
        if handoff.state is not machine.ACTIVE or handoff.agent_id != agent.id:
            raise Conflict(handoff.id)

    async def _queue_notice(
        self, session: AsyncSession, handoff: Handoff, staff: machine.Staffing | None = None
    ) -> Reply:
        staff = staff or await machine.staffing(session)
        place = await machine.position(session, handoff)
        return texts.queued(place, await machine.estimated_wait_minutes(session, handoff, staff))

    async def _book(
        self,
        session: AsyncSession,
        conversation: Conversation,
        handoff: Handoff,
        to: HandoffState,
        *,
        phone: str | None,
        reach_to: tuple[str, str] | None = None,
    ) -> Reply:
        """A callback or a ticket: a contact-request case the citizen can follow, queued for
        agents at the next opening; `reach_to`: where a ticket's answer also goes."""
        kind = "callback" if to is machine.CALLBACK else "ticket"
        case = await cases.open_case(
            session,
            CaseKind.CONTACT_REQUEST,
            status=kind,
            summary={"type": kind, "team": handoff.team},
            conversation_id=conversation.id,
        )
        await machine.transition(
            session, handoff, to, allowed_from=(machine.OFFERED,), detail=kind, case_number=case.case_number,
            callback_phone=phone, callback_phone_hash=callback_key(phone) if phone else None,
            awaiting_phone=False, queued_at=utcnow(),
            reach_channel=reach_to[0] if reach_to else reach.SELF if to is machine.TICKET else None,
            reach_address=reach_to[1] if reach_to else None,
        )  # fmt: skip
        await session.commit()
        await self._publish_change(handoff)
        hours = self.hours.describe()
        if phone is not None:
            return texts.callback_booked(mask_phone(phone), case.case_number, hours)
        if reach_to is not None:
            channel, address = reach_to
            shown = (
                reach.mask_email(address) if channel == reach.EMAIL
                else mask_phone(address) if address.startswith("+")
                else "yang mengirim kode tadi"  # a BSUID
            )  # fmt: skip
            return reach.ticket_given(case.case_number, hours, channel, shown)
        return texts.ticket_given(case.case_number, hours)

    async def _set_case_status(self, session: AsyncSession, case_number: str, status: str) -> None:
        case = await cases.get_case(session, case_number)
        if case is not None:
            cases.record_statuses(case, [(status, utcnow())])

    async def _notify(self, session: AsyncSession, handoff: Handoff, *notices: Reply) -> None:
        """Commit the transition with system messages, deliver them, tell the consoles."""
        messages = [outgoing_message(handoff.conversation_id, Author.SYSTEM, notice) for notice in notices]
        session.add_all(messages)
        await session.commit()
        await self._deliver(session, handoff.conversation_id, messages)
        await self._publish_change(handoff)

    async def _send_replies(
        self, session: AsyncSession, conversation: Conversation, author: Author, replies: Sequence[Reply]
    ) -> None:
        messages = [outgoing_message(conversation.id, author, reply) for reply in replies]
        session.add_all(messages)
        await session.commit()
        await self._deliver(session, conversation.id, messages)

    async def _resume_bot(self, conversation: Conversation) -> list[Reply]:
        """What the bot says when it takes the conversation back (its context intact)."""
        try:
            bot_replies = await self._rasa.send(
                sender=str(conversation.id), message=RESUME_PAYLOAD, input_channel=conversation.channel,
                metadata={"handoff": "returned"},
            )  # fmt: skip
        except RasaUnavailableError as error:
            logger.warning("bot not resumed conversation=%s reason=%s", conversation.id, error.reason)
            return [texts.BACK_WITH_BOT]
        async with self._sessionmaker() as session:
            bot_replies = await reveal_replies(session, conversation.id, bot_replies)
        replies = from_rasa_replies(reply.model_dump(exclude_none=True) for reply in bot_replies)
        return replies or [texts.BACK_WITH_BOT]

    async def _restart_bot(self, conversation_id: uuid.UUID) -> None:
        async with self._sessionmaker() as session:
            conversation = await session.get(Conversation, conversation_id)
        if conversation is None:
            return
        try:
            await self._rasa.send(
                sender=str(conversation.id),
                message=RESTART_PAYLOAD,
                input_channel=conversation.channel,
                metadata={},
            )
        except RasaUnavailableError as error:
            logger.warning("bot not restarted conversation=%s reason=%s", conversation.id, error.reason)

    async def _deliver(
        self, session: AsyncSession, conversation_id: uuid.UUID, messages: list[Message]
    ) -> None:
        """Messages that answer no citizen request, on the citizen's own channel."""
        conversation = await session.get(Conversation, conversation_id)
        if conversation is None or not messages:
            return
        await self._outbound.push(session, conversation, messages)

    async def _publish_change(self, handoff: Handoff) -> None:
        await self.broadcaster.publish(CONSOLE, {"type": "queue"})
        await self.broadcaster.publish(CONSOLE, {"type": "handoff", "id": handoff.id})


def can_see(agent: Agent, handoff: Handoff) -> bool:
    """Supervisors see every team's queue; agents their teams' (general is one of them if
    listed)."""
    return agent.role == "supervisor" or handoff.team in (agent.teams or []) or (handoff.agent_id == agent.id)


def agent_label(agent: Agent) -> str:
    """The name citizens see: "Sari (Petugas)"."""
    return f"{agent.display_name} (Petugas)"


def parse_phone(text: str) -> str | None:
    """An Indonesian phone number typed by the citizen, as E.164; None when not valid."""
    try:
        number = phonenumbers.parse(text.strip(), "ID")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def mask_phone(e164: str) -> str:
    """+6281234567890 → 0812****7890 (what the citizen reads back)."""
    try:
        national = phonenumbers.format_number(
            phonenumbers.parse(e164, "ID"), phonenumbers.PhoneNumberFormat.NATIONAL
        )
    except phonenumbers.NumberParseException:
        national = e164
    digits = "".join(ch for ch in national if ch.isdigit())
    return digits[:4] + "*" * max(0, len(digits) - 8) + digits[-4:]


async def _callcenter(request: Request) -> CallCenter:
    callcenter: CallCenter = request.app.state.callcenter
    return callcenter


CallCenterDep = Annotated[CallCenter, Depends(_callcenter)]

__all__ = ["GENERAL", "CallCenter", "CallCenterDep", "Conflict", "can_see"]
