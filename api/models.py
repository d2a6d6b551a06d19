"""Database models: a conversation per citizen thread, its messages in order; the channel
users' current conversations and the channel updates already handled; the cases the
assistant opened at a ministry (with their status history and number counters); the call
center's agents, their sessions, hand-offs, agent-assist sessions, the identities verified in
a conversation and the audit log. (The simulated ministries keep their state in their own
database: simulators/store.py.)"""

from __future__ import annotations

import enum
import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    Uuid,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from api.privacy import sealing

# Deterministic constraint names, so migrations can refer to them on every backend.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC timestamps on every backend (SQLite returns naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime; use an aware UTC datetime")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Sealed(TypeDecorator[str]):
    """Personal data encrypted at rest, read and written in clear (api/privacy/sealing.py);
    `purpose` ("table.column") is the ciphertext's associated data. A value that does not
    decrypt (another key) reads as None."""

    impl = Text
    cache_ok = True

    def __init__(self, purpose: str) -> None:
        super().__init__()
        self.purpose = purpose

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else sealing.current().seal(self.purpose, value)

    def process_result_value(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else sealing.current().open(self.purpose, value)


class HandledBy(enum.StrEnum):
    BOT = "bot"
    AGENT = "agent"


class Direction(enum.StrEnum):
    IN = "in"
    OUT = "out"


class Author(enum.StrEnum):
    CITIZEN = "citizen"
    BOT = "bot"
    AGENT = "agent"
    SYSTEM = "system"


class RasaStatus(enum.StrEnum):
    """What became of a citizen's message on its way to Rasa."""

    PENDING = "pending"  # stored, Rasa not answered yet
    DELIVERED = "delivered"
    FAILED = "failed"  # Rasa down, too slow or malformed: retried (api/conversations/retry.py)
    # Over the per-sender rate limit (Telegram, WhatsApp): stored, never forwarded to Rasa.
    RATE_LIMITED = "rate_limited"
    # Not sent yet, kept for the retry worker: behind an earlier message of its conversation
    # that waits, or beyond the bounded admission queue (api/conversations/retry.py).
    QUEUED = "queued"
    # Never answered by the bot: the retry window passed (a person follows up through the
    # hand-off queue), or the conversation went to a person meanwhile.
    EXPIRED = "expired"


# What the retry worker plays to Rasa again (with `pending` once it is stale).
WAITING_FOR_RASA = (RasaStatus.PENDING, RasaStatus.FAILED, RasaStatus.QUEUED)
WAITING_SQL = "rasa_status IN ('pending', 'failed', 'queued')"  # ix_messages_waiting


class DeliveryStatus(enum.StrEnum):
    """What became of an outgoing message on its channel (Telegram, WhatsApp)."""

    SENT = "sent"
    DELIVERED = "delivered"
    READ = "read"
    FAILED = "failed"  # the channel refused it or could not be reached
    UNDELIVERED = "undelivered"  # not sent on purpose (WhatsApp: outside the 24-hour window)


def _enum(cls: type[enum.StrEnum], name: str, length: int = 16) -> Enum:
    # VARCHAR + CHECK constraint (no native PostgreSQL ENUM type to migrate), stored by value.
    return Enum(
        cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=length,
        values_callable=lambda members: [member.value for member in members],
    )


# BIGINT on PostgreSQL; INTEGER on SQLite, where only that is an autoincrementing rowid.
BigIntId = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON(), list[Any]: JSON()}


