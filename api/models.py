"""Database models: a conversation per citizen thread, its messages in order; the channel
users' current conversations and the channel updates already handled; the cases the
assistant opened at a ministry (with their status history and number counters); the
simulated ministries' mutable state."""

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
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

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
    FAILED = "failed"  # Rasa down, too slow or malformed: kept for a later retry
    # Over the per-sender rate limit (Telegram, WhatsApp): stored, never forwarded to Rasa.
    RATE_LIMITED = "rate_limited"


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
    # The channel's own user id (Telegram chat id, WhatsApp number): personal data.
    channel_user_id: Mapped[str | None] = mapped_column(String(255))
    handled_by: Mapped[HandledBy] = mapped_column(
        _enum(HandledBy, "handled_by"), default=HandledBy.BOT
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    last_message_at: Mapped[datetime | None] = mapped_column()

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
    )

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    conversation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE")
    )
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
    # Outgoing only: the reply in the internal message model (connectors/model.py), as JSON.
    content: Mapped[dict[str, Any] | None] = mapped_column(JSON())
    # The channel's own id of the message (WhatsApp wamid, Telegram message id).
    channel_message_id: Mapped[str | None] = mapped_column(String(128))
    # Outgoing on Telegram and WhatsApp: sent, then the channel's callbacks.
    delivery_status: Mapped[DeliveryStatus | None] = mapped_column(
        _enum(DeliveryStatus, "delivery_status")
    )
    # Why a delivery failed: the channel's error code and title (never message content).
    delivery_error: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    conversation: Mapped[Conversation] = relationship(back_populates="messages")

    @property
    def rasa_text(self) -> str:
        """The text forwarded to Rasa."""
        return self.payload if self.payload is not None else self.text


class ChannelThread(Base):
    """The current conversation of one Telegram chat or WhatsApp number."""

    __tablename__ = "channel_threads"
    __table_args__ = (UniqueConstraint("channel", "channel_user_id"),)

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    channel: Mapped[str] = mapped_column(String(32))
    # Personal data (a chat id, a phone number): never logged.
    channel_user_id: Mapped[str] = mapped_column(String(255))
    conversation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE")
    )
    # The citizen's latest message on this channel (WhatsApp's 24-hour window).
    last_inbound_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


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
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

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


class SimRecord(Base):
    """Mutable state of a simulated ministry (an application, a billing), as JSON."""

    __tablename__ = "sim_records"
    __table_args__ = (UniqueConstraint("ministry", "kind", "key"),)

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    ministry: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(32))
    key: Mapped[str] = mapped_column(String(64))
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
