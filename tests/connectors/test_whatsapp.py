"""WhatsApp Cloud API through the gateway's webhook, against a local fake Graph API."""

from __future__ import annotations

import itertools
import json
import logging
import time
from collections.abc import AsyncIterator, Iterator
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
from connectors.whatsapp.signature import SIGNATURE_HEADER, sign
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
from tests.connectors.fake_channels import GRAPH_TOKEN, PHONE_NUMBER_ID, FakeGraph, serve
from tests.connectors.test_rate_limit import clock_the_gateways_limiter

APP_SECRET = "meta-app-secret"
VERIFY_TOKEN = "verify-me"
URL = "/webhooks/whatsapp"
_numbers = itertools.count(6281100000001)
_ids = itertools.count(1)


@pytest.fixture(scope="session")
def _graph_server() -> Iterator[FakeGraph]:
    fake = FakeGraph()
    with serve(fake.app()) as url:
        fake.url = url
        yield fake


@pytest.fixture
def graph(_graph_server: FakeGraph) -> FakeGraph:
    _graph_server.reset()
    return _graph_server


def whatsapp_settings(graph: FakeGraph, **overrides: Any) -> dict[str, Any]:
    return {
        "whatsapp_token": GRAPH_TOKEN,
        "whatsapp_app_secret": APP_SECRET,
        "whatsapp_verify_token": VERIFY_TOKEN,
        "whatsapp_phone_number_id": PHONE_NUMBER_ID,
        "whatsapp_api_url": graph.api_url,
        **overrides,
    }


@pytest_asyncio.fixture
async def wa(gateway: GatewayFactory, graph: FakeGraph) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    async with gateway(**whatsapp_settings(graph)) as running:
        yield running


@pytest.fixture
def number() -> str:
    """A WhatsApp number of its own for each test (the database is shared by the session)."""
    return str(next(_numbers))


def inbound(
    number: str, kind: str, content: Any, *, age_seconds: float = 0, wamid: str | None = None
) -> dict[str, Any]:
    message = {
        "from": number,
        "id": wamid or f"wamid.IN{next(_ids)}",
        "timestamp": str(int(time.time() - age_seconds)),
        "type": kind,
        kind: content,
    }
    return envelope({"contacts": [{"profile": {"name": "Budi"}, "wa_id": number}], "messages": [message]})


def statuses(*items: dict[str, Any]) -> dict[str, Any]:
    return envelope({"statuses": list(items)})


def envelope(value: dict[str, Any], phone_number_id: str = PHONE_NUMBER_ID) -> dict[str, Any]:
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "WABA",
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {
                                "display_phone_number": "62215550000",
                                "phone_number_id": phone_number_id,
                            },
                            **value,
                        },
                    }
                ],
            }
        ],
    }


async def post(
    client: httpx.AsyncClient, payload: dict[str, Any] | bytes, *, signature: str | None = "valid"
) -> httpx.Response:
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    headers = {"Content-Type": "application/json"}
    if signature == "valid":
        headers[SIGNATURE_HEADER] = sign(APP_SECRET, body)
    elif signature is not None:
        headers[SIGNATURE_HEADER] = signature
    return await client.post(URL, content=body, headers=headers)


async def messages_of(app: FastAPI, number: str) -> list[Message]:
    query = (
        select(Message)
        .join(ChannelThread, ChannelThread.conversation_id == Message.conversation_id)
        .where(ChannelThread.channel == "whatsapp", ChannelThread.channel_user_id == number)
        .order_by(Message.id)
    )
    async with app.state.sessionmaker() as session:
        return list((await session.scalars(query)).all())


def buttons(count: int) -> list[dict[str, str]]:
    return [{"title": f"Pilihan nomor {n}", "payload": f'/pilih{{"n":{n}}}'} for n in range(count)]


# --- Verification and signatures --------------------------------------------------------


async def test_verification_echoes_the_challenge(wa: tuple[FastAPI, httpx.AsyncClient]) -> None:
    _, client = wa
    params = {"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1158201444"}

    response = await client.get(URL, params=params)

    assert response.status_code == 200
    assert response.text == "1158201444"


