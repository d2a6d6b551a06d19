"""Database models: a conversation per citizen thread, its messages in order."""

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
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"


def _enum(cls: type[enum.StrEnum], name: str) -> Enum:
    # VARCHAR + CHECK constraint (no native PostgreSQL ENUM type to migrate), stored by value.
    return Enum(
        cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=16,
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
    __table_args__ = (Index("ix_messages_conversation_id_id", "conversation_id", "id"),)

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
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    conversation: Mapped[Conversation] = relationship(back_populates="messages")

    @property
    def rasa_text(self) -> str:
        """The text forwarded to Rasa."""
        return self.payload if self.payload is not None else self.text
