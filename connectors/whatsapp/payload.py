"""WhatsApp Cloud API webhook payloads (the parts we read), and what each message means.

`{"object": "whatsapp_business_account", "entry": [{"changes": [{"field": "messages",
"value": {"metadata": {"phone_number_id"}, "messages": [...], "statuses": [...]}}]}]}`.
Unknown fields are ignored; a message of a type we cannot read is still parsed (its `type`
says what it was), so it can be answered.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from api.models import DeliveryStatus


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class Text(_Model):
    body: str


class Reply(_Model):
    """An interactive reply: a reply button or a list row."""

    id: str
    title: str = ""


class Interactive(_Model):
    type: str
    button_reply: Reply | None = None
    list_reply: Reply | None = None


class TemplateButton(_Model):
    """A quick-reply button of a template message."""

    payload: str = ""
    text: str = ""


class Location(_Model):
    latitude: float
    longitude: float
    name: str | None = None
    address: str | None = None


class Phone(_Model):
    phone: str | None = None
    wa_id: str | None = None


class SharedContact(_Model):
    phones: list[Phone] = []


class WhatsAppMessage(_Model):
    """Since April 2026 a message names its sender by a business-scoped `user_id`, and omits
    the number (`from`) for users who adopted a username: `sender` is the number when there is
    one, else the user id; `phone` only ever the number (the possession factor)."""

    id: str = Field(min_length=1, max_length=128)
    phone: str | None = Field(default=None, alias="from", pattern=r"^[0-9]{5,20}$")
    user_id: str | None = Field(default=None, min_length=1, max_length=128, pattern=r"^[A-Za-z0-9._:-]+$")
    timestamp: int | None = None
    type: str
    text: Text | None = None
    interactive: Interactive | None = None
    button: TemplateButton | None = None
    location: Location | None = None
    contacts: list[SharedContact] = []

    @model_validator(mode="after")
    def _someone(self) -> WhatsAppMessage:
        if self.phone is None and self.user_id is None:
            raise ValueError("a message names its sender by `from` or `user_id`")
        return self

    @property
    def sender(self) -> str:
        """The sender's channel id: the number, or without one the business-scoped user id."""
        return self.phone or self.user_id or ""

    def sent_at(self) -> datetime | None:
        if self.timestamp is None:
            return None
        try:
            return datetime.fromtimestamp(self.timestamp, UTC)
        except (OverflowError, OSError, ValueError):
            return None


class StatusError(_Model):
    code: int | None = None
    title: str | None = None


class WhatsAppStatus(_Model):
    id: str = Field(min_length=1, max_length=128)
    status: str
    errors: list[StatusError] = []

    def delivery_status(self) -> DeliveryStatus | None:
        return _STATUSES.get(self.status)

    def error(self) -> str | None:
        """The first error's code and title (Meta's words, no message content)."""
        if not self.errors:
            return None
        first = self.errors[0]
        return f"{first.code}: {first.title or ''}".strip()[:255]


_STATUSES = {
    "sent": DeliveryStatus.SENT,
    "delivered": DeliveryStatus.DELIVERED,
    "read": DeliveryStatus.READ,
    "failed": DeliveryStatus.FAILED,
}


class Metadata(_Model):
    phone_number_id: str | None = None


class Value(_Model):
    metadata: Metadata | None = None
    messages: list[WhatsAppMessage] = []
    statuses: list[WhatsAppStatus] = []


class Change(_Model):
    field: str
    value: Value


class Entry(_Model):
    changes: list[Change] = []


class WebhookPayload(_Model):
    object: Literal["whatsapp_business_account"]
    entry: list[Entry]

    def values(self) -> list[Value]:
        return [
            change.value for entry in self.entry for change in entry.changes if change.field == "messages"
        ]
