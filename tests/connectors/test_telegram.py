"""Telegram through the gateway's webhook, against a local fake Bot API server."""

from __future__ import annotations

import asyncio
import itertools
import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI
from sqlalchemy import func, select

from api.conversations.turn import RASA_UNAVAILABLE_TEXT
from api.models import Author, ChannelThread, ChannelUpdate, DeliveryStatus, Message
from api.privacy.shapes import token_kind
from connectors.inbound import STALE_CHOICE_TEXT, UNSUPPORTED_TEXT
from connectors.ratelimit import RATE_LIMITED_TEXT
from connectors.telegram.channel import EDITED_TEXT, SECRET_HEADER
from tests.api.callcenter.support import (
    ALWAYS_OPEN,
    add_agent,
    console,
    fresh_call_center,
    handoff_bot,
    handoff_of,
)
from tests.api.fake_rasa import FakeRasa, closed_port_url
from tests.api.support import GatewayFactory, shown_history
from tests.connectors.fake_channels import TELEGRAM_TOKEN, FakeTelegram, serve
from tests.connectors.test_rate_limit import clock_the_gateways_limiter

ROOT = Path(__file__).resolve().parents[2]
SECRET = "webhook-secret_1"
PHONE = "6281234567890"
MENU_BUTTONS = [
    {"title": "Kesehatan", "payload": '/ask_menu{"service":"health"}'},
    {"title": "Kependudukan", "payload": '/ask_menu{"service":"civil_registry"}'},
]
_update_ids = itertools.count(10_000)
_chat_ids = itertools.count(555_000_111)


@pytest.fixture(scope="session")
def _telegram_server() -> Iterator[FakeTelegram]:
    fake = FakeTelegram()
    with serve(fake.app()) as url:
        fake.url = url
        yield fake


@pytest.fixture
def telegram(_telegram_server: FakeTelegram) -> FakeTelegram:
    _telegram_server.reset()
    return _telegram_server


def telegram_settings(telegram: FakeTelegram, **overrides: Any) -> dict[str, Any]:
    return {
        "telegram_bot_token": TELEGRAM_TOKEN,
        "telegram_webhook_secret": SECRET,
        "telegram_api_url": telegram.api_url,
        **overrides,
    }


@pytest_asyncio.fixture
async def bot(
    gateway: GatewayFactory, telegram: FakeTelegram
) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    async with gateway(**telegram_settings(telegram)) as running:
        yield running


@pytest.fixture
def citizen() -> int:
    """A chat id of its own for each test (the database is shared by the session)."""
    return next(_chat_ids)


def chat(chat_id: int, kind: str = "private") -> dict[str, Any]:
    return {"id": chat_id, "type": kind, "first_name": "Budi"}


def user(user_id: int) -> dict[str, Any]:
    return {"id": user_id, "is_bot": False, "first_name": "Budi"}


def message_update(chat_id: int, **content: Any) -> dict[str, Any]:
    return {
        "update_id": next(_update_ids),
        "message": {
            "message_id": next(_update_ids),
            "date": 1_790_000_000,
            "chat": chat(chat_id),
            "from": user(chat_id),
            **content,
        },
    }


def callback_update(chat_id: int, data: str) -> dict[str, Any]:
    return {
        "update_id": next(_update_ids),
        "callback_query": {
            "id": f"cq{next(_update_ids)}",
            "from": user(chat_id),
            "chat_instance": "ci",
            "data": data,
            "message": {
                "message_id": 1,
                "date": 1_790_000_000,
                "chat": chat(chat_id),
                "text": "Pilih layanan:",
            },
        },
    }


async def post_update(
    client: httpx.AsyncClient, update: dict[str, Any] | bytes, secret: str | None = SECRET
) -> httpx.Response:
    headers = {SECRET_HEADER: secret.encode()} if secret is not None else {}
    if isinstance(update, bytes):
        return await client.post("/webhooks/telegram", content=update, headers=headers)
    return await client.post("/webhooks/telegram", json=update, headers=headers)


async def messages_of(app: FastAPI, chat_id: int) -> list[Message]:
    """The stored messages of a Telegram chat's conversation."""
    query = (
        select(Message)
        .join(ChannelThread, ChannelThread.conversation_id == Message.conversation_id)
        .where(ChannelThread.channel == "telegram", ChannelThread.channel_user_id == str(chat_id))
        .order_by(Message.id)
    )
    async with app.state.sessionmaker() as session:
        return list((await session.scalars(query)).all())