@pytest.mark.parametrize(
    "params",
    [
        {"hub.mode": "subscribe", "hub.verify_token": "wrong", "hub.challenge": "1"},
        {"hub.mode": "unsubscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1"},
        {"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN},
        {},
    ],
)
async def test_verification_with_a_wrong_token_is_refused(
    wa: tuple[FastAPI, httpx.AsyncClient], params: dict[str, str]
) -> None:
    _, client = wa
    assert (await client.get(URL, params=params)).status_code == 403


@pytest.mark.parametrize(
    ("signature", "status"),
    [(None, 401), ("sha256=" + "0" * 64, 403), ("sha1=abc", 403), ("sha256=ünicode", 403)],
)
async def test_unsigned_or_wrongly_signed_posts_are_refused(
    number: str,
    wa: tuple[FastAPI, httpx.AsyncClient],
    graph: FakeGraph,
    fake_rasa: FakeRasa,
    signature: str | None,
    status: int,
) -> None:
    app, client = wa
    body = json.dumps(inbound(number, "text", {"body": "halo"})).encode()
    headers = {SIGNATURE_HEADER: signature.encode()} if signature else {}

    response = await client.post(URL, content=body, headers=headers)

    assert response.status_code == status
    assert fake_rasa.received == [] and graph.messages == []
    assert await messages_of(app, number) == []


async def test_a_body_changed_after_signing_is_refused(
    number: str, wa: tuple[FastAPI, httpx.AsyncClient], fake_rasa: FakeRasa
) -> None:
    _, client = wa
    body = json.dumps(inbound(number, "text", {"body": "halo"})).encode()
    signature = sign(APP_SECRET, body)
    tampered = body.replace(b"halo", b"hola")

    response = await client.post(URL, content=tampered, headers={SIGNATURE_HEADER: signature})

    assert response.status_code == 403 and fake_rasa.received == []


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"{not json", 400),
        (b"[]", 422),
        (b'{"object": "page", "entry": []}', 422),
        (json.dumps(envelope({"messages": [{"type": "text", "text": {"body": "halo"}}]})).encode(), 422),
    ],
    ids=["not-json", "array", "other-object", "message-without-sender"],
)
async def test_malformed_payload_is_a_4xx_with_a_log_line(
    wa: tuple[FastAPI, httpx.AsyncClient], caplog: pytest.LogCaptureFixture, body: bytes, status: int
) -> None:
    _, client = wa
    caplog.set_level(logging.INFO)

    response = await post(client, body)

    assert response.status_code == status
    assert "whatsapp webhook malformed" in caplog.text


# --- Inbound and outbound ---------------------------------------------------------------


async def test_text_goes_to_rasa_and_buttons_come_back_as_reply_buttons(
    number: str, wa: tuple[FastAPI, httpx.AsyncClient], graph: FakeGraph, fake_rasa: FakeRasa
) -> None:
    app, client = wa
    fake_rasa.reply({"text": "Halo! Ada yang bisa kami bantu?"}, {"text": "Pilih:", "buttons": buttons(2)})

    response = await post(client, inbound(number, "text", {"body": "halo"}))

    assert response.status_code == 200
    [received] = fake_rasa.received
    assert (received["message"], received["input_channel"]) == ("halo", "whatsapp")
    text, interactive = graph.messages
    assert text == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": number,
        "type": "text",
        "text": {"body": "Halo! Ada yang bisa kami bantu?", "preview_url": False},
    }
    stored = await messages_of(app, number)
    menu = stored[-1]
    assert interactive["interactive"] == {
        "type": "button",
        "body": {"text": "Pilih:"},
        "action": {
            "buttons": [
                {"type": "reply", "reply": {"id": f"c:{menu.id}:0", "title": "Pilihan nomor 0"}},
                {"type": "reply", "reply": {"id": f"c:{menu.id}:1", "title": "Pilihan nomor 1"}},
            ]
        },
    }
    assert [(m.delivery_status, m.channel_message_id is not None) for m in stored[1:]] == [
        (DeliveryStatus.SENT, True),
        (DeliveryStatus.SENT, True),
    ]


async def test_button_and_list_replies_send_the_stored_payload(
    number: str, wa: tuple[FastAPI, httpx.AsyncClient], fake_rasa: FakeRasa
) -> None:
    app, client = wa
    fake_rasa.reply({"text": "Pilih:", "buttons": buttons(5)})
    await post(client, inbound(number, "text", {"body": "menu"}))
    menu = (await messages_of(app, number))[-1]

    await post(
        client,
        inbound(
            number,
            "interactive",
            {"type": "button_reply", "button_reply": {"id": f"c:{menu.id}:1", "title": "Pilihan nomor 1"}},
        ),
    )
    await post(
        client,
        inbound(
            number,
            "interactive",
            {"type": "list_reply", "list_reply": {"id": f"c:{menu.id}:4", "title": "Pilihan nomor 4"}},
        ),
    )

    assert [received["message"] for received in fake_rasa.received[1:]] == ['/pilih{"n":1}', '/pilih{"n":4}']
    assert fake_rasa.received[-1]["metadata"]["button_title"] == "Pilihan nomor 4"


