"""WhatsApp Cloud API webhook payloads (the parts we read), and what each message means.

`{"object": "whatsapp_business_account", "entry": [{"changes": [{"field": "messages",
"value": {"metadata": {"phone_number_id"}, "messages": [...], "statuses": [...]}}]}]}`.
Unknown fields are ignored; a message of a type we cannot read is still parsed (its `type`
says what it was), so it can be answered.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, field_validator, model_validator

from api.models import DeliveryStatus


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)


def _absent_if_empty(value: object) -> object:
    """An identifier Meta leaves empty ("") is absent, not malformed (a 4xx would make Meta
    retry the whole webhook)."""
    return None if value == "" else value


# A phone number as WhatsApp writes it (`from`, `wa_id`): digits only.
_PHONE = r"^[0-9]{5,20}$"
# A business-scoped user id: an ISO country code, ".", an id (`ID.1502576394655843`); a parent
# BSUID has "ENT." in between. Kept as given; this only refuses what no id looks like.
_BSUID = r"^[A-Za-z0-9._:-]+$"


def _bsuid(*names: str) -> Any:
    return Field(
        default=None, min_length=1, max_length=160, pattern=_BSUID, validation_alias=AliasChoices(*names)
    )


@dataclass(frozen=True)
class Sender:
    """Who a message is from (or a status for), as Meta names them: the BSUID (always, since
    April 2026), the parent BSUID (where Meta enabled it), the phone number and the username
    (each only when Meta shares it)."""

    user_id: str | None
    parent_user_id: str | None = None
    phone: str | None = None
    username: str | None = None

    @property
    def key(self) -> str:
        """The key a new conversation gets: the parent BSUID, else the BSUID; a payload from
        before BSUIDs, the number."""
        return self.parent_user_id or self.user_id or self.phone or ""


class Profile(_Model):
    name: str | None = None
    username: str | None = None

    @field_validator("username", mode="before")
    @classmethod
    def _username(cls, value: object) -> object:
        # A display attribute, never a key: kept short rather than refused.
        value = _absent_if_empty(value)
        return value[:64] if isinstance(value, str) else value


class Contact(_Model):
    """An entry of `value.contacts`: the user a message is from or a status is for."""

    profile: Profile | None = None
    wa_id: str | None = Field(default=None, pattern=_PHONE)
    user_id: str | None = _bsuid("user_id")
    parent_user_id: str | None = _bsuid("parent_user_id")

    _empty = field_validator("wa_id", "user_id", "parent_user_id", mode="before")(_absent_if_empty)


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


class Media(_Model):
    """An image or document: Meta's media id (downloaded through the Graph API), and what the
    sender says of it (the type and name are only claims: the content is checked)."""

    id: str = Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9._:-]+$")
    mime_type: str | None = None
    filename: str | None = Field(default=None, max_length=1024)
    caption: str | None = Field(default=None, max_length=4096)


class Phone(_Model):
    phone: str | None = None
    wa_id: str | None = None


class SharedContact(_Model):
    """A contact card; `origin` is "contact_request" when the user answered our request for
    their contact details (WhatsApp's own marking), "other" for any card they chose to share."""

    phones: list[Phone] = []
    origin: str | None = None


class System(_Model):
    """A system notice. `user_changed_number`: the user's new number (`wa_id`), new BSUID
    (`user_id`) and new parent BSUID; the message's own `from`/`from_user_id` are the old ones."""

    type: str | None = None
    wa_id: str | None = Field(
        default=None, pattern=_PHONE, validation_alias=AliasChoices("wa_id", "new_wa_id")
    )
    user_id: str | None = _bsuid("user_id")
    parent_user_id: str | None = _bsuid("parent_user_id")
    _empty = field_validator("wa_id", "user_id", "parent_user_id", mode="before")(_absent_if_empty)


NUMBER_CHANGES = frozenset({"user_changed_number", "customer_changed_number", "user_changed_user_id"})


class WhatsAppMessage(_Model):
    """Since April 2026 a message names its sender by a business-scoped user id
    (`from_user_id`, and `from_parent_user_id` where enabled), and omits the number (`from`)
    for users who adopted a username; `phone` is only ever the number (the possession
    factor). `user_id` is also read as the BSUID (an early payload shape)."""

    id: str = Field(min_length=1, max_length=128)
    phone: str | None = Field(default=None, alias="from", pattern=_PHONE)
    user_id: str | None = _bsuid("from_user_id", "user_id")
    parent_user_id: str | None = _bsuid("from_parent_user_id", "parent_user_id")
    _empty = field_validator("phone", "user_id", "parent_user_id", mode="before")(_absent_if_empty)
    timestamp: int | None = None
    type: str
    text: Text | None = None
    interactive: Interactive | None = None
    button: TemplateButton | None = None
    location: Location | None = None
    contacts: list[SharedContact] = []
    system: System | None = None
    image: Media | None = None
    document: Media | None = None

    @model_validator(mode="after")
    def _someone(self) -> WhatsAppMessage:
        if self.phone is None and self.user_id is None and self.parent_user_id is None:
            raise ValueError("a message names its sender by `from` or `from_user_id`")
        return self

    @property
    def number_change(self) -> System | None:
        """The notice that the user changed their number (and so their BSUID), if this is one."""
        if self.type == "system" and self.system is not None and self.system.type in NUMBER_CHANGES:
            return self.system
        return None

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
    """A delivery status. The user it is for: `recipient_id` (the number, or what we sent to),
    `recipient_user_id` and `recipient_parent_user_id` (BSUIDs), all optional; a failed
    status comes without the value's `contacts`."""

    id: str = Field(min_length=1, max_length=128)
    status: str
    errors: list[StatusError] = []
    recipient_id: str | None = Field(default=None, max_length=160)
    recipient_user_id: str | None = _bsuid("recipient_user_id")
    recipient_parent_user_id: str | None = _bsuid("recipient_parent_user_id")
    _empty = field_validator("recipient_id", "recipient_user_id", "recipient_parent_user_id", mode="before")(
        _absent_if_empty
    )

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
    contacts: list[Contact] = []
    messages: list[WhatsAppMessage] = []
    statuses: list[WhatsAppStatus] = []

    def sender(self, message: WhatsAppMessage) -> Sender:
        """The message's sender, completed by their entry in `contacts` (the username)."""
        contact = self._contact(message.user_id, message.phone)
        return Sender(
            user_id=message.user_id or (contact.user_id if contact else None),
            parent_user_id=message.parent_user_id or (contact.parent_user_id if contact else None),
            phone=message.phone or (contact.wa_id if contact else None),
            username=contact.profile.username if contact and contact.profile else None,
        )

    def recipient(self, status: WhatsAppStatus) -> Sender | None:
        """Who a status is for, when it names them by BSUID (None otherwise)."""
        phone = status.recipient_id if status.recipient_id and status.recipient_id.isdigit() else None
        contact = self._contact(status.recipient_user_id, phone)
        user_id = status.recipient_user_id or (contact.user_id if contact else None)
        parent = status.recipient_parent_user_id or (contact.parent_user_id if contact else None)
        if user_id is None and parent is None:
            return None
        return Sender(
            user_id=user_id,
            parent_user_id=parent,
            phone=phone or (contact.wa_id if contact else None),
            username=contact.profile.username if contact and contact.profile else None,
        )

    def _contact(self, user_id: str | None, phone: str | None) -> Contact | None:
        for contact in self.contacts:
            if (user_id and contact.user_id == user_id) or (phone and contact.wa_id == phone):
                return contact
        return None


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
