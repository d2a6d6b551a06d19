"""The message path: store first, forward to Rasa, store and return the replies."""

import asyncio
import logging
import time
import uuid

import httpx
import pytest
from fastapi import FastAPI

from api.conversations.turn import RASA_UNAVAILABLE_TEXT
from api.models import Author, Conversation, Direction, HandledBy, RasaStatus
from tests.api.fake_rasa import FakeRasa, closed_port_url
from tests.api.support import (
    RASA_TIMEOUT,
    GatewayFactory,
    new_conversation,
    session_headers,
    stored_messages,
)

pytestmark = pytest.mark.asyncio

MENU_BUTTONS = [
    {"title": "Kesehatan", "payload": '/ask_menu{"service":"health"}'},
    {"title": "Kependudukan", "payload": '/ask_menu{"service":"civil_registry"}'},
]


def messages_url(conversation_id: str) -> str:
    return f"/api/v1/conversations/{conversation_id}/messages"


async def test_replies_with_buttons_are_stored_and_returned(
    app: FastAPI, client: httpx.AsyncClient, fake_rasa: FakeRasa
) -> None:
    fake_rasa.reply(
        {"text": "Halo! Ada yang bisa kami bantu?"},
        {"text": "Pilih layanan:", "buttons": MENU_BUTTONS},
    )
    conversation_id = await new_conversation(client)

    response = await client.post(messages_url(conversation_id), json={"text": "halo"})

    assert response.status_code == 200
    body = response.json()
    assert body["rasa_status"] == "delivered"
    assert body["conversation_id"] == conversation_id
    assert [(r["author"], r["text"], r["buttons"]) for r in body["replies"]] == [
        ("bot", "Halo! Ada yang bisa kami bantu?", []),
        ("bot", "Pilih layanan:", MENU_BUTTONS),
    ]
    stored = await stored_messages(app, conversation_id)
    assert [(m.direction, m.author, m.text, m.buttons, m.rasa_status) for m in stored] == [
        (Direction.IN, Author.CITIZEN, "halo", [], RasaStatus.DELIVERED),
        (Direction.OUT, Author.BOT, "Halo! Ada yang bisa kami bantu?", [], None),
        (Direction.OUT, Author.BOT, "Pilih layanan:", MENU_BUTTONS, None),
    ]
    assert stored[0].id == body["message_id"]
    assert [m.id for m in stored[1:]] == [r["id"] for r in body["replies"]]


async def test_sender_channel_and_metadata_are_forwarded(
    app: FastAPI, client: httpx.AsyncClient, fake_rasa: FakeRasa
) -> None:
    conversation_id = await new_conversation(client)
    metadata = {"locale": "id-ID", "client": {"app": "widget", "version": 2}}

    response = await client.post(
        messages_url(conversation_id),
        json={"text": "Apa syarat membuat KTP?", "metadata": metadata},
    )

    assert response.status_code == 200
    assert fake_rasa.received == [
        {
            "sender": conversation_id,
            "message": "Apa syarat membuat KTP?",
            "input_channel": "web",
            # The gateway names the turn: the message's id and the part (api/conversations/turn.py).
            "metadata": {**metadata, "turn_id": f"{response.json()['message_id']}.0"},
        }
    ]


async def test_button_click_forwards_payload_and_stores_title(
    app: FastAPI, client: httpx.AsyncClient, fake_rasa: FakeRasa
) -> None:
    conversation_id = await new_conversation(client)
    payload = MENU_BUTTONS[0]["payload"]

    response = await client.post(
        messages_url(conversation_id),
        json={"text": payload, "metadata": {"button_title": "Kesehatan"}},
    )

    assert response.status_code == 200
    assert fake_rasa.received[0]["message"] == payload
    [incoming] = await stored_messages(app, conversation_id)
    assert (incoming.text, incoming.payload) == ("Kesehatan", payload)
    history = (
        await client.get(messages_url(conversation_id), headers=session_headers(app, conversation_id))
    ).json()["messages"]
    assert history[0]["text"] == "Kesehatan"


