"""Internal replies as WhatsApp Cloud API message objects (pure: no network).

WhatsApp's limits: text 4096 characters; an interactive body 1024; at most 3 reply buttons
(titles ≤ 20); a list has at most 10 rows (titles ≤ 24, descriptions ≤ 72, section titles
≤ 24, button label ≤ 20). More than 3 buttons become a list; more than 10 rows, several
lists. Button and row ids point at the stored message (`c:<message id>:<index>`), so titles
may be shortened on screen while the full title and payload stay ours.

A contact request is WhatsApp's own `request_contact_info` message: the user taps to share
their number, and the card comes back marked `origin: contact_request`.
"""

from __future__ import annotations

from typing import Any

from api.conversations.model import (
    AttachmentReply,
    Choice,
    ContactRequest,
    DocumentReply,
    ImageReply,
    ListReply,
    LocationRequest,
    Reply,
    Section,
    TemplateReply,
    choices,
    plain_text,
)
from api.text import shorten, split_text

TEXT_LIMIT = 4096
BODY_LIMIT = 1024
CAPTION_LIMIT = 1024
MAX_BUTTONS = 3
MAX_ROWS = 10
BUTTON_TITLE_LIMIT = 20
ROW_TITLE_LIMIT = 24
ROW_DESCRIPTION_LIMIT = 72
SECTION_TITLE_LIMIT = 24
LIST_BUTTON_LIMIT = 20

CHOICE_PREFIX = "c"
CONTACT_ID = "contact"  # the reply button a contact request had before request_contact_info
MORE_CHOICES_TEXT = "Pilihan lainnya:"
CHOOSE_TEXT = "Silakan pilih:"

Message = dict[str, Any]


def addressee(to: str) -> dict[str, str]:
    """The field a message is addressed by: `to` for a phone number (digits), `recipient` for
    a business-scoped user id (`ID.1502…`, `ID.ENT.…`). Meta: `to` wins when both are given."""
    return {"to": to} if to.isdigit() else {"recipient": to}


def choice_id(message_id: int, index: int) -> str:
    return f"{CHOICE_PREFIX}:{message_id}:{index}"


def parse_choice_id(value: str) -> tuple[int, int] | None:
    prefix, _, rest = value.partition(":")
    message_id, _, index = rest.partition(":")
    if prefix != CHOICE_PREFIX or not message_id.isdigit() or not index.isdigit():
        return None
    return int(message_id), int(index)


def render(reply: Reply, ref: int | None) -> list[Message]:
    """The messages that show `reply`; `ref` is its stored message id (needed for buttons,
    lists and the contact button: without it, they are sent as text)."""
    if isinstance(reply, ImageReply):
        return _media("image", {"link": reply.url}, reply.caption)
    if isinstance(reply, DocumentReply):
        document = {"link": reply.url, **({"filename": reply.filename} if reply.filename else {})}
        return _media("document", document, reply.caption)
    if isinstance(reply, AttachmentReply):  # uploaded by WhatsAppOutbox; its text otherwise
        return _texts(plain_text(reply))
    if isinstance(reply, LocationRequest):
        *texts, body = _body_parts(reply.text)
        return [*texts, _interactive("location_request_message", body, {"name": "send_location"})]
    if isinstance(reply, ContactRequest):
        *texts, body = _body_parts(reply.text)
        return [*texts, _interactive("request_contact_info", body, {"name": "request_contact_info"})]
    if isinstance(reply, TemplateReply):
        return [_template(reply)]
    if ref is None:
        return _texts(plain_text(reply))
    options = choices(reply)
    if not options:
        return _texts(reply.text)
    *texts, body = _body_parts(reply.text)
    if not isinstance(reply, ListReply) and len(options) <= MAX_BUTTONS:
        buttons = [
            {
                "type": "reply",
                "reply": {"id": choice_id(ref, index), "title": shorten(option.title, BUTTON_TITLE_LIMIT)},
            }
            for index, option in enumerate(options)
        ]
        return [*texts, _interactive("button", body, {"buttons": buttons})]
    sections = reply.sections if isinstance(reply, ListReply) else [Section(rows=options)]
    label = reply.button if isinstance(reply, ListReply) else "Lihat pilihan"
    return [*texts, *_lists(body, shorten(label, LIST_BUTTON_LIMIT), sections, ref)]


def _template(reply: TemplateReply) -> Message:
    """An approved template (sent outside the 24-hour window): its body's values in order."""
    parameters = [{"type": "text", "text": value} for value in reply.parameters]
    template: dict[str, Any] = {"name": reply.template, "language": {"code": reply.language}}
    if parameters:
        template["components"] = [{"type": "body", "parameters": parameters}]
    return {"type": "template", "template": template}


def _texts(text: str) -> list[Message]:
    return [
        {"type": "text", "text": {"body": part, "preview_url": False}}
        for part in split_text(text, TEXT_LIMIT)
    ]


def _body_parts(text: str) -> list[Any]:
    """Text messages for what does not fit an interactive body, then the body itself."""
    if len(text) <= BODY_LIMIT:
        return [text]
    return [*_texts(text), CHOOSE_TEXT]


def _interactive(kind: str, body: str, action: dict[str, Any]) -> Message:
    return {"type": "interactive", "interactive": {"type": kind, "body": {"text": body}, "action": action}}


def _media(kind: str, media: dict[str, Any], caption: str | None) -> list[Message]:
    if caption and len(caption) <= CAPTION_LIMIT:
        return [{"type": kind, kind: {**media, "caption": caption}}]
    texts = _texts(caption) if caption else []
    return [*texts, {"type": kind, kind: media}]


def _lists(body: str, label: str, sections: list[Section], ref: int) -> list[Message]:
    """Lists of at most 10 rows each; the first with `body`, the others "Pilihan lainnya"."""
    numbered: list[tuple[int, str | None, Choice]] = []
    for section in sections:
        numbered.extend((len(numbered), section.title, row) for row in section.rows)
    messages = []
    for start in range(0, len(numbered), MAX_ROWS):
        chunk = numbered[start : start + MAX_ROWS]
        grouped: list[tuple[str | None, list[dict[str, str]]]] = []
        for index, title, row in chunk:
            if not grouped or grouped[-1][0] != title:
                grouped.append((title, []))
            grouped[-1][1].append(_row(ref, index, row))
        # WhatsApp needs a title on every section when a list has several.
        needs_titles = len(grouped) > 1
        wa_sections = [
            {
                **(
                    {"title": shorten(title or "Pilihan", SECTION_TITLE_LIMIT)}
                    if title or needs_titles
                    else {}
                ),
                "rows": rows,
            }
            for title, rows in grouped
        ]
        messages.append(
            _interactive(
                "list", body if start == 0 else MORE_CHOICES_TEXT, {"button": label, "sections": wa_sections}
            )
        )
    return messages


def _row(ref: int, index: int, row: Choice) -> dict[str, str]:
    item = {"id": choice_id(ref, index), "title": shorten(row.title, ROW_TITLE_LIMIT)}
    if row.description:
        item["description"] = shorten(row.description, ROW_DESCRIPTION_LIMIT)
    return item