class Conversation(Base):
    __tablename__ = "conversations"
    __table_args__ = (Index("ix_conversations_channel_user", "channel", "channel_user_id"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid(), primary_key=True, default=uuid.uuid4)
    # "web", "telegram", "whatsapp"; validated at the API, free text here so adding a
    # channel needs no migration.
    channel: Mapped[str] = mapped_column(String(32))
    # The channel's own user id (a Telegram chat id; on WhatsApp the BSUID, or a number from
    # before BSUIDs): personal data.
    channel_user_id: Mapped[str | None] = mapped_column(String(255))
    handled_by: Mapped[HandledBy] = mapped_column(_enum(HandledBy, "handled_by"), default=HandledBy.BOT)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # When the citizen was shown the short privacy notice (first contact; api/privacy/notice.py).
    privacy_notice_at: Mapped[datetime | None] = mapped_column()
    # The citizen confirmed "Hapus data saya" (the service API); the turn erases after Rasa's
    # reply (api/privacy/erasure.py).
    erasure_requested_at: Mapped[datetime | None] = mapped_column()
    # After rating an agent's conversation, the citizen's next typed message until then is the
    # survey's comment (api/callcenter/survey.py).
    survey_comment_until: Mapped[datetime | None] = mapped_column()

    messages: Mapped[list[Message]] = relationship(
        back_populates="conversation", order_by="Message.id", passive_deletes=True
    )


class Message(Base):
    __tablename__ = "messages"
    # History is read per conversation in insertion (id) order.
    __table_args__ = (
        Index("ix_messages_conversation_id_id", "conversation_id", "id"),
        # Delivery status callbacks find the outgoing message by the channel's id.
        Index("ix_messages_channel_message_id", "channel_message_id"),
        # Retention deletes by age (api/privacy/retention.py).
        Index("ix_messages_created_at", "created_at"),
        # The few citizen messages Rasa has not answered yet: a turn looks for an earlier one
        # of its conversation, the retry worker for all (api/conversations/retry.py).
        Index(
            "ix_messages_waiting",
            "conversation_id",
            "id",
            postgresql_where=text(WAITING_SQL),
            sqlite_where=text(WAITING_SQL),
        ),
        # A client's message id is its message once per conversation: a resend is the same
        # message (api/conversations/resend.py).
        Index("uq_messages_client_message_id", "conversation_id", "client_message_id", unique=True),
    )

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    conversation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    direction: Mapped[Direction] = mapped_column(_enum(Direction, "direction"))
    author: Mapped[Author] = mapped_column(_enum(Author, "author"))
    # What the person saw: the citizen's text or the clicked button's title; the bot's text.
    text: Mapped[str] = mapped_column(Text, default="")
    # Incoming only, when it differs from `text`: what is sent to Rasa (a button payload).
    payload: Mapped[str | None] = mapped_column(Text)
    # Outgoing only: [{"title": ..., "payload": ...}].
    buttons: Mapped[list[Any]] = mapped_column(default=list)
    # Incoming only: None when the message is not for the bot (conversation with an agent).
    rasa_status: Mapped[RasaStatus | None] = mapped_column(_enum(RasaStatus, "rasa_status"))
    # Incoming, while `pending`: the gateway process playing the turn (its heartbeat in
    # `gateway_replicas`): a message of a dead process is retried soon (api/conversations/waiting.py).
    rasa_holder: Mapped[str | None] = mapped_column(String(32))
    # Incoming from the web widget or the HTTP API: the id the client gave the message (a UUID),
    # so a resend after a lost connection is recognised (api/conversations/resend.py).
    client_message_id: Mapped[uuid.UUID | None] = mapped_column(Uuid())
    # Outgoing: the citizen message this reply answers (its turn's replies and notices), so a
    # resend of that message gets them again.
    reply_to: Mapped[int | None] = mapped_column(BigIntId)
    # Outgoing only: the reply in the internal message model (api/conversations/model.py), as JSON.
    content: Mapped[dict[str, Any] | None] = mapped_column(JSON())
    # The channel's own id of the message (WhatsApp wamid, Telegram message id).
    channel_message_id: Mapped[str | None] = mapped_column(String(128))
    # Outgoing on Telegram and WhatsApp: sent, then the channel's callbacks.
    delivery_status: Mapped[DeliveryStatus | None] = mapped_column(_enum(DeliveryStatus, "delivery_status"))
    # Why a delivery failed: the channel's error code and title (never message content).
    delivery_error: Mapped[str | None] = mapped_column(String(255))
    # Outgoing from an agent: who wrote it, and the name the citizen sees.
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"))
    sender_name: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    conversation: Mapped[Conversation] = relationship(back_populates="messages")

    @property
    def rasa_text(self) -> str:
        """The text forwarded to Rasa."""
        return self.payload if self.payload is not None else self.text


class ChannelThread(Base):
    """The current conversation of one Telegram chat or WhatsApp user (keyed by their BSUID:
    connectors/whatsapp/identity.py)."""

    __tablename__ = "channel_threads"
    __table_args__ = (UniqueConstraint("channel", "channel_user_id"),)

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    channel: Mapped[str] = mapped_column(String(32))
    # Personal data (a chat id, a BSUID, a phone number): never logged.
    channel_user_id: Mapped[str] = mapped_column(String(255))
    conversation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    # The citizen's latest message on this channel (WhatsApp's 24-hour window).
    last_inbound_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class WhatsAppIdentity(Base):
    """Who a WhatsApp thread belongs to (connectors/whatsapp/identity.py): the business-scoped
    user id (BSUID) and parent BSUID Meta names the user by, and the phone number and username
    when Meta shares them. The thread's `channel_user_id` is the stable key; these attributes
    change (a new number brings a new BSUID). Goes with the thread (erasure)."""

    __tablename__ = "whatsapp_identities"

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    thread_id: Mapped[int] = mapped_column(
        BigIntId, ForeignKey("channel_threads.id", ondelete="CASCADE"), unique=True
    )
    user_id: Mapped[str | None] = mapped_column(String(160), unique=True)
    parent_user_id: Mapped[str | None] = mapped_column(String(160), unique=True)
    # E.164 digits without "+", sealed at rest; `phone_hash` (keyed) finds who holds a number.
    phone: Mapped[str | None] = mapped_column(Sealed("whatsapp_identities.phone"))
    phone_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    username: Mapped[str | None] = mapped_column(Sealed("whatsapp_identities.username"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ChannelUpdate(Base):
    """A channel update already handled (Telegram update_id, WhatsApp message id): a
    retried webhook finds it here and is not handled twice."""

    __tablename__ = "channel_updates"
    __table_args__ = (UniqueConstraint("channel", "external_id"),)

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    channel: Mapped[str] = mapped_column(String(32))
    external_id: Mapped[str] = mapped_column(String(128))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)


class CaseKind(enum.StrEnum):
    POPULATION_APPLICATION = "population_application"
    COMPLAINT = "complaint"
    SKCK = "skck"
    BILLING = "billing"
    # A citizen who could not wait for an agent: a callback or a ticket (call center).
    CONTACT_REQUEST = "contact_request"
    # A CASN participant's result, followed through BKN's announcements.
    CASN_RESULT = "casn_result"


class Case(Base):
    """Something the assistant opened at a ministry for a citizen, followed by its number."""

    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    # ADM-2026-000123, LPR-2026-00042, SKCK-2026-000123, BIL-2026-000123.
    case_number: Mapped[str] = mapped_column(String(24), unique=True)
    kind: Mapped[CaseKind] = mapped_column(_enum(CaseKind, "case_kind", length=32))
    status: Mapped[str] = mapped_column(String(32))
    # The ministry's own reference (Dukcapil application number, billing code, ...).
    reference: Mapped[str | None] = mapped_column(String(64))
    # What the citizen may read back: no NIK, names or birth dates.
    summary: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # The conversation it was opened in (the console lists a citizen's open cases).
    conversation_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("conversations.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    # When the gateway last asked the ministry for news of it (api/notifications/polling.py).
    polled_at: Mapped[datetime | None] = mapped_column()

    events: Mapped[list[CaseEvent]] = relationship(
        back_populates="case", order_by="CaseEvent.id", passive_deletes=True
    )


class CaseEvent(Base):
    """One status a case reached, with when the ministry says it happened."""

    __tablename__ = "case_events"
    __table_args__ = (Index("ix_case_events_case_id_id", "case_id", "id"),)

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column()

    case: Mapped[Case] = relationship(back_populates="events")


class CaseCounter(Base):
    """The last case number given out per prefix and year (row-locked while allocating)."""

    __tablename__ = "case_counters"

    prefix: Mapped[str] = mapped_column(String(8), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger)


class CaseSubscription(Base):
    """A conversation told of its case's changes on its own channel (api/notifications/):
    made when a verified citizen opens or follows the case, ended by "berhenti kabari saya".
    Only the case's events after `since_event_id` are news to it."""

    __tablename__ = "case_subscriptions"
    __table_args__ = (UniqueConstraint("case_id", "conversation_id"),)

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    conversation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    since_event_id: Mapped[int] = mapped_column(BigInteger, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    stopped_at: Mapped[datetime | None] = mapped_column()


class CaseNotification(Base):
    """One case change for one subscription: at most one update per change and subscriber
    (the unique pair). Stored as a conversation message (`message_id`) once `due_at` has come
    (quiet hours push it to the morning unless `urgent`)."""

    __tablename__ = "case_notifications"
    __table_args__ = (
        UniqueConstraint("subscription_id", "case_event_id"),
        Index("ix_case_notifications_due", "recorded_at", "due_at"),
        Index("ix_case_notifications_email_due_at", "email_due_at"),
    )

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    subscription_id: Mapped[int] = mapped_column(ForeignKey("case_subscriptions.id", ondelete="CASCADE"))
    case_event_id: Mapped[int] = mapped_column(ForeignKey("case_events.id", ondelete="CASCADE"))
    urgent: Mapped[bool] = mapped_column(default=False)
    due_at: Mapped[datetime] = mapped_column()
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id", ondelete="SET NULL"))
    recorded_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The e-mail copy for a web citizen who consented (api/notifications/emails.py): due from
    # `email_due_at` (moved on by each failed attempt), sent once at `emailed_at`.
    email_due_at: Mapped[datetime | None] = mapped_column()
    email_attempts: Mapped[int] = mapped_column(default=0)
    emailed_at: Mapped[datetime | None] = mapped_column()


class UpdateEmail(Base):
    """A web conversation's answer to "also send case updates by e-mail?" (asked once, never
    required): `state` asked → awaiting_address → active, or declined; withdrawn by "berhenti
    kabari saya". The address is personal data, sealed at rest and cleared on withdrawal."""

    __tablename__ = "update_emails"

    conversation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), primary_key=True
    )
    state: Mapped[str] = mapped_column(String(16))
    address: Mapped[str | None] = mapped_column(Sealed("update_emails.address"))
    asked_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column()


# --- Call center -------------------------------------------------------------------------


class AgentRole(enum.StrEnum):
    AGENT = "agent"
    SUPERVISOR = "supervisor"


class AgentStatus(enum.StrEnum):
    AVAILABLE = "available"
    AWAY = "away"


class Agent(Base):
    """A call-center agent or supervisor who logs into the console."""

    __tablename__ = "agents"

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(128))
    # Argon2id (pwdlib); never the password.
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[AgentRole] = mapped_column(_enum(AgentRole, "agent_role"))
    # Team keys (api/callcenter/teams.py) whose queues the agent serves.
    teams: Mapped[list[Any]] = mapped_column(default=list)
    status: Mapped[AgentStatus] = mapped_column(_enum(AgentStatus, "agent_status"), default=AgentStatus.AWAY)
    # Conversations the agent may hold at once.
    max_active: Mapped[int] = mapped_column(Integer, default=3)
    enabled: Mapped[bool] = mapped_column(default=True)
    # The console's latest sign of life (WebSocket ping); "online" is recent.
    last_seen_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AgentSession(Base):
    """A console login. The cookie holds the token; only its SHA-256 is stored."""

    __tablename__ = "agent_sessions"

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()
    last_used_at: Mapped[datetime] = mapped_column(default=utcnow)


class HandoffState(enum.StrEnum):
    """Where a hand-off is (docs/call-center.md has the diagram)."""

    QUEUED = "queued"  # waiting for an agent; the bot is silent
    ACTIVE = "active"  # an agent has it; the bot is silent
    OFFERED = "offered"  # nobody free or closed: callback or ticket offered; the bot answers
    CALLBACK = "callback"  # the citizen asked to be phoned; waits for an agent
    TICKET = "ticket"  # the citizen took a ticket number; waits for an agent
    RETURNED = "returned"  # back with the bot
    CLOSED = "closed"  # an agent closed it with a disposition


class Handoff(Base):
    """One hand-off of a conversation from the bot to people, from request to its end."""

    __tablename__ = "handoffs"
    __table_args__ = (
        Index("ix_handoffs_state_requested_at", "state", "requested_at"),
        Index("ix_handoffs_conversation_id_id", "conversation_id", "id"),
    )

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    conversation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    state: Mapped[HandoffState] = mapped_column(_enum(HandoffState, "handoff_state"))
    # "citizen_request", "repeated_miss", "escalation": the bot's signal; "bot_unavailable":
    # the retry window of a citizen's message passed (api/conversations/retry.py).
    reason: Mapped[str] = mapped_column(String(32))
    # The team queue it waits in (api/callcenter/teams.py).
    team: Mapped[str] = mapped_column(String(32))
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"))
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    # When it entered the current queue (a transfer to a team requeues it).
    queued_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column()
    closed_at: Mapped[datetime | None] = mapped_column()
    # "resolved", "unresolved", "follow_up", "abusive"; "abandoned" when the citizen left.
    disposition: Mapped[str | None] = mapped_column(String(32))
    # The callback or ticket case (CaseKind.CONTACT_REQUEST).
    case_number: Mapped[str | None] = mapped_column(String(24), index=True)  # the history's search
    # Personal data: the number an agent calls back (E.164), sealed at rest.
    callback_phone: Mapped[str | None] = mapped_column(Sealed("handoffs.callback_phone"))
    # A keyed hash of that number (api/callcenter/lookup_keys.py): the console's history finds
    # a caller's hand-offs by it without the number in clear.
    callback_phone_hash: Mapped[str | None] = mapped_column(String(64), index=True, default=None)
    # The citizen chose a callback and the gateway is asking for the number.
    awaiting_phone: Mapped[bool] = mapped_column(default=False)
    # An out-of-hours web ticket: where the agent's answer also goes ("whatsapp", "email", or
    # "self": the citizen checks by the ticket number), and the proved number or the e-mail.
    reach_channel: Mapped[str | None] = mapped_column(String(16))
    reach_address: Mapped[str | None] = mapped_column(Sealed("handoffs.reach_address"))
    # A web ticket's WhatsApp proved by the citizen messaging the service's number with a
    # short code (api/callcenter/reach.py): its hash, valid until `reach_code_expires_at`.
    reach_code_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    reach_code_expires_at: Mapped[datetime | None] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class HandoffEvent(Base):
    """Every transition of a hand-off, with who made it: the history agents and audits read."""

    __tablename__ = "handoff_events"
    __table_args__ = (Index("ix_handoff_events_handoff_id_id", "handoff_id", "id"),)

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    handoff_id: Mapped[int] = mapped_column(ForeignKey("handoffs.id", ondelete="CASCADE"))
    state: Mapped[HandoffState] = mapped_column(_enum(HandoffState, "handoff_event_state"))
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"))
    # A transfer's target, a disposition, a timeout: short words, never message content.
    detail: Mapped[str | None] = mapped_column(String(128))
    at: Mapped[datetime] = mapped_column(default=utcnow)


class HandoffNote(Base):
    """An agent's internal note on a hand-off; never shown to the citizen."""

    __tablename__ = "handoff_notes"

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    handoff_id: Mapped[int] = mapped_column(ForeignKey("handoffs.id", ondelete="CASCADE"), index=True)
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class HandoffSurvey(Base):
    """The satisfaction survey sent to the citizen when an agent closes a hand-off: a score
    from 1 to 5 and an optional comment, kept per agent and per team for the supervisor."""

    __tablename__ = "handoff_surveys"
    __table_args__ = (Index("ix_handoff_surveys_asked_at", "asked_at"),)

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    handoff_id: Mapped[int] = mapped_column(ForeignKey("handoffs.id", ondelete="CASCADE"), unique=True)
    conversation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"), index=True)
    team: Mapped[str] = mapped_column(String(32))
    channel: Mapped[str] = mapped_column(String(32))
    asked_at: Mapped[datetime] = mapped_column(default=utcnow)
    # 1 (very unsatisfied) to 5 (very satisfied); None until the citizen answers.
    score: Mapped[int | None] = mapped_column(Integer)
    rated_at: Mapped[datetime | None] = mapped_column()
    # The citizen's words, identifiers and dates masked (api/privacy/masking.py).
    comment: Mapped[str | None] = mapped_column(Text)


class VerifiedIdentity(Base):
    """The NIK whose birth date a ministry accepted in a conversation (the latest one)."""

    __tablename__ = "verified_identities"

    conversation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), primary_key=True
    )
    nik: Mapped[str] = mapped_column(String(16))  # a token of the conversation (the vault's)
    # A keyed hash of the NIK, the one verified sessions keep (api/identity/sessions.py
    # `nik_hash`): the console's history and earlier contacts find a person's conversations by it.
    nik_hash: Mapped[str | None] = mapped_column(String(64), index=True, default=None)
    # ISO date as the citizen gave it, sealed at rest.
    birth_date: Mapped[str] = mapped_column(Sealed("verified_identities.birth_date"))
    # The service area that accepted it ("health", "social", ...).
    service: Mapped[str] = mapped_column(String(32))
    verified_at: Mapped[datetime] = mapped_column(default=utcnow)