async def test_message_is_committed_before_rasa_is_called(
    app: FastAPI, client: httpx.AsyncClient, fake_rasa: FakeRasa
) -> None:
    fake_rasa.delay = RASA_TIMEOUT / 2
    fake_rasa.reply({"text": "Baik."})
    conversation_id = await new_conversation(client)

    sending = asyncio.create_task(client.post(messages_url(conversation_id), json={"text": "halo"}))
    while not fake_rasa.received:  # Rasa has the message and is still "thinking"
        await asyncio.sleep(0.01)
    [stored] = await stored_messages(app, conversation_id)
    assert (stored.text, stored.rasa_status) == ("halo", RasaStatus.PENDING)

    assert (await sending).json()["rasa_status"] == "delivered"


def assert_apology(response: httpx.Response) -> None:
    assert response.status_code == 200
    body = response.json()
    assert body["rasa_status"] == "failed"
    assert [(r["author"], r["text"]) for r in body["replies"]] == [("system", RASA_UNAVAILABLE_TEXT)]


async def assert_kept_as_failed(app: FastAPI, conversation_id: str, text: str) -> None:
    stored = await stored_messages(app, conversation_id)
    assert [(m.author, m.text, m.rasa_status) for m in stored] == [
        (Author.CITIZEN, text, RasaStatus.FAILED),
        (Author.SYSTEM, RASA_UNAVAILABLE_TEXT, None),
    ]


async def test_rasa_down_gives_indonesian_apology_quickly(gateway: GatewayFactory) -> None:
    async with gateway(rasa_url=closed_port_url()) as (app, client):
        conversation_id = await new_conversation(client)
        started = time.monotonic()
        response = await client.post(messages_url(conversation_id), json={"text": "halo"})
        assert time.monotonic() - started < 2
        assert_apology(response)
        await assert_kept_as_failed(app, conversation_id, "halo")


async def test_rasa_timeout_gives_apology_within_the_timeout(
    app: FastAPI, client: httpx.AsyncClient, fake_rasa: FakeRasa
) -> None:
    fake_rasa.delay = RASA_TIMEOUT * 6
    conversation_id = await new_conversation(client)

    started = time.monotonic()
    response = await client.post(messages_url(conversation_id), json={"text": "halo"})

    assert time.monotonic() - started < RASA_TIMEOUT + 1
    assert_apology(response)
    await assert_kept_as_failed(app, conversation_id, "halo")


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (500, b'{"error": "boom"}'),
        (503, b""),
        (200, b"<html>not json</html>"),
        (200, b'{"text": "an object, not a list"}'),
        (200, b'[{"text": 42}]'),
    ],
)
async def test_rasa_error_or_malformed_reply_gives_apology(
    app: FastAPI, client: httpx.AsyncClient, fake_rasa: FakeRasa, status: int, body: bytes
) -> None:
    fake_rasa.status, fake_rasa.body = status, body
    conversation_id = await new_conversation(client)

    response = await client.post(messages_url(conversation_id), json={"text": "halo"})

    assert_apology(response)
    await assert_kept_as_failed(app, conversation_id, "halo")


async def test_empty_rasa_reply_is_delivered_without_replies(
    client: httpx.AsyncClient, fake_rasa: FakeRasa
) -> None:
    conversation_id = await new_conversation(client)
    response = await client.post(messages_url(conversation_id), json={"text": "halo"})
    assert response.json()["rasa_status"] == "delivered"
    assert response.json()["replies"] == []


async def test_agent_conversation_is_stored_but_not_sent_to_rasa(
    app: FastAPI, client: httpx.AsyncClient, fake_rasa: FakeRasa
) -> None:
    conversation_id = await new_conversation(client)
    async with app.state.sessionmaker() as session:
        conversation = await session.get(Conversation, uuid.UUID(conversation_id))
        assert conversation is not None
        conversation.handled_by = HandledBy.AGENT  # what the hand-off will do
        await session.commit()

    response = await client.post(messages_url(conversation_id), json={"text": "halo petugas"})

    assert response.status_code == 200
    assert response.json()["rasa_status"] is None and response.json()["replies"] == []
    assert fake_rasa.received == []
    [stored] = await stored_messages(app, conversation_id)
    assert (stored.text, stored.rasa_status) == ("halo petugas", None)