async def test_text_goes_to_rasa_and_replies_come_back_with_an_inline_keyboard(
    citizen: int, bot: tuple[FastAPI, httpx.AsyncClient], telegram: FakeTelegram, fake_rasa: FakeRasa
) -> None:
    app, client = bot
    fake_rasa.reply({"text": "Halo! Pilih layanan:", "buttons": MENU_BUTTONS})

    response = await post_update(client, message_update(citizen, text="halo"))

    assert response.status_code == 200
    [sent_to_rasa] = fake_rasa.received
    assert sent_to_rasa["message"] == "halo"
    assert sent_to_rasa["input_channel"] == "telegram"
    assert sent_to_rasa["metadata"] == {"channel": "telegram", "turn_id": sent_to_rasa["metadata"]["turn_id"]}
    assert sent_to_rasa["metadata"]["turn_id"].endswith(".0")  # the gateway's turn (turn.py)
    [sent] = telegram.sent()
    assert sent["chat_id"] == citizen and sent["text"] == "Halo! Pilih layanan:"
    stored = await messages_of(app, citizen)
    assert [(m.author, m.text) for m in stored] == [
        (Author.CITIZEN, "halo"),
        (Author.BOT, "Halo! Pilih layanan:"),
    ]
    reply = stored[1]
    keyboard = sent["reply_markup"]["inline_keyboard"]
    assert [button for row in keyboard for button in row] == [
        {"text": "Kesehatan", "callback_data": f"c:{reply.id}:0"},
        {"text": "Kependudukan", "callback_data": f"c:{reply.id}:1"},
    ]
    assert reply.delivery_status is DeliveryStatus.SENT and reply.channel_message_id
    assert str(stored[0].conversation_id) == sent_to_rasa["sender"]


async def test_a_chat_keeps_one_conversation(
    citizen: int, bot: tuple[FastAPI, httpx.AsyncClient], fake_rasa: FakeRasa
) -> None:
    _, client = bot
    await post_update(client, message_update(citizen, text="halo"))
    await post_update(client, message_update(citizen, text="apa kabar"))
    await post_update(client, message_update(citizen + 1, text="halo"))

    senders = [received["sender"] for received in fake_rasa.received]
    assert senders[0] == senders[1] != senders[2]


async def test_button_click_answers_the_query_and_sends_the_payload(
    citizen: int, bot: tuple[FastAPI, httpx.AsyncClient], telegram: FakeTelegram, fake_rasa: FakeRasa
) -> None:
    app, client = bot
    fake_rasa.reply({"text": "Pilih layanan:", "buttons": MENU_BUTTONS})
    await post_update(client, message_update(citizen, text="menu"))
    menu = (await messages_of(app, citizen))[-1]
    fake_rasa.reply({"text": "Layanan kesehatan apa?"})

    update = callback_update(citizen, f"c:{menu.id}:0")
    response = await post_update(client, update)

    assert response.status_code == 200
    assert telegram.sent("answerCallbackQuery") == [{"callback_query_id": update["callback_query"]["id"]}]
    assert fake_rasa.received[-1]["message"] == MENU_BUTTONS[0]["payload"]
    assert fake_rasa.received[-1]["metadata"]["button_title"] == "Kesehatan"
    click = (await messages_of(app, citizen))[-2]
    assert (click.text, click.payload) == ("Kesehatan", MENU_BUTTONS[0]["payload"])


@pytest.mark.parametrize("data", ["c:999999:0", "c:{menu}:7", "bogus", ""])
async def test_stale_or_forged_button_is_answered_not_forwarded(
    citizen: int,
    bot: tuple[FastAPI, httpx.AsyncClient],
    telegram: FakeTelegram,
    fake_rasa: FakeRasa,
    data: str,
) -> None:
    app, client = bot
    fake_rasa.reply({"text": "Pilih layanan:", "buttons": MENU_BUTTONS})
    await post_update(client, message_update(citizen, text="menu"))
    menu = (await messages_of(app, citizen))[-1]
    telegram.reset()
    fake_rasa.received.clear()

    response = await post_update(client, callback_update(citizen, data.format(menu=menu.id)))

    assert response.status_code == 200
    assert fake_rasa.received == []
    assert [params["text"] for params in telegram.sent("sendMessage")] == [STALE_CHOICE_TEXT]
    assert len(telegram.sent("answerCallbackQuery")) == 1