class InapasLogin(Base):
    """A login with INApas under way (api/identity/inapas.py): found by the hash of its
    `state`, bound to the conversation that started it and to the browser (the hash of a
    cookie); deleted when the callback uses it, or after LOGIN_SECONDS."""

    __tablename__ = "inapas_logins"

    state_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    conversation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    browser_hash: Mapped[str] = mapped_column(String(64))
    nonce: Mapped[str] = mapped_column(String(64))
    code_verifier: Mapped[str] = mapped_column(String(128))
    issuer: Mapped[str] = mapped_column(String(255))
    redirect_uri: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class AssistSession(Base):
    """An agent helping a phone caller: the caller's words go through the assistant in the
    conversation `conversation_id` (channel "assist")."""

    __tablename__ = "assist_sessions"

    conversation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), primary_key=True
    )
    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id"), index=True)
    # Why the agent looks the caller up; copied into every audit entry.
    reason: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AuditEntry(Base):
    """Append-only: every look-up of personal data by an agent. UPDATE and DELETE are
    refused by database triggers (migration 0005)."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_citizen", "citizen"),)

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    # None for a look-up the service API made for the bot, in the citizen's own chat (0016).
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"), index=True)
    # "service_lookup" (a service API call in an assist session), "view_identity" (console),
    # "bot_lookup" (a personal-data route answered for the bot, after the citizen's verification).
    action: Mapped[str] = mapped_column(String(32))
    # The keyed hash of the citizen's identifier as looked up (NIK, card number, NISN, plate;
    # for a bot look-up the NIK whose record was opened); None if none.
    citizen: Mapped[str | None] = mapped_column(String(32))
    # The service area, e.g. "health", or "console".
    service: Mapped[str] = mapped_column(String(32))
    # The call endpoint, e.g. "POST /api/v1/health/membership".
    target: Mapped[str | None] = mapped_column(String(128))
    reason: Mapped[str] = mapped_column(String(255))
    # "ok", or the error code ("identity_mismatch", "not_found", ...).
    outcome: Mapped[str] = mapped_column(String(32))
    conversation_id: Mapped[uuid.UUID | None] = mapped_column(Uuid())


class VerifiedSession(Base):
    """A conversation bound to the NIK its citizen proved (OTP to the number registered with
    Dukcapil, or the channel's possession factor), until `expires_at` (api/identity/sessions.py)."""

    __tablename__ = "verified_sessions"

    conversation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), primary_key=True
    )
    nik: Mapped[str] = mapped_column(Sealed("verified_sessions.nik"))  # sealed at rest
    # A keyed hash of the NIK (sealing.digest("nik", ...)): a citizen's conversations by it.
    nik_hash: Mapped[str | None] = mapped_column(String(64), index=True, default=None)
    # How it was proved: "otp", "whatsapp", "telegram", "inapas".
    method: Mapped[str] = mapped_column(String(16))
    verified_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)


