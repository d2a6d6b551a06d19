"""The one internal message model shared by every channel (web, Telegram, WhatsApp).

Outbound, the bot's replies are `Reply` values: `TextReply` (with optional buttons),
`ListReply` (sections of rows), `ImageReply`, `DocumentReply`, `AttachmentReply` (a file
kept with the conversation), `ContactRequest`, `LocationRequest` and `TemplateReply` (a message
nobody asked for, sendable as WhatsApp's approved template outside its 24-hour window: case
updates, docs/notifications.md). Their JSON form (`reply.model_dump(mode="json")`) is
discriminated by `type`, and it is also the `custom` schema our actions send through Rasa
(`dispatcher.utter_message(json_message={"type": "list", ...})`), so an action can use any
reply kind and every channel renders it. `from_rasa` maps one item of Rasa's REST reply.

Inbound, a channel turns what the citizen did into an `Inbound` event: `TextIn`,
`ButtonClickIn`, `ListChoiceIn`, `ContactIn` or `LocationIn`. Each says what to store
(`display_text`: what the citizen saw), what to send to Rasa (`rasa_message`) and which
metadata goes with it (`rasa_metadata`).

Pure: no I/O, no settings. Channel limits (Telegram's 4096 characters, WhatsApp's three
reply buttons) are the renderers' business, not the model's.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, Mapping
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, field_validator

logger = logging.getLogger(__name__)

# Rasa intent payloads for events that are not typed text (see docs/channels.md).
SHARE_CONTACT_INTENT = "share_contact"
SHARE_LOCATION_INTENT = "share_location"

DEFAULT_LIST_BUTTON = "Lihat pilihan"
DEFAULT_CONTACT_BUTTON = "Bagikan nomor telepon"
DEFAULT_LOCATION_BUTTON = "Bagikan lokasi"

_NonEmpty = Annotated[str, Field(min_length=1)]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore", str_strip_whitespace=True)


# --- Outbound ---------------------------------------------------------------------------


class Choice(_Model):
    """Something the citizen can pick: a button or a list row. `payload` goes to Rasa."""

    title: _NonEmpty
    payload: _NonEmpty
    description: str | None = None


class Section(_Model):
    title: str | None = None
    rows: list[Choice] = Field(min_length=1)


class TextReply(_Model):
    """Text, optionally with quick-reply buttons under it."""

    type: Literal["text"] = "text"
    text: _NonEmpty
    buttons: list[Choice] = []


class ListReply(_Model):
    """A longer choice: `text`, then a button (`button`) opening sections of rows."""

    type: Literal["list"] = "list"
    text: _NonEmpty
    button: _NonEmpty = DEFAULT_LIST_BUTTON
    sections: list[Section] = Field(min_length=1)


class ImageReply(_Model):
    type: Literal["image"] = "image"
    url: _NonEmpty
    caption: str | None = None


class DocumentReply(_Model):
    type: Literal["document"] = "document"
    url: _NonEmpty
    filename: str | None = None
    caption: str | None = None


class AttachmentReply(_Model):
    """A file kept with the conversation (api/attachments): an agent's document, or, on a
    citizen's message, what they sent. `id` is the attachment's; clients fetch the bytes
    through the conversation's own access (web session or console)."""

    type: Literal["attachment"] = "attachment"
    id: _NonEmpty
    filename: _NonEmpty
    content_type: _NonEmpty
    size: int = Field(ge=0)
    caption: str | None = None


class ContactRequest(_Model):
    """Ask the citizen to share their own phone number (one tap where the channel can)."""

    type: Literal["request_contact"] = "request_contact"
    text: _NonEmpty
    button: _NonEmpty = DEFAULT_CONTACT_BUTTON


class LocationRequest(_Model):
    """Ask the citizen to share their location (one tap where the channel can)."""

    type: Literal["request_location"] = "request_location"
    text: _NonEmpty
    button: _NonEmpty = DEFAULT_LOCATION_BUTTON


