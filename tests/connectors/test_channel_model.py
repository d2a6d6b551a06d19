"""The internal message model, Rasa's replies mapped into it, and the channel renderers
(pure functions: no server, no database)."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from pydantic import ValidationError
from telegram import InlineKeyboardMarkup, ReplyKeyboardMarkup, ReplyKeyboardRemove

from api.conversations.model import (
    INBOUND,
    REPLY,
    ButtonClickIn,
    Choice,
    ContactIn,
    ContactRequest,
    DocumentReply,
    ImageReply,
    ListReply,
    LocationIn,
    LocationRequest,
    Section,
    TextIn,
    TextReply,
    choices,
    from_rasa,
    from_rasa_replies,
    plain_text,
    summary_text,
)
from api.text import shorten, split_text, utf16_length
from connectors.telegram import render as telegram
from connectors.whatsapp import render as whatsapp
from connectors.whatsapp.signature import Signature, check_signature, sign

MENU = [{"title": "Kesehatan", "payload": "/health"}, {"title": "Pendidikan", "payload": "/education"}]


# --- From Rasa ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        ({"recipient_id": "x", "text": "Halo"}, TextReply(text="Halo")),
        (
            {"text": "Pilih:", "buttons": MENU},
            TextReply(
                text="Pilih:",
                buttons=[
                    Choice(title="Kesehatan", payload="/health"),
                    Choice(title="Pendidikan", payload="/education"),
                ],
            ),
        ),
        (
            {"buttons": MENU[:1]},
            TextReply(text="Silakan pilih:", buttons=[Choice(title="Kesehatan", payload="/health")]),
        ),
        (
            {"text": "Buka", "buttons": [{"title": "Situs", "url": "https://x.go.id", "type": "web_url"}]},
            TextReply(text="Buka"),
        ),
        ({"image": "https://x.go.id/a.png"}, ImageReply(url="https://x.go.id/a.png")),
        (
            {"image": "https://x.go.id/a.png", "text": "Peta"},
            ImageReply(url="https://x.go.id/a.png", caption="Peta"),
        ),
        ({"attachment": "https://x.go.id/f.pdf"}, DocumentReply(url="https://x.go.id/f.pdf")),
        (
            {"attachment": {"url": "https://x.go.id/f.pdf", "filename": "f.pdf"}, "text": "Formulir"},
            DocumentReply(url="https://x.go.id/f.pdf", filename="f.pdf", caption="Formulir"),
        ),
        (
            {"attachment": {"type": "image", "url": "https://x.go.id/b.png"}},
            ImageReply(url="https://x.go.id/b.png"),
        ),
        ({"custom": {"type": "request_contact", "text": "Nomor Anda?"}}, ContactRequest(text="Nomor Anda?")),
        (
            {"custom": {"type": "request_location", "text": "Lokasi?", "button": "Kirim lokasi"}},
            LocationRequest(text="Lokasi?", button="Kirim lokasi"),
        ),
        (
            {"custom": {"type": "list", "text": "Pilih:", "sections": [{"title": "A", "rows": MENU}]}},
            ListReply(
                text="Pilih:", sections=[Section(title="A", rows=[Choice(**MENU[0]), Choice(**MENU[1])])]
            ),
        ),
        (
            {"custom": {"type": "text", "text": "Halo", "buttons": MENU[:1]}},
            TextReply(text="Halo", buttons=[Choice(**MENU[0])]),
        ),
    ],
)
def test_rasa_replies_map_to_the_model(item: dict[str, Any], expected: Any) -> None:
    assert from_rasa(item) == [expected]


@pytest.mark.parametrize(
    "item",
    [
        {"recipient_id": "x"},
        {"text": "   "},
        {"custom": {"type": "carousel", "items": []}},
        {"custom": {"type": "list", "text": "Pilih:", "sections": []}},
        {"custom": {"type": "request_contact"}},
        {"custom": "just a string"},
        {"custom": {"type": "image"}},
    ],
)
def test_unusable_rasa_items_are_dropped_and_logged(
    item: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    assert from_rasa(item) == []
    assert "ignored" in caplog.text


def test_a_reply_list_keeps_its_order() -> None:
    replies = from_rasa_replies(
        [{"text": "Satu"}, {"recipient_id": "x"}, {"image": "https://x/a.png"}, {"text": "Dua"}]
    )
    assert [reply.type for reply in replies] == ["text", "image", "text"]


def test_reply_json_round_trips_and_is_the_custom_schema() -> None:
    reply = ListReply(
        text="Pilih:",
        button="Lihat",
        sections=[
            Section(title="BPJS", rows=[Choice(title="Status", payload="/s", description="Cek status")])
        ],
    )
    data = reply.model_dump(mode="json", exclude_none=True)
    assert data == {
        "type": "list",
        "text": "Pilih:",
        "button": "Lihat",
        "sections": [
            {"title": "BPJS", "rows": [{"title": "Status", "payload": "/s", "description": "Cek status"}]}
        ],
    }
    assert REPLY.validate_python(data) == reply
    assert from_rasa({"custom": data}) == [reply]


def test_choices_summary_and_plain_text() -> None:
    listing = ListReply(
        text="Pilih:", sections=[Section(rows=[Choice(**MENU[0])]), Section(rows=[Choice(**MENU[1])])]
    )
    assert [choice.payload for choice in choices(listing)] == ["/health", "/education"]
    assert choices(ImageReply(url="https://x/a.png")) == []
    assert summary_text(DocumentReply(url="https://x/f.pdf", caption="Formulir")) == "Formulir"
    assert summary_text(ImageReply(url="https://x/a.png")) == ""
    assert plain_text(listing) == "Pilih:\n1. Kesehatan\n2. Pendidikan"


# --- Inbound events ---------------------------------------------------------------------


def test_inbound_events_say_what_to_store_and_what_to_send() -> None:
    click = ButtonClickIn(payload="/health", title="Kesehatan")
    assert (click.display_text(), click.rasa_message(), click.rasa_metadata()) == (
        "Kesehatan",
        "/health",
        {"button_title": "Kesehatan"},
    )
    text = TextIn(text="halo")
    assert (text.display_text(), text.rasa_message(), text.rasa_metadata()) == ("halo", "halo", {})
    location = LocationIn(latitude=-6.2, longitude=106.8, name="Monas")
    assert location.rasa_message() == '/share_location{"latitude":-6.2,"longitude":106.8}'
    assert location.rasa_metadata() == {"location": {"latitude": -6.2, "longitude": 106.8, "name": "Monas"}}
    assert INBOUND.validate_python({"type": "button", "payload": "/x", "title": "X"}) == ButtonClickIn(
        payload="/x", title="X"
    )


@pytest.mark.parametrize(
    ("given", "normalised"),
    [
        ("6281234567890", "+6281234567890"),
        ("+62 812-3456-7890", "+6281234567890"),
        ("0812 3456 7890", "+6281234567890"),
    ],
)
def test_contact_numbers_are_normalised(given: str, normalised: str) -> None:
    contact = ContactIn(phone_number=given, own=True)
    assert contact.phone_number == normalised
    assert contact.rasa_message() == f'/share_contact{{"phone_number":"{normalised}"}}'
    assert contact.rasa_metadata() == {"contact": {"phone_number": normalised, "own": True}}


@pytest.mark.parametrize("bad", ["", "abc", "12", "+62 812 3456 7890 1234 5678"])
def test_not_a_phone_number_is_refused(bad: str) -> None:
    with pytest.raises(ValidationError):
        ContactIn(phone_number=bad, own=False)


@pytest.mark.parametrize("coordinates", [(91, 0), (0, 181), (-90.5, 10)])
def test_impossible_locations_are_refused(coordinates: tuple[float, float]) -> None:
    with pytest.raises(ValidationError):
        LocationIn(latitude=coordinates[0], longitude=coordinates[1])


# --- Text splitting ---------------------------------------------------------------------


def test_split_prefers_paragraphs_then_lines_then_words() -> None:
    text = "Satu dua tiga.\n\nEmpat lima enam.\nTujuh delapan"
    assert split_text(text, 20) == ["Satu dua tiga.", "Empat lima enam.", "Tujuh delapan"]
    assert split_text("a" * 25, 10) == ["a" * 10, "a" * 10, "a" * 5]
    assert split_text("  pendek  ", 4096) == ["pendek"]


def test_split_counts_utf16_units_and_never_cuts_an_emoji() -> None:
    parts = split_text("😀" * 3000, 4096)
    assert [utf16_length(part) for part in parts] == [4096, 1904]
    assert "".join(parts) == "😀" * 3000


def test_shorten() -> None:
    assert shorten("Pendaftaran  KIP\nKuliah", 40) == "Pendaftaran KIP Kuliah"
    assert shorten("Administrasi kependudukan", 20) == "Administrasi kepend…"
    assert len(shorten("x" * 50, 20)) == 20


# --- Telegram rendering -----------------------------------------------------------------


def test_telegram_buttons_point_at_the_stored_message() -> None:
    [call] = telegram.render(TextReply(text="Pilih:", buttons=[Choice(**MENU[0]), Choice(**MENU[1])]), ref=42)
    markup = call.params["reply_markup"]
    assert isinstance(markup, InlineKeyboardMarkup)
    assert [[button.callback_data for button in row] for row in markup.inline_keyboard] == [
        ["c:42:0", "c:42:1"]
    ]
    assert telegram.parse_callback_data("c:42:1") == (42, 1)
    for bad in ("", "c:42", "c:x:1", "x:42:1", "c:42:-1"):
        assert telegram.parse_callback_data(bad) is None


def test_telegram_long_titles_one_per_row_and_lists_one_per_row() -> None:
    long_titles = [
        Choice(title="Administrasi kependudukan dan pencatatan sipil", payload=f"/p{n}") for n in range(2)
    ]
    [call] = telegram.render(TextReply(text="Pilih:", buttons=long_titles), ref=1)
    assert [len(row) for row in call.params["reply_markup"].inline_keyboard] == [1, 1]
    listing = ListReply(
        text="Pilih:",
        sections=[Section(rows=[Choice(title="A", payload="/a"), Choice(title="B", payload="/b")])],
    )
    [call] = telegram.render(listing, ref=1)
    assert [len(row) for row in call.params["reply_markup"].inline_keyboard] == [1, 1]


def test_telegram_without_a_stored_message_short_payloads_are_sent_as_is() -> None:
    reply = TextReply(
        text="Pilih:", buttons=[Choice(title="A", payload="/a"), Choice(title="B", payload="/" + "b" * 70)]
    )
    [call] = telegram.render(reply, ref=None)
    assert [
        button.callback_data for row in call.params["reply_markup"].inline_keyboard for button in row
    ] == ["/a"]


def test_telegram_contact_and_location_requests_use_a_reply_keyboard() -> None:
    for reply, flag in (
        (ContactRequest(text="Nomor?"), "request_contact"),
        (LocationRequest(text="Lokasi?"), "request_location"),
    ):
        [call] = telegram.render(reply, ref=3)
        markup = call.params["reply_markup"]
        assert isinstance(markup, ReplyKeyboardMarkup) and markup.one_time_keyboard
        assert getattr(markup.keyboard[0][0], flag) is True


def test_telegram_long_caption_goes_as_text_first() -> None:
    calls = telegram.render(ImageReply(url="https://x/a.png", caption="k" * 1500), ref=1)
    assert [call.method for call in calls] == ["send_message", "send_photo"]
    assert "caption" not in calls[1].params


def test_telegram_removes_an_earlier_keyboard_on_the_first_plain_part() -> None:
    [call] = telegram.render(TextReply(text="Terima kasih."), ref=1, remove_keyboard=True)
    assert isinstance(call.params["reply_markup"], ReplyKeyboardRemove)


# --- WhatsApp rendering -----------------------------------------------------------------


def test_whatsapp_three_buttons_are_reply_buttons_with_short_titles() -> None:
    options = [Choice(title=f"Administrasi kependudukan {n}", payload=f"/p{n}") for n in range(3)]
    [message] = whatsapp.render(TextReply(text="Pilih:", buttons=options), ref=7)
    buttons = message["interactive"]["action"]["buttons"]
    assert [button["reply"]["id"] for button in buttons] == ["c:7:0", "c:7:1", "c:7:2"]
    assert all(len(button["reply"]["title"]) <= 20 for button in buttons)


def test_whatsapp_sections_keep_titles_and_split_at_ten_rows() -> None:
    sections = [
        Section(
            title="Kesehatan",
            rows=[Choice(title=f"K{n}", payload=f"/k{n}", description="d" * 100) for n in range(6)],
        ),
        Section(rows=[Choice(title=f"P{n}", payload=f"/p{n}") for n in range(6)]),
    ]
    first, second = whatsapp.render(ListReply(text="Pilih:", sections=sections), ref=9)
    first_sections = first["interactive"]["action"]["sections"]
    assert [section["title"] for section in first_sections] == ["Kesehatan", "Pilihan"]
    assert sum(len(section["rows"]) for section in first_sections) == 10
    assert all(len(row["description"]) <= 72 for row in first_sections[0]["rows"])
    assert [row["id"] for row in second["interactive"]["action"]["sections"][0]["rows"]] == [
        "c:9:10",
        "c:9:11",
    ]
    assert "title" not in second["interactive"]["action"]["sections"][0]  # one section: optional


def test_whatsapp_long_body_is_sent_as_text_before_the_buttons() -> None:
    messages = whatsapp.render(TextReply(text="x" * 1500, buttons=[Choice(**MENU[0])]), ref=1)
    assert [message["type"] for message in messages] == ["text", "interactive"]
    assert messages[1]["interactive"]["body"]["text"] == "Silakan pilih:"


def test_whatsapp_without_a_stored_message_choices_are_numbered_text() -> None:
    [message] = whatsapp.render(TextReply(text="Pilih:", buttons=[Choice(**MENU[0])]), ref=None)
    assert message == {"type": "text", "text": {"body": "Pilih:\n1. Kesehatan", "preview_url": False}}


def test_whatsapp_image_and_long_text() -> None:
    [image] = whatsapp.render(ImageReply(url="https://x/a.png", caption="Peta"), ref=1)
    assert image == {"type": "image", "image": {"link": "https://x/a.png", "caption": "Peta"}}
    assert len(whatsapp.render(TextReply(text="kata " * 2000), ref=1)) == 3


def test_whatsapp_choice_ids() -> None:
    assert whatsapp.parse_choice_id("c:12:3") == (12, 3)
    assert whatsapp.parse_choice_id("contact:12") is None
    assert whatsapp.parse_choice_id("c:12") is None


# --- WhatsApp signatures ----------------------------------------------------------------


def test_signature_check() -> None:
    body = b'{"object":"whatsapp_business_account"}'
    header = sign("secret", body)
    assert header.startswith("sha256=") and len(header) == 7 + 64
    assert check_signature("secret", body, header) is Signature.VALID
    assert check_signature("secret", body, header.upper().replace("SHA256=", "sha256=")) is Signature.VALID
    assert check_signature("secret", body + b" ", header) is Signature.INVALID
    assert check_signature("other", body, header) is Signature.INVALID
    assert check_signature("", body, header) is Signature.INVALID
    assert check_signature("secret", body, None) is Signature.MISSING
    assert check_signature("secret", body, "sha256=ü") is Signature.INVALID