class OtpChallenge(Base):
    """The one-time code of a NIK (or of a callback number), across conversations and channels
    (api/identity/verifier.py). Keyed by a keyed hash of "nik:<NIK>" or "phone:<number>"; the
    code itself is stored only as a keyed hash."""

    __tablename__ = "otp_challenges"

    nik_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    # The conversation the code was asked for (a code proves that conversation only).
    conversation_id: Mapped[uuid.UUID | None] = mapped_column(Uuid())
    # Where the code went: E.164 digits; kept while the code lives, to record the number as
    # proved (a callback is booked to it), sealed at rest; cleared when the code is used,
    # locked or expired (retention). None for a NIK Dukcapil has no number for.
    phone: Mapped[str | None] = mapped_column(Sealed("otp_challenges.phone"), default=None)
    # "nik", "callback" (a conversation's callback code), "number" (a callback number's last
    # code, over conversations), "callback-number" (a number a conversation sent a code to).
    kind: Mapped[str | None] = mapped_column(String(16), default=None)
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    # Wrong codes since the last success or lockout, over every code of this NIK.
    failures: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(default=None)


class ProvenPhone(Base):
    """A phone number the citizen of a conversation has proved is theirs: the WhatsApp
    sender's own number, a Telegram contact shared by its own user, or a number that
    received an OTP typed back. Only such a number is booked for a callback."""

    __tablename__ = "proven_phones"

    conversation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), primary_key=True
    )
    # E.164 digits without "+" (62812...), sealed at rest.
    phone: Mapped[str] = mapped_column(Sealed("proven_phones.phone"))
    method: Mapped[str] = mapped_column(String(16))  # "whatsapp", "telegram", "otp"
    proven_at: Mapped[datetime] = mapped_column(default=utcnow)


