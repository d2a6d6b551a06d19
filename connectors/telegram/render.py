"""Internal replies as Telegram Bot API calls (pure: no network).

Text goes as plain text (no parse mode, so nothing the bot says can be misread as markup),
split at Telegram's 4096-unit limit; buttons and list rows become an inline keyboard on the
last part, whose callback data points at the stored message (`c:<message id>:<index>`), so
payloads of any length work and a click is checked against what we really sent. Contact
and location requests become a one-time reply keyboard.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)
from telegram.constants import MessageLimit

from api.conversations.model import (
    AttachmentReply,
    Choice,
    ContactRequest,
    DocumentReply,
    ImageReply,
    ListReply,
    LocationRequest,
    Reply,
    choices,
    plain_text,
)
from api.text import shorten, split_text, utf16_length

TEXT_LIMIT = int(MessageLimit.MAX_TEXT_LENGTH)  # 4096
CAPTION_LIMIT = int(MessageLimit.CAPTION_LENGTH)  # 1024
CALLBACK_PREFIX = "c"
_BUTTON_TITLE_LIMIT = 64  # longer titles are cut on the button, not in what is stored

Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove


@dataclass(frozen=True)
class Call:
    """One Bot API call, e.g. `Call("send_message", {"text": …})`, without the chat id."""

    method: Literal["send_message", "send_photo", "send_document"]
    params: dict[str, Any] = field(default_factory=dict)


def callback_data(message_id: int, index: int) -> str:
    return f"{CALLBACK_PREFIX}:{message_id}:{index}"


def parse_callback_data(data: str | None) -> tuple[int, int] | None:
    """(message id, index) from our callback data; None for anything else."""
    if not data:
        return None
    prefix, _, rest = data.partition(":")
    message_id, _, index = rest.partition(":")
    if prefix != CALLBACK_PREFIX or not message_id.isdigit() or not index.isdigit():
        return None
    return int(message_id), int(index)


def render(reply: Reply, ref: int | None, *, remove_keyboard: bool = False) -> list[Call]:
    """The calls that show `reply`; `ref` is its stored message id (for buttons).

    `remove_keyboard` hides an earlier contact/location keyboard with the first part that
    has no inline keyboard of its own.
    """
    if isinstance(reply, ContactRequest | LocationRequest):
        return _texts(reply.text, _request_keyboard(reply))
    if isinstance(reply, ImageReply | DocumentReply):
        return _media(reply, remove_keyboard)
    if isinstance(reply, AttachmentReply):  # uploaded by TelegramOutbox; its text otherwise
        return _texts(plain_text(reply), ReplyKeyboardRemove() if remove_keyboard else None, first=True)
    options = choices(reply)
    keyboard = _inline_keyboard(options, ref, one_per_row=isinstance(reply, ListReply))
    if keyboard is not None:
        calls = _texts(reply.text, keyboard)
        if remove_keyboard and len(calls) > 1:
            calls[0].params["reply_markup"] = ReplyKeyboardRemove()
        return calls
    # No buttons, or none that can be sent: the options as numbered text.
    text = plain_text(reply) if options else reply.text
    return _texts(text, ReplyKeyboardRemove() if remove_keyboard else None, first=True)


def _texts(text: str, markup: Markup | None, *, first: bool = False) -> list[Call]:
    """Text in parts; `markup` on the last part (or the first, with `first`)."""
    parts = split_text(text, TEXT_LIMIT) or ["…"]
    calls = [Call("send_message", {"text": part}) for part in parts]
    if markup is not None:
        calls[0 if first else -1].params["reply_markup"] = markup
    return calls


def _media(reply: ImageReply | DocumentReply, remove_keyboard: bool) -> list[Call]:
    method: Literal["send_photo", "send_document"]
    params: dict[str, Any]
    if isinstance(reply, ImageReply):
        method, params = "send_photo", {"photo": reply.url}
    else:
        method, params = "send_document", {"document": reply.url}
    caption = reply.caption or ""
    calls: list[Call] = []
    if caption and utf16_length(caption) <= CAPTION_LIMIT:
        params["caption"] = caption
    elif caption:  # too long for a caption: the text first, then the file
        calls = _texts(caption, None)
    if remove_keyboard:
        params["reply_markup"] = ReplyKeyboardRemove()
    return [*calls, Call(method, params)]


def _inline_keyboard(
    options: list[Choice], ref: int | None, *, one_per_row: bool
) -> InlineKeyboardMarkup | None:
    buttons = []
    for index, option in enumerate(options):
        if ref is not None:
            data = callback_data(ref, index)
        elif len(option.payload.encode()) <= 64:  # not stored: the payload itself, if it fits
            data = option.payload
        else:
            continue
        buttons.append(InlineKeyboardButton(shorten(option.title, _BUTTON_TITLE_LIMIT), callback_data=data))
    if not buttons:
        return None
    # Short titles two to a row; long ones, and list rows, one per row.
    narrow = not one_per_row and all(len(button.text) <= 18 for button in buttons)
    width = 2 if narrow and len(buttons) > 1 else 1
    return InlineKeyboardMarkup([buttons[i : i + width] for i in range(0, len(buttons), width)])


def _request_keyboard(reply: ContactRequest | LocationRequest) -> ReplyKeyboardMarkup:
    button = KeyboardButton(
        reply.button,
        request_contact=isinstance(reply, ContactRequest) or None,
        request_location=isinstance(reply, LocationRequest) or None,
    )
    return ReplyKeyboardMarkup([[button]], resize_keyboard=True, one_time_keyboard=True)