async def test_a_button_of_another_chat_is_refused(
    citizen: int, bot: tuple[FastAPI, httpx.AsyncClient], telegram: FakeTelegram, fake_rasa: FakeRasa
) -> None:
    app, client = bot
    fake_rasa.reply({"text": "Pilih layanan:", "buttons": MENU_BUTTONS})
    await post_update(client, message_update(citizen, text="menu"))
    menu = (await messages_of(app, citizen))[-1]
    fake_rasa.received.clear()

    await post_update(client, callback_update(citizen + 7, f"c:{menu.id}:0"))

    assert fake_rasa.received == []


async def test_retried_update_is_handled_once(
    citizen: int, bot: tuple[FastAPI, httpx.AsyncClient], telegram: FakeTelegram, fake_rasa: FakeRasa
) -> None:
    app, client = bot
    fake_rasa.reply({"text": "Baik."})
    update = message_update(citizen, text="halo")

    first = await post_update(client, update)
    again = await post_update(client, update)

    assert first.status_code == again.status_code == 200
    assert len(fake_rasa.received) == 1
    assert len(telegram.sent()) == 1
    assert [m.text for m in await messages_of(app, citizen)] == ["halo", "Baik."]


async def test_concurrent_deliveries_of_one_update_are_handled_once(
    citizen: int, bot: tuple[FastAPI, httpx.AsyncClient], fake_rasa: FakeRasa
) -> None:
    app, client = bot
    fake_rasa.reply({"text": "Baik."})
    await post_update(client, message_update(citizen, text="halo"))  # the conversation exists
    fake_rasa.received.clear()
    update = message_update(citizen, text="lagi")

    responses = await asyncio.gather(*(post_update(client, update) for _ in range(3)))

    assert all(response.status_code == 200 for response in responses)
    assert len(fake_rasa.received) == 1
    async with app.state.sessionmaker() as session:
        count = await session.scalar(
            select(func.count())
            .select_from(ChannelUpdate)
            .where(ChannelUpdate.external_id == str(update["update_id"]))
        )
    assert count == 1


async def test_long_reply_is_split_at_telegrams_limit(
    citizen: int, bot: tuple[FastAPI, httpx.AsyncClient], telegram: FakeTelegram, fake_rasa: FakeRasa
) -> None:
    paragraph = "Persyaratan pembuatan KTP elektronik meliputi beberapa dokumen. " * 20
    long_text = "\n\n".join([paragraph.strip()] * 8)  # about 10 000 characters
    fake_rasa.reply({"text": long_text, "buttons": MENU_BUTTONS[:1]})
    _, client = bot

    await post_update(client, message_update(citizen, text="syarat ktp"))

    parts = telegram.sent("sendMessage")
    assert len(parts) == 3
    assert all(len(part["text"]) <= 4096 for part in parts)
    assert "".join(part["text"] for part in parts).replace("\n", "") == long_text.replace("\n", "")
    assert ["reply_markup" in part for part in parts] == [False, False, True]


@pytest.mark.parametrize(
    "content",
    [
        {
            "sticker": {
                "file_id": "s",
                "file_unique_id": "s",
                "width": 512,
                "height": 512,
                "is_animated": False,
                "is_video": False,
                "type": "regular",
            }
        },
        {"voice": {"file_id": "v", "file_unique_id": "v", "duration": 3}},
    ],
    # Photos and documents are kept (tests/api/test_attachments_channels.py).
    ids=["sticker", "voice"],
)
async def test_media_gets_a_text_only_notice(
    citizen: int,
    bot: tuple[FastAPI, httpx.AsyncClient],
    telegram: FakeTelegram,
    fake_rasa: FakeRasa,
    content: dict[str, Any],
) -> None:
    app, client = bot
    update = message_update(citizen, **content)

    assert (await post_update(client, update)).status_code == 200
    assert (await post_update(client, update)).status_code == 200  # a retry: no second notice

    assert [params["text"] for params in telegram.sent()] == [UNSUPPORTED_TEXT]
    assert fake_rasa.received == []
    assert await messages_of(app, citizen) == []