class VaultEntry(Base):
    """An identifier a citizen typed (NIK, KK, card, NISN, CASN number, phone), kept for the
    gateway alone: Rasa sees only `token` (api/privacy/vault.py). `ciphertext` is the original
    under AES-256-GCM (key from AW_DATA_KEY); `digest` a keyed hash of conversation and
    original, so the same identifier gets the same token in a conversation."""

    __tablename__ = "identifier_vault"
    __table_args__ = (
        UniqueConstraint("conversation_id", "token", name="uq_identifier_vault_token"),
        Index("ix_identifier_vault_digest", "conversation_id", "digest"),
    )

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    conversation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    token: Mapped[str] = mapped_column(String(20))
    # "nik" (a NIK or KK number), "bpjs", "nisn", "casn", "phone".
    kind: Mapped[str] = mapped_column(String(16))
    digest: Mapped[str] = mapped_column(String(64))
    ciphertext: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


# --- Service API -----------------------------------------------------------------------------


class IdempotentResponse(Base):
    """The response to a service API POST that carried an `Idempotency-Key`, kept for a day
    (api/service_api/_idempotency.py): a retry of the same request gets it again instead of
    opening a second case, billing or ticket. `key_hash` is the SHA-256 of the key, the
    method, the path and the body, never the key or the identifiers in clear; `status` is 0
    while the first request runs."""

    __tablename__ = "idempotent_responses"

    key_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    status: Mapped[int] = mapped_column(Integer, default=0)
    content_type: Mapped[str | None] = mapped_column(String(128))
    body: Mapped[str | None] = mapped_column(Text)


