"""Request and response bodies of the public API."""

from __future__ import annotations

import enum
import json
import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

from api.models import Author, DeliveryStatus, Direction, HandledBy, RasaStatus
from api.text import clean_text


class Channel(enum.StrEnum):
    WEB = "web"
    TELEGRAM = "telegram"
    WHATSAPP = "whatsapp"


class ConversationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    channel: Channel = Channel.WEB
    channel_user_id: str | None = Field(default=None, min_length=1, max_length=255)


class ConversationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    channel: str
    handled_by: HandledBy
    created_at: datetime
    # Web: the widget's session token (X-Session-Token), short-lived; see docs/security.md.
    session_token: str | None = None


class MessageIn(BaseModel):
    """A citizen's message. For a button click: `text` is the payload and
    `metadata.button_title` the title the citizen clicked."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"text": "Bagaimana cara membuat KTP?"},
                {
                    "text": '/ask_menu{"service":"health"}',
                    "metadata": {"button_title": "Kesehatan"},
                },
                {
                    "text": "Syarat membuat KTP?",
                    "client_message_id": "0b6f3c1e-8d2a-4f5b-9c7e-2a1d3e4f5a6b",
                },
            ]
        },
    )

    text: str
    # Channel metadata, forwarded to Rasa as is (not stored).
    metadata: dict[str, Any] = Field(default_factory=dict)
    # The client's id for this message (a UUID it makes once per message): the same id sent
    # again after a lost connection gets the first attempt's answer, never a second turn.
    client_message_id: uuid.UUID | None = None

    @field_validator("text")
    @classmethod
    def _clean(cls, value: str) -> str:
        value = clean_text(value)
        if not value:
            raise PydanticCustomError("empty_text", "Pesan tidak boleh kosong.")
        return value

    @property
    def button_title(self) -> str | None:
        title = self.metadata.get("button_title")
        if isinstance(title, str) and (title := clean_text(title)):
            return title
        return None

    def metadata_chars(self) -> int:
        return len(json.dumps(self.metadata, ensure_ascii=False, default=str))


class ButtonOut(BaseModel):
    title: str
    payload: str


class MessageOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    direction: Direction
    author: Author
    text: str
    buttons: list[ButtonOut]
    # The whole reply in the internal message model (docs/channels.md): its `type` and fields.
    # None for the citizen's messages and for replies stored before it existed.
    content: dict[str, Any] | None = None
    rasa_status: RasaStatus | None
    # An agent's reply: the name the citizen sees, e.g. "Sari (Petugas)".
    sender_name: str | None = None
    # What became of it on the citizen's channel: "read" once the citizen has seen it.
    delivery_status: DeliveryStatus | None = None
    created_at: datetime


class SendResult(BaseModel):
    conversation_id: uuid.UUID
    message_id: int
    # delivered: `replies` come from the bot; failed: one system message explains the
    # delay; None: the conversation is with an agent, no automatic reply.
    rasa_status: RasaStatus | None
    # The citizen's message as stored and shown in the history: identifiers and dates
    # masked once the turn is over. The widget shows it in place of what was typed.
    text: str
    replies: list[MessageOut]
    # A fresh widget session token, when the request carried a valid one.
    session_token: str | None = None


class History(BaseModel):
    conversation_id: uuid.UUID
    messages: list[MessageOut]


class ErrorOut(BaseModel):
    detail: str