async def test_edited_message_gets_a_notice(
    citizen: int, bot: tuple[FastAPI, httpx.AsyncClient], telegram: FakeTelegram, fake_rasa: FakeRasa
) -> None:
    _, client = bot
    edited = message_update(citizen, text="halo (diubah)")
    edited["edited_message"] = {**edited.pop("message"), "edit_date": 1_790_000_100}

    assert (await post_update(client, edited)).status_code == 200

    assert [params["text"] for params in telegram.sent()] == [EDITED_TEXT]
    assert fake_rasa.received == []


@pytest.mark.parametrize("kind", ["group", "supergroup"])
async def test_group_messages_are_ignored(
    citizen: int,
    bot: tuple[FastAPI, httpx.AsyncClient],
    telegram: FakeTelegram,
    fake_rasa: FakeRasa,
    kind: str,
) -> None:
    app, client = bot
    update = message_update(citizen, text="halo bot")
    update["message"]["chat"] = chat(-citizen, kind)

    assert (await post_update(client, update)).status_code == 200

    assert telegram.sent() == [] and fake_rasa.received == []
    assert await messages_of(app, citizen) == []


async def test_service_updates_and_live_locations_are_ignored(
    citizen: int, bot: tuple[FastAPI, httpx.AsyncClient], telegram: FakeTelegram, fake_rasa: FakeRasa
) -> None:
    _, client = bot
    blocked = {
        "update_id": next(_update_ids),
        "my_chat_member": {
            "chat": chat(citizen),
            "from": user(citizen),
            "date": 1_790_000_000,
            "old_chat_member": {"status": "member", "user": {**user(123456), "is_bot": True}},
            "new_chat_member": {
                "status": "kicked",
                "user": {**user(123456), "is_bot": True},
                "until_date": 0,
            },
        },
    }
    live = message_update(citizen, location={"latitude": -6.2, "longitude": 106.8})
    live["edited_message"] = {**live.pop("message"), "edit_date": 1_790_000_100}

    for update in (blocked, live):
        assert (await post_update(client, update)).status_code == 200
    assert telegram.sent() == [] and fake_rasa.received == []


async def test_start_command_greets(
    citizen: int, bot: tuple[FastAPI, httpx.AsyncClient], fake_rasa: FakeRasa
) -> None:
    _, client = bot
    await post_update(client, message_update(citizen, text="/start"))
    await post_update(client, message_update(citizen, text="/tidakada"))

    assert [received["message"] for received in fake_rasa.received] == ["/greet", "tidakada"]


async def test_contact_request_and_shared_contact(
    citizen: int, bot: tuple[FastAPI, httpx.AsyncClient], telegram: FakeTelegram, fake_rasa: FakeRasa
) -> None:
    _, client = bot
    fake_rasa.reply({"custom": {"type": "request_contact", "text": "Boleh kami minta nomor telepon Anda?"}})
    await post_update(client, message_update(citizen, text="cek bpjs"))
    [request] = telegram.sent()
    assert request["reply_markup"]["keyboard"] == [
        [{"text": "Bagikan nomor telepon", "request_contact": True}]
    ]
    assert request["reply_markup"]["one_time_keyboard"] is True
    telegram.reset()
    fake_rasa.reply({"text": "Terima kasih."})

    await post_update(
        client,
        message_update(citizen, contact={"phone_number": PHONE, "first_name": "Budi", "user_id": citizen}),
    )

    received = fake_rasa.received[-1]
    # The number reaches Rasa as the conversation's token (api/privacy, issue 16).
    token = received["metadata"]["contact"]["phone_number"]
    assert token_kind(token) == "phone"
    assert received["message"] == f'/share_contact{{"phone_number":"{token}"}}'
    assert received["metadata"]["contact"] == {"phone_number": token, "own": True}
    [thanks] = telegram.sent()
    assert thanks["reply_markup"] == {"remove_keyboard": True}


async def test_someone_elses_contact_is_not_own(
    citizen: int, bot: tuple[FastAPI, httpx.AsyncClient], fake_rasa: FakeRasa
) -> None:
    _, client = bot
    await post_update(
        client,
        message_update(
            citizen, contact={"phone_number": "+6289876543210", "first_name": "Ani", "user_id": 42}
        ),
    )
    assert fake_rasa.received[-1]["metadata"]["contact"]["own"] is False