class JobLease(Base):
    """Which replica runs a periodic job (retention) until when: a replica takes the lease
    only when it is free or expired, so two replicas never run the job at once."""

    __tablename__ = "job_leases"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime] = mapped_column()
    # When the job last finished (a replica that starts later skips a run done recently).
    last_run_at: Mapped[datetime | None] = mapped_column()


class OutboxEntry(Base):
    """A reply still to be sent on an outward channel (Telegram, WhatsApp): the transactional
    outbox. Added in the same flush as its message (api/conversations/outbox.py) and deleted
    once the message is sent, kept undelivered or given up; `Message.delivery_status` says which.
    Per conversation, only the oldest row is ever sent (per-chat order)."""

    __tablename__ = "outbox"
    __table_args__ = (
        # The head of each chat's queue: the row of a conversation's oldest message.
        Index("ix_outbox_conversation_id_message_id", "conversation_id", "message_id"),
        # The worker's scan: rows that are due.
        Index("ix_outbox_next_attempt_at", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    message_id: Mapped[int] = mapped_column(
        BigIntId, ForeignKey("messages.id", ondelete="CASCADE"), unique=True
    )
    conversation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(32))
    # Failed attempts so far (the backoff's exponent).
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # Parts of the reply the channel already took (a long text is several messages).
    parts_sent: Mapped[int] = mapped_column(Integer, default=0)
    # Not sent before this: the fast path's grace at first, then the backoff or Retry-After.
    next_attempt_at: Mapped[datetime] = mapped_column()
    # A worker holds the row until then (it is sending it); None = free.
    lease_until: Mapped[datetime | None] = mapped_column()
    # The channel's last error (a code and title, never content).
    last_error: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    message: Mapped[Message] = relationship()
    conversation: Mapped[Conversation] = relationship()


class TurnRetry(Base):
    """A conversation with citizen messages Rasa has not answered (api/conversations/retry.py):
    when it may be tried next (backoff), how often it was, and which replica holds it until
    when (a lease: one replica plays a conversation's messages, in order)."""

    __tablename__ = "turn_retries"

    conversation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), primary_key=True
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_at: Mapped[datetime] = mapped_column(default=utcnow)
    holder: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None] = mapped_column()
    # Why the last attempt failed ("timeout", "http 503", "busy"): never message content.
    last_error: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class GatewayReplica(Base):
    """A live gateway process: its heartbeat, renewed by its retry worker each pass. The
    `pending` messages of a process whose heartbeat stopped are retried by the others."""

    __tablename__ = "gateway_replicas"

    holder: Mapped[str] = mapped_column(String(32), primary_key=True)
    seen_at: Mapped[datetime] = mapped_column(default=utcnow)