class TemplateReply(_Model):
    """A message the citizen did not ask for (a case update): `text` everywhere, except on
    WhatsApp outside its 24-hour window, where it goes as the approved template `template`
    (language `language`) with `parameters` as its body's values, in order."""

    type: Literal["template"] = "template"
    text: _NonEmpty
    template: _NonEmpty
    language: _NonEmpty = "id"
    parameters: list[str] = []


Reply = Annotated[
    TextReply
    | ListReply
    | ImageReply
    | DocumentReply
    | AttachmentReply
    | ContactRequest
    | LocationRequest
    | TemplateReply,
    Field(discriminator="type"),
]
REPLY: TypeAdapter[Reply] = TypeAdapter(Reply)


def needs_window(reply: Reply) -> bool:
    """Whether the reply may go only inside WhatsApp's 24-hour window (all but a template)."""
    return not isinstance(reply, TemplateReply)


def choices(reply: Reply) -> list[Choice]:
    """The reply's choices in display order: its buttons or its list rows."""
    if isinstance(reply, TextReply):
        return list(reply.buttons)
    if isinstance(reply, ListReply):
        return [row for section in reply.sections for row in section.rows]
    return []


def summary_text(reply: Reply) -> str:
    """What the reply says, as plain text (stored as the message's `text`)."""
    if isinstance(reply, ImageReply | DocumentReply | AttachmentReply):
        return reply.caption or ""
    return reply.text


def plain_text(reply: Reply) -> str:
    """The whole reply as text, for a channel that can render nothing else."""
    if isinstance(reply, ImageReply):
        return "\n".join(filter(None, [reply.caption, reply.url]))
    if isinstance(reply, DocumentReply):
        return "\n".join(filter(None, [reply.caption, reply.filename, reply.url]))
    if isinstance(reply, AttachmentReply):
        return "\n".join(filter(None, [reply.caption, reply.filename]))
    options = choices(reply)
    lines = [reply.text, *(f"{number}. {choice.title}" for number, choice in enumerate(options, 1))]
    return "\n".join(lines)


def from_rasa(item: Mapping[str, Any]) -> list[Reply]:
    """Map one item of Rasa's REST reply (`text`, `buttons`, `image`, `attachment`,
    `custom`) to replies. An item Rasa's output channel combined (text with an image) gives
    one reply; an unusable item gives none and a log line naming only its keys."""
    custom = item.get("custom")
    if custom is not None:
        return _from_custom(custom)
    text = _text(item.get("text"))
    image = item.get("image")
    if isinstance(image, str) and image.strip():
        return [ImageReply(url=image, caption=text)]
    attachment = _attachment(item.get("attachment"), text)
    if attachment is not None:
        return [attachment]
    buttons = _buttons(item.get("buttons"))
    if text:
        return [TextReply(text=text, buttons=buttons)]
    if buttons:
        return [TextReply(text="Silakan pilih:", buttons=buttons)]
    logger.warning("rasa reply ignored keys=%s", sorted(key for key in item if key != "recipient_id"))
    return []


def from_rasa_replies(items: Iterable[Mapping[str, Any]]) -> list[Reply]:
    return [reply for item in items for reply in from_rasa(item)]


def _from_custom(custom: Any) -> list[Reply]:
    if not isinstance(custom, Mapping):
        logger.warning("rasa custom reply ignored: not an object")
        return []
    try:
        return [REPLY.validate_python(dict(custom))]
    except ValidationError as error:
        # The custom type is ours (a short word), never the citizen's data.
        kind = custom.get("type")
        logger.warning(
            "rasa custom reply ignored type=%s errors=%d",
            kind if isinstance(kind, str) and len(kind) <= 32 else "?",
            error.error_count(),
        )
        return []