async def test_forged_or_stale_choice_is_not_forwarded(
    number: str, wa: tuple[FastAPI, httpx.AsyncClient], graph: FakeGraph, fake_rasa: FakeRasa
) -> None:
    _, client = wa
    for reply_id in ("c:99999999:0", "something-else"):
        await post(
            client,
            inbound(
                number,
                "interactive",
                {"type": "button_reply", "button_reply": {"id": reply_id, "title": "x"}},
            ),
        )

    assert fake_rasa.received == []
    assert [message["text"]["body"] for message in graph.messages] == [STALE_CHOICE_TEXT] * 2


async def test_more_than_three_buttons_become_a_list_and_ten_rows_per_list(
    number: str, wa: tuple[FastAPI, httpx.AsyncClient], graph: FakeGraph, fake_rasa: FakeRasa
) -> None:
    _, client = wa
    fake_rasa.reply({"text": "Pilih layanan:", "buttons": buttons(12)})

    await post(client, inbound(number, "text", {"body": "menu"}))

    first, second = (message["interactive"] for message in graph.messages)
    assert first["type"] == second["type"] == "list"
    assert (first["body"]["text"], second["body"]["text"]) == ("Pilih layanan:", "Pilihan lainnya:")
    assert [len(section["rows"]) for section in first["action"]["sections"]] == [10]
    assert [len(section["rows"]) for section in second["action"]["sections"]] == [2]
    assert all(len(row["title"]) <= 24 for row in first["action"]["sections"][0]["rows"])


async def test_location_contact_request_and_document(
    number: str, wa: tuple[FastAPI, httpx.AsyncClient], graph: FakeGraph, fake_rasa: FakeRasa
) -> None:
    app, client = wa
    fake_rasa.reply(
        {"custom": {"type": "request_contact", "text": "Boleh kami pakai nomor WhatsApp Anda?"}},
        {"custom": {"type": "request_location", "text": "Bagikan lokasi Anda."}},
        {
            "attachment": {"url": "https://example.go.id/formulir.pdf", "filename": "formulir.pdf"},
            "text": "Formulir",
        },
    )
    await post(client, inbound(number, "text", {"body": "faskes terdekat"}))
    contact_request, location_request, document = graph.messages
    # WhatsApp's own contact request (Meta: "Business-scoped user IDs", requesting contact info).
    assert contact_request["interactive"] == {
        "type": "request_contact_info",
        "body": {"text": "Boleh kami pakai nomor WhatsApp Anda?"},
        "action": {"name": "request_contact_info"},
    }
    request_id = (await messages_of(app, number))[1].id
    assert location_request["interactive"] == {
        "type": "location_request_message",
        "body": {"text": "Bagikan lokasi Anda."},
        "action": {"name": "send_location"},
    }
    assert document["document"] == {
        "link": "https://example.go.id/formulir.pdf",
        "filename": "formulir.pdf",
        "caption": "Formulir",
    }
    fake_rasa.reply({"text": "Terima kasih."})

    # A "use this number" button sent before request_contact_info still works when pressed.
    await post(
        client,
        inbound(
            number,
            "interactive",
            {
                "type": "button_reply",
                "button_reply": {"id": f"contact:{request_id}", "title": "Pakai nomor ini"},
            },
        ),
    )
    await post(
        client, inbound(number, "location", {"latitude": -6.2, "longitude": 106.81, "name": "Puskesmas"})
    )

    contact, location = fake_rasa.received[1:]
    # The number reaches Rasa as the conversation's token (api/privacy, issue 16).
    assert contact["metadata"]["contact"]["own"] is True
    assert token_kind(contact["metadata"]["contact"]["phone_number"]) == "phone"
    assert location["message"] == '/share_location{"latitude":-6.2,"longitude":106.81}'
    assert location["metadata"]["location"]["name"] == "Puskesmas"