# --- Analytics -------------------------------------------------------------------------------


class AnalyticsEvent(Base):
    """One event of Rasa's event broker, without identifiers (api/analytics/events.py): what
    was understood or done, when and on which channel. The conversation is a salted hash that
    groups its events and opens nothing; no sender id, text, entity or slot value is kept.
    `event_key` (SHA-256 of the broker message) makes a redelivered message a no-op."""

    __tablename__ = "analytics_events"

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    event_key: Mapped[str] = mapped_column(String(64), unique=True)
    conversation_hash: Mapped[str] = mapped_column(String(64), index=True)
    event_type: Mapped[str] = mapped_column(String(32))
    # A user event's intent; an action event's action; a form's name (active_loop).
    name: Mapped[str | None] = mapped_column(String(128))
    channel: Mapped[str | None] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(index=True)


class UnansweredQuestion(Base):
    """A citizen's message the assistant did not understand (`nlu_fallback`, `out_of_scope`),
    for the dashboard's top unanswered questions and the next round of NLU data. `text` is
    masked before it is stored (api/analytics/questions.py: digit runs, vault tokens, e-mails,
    links, names), so it holds no identifier; the conversation is the same salted hash as in
    `analytics_events`."""

    __tablename__ = "analytics_questions"

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    event_key: Mapped[str] = mapped_column(String(64), unique=True)
    conversation_hash: Mapped[str] = mapped_column(String(64), index=True)
    intent: Mapped[str] = mapped_column(String(32))
    channel: Mapped[str | None] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(index=True)