async def test_location_and_venue(
    citizen: int, bot: tuple[FastAPI, httpx.AsyncClient], fake_rasa: FakeRasa
) -> None:
    _, client = bot
    location = {"latitude": -6.175392, "longitude": 106.827153}
    await post_update(client, message_update(citizen, location=location))
    await post_update(
        client,
        message_update(
            citizen, location=location, venue={"location": location, "title": "Monas", "address": "Gambir"}
        ),
    )

    first, second = fake_rasa.received
    assert first["message"] == '/share_location{"latitude":-6.175392,"longitude":106.827153}'
    assert second["metadata"]["location"]["name"] == "Monas"


async def test_list_image_and_document_replies(
    citizen: int, bot: tuple[FastAPI, httpx.AsyncClient], telegram: FakeTelegram, fake_rasa: FakeRasa
) -> None:
    _, client = bot
    rows = [{"title": f"Layanan {n}", "payload": f"/layanan_{n}"} for n in range(12)]
    fake_rasa.reply(
        {"custom": {"type": "list", "text": "Pilih:", "sections": [{"title": "Semua", "rows": rows}]}},
        {"image": "https://example.go.id/peta.png", "text": "Peta lokasi"},
        {
            "custom": {
                "type": "document",
                "url": "https://example.go.id/f.pdf",
                "filename": "f.pdf",
                "caption": "Formulir",
            }
        },
    )

    await post_update(client, message_update(citizen, text="layanan"))

    methods = [method for method, _ in telegram.calls if method.startswith("send")]
    assert methods == ["sendMessage", "sendPhoto", "sendDocument"]
    listing, photo, document = telegram.sent()
    assert len(listing["reply_markup"]["inline_keyboard"]) == 12  # one row per option
    assert (photo["photo"], photo["caption"]) == ("https://example.go.id/peta.png", "Peta lokasi")
    assert (document["document"], document["caption"]) == ("https://example.go.id/f.pdf", "Formulir")


async def test_rasa_down_gives_the_apology_on_telegram(
    citizen: int, gateway: GatewayFactory, telegram: FakeTelegram
) -> None:
    async with gateway(rasa_url=closed_port_url(), **telegram_settings(telegram)) as (app, client):
        response = await post_update(client, message_update(citizen, text="halo"))
        stored = await messages_of(app, citizen)

    assert response.status_code == 200
    assert [params["text"] for params in telegram.sent()] == [RASA_UNAVAILABLE_TEXT]
    assert [(m.author, m.rasa_status) for m in stored] == [(Author.CITIZEN, "failed"), (Author.SYSTEM, None)]


def answered(*numbers: int) -> list[tuple[str, str, str | None]]:
    """The transcript of "pesan <n>" messages forwarded to Rasa, each with its reply."""
    return [
        entry for n in numbers for entry in (("citizen", f"pesan {n}", "delivered"), ("bot", "Baik.", None))
    ]


def held(*numbers: int) -> list[tuple[str, str, str | None]]:
    """The transcript of "pesan <n>" messages kept over the rate limit, without a reply."""
    return [("citizen", f"pesan {n}", "rate_limited") for n in numbers]