@pytest.mark.parametrize(
    ("kind", "content"),
    [
        # Images and documents are kept (tests/api/test_attachments_channels.py).
        ("audio", {"id": "media2", "mime_type": "audio/ogg", "voice": True}),
        ("sticker", {"id": "media3", "mime_type": "image/webp"}),
        ("unsupported", {}),
    ],
)
async def test_media_gets_a_text_only_notice(
    number: str,
    wa: tuple[FastAPI, httpx.AsyncClient],
    graph: FakeGraph,
    fake_rasa: FakeRasa,
    kind: str,
    content: Any,
) -> None:
    app, client = wa
    payload = inbound(number, kind, content)

    assert (await post(client, payload)).status_code == 200
    assert (await post(client, payload)).status_code == 200  # Meta's retry: no second notice

    assert [message["text"]["body"] for message in graph.messages] == [UNSUPPORTED_TEXT]
    assert fake_rasa.received == [] and await messages_of(app, number) == []


async def test_reactions_are_ignored(
    number: str, wa: tuple[FastAPI, httpx.AsyncClient], graph: FakeGraph
) -> None:
    _, client = wa
    await post(client, inbound(number, "reaction", {"message_id": "wamid.OUT1", "emoji": "👍"}))
    assert graph.messages == []


async def test_retried_message_is_handled_once(
    number: str, wa: tuple[FastAPI, httpx.AsyncClient], graph: FakeGraph, fake_rasa: FakeRasa
) -> None:
    app, client = wa
    fake_rasa.reply({"text": "Baik."})
    payload = inbound(number, "text", {"body": "halo"})

    assert (await post(client, payload)).status_code == 200
    assert (await post(client, payload)).status_code == 200

    assert len(fake_rasa.received) == 1 and len(graph.messages) == 1
    assert [m.text for m in await messages_of(app, number)] == ["halo", "Baik."]


async def test_outside_the_24_hour_window_replies_are_kept_undelivered(
    number: str,
    wa: tuple[FastAPI, httpx.AsyncClient],
    graph: FakeGraph,
    fake_rasa: FakeRasa,
    caplog: pytest.LogCaptureFixture,
) -> None:
    app, client = wa
    fake_rasa.reply({"text": "Baik."})
    caplog.set_level(logging.INFO)

    # Meta retried a message written 25 hours ago: the window has closed.
    await post(client, inbound(number, "text", {"body": "halo"}, age_seconds=25 * 3600))

    assert graph.messages == []
    reply = (await messages_of(app, number))[-1]
    assert (reply.text, reply.delivery_status, reply.delivery_error) == (
        "Baik.",
        DeliveryStatus.UNDELIVERED,
        "outside_24h_window",
    )
    assert "outside the 24-hour window" in caplog.text


async def test_delivery_statuses_are_stored_and_never_go_back(
    number: str, wa: tuple[FastAPI, httpx.AsyncClient], graph: FakeGraph, fake_rasa: FakeRasa
) -> None:
    app, client = wa
    fake_rasa.reply({"text": "Satu."}, {"text": "Dua."})
    await post(client, inbound(number, "text", {"body": "halo"}))
    first, second = (await messages_of(app, number))[1:]
    assert first.channel_message_id and second.channel_message_id

    def status(message: Message, value: str, **extra: Any) -> dict[str, Any]:
        return {
            "id": message.channel_message_id,
            "status": value,
            "timestamp": "1",
            "recipient_id": number,
            **extra,
        }

    await post(client, statuses(status(first, "delivered"), status(first, "read")))
    await post(client, statuses(status(first, "delivered")))  # late: stays read
    failed = status(second, "failed", errors=[{"code": 131047, "title": "Re-engagement message"}])
    await post(
        client,
        statuses(failed, {"id": "wamid.unknown", "status": "read", "timestamp": "1", "recipient_id": number}),
    )

    first, second = (await messages_of(app, number))[1:]
    assert first.delivery_status is DeliveryStatus.READ
    assert (second.delivery_status, second.delivery_error) == (
        DeliveryStatus.FAILED,
        "131047: Re-engagement message",
    )


async def test_rasa_down_gives_the_apology_on_whatsapp(
    number: str, gateway: GatewayFactory, graph: FakeGraph
) -> None:
    async with gateway(rasa_url=closed_port_url(), **whatsapp_settings(graph)) as (app, client):
        response = await post(client, inbound(number, "text", {"body": "halo"}))
        stored = await messages_of(app, number)

    assert response.status_code == 200
    assert [message["text"]["body"] for message in graph.messages] == [RASA_UNAVAILABLE_TEXT]
    assert [(m.author, m.rasa_status) for m in stored] == [(Author.CITIZEN, "failed"), (Author.SYSTEM, None)]