def _text(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _buttons(value: Any) -> list[Choice]:
    if not isinstance(value, list):
        return []
    buttons: list[Choice] = []
    for button in value:
        if not isinstance(button, Mapping):
            continue
        title, payload = button.get("title"), button.get("payload")
        # Buttons without a payload (Rasa's "url" buttons) cannot be sent back to Rasa.
        if isinstance(title, str) and title.strip() and isinstance(payload, str) and payload.strip():
            buttons.append(Choice(title=title, payload=payload))
    return buttons


def _attachment(value: Any, caption: str | None) -> DocumentReply | ImageReply | None:
    """Rasa's `attachment` is free-form: a URL, or an object with a URL."""
    if isinstance(value, str) and value.strip():
        return DocumentReply(url=value, caption=caption)
    if isinstance(value, Mapping):
        url = value.get("url")
        if isinstance(url, str) and url.strip():
            if value.get("type") == "image":
                return ImageReply(url=url, caption=caption)
            filename = value.get("filename")
            return DocumentReply(
                url=url, filename=filename if isinstance(filename, str) else None, caption=caption
            )
    return None


# --- Inbound ----------------------------------------------------------------------------


class TextIn(_Model):
    type: Literal["text"] = "text"
    text: _NonEmpty

    def display_text(self) -> str:
        return self.text

    def rasa_message(self) -> str:
        return self.text

    def rasa_metadata(self) -> dict[str, Any]:
        return {}


class ButtonClickIn(_Model):
    """A click on a button: Rasa gets the payload, the history keeps the title."""

    type: Literal["button"] = "button"
    payload: _NonEmpty
    title: _NonEmpty

    def display_text(self) -> str:
        return self.title

    def rasa_message(self) -> str:
        return self.payload

    def rasa_metadata(self) -> dict[str, Any]:
        return {"button_title": self.title}


class ListChoiceIn(_Model):
    """A row picked from a list: like a button click."""

    type: Literal["list_choice"] = "list_choice"
    payload: _NonEmpty
    title: _NonEmpty

    def display_text(self) -> str:
        return self.title

    def rasa_message(self) -> str:
        return self.payload

    def rasa_metadata(self) -> dict[str, Any]:
        return {"button_title": self.title}


_PHONE = re.compile(r"^\+?[0-9]{6,15}$")


class ContactIn(_Model):
    """A shared phone contact. `own` is True when the channel vouches that it is the
    sender's own number (Telegram: the contact's user id is the sender's; WhatsApp: the
    number the message came from)."""

    type: Literal["contact"] = "contact"
    phone_number: str
    own: bool

    @field_validator("phone_number")
    @classmethod
    def _e164(cls, value: str) -> str:
        digits = re.sub(r"[\s\-()]", "", value)
        if not _PHONE.match(digits):
            raise ValueError("not a phone number")
        digits = digits.lstrip("+")
        if digits.startswith("0"):  # a local Indonesian number: 0812… → +62812…
            digits = "62" + digits[1:]
        return "+" + digits

    def display_text(self) -> str:
        return "📱 Nomor telepon dibagikan"

    def rasa_message(self) -> str:
        return _intent(SHARE_CONTACT_INTENT, {"phone_number": self.phone_number})

    def rasa_metadata(self) -> dict[str, Any]:
        return {"contact": {"phone_number": self.phone_number, "own": self.own}}


class LocationIn(_Model):
    type: Literal["location"] = "location"
    latitude: float = Field(ge=-90, le=90)
    longitude: float = Field(ge=-180, le=180)
    name: str | None = None
    address: str | None = None

    def display_text(self) -> str:
        return "📍 Lokasi dibagikan" + (f": {self.name}" if self.name else "")

    def rasa_message(self) -> str:
        return _intent(SHARE_LOCATION_INTENT, {"latitude": self.latitude, "longitude": self.longitude})

    def rasa_metadata(self) -> dict[str, Any]:
        location = {"latitude": self.latitude, "longitude": self.longitude}
        location.update({key: value for key in ("name", "address") if (value := getattr(self, key))})
        return {"location": location}


Inbound = Annotated[
    TextIn | ButtonClickIn | ListChoiceIn | ContactIn | LocationIn, Field(discriminator="type")
]
INBOUND: TypeAdapter[Inbound] = TypeAdapter(Inbound)


def _intent(name: str, entities: dict[str, Any]) -> str:
    """Rasa's intent payload syntax: `/intent{"entity": value}`."""
    return f"/{name}{json.dumps(entities, separators=(',', ':'))}"