async def test_a_flood_is_stored_but_only_the_admitted_messages_reach_rasa(
    citizen: int,
    gateway: GatewayFactory,
    telegram: FakeTelegram,
    fake_rasa: FakeRasa,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock = clock_the_gateways_limiter(monkeypatch)
    fake_rasa.reply({"text": "Baik."})
    async with gateway(rate_limit_messages=3, **telegram_settings(telegram)) as (app, client):
        first_window = [message_update(citizen, text=f"pesan {n}") for n in range(6)]
        for update in first_window:
            assert (await post_update(client, update)).status_code == 200
        # Telegram retries an update over the limit: acknowledged, still stored once.
        assert (await post_update(client, first_window[4])).status_code == 200
        await post_update(client, message_update(next(_chat_ids), text="halo"))  # another sender
        clock.now += 60  # the next window: three more admitted, then a second notice
        for n in range(6, 10):
            assert (await post_update(client, message_update(citizen, text=f"pesan {n}"))).status_code == 200
        stored = await messages_of(app, citizen)
        history = await shown_history(app, stored[0].conversation_id)
        async with app.state.sessionmaker() as session:
            retried_claims = await session.scalar(
                select(func.count())
                .select_from(ChannelUpdate)
                .where(
                    ChannelUpdate.channel == "telegram",
                    ChannelUpdate.external_id == str(first_window[4]["update_id"]),
                )
            )

    forwarded = ["pesan 0", "pesan 1", "pesan 2", "halo", "pesan 6", "pesan 7", "pesan 8"]
    assert [received["message"] for received in fake_rasa.received] == forwarded
    assert [params["text"] for params in telegram.sent()] == (
        ["Baik."] * 3 + [RATE_LIMITED_TEXT] + ["Baik."] + ["Baik."] * 3 + [RATE_LIMITED_TEXT]
    )
    assert retried_claims == 1
    transcript = [(m["author"], m["text"], m["rasa_status"]) for m in history]
    assert transcript == [*answered(0, 1, 2), *held(3, 4, 5), *answered(6, 7, 8), *held(9)]
    assert [(m.author, m.text) for m in stored] == [(Author(a), text) for a, text, _ in transcript]


async def test_a_button_click_over_the_limit_is_stored_with_its_payload(
    citizen: int,
    gateway: GatewayFactory,
    telegram: FakeTelegram,
    fake_rasa: FakeRasa,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock_the_gateways_limiter(monkeypatch)  # one window, however slow the run
    fake_rasa.reply({"text": "Pilih layanan:", "buttons": MENU_BUTTONS})
    async with gateway(rate_limit_messages=1, **telegram_settings(telegram)) as (app, client):
        await post_update(client, message_update(citizen, text="menu"))
        menu = (await messages_of(app, citizen))[-1]

        click = await post_update(client, callback_update(citizen, f"c:{menu.id}:1"))
        voice = await post_update(
            client, message_update(citizen, voice={"file_id": "v", "file_unique_id": "v", "duration": 3})
        )
        stored = await messages_of(app, citizen)

    assert click.status_code == voice.status_code == 200
    assert [received["message"] for received in fake_rasa.received] == ["menu"]
    # One notice for the window; the voice note (nothing to keep) gets no notice of its own.
    assert [params["text"] for params in telegram.sent()] == ["Pilih layanan:", RATE_LIMITED_TEXT]
    assert len(telegram.sent("answerCallbackQuery")) == 1  # the button still stops spinning
    assert [(m.author, m.text, m.payload, m.rasa_status) for m in stored] == [
        (Author.CITIZEN, "menu", None, "delivered"),
        (Author.BOT, "Pilih layanan:", None, None),
        (Author.CITIZEN, "Kependudukan", MENU_BUTTONS[1]["payload"], "rate_limited"),
    ]


async def test_a_refused_send_is_recorded_and_acknowledged(
    citizen: int, bot: tuple[FastAPI, httpx.AsyncClient], telegram: FakeTelegram, fake_rasa: FakeRasa
) -> None:
    app, client = bot
    fake_rasa.reply({"text": "Baik."})
    telegram.failures["sendMessage"] = (403, "Forbidden: bot was blocked by the user")

    response = await post_update(client, message_update(citizen, text="halo"))

    assert response.status_code == 200
    reply = (await messages_of(app, citizen))[-1]
    assert reply.delivery_status is DeliveryStatus.FAILED
    assert reply.delivery_error is not None and "blocked" in reply.delivery_error


@pytest.mark.parametrize("secret", [None, "wrong-secret", "ümlaut"])
async def test_wrong_secret_token_is_refused(
    citizen: int, bot: tuple[FastAPI, httpx.AsyncClient], fake_rasa: FakeRasa, secret: str | None
) -> None:
    app, client = bot
    response = await post_update(client, message_update(citizen, text="halo"), secret=secret)

    assert response.status_code == 403
    assert fake_rasa.received == [] and await messages_of(app, citizen) == []


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"[]",
        b'{"message": {"text": "halo"}}',
        b'{"update_id": "7"}',
        b'{"update_id": 7, "message": "halo"}',
        b'{"update_id": 7, "message": {"text": "halo"}}',
    ],
    ids=["not-json", "array", "no-update-id", "string-id", "message-string", "message-incomplete"],
)
async def test_malformed_update_is_a_400_with_a_log_line(
    bot: tuple[FastAPI, httpx.AsyncClient], caplog: pytest.LogCaptureFixture, body: bytes
) -> None:
    _, client = bot
    caplog.set_level(logging.INFO)

    response = await post_update(client, body)

    assert response.status_code == 400
    assert "telegram webhook malformed" in caplog.text
    assert "halo" not in caplog.text