class TrainingCandidate(Base):
    """An unanswered question an operator marked "add to training data" with its intent: a
    CANDIDATE for review, exported by `make nlu-candidates` (api/analytics/candidates.py),
    never written into data/ or tests/ by the gateway."""

    __tablename__ = "analytics_candidates"
    __table_args__ = (UniqueConstraint("intent", "text", name="uq_analytics_candidates_intent_text"),)

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    intent: Mapped[str] = mapped_column(String(128))
    text: Mapped[str] = mapped_column(String(200))
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # When `make nlu-candidates` last wrote it to a review file (None: not yet).
    exported_at: Mapped[datetime | None] = mapped_column()


class AnalyticsCursor(Base):
    """How far an analytics source was read: the id of the last row of Rasa's tracker store
    imported in the embedded default (api/analytics/tracker_source.py)."""

    __tablename__ = "analytics_cursors"

    source: Mapped[str] = mapped_column(String(64), primary_key=True)
    position: Mapped[int] = mapped_column(BigInteger, default=0)


# --- Attachments -----------------------------------------------------------------------------


class Attachment(Base):
    """A file kept with a conversation (api/attachments): a photo or document a citizen sent
    or an agent attached. The bytes live in the attachment storage under `storage_key`; the row
    goes with its conversation and message (cascade), and the retention sweep removes bytes
    whose row is gone. Served only to the conversation's citizen and its agents."""

    __tablename__ = "attachments"

    id: Mapped[uuid.UUID] = mapped_column(Uuid(), primary_key=True, default=uuid.uuid4)
    conversation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    message_id: Mapped[int | None] = mapped_column(
        BigIntId, ForeignKey("messages.id", ondelete="CASCADE"), index=True
    )
    # Who brought it: "citizen" or "agent"; and on which channel ("web", "telegram", …).
    author: Mapped[Author] = mapped_column(_enum(Author, "attachment_author"))
    channel: Mapped[str] = mapped_column(String(32))
    # The kind its content is (api/attachments/kinds.py), never the name's or sender's claim.
    kind: Mapped[str] = mapped_column(String(8))
    # Sanitised (api/attachments/names.py); personal data (a name on a scanned KTP).
    filename: Mapped[str] = mapped_column(Sealed("attachments.filename"))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    message: Mapped[Message | None] = relationship()