async def test_history_is_in_order_and_limited(
    app: FastAPI, client: httpx.AsyncClient, fake_rasa: FakeRasa
) -> None:
    fake_rasa.reply({"text": "Baik."})
    conversation_id = await new_conversation(client)
    for text in ("satu", "dua", "tiga"):
        await client.post(messages_url(conversation_id), json={"text": text})

    response = await client.get(messages_url(conversation_id), headers=session_headers(app, conversation_id))

    assert response.status_code == 200
    messages = response.json()["messages"]
    assert [(m["author"], m["text"]) for m in messages] == [
        ("citizen", "satu"), ("bot", "Baik."),
        ("citizen", "dua"), ("bot", "Baik."),
        ("citizen", "tiga"), ("bot", "Baik."),
    ]  # fmt: skip
    assert [m["id"] for m in messages] == sorted(m["id"] for m in messages)
    latest = (
        await client.get(
            messages_url(conversation_id), params={"limit": 2}, headers=session_headers(app, conversation_id)
        )
    ).json()
    assert [m["text"] for m in latest["messages"]] == ["tiga", "Baik."]


async def test_emoji_and_unicode_are_kept(
    app: FastAPI, client: httpx.AsyncClient, fake_rasa: FakeRasa
) -> None:
    text = "Halo 👋🏽 keluarga 👨‍👩‍👧 — terima kasih 🙏 (ꦲꦏ꧀ꦱꦫ, 中文, عربى)"
    conversation_id = await new_conversation(client)

    response = await client.post(messages_url(conversation_id), json={"text": text})

    assert response.status_code == 200
    assert fake_rasa.received[0]["message"] == text
    [stored] = await stored_messages(app, conversation_id)
    assert stored.text == text


async def test_control_characters_are_stripped(
    app: FastAPI, client: httpx.AsyncClient, fake_rasa: FakeRasa
) -> None:
    conversation_id = await new_conversation(client)
    raw = '{"text": "\\u0000Ha\\u001blo\\u007f\\r\\nDunia\\t!\\ud800\\u0007 "}'

    response = await client.post(
        messages_url(conversation_id), content=raw, headers={"Content-Type": "application/json"}
    )

    assert response.status_code == 200
    assert fake_rasa.received[0]["message"] == "Halo\nDunia\t!"
    [stored] = await stored_messages(app, conversation_id)
    assert stored.text == "Halo\nDunia\t!"


async def test_message_text_is_not_logged(
    app: FastAPI, client: httpx.AsyncClient, fake_rasa: FakeRasa, caplog: pytest.LogCaptureFixture
) -> None:
    secret = "NIK saya 3171234567890123, HP 081234567890"
    conversation_id = await new_conversation(client)
    caplog.set_level(logging.DEBUG)

    await client.post(messages_url(conversation_id), json={"text": secret})

    assert conversation_id in caplog.text  # ids are logged …
    for private in ("3171234567890123", "081234567890"):
        assert private not in caplog.text  # … personal data is not


async def test_replies_carry_the_internal_message_model(
    app: FastAPI, client: httpx.AsyncClient, fake_rasa: FakeRasa
) -> None:
    rows = [{"title": "Status kepesertaan", "payload": "/health_bpjs_status"}]
    fake_rasa.reply(
        {"text": "Halo!"},
        {"custom": {"type": "list", "text": "Pilih layanan:", "sections": [{"title": "BPJS", "rows": rows}]}},
        {"image": "https://example.go.id/peta.png"},
        {"custom": {"type": "unknown"}},
    )
    conversation_id = await new_conversation(client)

    body = (await client.post(messages_url(conversation_id), json={"text": "halo"})).json()

    assert [reply["content"] for reply in body["replies"]] == [
        {"type": "text", "text": "Halo!", "buttons": []},
        {
            "type": "list",
            "text": "Pilih layanan:",
            "button": "Lihat pilihan",
            "sections": [{"title": "BPJS", "rows": rows}],
        },
        {"type": "image", "url": "https://example.go.id/peta.png"},
    ]
    # Clients that know only text and buttons still see the list's text and rows.
    assert (body["replies"][1]["text"], body["replies"][1]["buttons"]) == ("Pilih layanan:", rows)
    history = (
        await client.get(messages_url(conversation_id), headers=session_headers(app, conversation_id))
    ).json()["messages"]
    assert history[0]["content"] is None  # the citizen's message
    assert [message["content"]["type"] for message in history[1:]] == ["text", "list", "image"]