async def test_personal_data_is_not_logged(
    citizen: int,
    bot: tuple[FastAPI, httpx.AsyncClient],
    caplog: pytest.LogCaptureFixture,
    fake_rasa: FakeRasa,
) -> None:
    _, client = bot
    fake_rasa.reply({"text": "Baik."})
    caplog.set_level(logging.DEBUG)

    await post_update(client, message_update(citizen, text="NIK saya 3171234567890123"))
    await post_update(
        client,
        message_update(citizen, contact={"phone_number": PHONE, "first_name": "Budi", "user_id": citizen}),
    )

    for private in ("3171234567890123", PHONE, str(citizen), TELEGRAM_TOKEN):
        assert private not in caplog.text


async def test_webhook_is_registered_at_start_up(gateway: GatewayFactory, telegram: FakeTelegram) -> None:
    settings = telegram_settings(telegram, public_url="https://warga.example.go.id")
    async with gateway(**settings):
        pass

    [registration] = telegram.sent("setWebhook")
    assert registration["url"] == "https://warga.example.go.id/webhooks/telegram"
    assert registration["secret_token"] == SECRET
    assert registration["allowed_updates"] == ["message", "edited_message", "callback_query"]
    assert [method for method, _ in telegram.calls][0] == "getMe"


async def test_no_token_no_telegram(citizen: int, client: httpx.AsyncClient) -> None:
    response = await post_update(client, message_update(citizen, text="halo"))
    assert response.status_code == 404


def test_polling_mode_with_one_command(
    citizen: int, telegram: FakeTelegram, fake_rasa: FakeRasa, tmp_path: Path
) -> None:
    """`python -m connectors.telegram.polling` (what `make telegram-polling` runs) fetches
    updates with getUpdates and answers through the same pipeline."""
    fake_rasa.reply({"text": "Halo dari polling."})
    telegram.updates = [message_update(citizen, text="halo")]
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "AW_TELEGRAM_BOT_TOKEN": TELEGRAM_TOKEN,
        "AW_TELEGRAM_API_URL": telegram.api_url,
        "AW_RASA_URL": fake_rasa.url,
        "AW_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'polling.db'}",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "connectors.telegram.polling"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 30
        while not telegram.sent("sendMessage") and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.1)
    finally:
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=20)

    assert [params["text"] for params in telegram.sent("sendMessage")] == ["Halo dari polling."], (
        stderr.decode()[-2000:]
    )
    assert fake_rasa.received[0]["input_channel"] == "telegram"
    assert "deleteWebhook" in [method for method, _ in telegram.calls]
    assert TELEGRAM_TOKEN not in stderr.decode()


def test_outgoing_messages_go_through_python_telegram_bots_rate_limiter() -> None:
    from telegram.ext import AIORateLimiter

    from api.core.config import Settings
    from connectors.telegram.channel import build_application

    application = build_application(Settings(telegram_bot_token=TELEGRAM_TOKEN))

    assert isinstance(application.bot.rate_limiter, AIORateLimiter)


async def test_an_agents_reply_reaches_the_telegram_chat(
    citizen: int, gateway: GatewayFactory, telegram: FakeTelegram, fake_rasa: FakeRasa
) -> None:
    handoff_bot(fake_rasa)
    async with gateway(**telegram_settings(telegram), **ALWAYS_OPEN) as (app, client):
        await fresh_call_center(app)
        agent = await add_agent(app, name="Sari")
        await post_update(client, message_update(citizen, text="/request_human"))
        [queued] = telegram.sent()
        assert "Posisi antrean Anda: 1" in queued["text"]
        handoff = await handoff_of(app, str((await messages_of(app, citizen))[0].conversation_id))
        async with console(app, agent) as desk:
            await desk.post(f"/console/api/handoffs/{handoff.id}/claim")
            await desk.post(f"/console/api/handoffs/{handoff.id}/messages", json={"text": "Halo, Pak Budi."})
    joined, reply = telegram.sent()[1:]
    assert joined["chat_id"] == citizen and "Sari (Petugas) telah bergabung" in joined["text"]
    assert reply["chat_id"] == citizen and reply["text"] == "Halo, Pak Budi."
    stored = await messages_of(app, citizen)
    assert stored[-1].author is Author.AGENT and stored[-1].delivery_status is DeliveryStatus.SENT