async def test_a_flood_is_stored_but_only_the_admitted_messages_reach_rasa(
    number: str,
    gateway: GatewayFactory,
    graph: FakeGraph,
    fake_rasa: FakeRasa,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock = clock_the_gateways_limiter(monkeypatch)
    fake_rasa.reply({"text": "Pilih:", "buttons": buttons(2)})
    async with gateway(rate_limit_messages=2, **whatsapp_settings(graph)) as (app, client):
        await post(client, inbound(number, "text", {"body": "pesan 0"}))
        menu = (await messages_of(app, number))[-1]
        fake_rasa.reply({"text": "Baik."})
        await post(client, inbound(number, "text", {"body": "pesan 1"}))
        click = {"type": "button_reply", "button_reply": {"id": f"c:{menu.id}:1", "title": "Pilihan nomor 1"}}
        retried = f"wamid.FLOOD{number}"
        over_the_limit = [
            inbound(number, "interactive", click),
            inbound(number, "text", {"body": "pesan 3"}, wamid=retried),
            inbound(number, "image", {"id": "media9", "mime_type": "image/jpeg"}),  # nothing to keep
            inbound(number, "text", {"body": "pesan 5"}),
        ]
        for payload in over_the_limit:
            assert (await post(client, payload)).status_code == 200
        assert (await post(client, over_the_limit[1])).status_code == 200  # Meta retries it
        clock.now += 60  # the next window: two more admitted, then a second notice
        for n in (6, 7, 8):
            assert (await post(client, inbound(number, "text", {"body": f"pesan {n}"}))).status_code == 200
        stored = await messages_of(app, number)
        history = await shown_history(app, stored[0].conversation_id)
        async with app.state.sessionmaker() as session:
            retried_claims = await session.scalar(
                select(func.count())
                .select_from(ChannelUpdate)
                .where(ChannelUpdate.channel == "whatsapp", ChannelUpdate.external_id == retried)
            )

    assert [received["message"] for received in fake_rasa.received] == [
        "pesan 0",
        "pesan 1",
        "pesan 6",
        "pesan 7",
    ]
    sent = [
        message["text"]["body"] if message["type"] == "text" else message["type"]
        for message in graph.messages
    ]
    assert sent == ["interactive", "Baik.", RATE_LIMITED_TEXT, "Baik.", "Baik.", RATE_LIMITED_TEXT]
    assert retried_claims == 1
    assert [(m["author"], m["text"], m["rasa_status"]) for m in history] == [
        ("citizen", "pesan 0", "delivered"),
        ("bot", "Pilih:", None),
        ("citizen", "pesan 1", "delivered"),
        ("bot", "Baik.", None),
        ("citizen", "Pilihan nomor 1", "rate_limited"),
        ("citizen", "pesan 3", "rate_limited"),
        ("citizen", "pesan 5", "rate_limited"),
        ("citizen", "pesan 6", "delivered"),
        ("bot", "Baik.", None),
        ("citizen", "pesan 7", "delivered"),
        ("bot", "Baik.", None),
        ("citizen", "pesan 8", "rate_limited"),
    ]
    held_click = stored[4]
    assert (held_click.payload, held_click.rasa_status) == ('/pilih{"n":1}', "rate_limited")


async def test_graph_error_is_recorded(
    number: str, wa: tuple[FastAPI, httpx.AsyncClient], graph: FakeGraph, fake_rasa: FakeRasa
) -> None:
    app, client = wa
    fake_rasa.reply({"text": "Baik."})
    graph.failure = (
        400,
        {"message": f"Recipient {number} not allowed", "type": "OAuthException", "code": 131030},
    )

    assert (await post(client, inbound(number, "text", {"body": "halo"}))).status_code == 200

    reply = (await messages_of(app, number))[-1]
    assert reply.delivery_status is DeliveryStatus.FAILED
    assert reply.delivery_error == "graph 400 code=131030 type=OAuthException"


async def test_another_phone_number_is_ignored(
    number: str, wa: tuple[FastAPI, httpx.AsyncClient], fake_rasa: FakeRasa
) -> None:
    _, client = wa
    payload = inbound(number, "text", {"body": "halo"})
    payload["entry"][0]["changes"][0]["value"]["metadata"]["phone_number_id"] = "999"

    assert (await post(client, payload)).status_code == 200
    assert fake_rasa.received == []


async def test_personal_data_is_not_logged(
    number: str, wa: tuple[FastAPI, httpx.AsyncClient], fake_rasa: FakeRasa, caplog: pytest.LogCaptureFixture
) -> None:
    _, client = wa
    fake_rasa.reply({"text": "Baik."})
    caplog.set_level(logging.DEBUG)

    await post(client, inbound(number, "text", {"body": "NIK saya 3171234567890123"}))

    for private in ("3171234567890123", number, GRAPH_TOKEN, APP_SECRET):
        assert private not in caplog.text


async def test_no_token_no_whatsapp(client: httpx.AsyncClient) -> None:
    assert (await client.post(URL, json={})).status_code == 404
    assert (await client.get(URL)).status_code == 404


@pytest.mark.parametrize(
    ("kind", "content"),
    [
        ("location", {"latitude": 123.0, "longitude": 0.0}),
        ("contacts", [{"phones": [{"phone": "bukan nomor"}]}]),
        ("button", {"payload": "   ", "text": "x"}),
        ("text", {"body": "\u0000\u0007  "}),
    ],
    ids=["impossible-location", "unreadable-contact", "blank-template-button", "only-control-characters"],
)
async def test_unreadable_values_get_the_notice_not_a_crash(
    number: str,
    wa: tuple[FastAPI, httpx.AsyncClient],
    graph: FakeGraph,
    fake_rasa: FakeRasa,
    kind: str,
    content: Any,
) -> None:
    _, client = wa
    assert (await post(client, inbound(number, kind, content))).status_code == 200
    assert fake_rasa.received == []
    assert [message["text"]["body"] for message in graph.messages] == [UNSUPPORTED_TEXT]


async def test_shared_contact_card(
    number: str, wa: tuple[FastAPI, httpx.AsyncClient], fake_rasa: FakeRasa
) -> None:
    _, client = wa
    requested = [
        {
            "name": {"formatted_name": "Budi"},
            "origin": "contact_request",
            "phones": [{"phone": f"+{number}", "wa_id": number}],
        }
    ]
    # The sender's own number, but shared as any card: WhatsApp does not mark it as requested.
    card = [{"name": {"formatted_name": "Budi"}, "phones": [{"phone": f"+{number}", "wa_id": number}]}]
    other = [
        {
            "name": {"formatted_name": "Ani"},
            "phones": [{"phone": "+62 811-2222-3333", "wa_id": "6281122223333"}],
        }
    ]

    await post(client, inbound(number, "contacts", requested))
    await post(client, inbound(number, "contacts", card))
    await post(client, inbound(number, "contacts", other))

    own, unmarked, someone_else = (received["metadata"]["contact"] for received in fake_rasa.received)
    # The numbers reach Rasa as the conversation's tokens (api/privacy, issue 16).
    assert (own["own"], unmarked["own"], someone_else["own"]) == (True, False, False)
    assert token_kind(own["phone_number"]) == token_kind(someone_else["phone_number"]) == "phone"
    assert own["phone_number"] != someone_else["phone_number"]


async def test_an_agents_reply_reaches_the_whatsapp_number_within_the_window(
    number: str, gateway: GatewayFactory, graph: FakeGraph, fake_rasa: FakeRasa
) -> None:
    handoff_bot(fake_rasa)
    async with gateway(**whatsapp_settings(graph), **ALWAYS_OPEN) as (app, client):
        await fresh_call_center(app)
        await post(client, inbound(number, "text", {"body": "/request_human"}))
        # Nobody online: the offer; a callback needs no typed number on WhatsApp.
        await post(client, inbound(number, "text", {"body": "/handoff_callback"}))
        handoff = await handoff_of(app, str((await messages_of(app, number))[0].conversation_id))
        assert handoff.callback_phone == f"+{number}"  # E.164, as a typed number is stored
        agent = await add_agent(app)
        async with console(app, agent) as desk:
            await desk.post(f"/console/api/handoffs/{handoff.id}/claim")
            reply = {"text": "Selamat pagi, Bu."}
            await desk.post(f"/console/api/handoffs/{handoff.id}/messages", json=reply)
    assert graph.messages[-1]["text"]["body"] == "Selamat pagi, Bu."
    assert all(body["to"] == number for body in graph.messages)
