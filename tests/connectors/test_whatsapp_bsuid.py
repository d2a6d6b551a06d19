# ruff: noqa: F811 - the fixtures imported from the WhatsApp tests are used as arguments
"""WhatsApp users named by business-scoped user ids (BSUIDs), issue 21 §3.

Payloads are shaped like the examples of Meta's "Business-scoped user IDs" page
(developers.facebook.com/documentation/business-messaging/whatsapp/business-scoped-user-ids):
`contacts[]` with `user_id`, `profile.username` where set and `wa_id` only when Meta shares the
number; messages with `from_user_id` and `from` only when shared; statuses with
`recipient_id`/`recipient_user_id`, a failed one without `contacts`; the `user_changed_number`
system message; a contacts message answering `request_contact_info` (`origin`).
"""

from __future__ import annotations

import asyncio
import itertools
import time
import uuid
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select, text

from api.conversations.model import ContactRequest
from api.models import Author, Conversation, DeliveryStatus, ProvenPhone, WhatsAppIdentity
from api.privacy import erasure
from api.pubsub import CONSOLE
from connectors.inbound import UNSUPPORTED_TEXT
from connectors.whatsapp import identity, render
from connectors.whatsapp.payload import Sender, Value
from tests.api.callcenter.support import (
    ALWAYS_OPEN,
    add_agent,
    console,
    fresh_call_center,
    handoff_bot,
    handoff_of,
)
from tests.api.fake_rasa import FakeRasa
from tests.api.support import GatewayFactory
from tests.connectors import test_identity_possession as possession
from tests.connectors.fake_channels import FakeGraph
from tests.connectors.test_whatsapp import (  # noqa: F401 - fixtures
    _graph_server,
    envelope,
    graph,
    messages_of,
    post,
    statuses,
    wa,
    whatsapp_settings,
)

_numbers = itertools.count(6281300000001)
_ids = itertools.count(1)


def bsuid() -> str:
    return f"ID.{uuid.uuid4().int % 10**18}"


def number() -> str:
    return str(next(_numbers))


def message_from(
    user_id: str,
    kind: str,
    content: Any,
    *,
    phone: str | None = None,
    username: str | None = None,
    parent: str | None = None,
) -> dict[str, Any]:
    """A message as Meta sends it since April 2026."""
    contact: dict[str, Any] = {"profile": {"name": "Budi", **({"username": username} if username else {})}}
    contact["user_id"] = user_id
    message: dict[str, Any] = {
        "from_user_id": user_id,
        "id": f"wamid.BSUID{next(_ids)}",
        "timestamp": str(int(time.time())),
        "type": kind,
        kind: content,
    }
    if phone is not None:
        contact["wa_id"] = message["from"] = phone
    if parent is not None:
        contact["parent_user_id"] = message["from_parent_user_id"] = parent
    return envelope({"contacts": [contact], "messages": [message]})


def text_from(user_id: str, body: str, **who: Any) -> dict[str, Any]:
    return message_from(user_id, "text", {"body": body}, **who)


def addressed(body: dict[str, Any]) -> tuple[str | None, str | None]:
    return body.get("to"), body.get("recipient")


async def conversations_of(app: FastAPI, key: str) -> set[uuid.UUID]:
    async with app.state.sessionmaker() as session:
        rows = await session.scalars(
            select(Conversation.id).where(
                Conversation.channel == "whatsapp", Conversation.channel_user_id == key
            )
        )
        return set(rows.all())


async def raw_identity(app: FastAPI, user_id: str) -> dict[str, Any]:
    async with app.state.sessionmaker() as session:
        row = (
            await session.execute(
                text("SELECT phone, phone_hash, username FROM whatsapp_identities WHERE user_id = :u"),
                {"u": user_id},
            )
        ).one()
        return dict(row._mapping)


async def test_a_user_with_a_username_and_no_number_is_answered_by_bsuid(
    wa: tuple[FastAPI, httpx.AsyncClient], graph: FakeGraph, fake_rasa: FakeRasa
) -> None:
    app, client = wa
    user = bsuid()
    fake_rasa.reply({"text": "Halo, ada yang bisa dibantu?"})

    assert (await post(client, text_from(user, "halo", username="@budi.s"))).status_code == 200

    assert fake_rasa.received[0]["message"] == "halo"
    [reply] = graph.messages
    assert addressed(reply) == (None, user)
    assert [m.author for m in await messages_of(app, user)] == [Author.CITIZEN, Author.BOT]
    stored = await raw_identity(app, user)
    assert stored["phone"] is None
    assert stored["username"].startswith("s1:") and "budi" not in stored["username"]  # sealed at rest


async def test_a_number_that_appears_and_disappears_keeps_the_conversation(
    wa: tuple[FastAPI, httpx.AsyncClient], graph: FakeGraph, fake_rasa: FakeRasa
) -> None:
    app, client = wa
    user, phone = bsuid(), number()
    fake_rasa.reply({"text": "Satu."})
    await post(client, text_from(user, "pertama", username="@budi.s"))
    fake_rasa.reply({"text": "Dua."})
    await post(client, text_from(user, "kedua", phone=phone))
    fake_rasa.reply({"text": "Tiga."})
    await post(client, text_from(user, "ketiga", username="@budi.baru"))

    # Sent by BSUID until the number is known, then by number (Meta's preference).
    assert [addressed(body) for body in graph.messages] == [(None, user), (phone, None), (phone, None)]
    assert len(await conversations_of(app, user)) == 1
    assert len(await messages_of(app, user)) == 6
    assert await messages_of(app, phone) == []
    stored = await raw_identity(app, user)
    assert stored["phone"].startswith("s1:") and phone not in stored["phone"]


async def test_a_parent_bsuid_keys_the_conversation_where_enabled(
    wa: tuple[FastAPI, httpx.AsyncClient], graph: FakeGraph, fake_rasa: FakeRasa
) -> None:
    app, client = wa
    user = bsuid()
    parent = user.replace("ID.", "ID.ENT.")
    fake_rasa.reply({"text": "Halo."})
    await post(client, text_from(user, "halo", parent=parent))
    fake_rasa.reply({"text": "Lagi."})
    await post(client, text_from(user, "lagi"))  # the same user, the parent left out

    assert len(await messages_of(app, parent)) == 4
    assert await messages_of(app, user) == []
    assert [addressed(body) for body in graph.messages] == [(None, user), (None, user)]


async def test_a_conversation_keyed_by_a_number_before_bsuids_is_kept(
    wa: tuple[FastAPI, httpx.AsyncClient], graph: FakeGraph, fake_rasa: FakeRasa
) -> None:
    app, client = wa
    user, phone = bsuid(), number()
    legacy = envelope(
        {
            "contacts": [{"profile": {"name": "Budi"}, "wa_id": phone}],
            "messages": [
                {
                    "from": phone,
                    "id": "wamid.LEGACY" + phone,
                    "timestamp": str(int(time.time())),
                    "type": "text",
                    "text": {"body": "dulu"},
                }  # fmt: skip
            ],
        }
    )
    fake_rasa.reply({"text": "Dulu."})
    await post(client, legacy)
    [before] = await conversations_of(app, phone)
    fake_rasa.reply({"text": "Kini."})
    await post(client, text_from(user, "kini", phone=phone))

    assert await conversations_of(app, user) == {before}  # re-keyed to the BSUID
    assert await conversations_of(app, phone) == set()
    assert len(await messages_of(app, user)) == 4
    assert [addressed(body) for body in graph.messages] == [(phone, None), (phone, None)]


async def test_statuses_name_the_recipient_and_a_failed_one_comes_without_contacts(
    wa: tuple[FastAPI, httpx.AsyncClient], fake_rasa: FakeRasa
) -> None:
    app, client = wa
    user, phone = bsuid(), number()
    legacy = envelope(
        {
            "contacts": [{"profile": {"name": "Budi"}, "wa_id": phone}],
            "messages": [
                {
                    "from": phone,
                    "id": "wamid.OLD" + phone,
                    "timestamp": str(int(time.time())),
                    "type": "text",
                    "text": {"body": "halo"},
                }  # fmt: skip
            ],
        }
    )
    fake_rasa.reply({"text": "Satu."}, {"text": "Dua."})
    await post(client, legacy)
    first, second = (await messages_of(app, phone))[1:]

    delivered = {
        "id": first.channel_message_id,
        "status": "delivered",
        "timestamp": "1",
        "recipient_id": phone,
        "recipient_user_id": user,
    }
    contacts = [{"profile": {"name": "Budi", "username": "@budi.s"}, "wa_id": phone, "user_id": user}]
    assert (await post(client, envelope({"contacts": contacts, "statuses": [delivered]}))).status_code == 200
    failed = {
        "id": second.channel_message_id,
        "status": "failed",
        "timestamp": "2",
        "recipient_id": phone,
        "errors": [{"code": 131026, "title": "Message undeliverable"}],
    }
    assert (await post(client, statuses(failed))).status_code == 200
    read_by_bsuid = {
        "id": "wamid.elsewhere",
        "status": "read",
        "timestamp": "3",
        "recipient_user_id": bsuid(),
    }
    assert (await post(client, statuses(read_by_bsuid))).status_code == 200

    first, second = (await messages_of(app, user))[1:]  # the status told the BSUID: re-keyed
    assert first.delivery_status is DeliveryStatus.DELIVERED
    assert (second.delivery_status, second.delivery_error) == (
        DeliveryStatus.FAILED,
        "131026: Message undeliverable",
    )
    assert (await raw_identity(app, user))["username"] is not None
    assert await conversations_of(app, read_by_bsuid["recipient_user_id"]) == set()  # none opened


async def test_a_changed_number_brings_a_new_bsuid_and_keeps_the_conversation(
    wa: tuple[FastAPI, httpx.AsyncClient], graph: FakeGraph, fake_rasa: FakeRasa
) -> None:
    app, client = wa
    old_user, old_phone, new_user, new_phone = bsuid(), number(), bsuid(), number()
    fake_rasa.reply({"text": "Halo."})
    await post(client, text_from(old_user, "halo", phone=old_phone))
    [conversation] = await conversations_of(app, old_user)
    notice = {
        "from": old_phone,
        "from_user_id": old_user,
        "id": f"wamid.SYS{next(_ids)}",
        "timestamp": str(int(time.time())),
        "type": "system",
        "system": {
            "body": f"User Budi changed from {old_phone} to {new_phone}",
            "wa_id": new_phone,
            "user_id": new_user,
            "type": "user_changed_number",
        },
    }
    assert (await post(client, envelope({"messages": [notice]}))).status_code == 200
    assert len(fake_rasa.received) == 1 and len(graph.messages) == 1  # no answer to a notice

    fake_rasa.reply({"text": "Nomor baru."})
    await post(client, text_from(new_user, "ini nomor baru saya", phone=new_phone))

    assert await conversations_of(app, old_user) == {conversation}
    assert addressed(graph.messages[-1]) == (new_phone, None)
    assert len(await messages_of(app, old_user)) == 4
    async with app.state.sessionmaker() as session:
        proven = await session.get(ProvenPhone, conversation)
        assert proven is not None and proven.phone == new_phone
        # The old number is free: someone who gets it later has a conversation of their own.
    newcomer = bsuid()
    fake_rasa.reply({"text": "Selamat datang."})
    await post(client, text_from(newcomer, "halo", phone=old_phone))
    assert await conversations_of(app, newcomer) != {conversation}
    async with app.state.sessionmaker() as session:
        assert await identity.send_to(session, old_user) == new_phone


async def test_a_recycled_number_is_forgotten_on_its_former_holder(
    wa: tuple[FastAPI, httpx.AsyncClient], graph: FakeGraph, fake_rasa: FakeRasa
) -> None:
    app, client = wa
    former, newcomer, phone = bsuid(), bsuid(), number()
    fake_rasa.reply({"text": "Satu."}, {"text": "Dua."})
    await post(client, text_from(former, "halo", phone=phone))
    await post(client, text_from(newcomer, "halo", phone=phone))  # a new BSUID with that number

    assert (await conversations_of(app, former)).isdisjoint(await conversations_of(app, newcomer))
    async with app.state.sessionmaker() as session:
        assert await identity.send_to(session, former) == former  # no longer to the number
        assert await identity.send_to(session, newcomer) == phone


async def test_the_number_is_asked_with_whatsapps_contact_request(
    wa: tuple[FastAPI, httpx.AsyncClient], graph: FakeGraph, fake_rasa: FakeRasa
) -> None:
    app, client = wa
    user, phone = bsuid(), "6281234567890"
    fake_rasa.reply({"custom": {"type": "request_contact", "text": "Boleh kami minta nomor Anda?"}})
    await post(client, text_from(user, "telepon saya kembali", username="@budi.s"))

    [request] = graph.messages
    assert addressed(request) == (None, user)
    assert request["interactive"] == {
        "type": "request_contact_info",
        "body": {"text": "Boleh kami minta nomor Anda?"},
        "action": {"name": "request_contact_info"},
    }

    shared = [
        {
            "name": {"formatted_name": "Budi", "first_name": "Budi"},
            "origin": "contact_request",
            "vcard": "BEGIN:VCARD\nVERSION:3.0\nFN:Budi\nEND:VCARD",
            "phones": [{"phone": "+62 812-3456-7890", "wa_id": phone, "type": "CELL"}],
        }
    ]
    someone = [
        {"name": {"formatted_name": "Ani"}, "origin": "other", "phones": [{"phone": "+62 811-0000-1111"}]}
    ]
    fake_rasa.reply({"text": "Terima kasih."})
    await post(client, message_from(user, "contacts", shared, username="@budi.s"))
    fake_rasa.reply({"text": "Baik."})
    await post(client, message_from(user, "contacts", someone))

    own, other = (received["metadata"]["contact"] for received in fake_rasa.received[1:])
    assert (own["own"], other["own"]) == (True, False)
    [conversation] = await conversations_of(app, user)
    async with app.state.sessionmaker() as session:
        proven = await session.get(ProvenPhone, conversation)
        assert proven is not None and proven.phone == phone
    assert addressed(graph.messages[-1]) == (phone, None)  # the number is known now


async def test_a_citizen_with_a_username_holds_a_whole_conversation_with_a_handoff(
    gateway: GatewayFactory, graph: FakeGraph, fake_rasa: FakeRasa
) -> None:
    user = bsuid()
    handoff_bot(fake_rasa)
    async with gateway(**whatsapp_settings(graph), **ALWAYS_OPEN) as (app, client):
        await fresh_call_center(app)
        agent = await add_agent(app, name="Sari")
        await post(client, text_from(user, "halo", username="@budi.s"))
        await post(client, text_from(user, "/request_human", username="@budi.s"))
        [conversation] = await conversations_of(app, user)
        handoff = await handoff_of(app, str(conversation))
        async with console(app, agent) as desk:
            assert (await desk.post(f"/console/api/handoffs/{handoff.id}/claim")).status_code == 200
            reply = {"text": "Halo, Pak Budi."}
            assert (
                await desk.post(f"/console/api/handoffs/{handoff.id}/messages", json=reply)
            ).status_code < 300
            # The citizen reads it: recorded, and the agent's console hears it ("Dibaca").
            sent = next(m for m in await messages_of(app, user) if m.author is Author.AGENT)
            read = {
                "id": sent.channel_message_id,
                "status": "read",
                "timestamp": "9",
                "recipient_user_id": user,
            }
            async with app.state.callcenter.broadcaster.subscribe(CONSOLE) as events:
                assert (await post(client, statuses(read))).status_code == 200
                heard = await asyncio.wait_for(events.get(), 2)
            assert heard == {"type": "read", "id": handoff.id, "conversation_id": str(conversation)}
            detail = (await desk.get(f"/console/api/handoffs/{handoff.id}")).json()
            assert [m["delivery_status"] for m in detail["transcript"] if m["author"] == "agent"] == ["read"]
            await post(client, text_from(user, "Terima kasih, Bu.", username="@budi.s"))
            closed = await desk.post(
                f"/console/api/handoffs/{handoff.id}/close", json={"disposition": "resolved"}
            )
            assert closed.status_code == 200
            shown = (await desk.get(f"/console/api/handoffs/{handoff.id}")).text
        stored = await messages_of(app, user)

    assert "Terima kasih, Bu." in shown  # the citizen's answer reached the agent
    assert await conversations_of(app, user) == {conversation}
    assert all(addressed(body) == (None, user) for body in graph.messages)
    texts = [body.get("text", {}).get("body", "") for body in graph.messages]
    assert "Halo, Pak Budi." in texts
    assert any("Sari" in t for t in texts)  # the agent joined
    assert "Terima kasih, Bu." not in [r["message"] for r in fake_rasa.received]  # not the bot's
    agent_reply = next(m for m in stored if m.author is Author.AGENT)
    assert agent_reply.delivery_status is DeliveryStatus.READ


@pytest.mark.parametrize(
    "sender",
    [{"from_user_id": "ID 15;DROP"}, {"from": "+62812"}, {}],
    ids=["bad-bsuid", "bad-number", "nobody"],
)
async def test_an_unreadable_sender_is_a_4xx(
    wa: tuple[FastAPI, httpx.AsyncClient], sender: dict[str, str]
) -> None:
    _, client = wa
    message = {"id": "wamid.BAD", "timestamp": "1", "type": "text", "text": {"body": "halo"}, **sender}
    assert (await post(client, envelope({"messages": [message]}))).status_code == 422


async def test_erasing_the_conversation_erases_the_identity(
    wa: tuple[FastAPI, httpx.AsyncClient], fake_rasa: FakeRasa
) -> None:
    app, client = wa
    user, phone = bsuid(), number()
    fake_rasa.reply({"text": "Halo."})
    await post(client, text_from(user, "halo", phone=phone, username="@budi.s"))
    [conversation] = await conversations_of(app, user)
    mine = select(WhatsAppIdentity).where(WhatsAppIdentity.user_id == user)
    async with app.state.sessionmaker() as session:
        assert await session.scalar(mine) is not None
        assert await erasure.erase(session, None, [conversation]) == 1
        assert await session.scalar(mine) is None  # gone with the thread: number and username too


async def test_an_empty_number_is_absent_and_media_opens_no_conversation(
    wa: tuple[FastAPI, httpx.AsyncClient], graph: FakeGraph, fake_rasa: FakeRasa
) -> None:
    app, client = wa
    user = bsuid()
    sticker = message_from(user, "sticker", {"id": "media1", "mime_type": "image/webp"}, username="@budi.s")
    sticker["entry"][0]["changes"][0]["value"]["contacts"][0]["wa_id"] = ""

    assert (await post(client, sticker)).status_code == 200

    assert fake_rasa.received == []
    [notice] = graph.messages
    assert addressed(notice) == (None, user) and notice["text"]["body"] == UNSUPPORTED_TEXT
    assert await conversations_of(app, user) == set()


async def test_a_number_change_notice_after_the_new_bsuid_wrote_is_no_error(
    wa: tuple[FastAPI, httpx.AsyncClient], fake_rasa: FakeRasa
) -> None:
    app, client = wa
    old_user, old_phone, new_user, new_phone = bsuid(), number(), bsuid(), number()
    fake_rasa.reply({"text": "Satu."}, {"text": "Dua."})
    await post(client, text_from(old_user, "halo", phone=old_phone))
    await post(client, text_from(new_user, "halo lagi", phone=new_phone))  # before the notice
    notice = {
        "from": old_phone,
        "from_user_id": old_user,
        "id": f"wamid.SYS{next(_ids)}",
        "timestamp": str(int(time.time())),
        "type": "system",
        "system": {"body": "changed", "wa_id": new_phone, "user_id": new_user, "type": "user_changed_number"},
    }

    assert (await post(client, envelope({"messages": [notice]}))).status_code == 200

    async with app.state.sessionmaker() as session:
        assert await identity.send_to(session, old_user) == old_user  # the old number is not theirs
        assert await identity.send_to(session, new_user) == new_phone


def test_the_addressee_field_follows_what_is_known() -> None:
    assert render.addressee("6281234567890") == {"to": "6281234567890"}
    assert render.addressee("ID.1502576394655843") == {"recipient": "ID.1502576394655843"}
    assert render.addressee("ID.ENT.11815799212886844830") == {"recipient": "ID.ENT.11815799212886844830"}


def test_a_contact_request_needs_no_stored_message() -> None:
    [message] = render.render(ContactRequest(text="Nomor Anda?"), ref=None)
    assert message["interactive"]["type"] == "request_contact_info"


def test_the_sender_is_completed_from_contacts_and_a_status_without_bsuid_names_nobody() -> None:
    value = Value.model_validate(
        {
            "contacts": [
                {"profile": {"name": "Ani"}, "user_id": "ID.2", "wa_id": "6281100000002"},
                {"profile": {"name": "Budi", "username": "@budi.s"}, "user_id": "ID.1"},
            ],
            "messages": [{"from_user_id": "ID.1", "id": "w1", "type": "text", "text": {"body": "x"}}],
            "statuses": [{"id": "w2", "status": "failed", "recipient_id": "6281100000003"}],
        }
    )
    assert value.sender(value.messages[0]) == Sender("ID.1", None, None, "@budi.s")
    assert value.recipient(value.statuses[0]) is None


@pytest.mark.parametrize(("origin", "verified"), [("contact_request", True), ("other", False)])
async def test_the_requested_number_of_a_user_without_one_verifies_identity(
    wa: tuple[FastAPI, httpx.AsyncClient], fake_rasa: FakeRasa, origin: str, verified: bool
) -> None:
    app, client = wa
    nik, phone = next(possession._fresh)
    assert phone is not None
    user = bsuid()
    card = [
        {
            "name": {"formatted_name": "Budi"},
            "origin": origin,
            "phones": [{"phone": f"+{phone}", "wa_id": phone}],
        }
    ]
    fake_rasa.reply({"text": "Terima kasih."})
    await post(client, message_from(user, "contacts", card, username="@budi.s"))
    [conversation] = await conversations_of(app, user)

    started = await possession.start(app, conversation, nik)

    assert (started["verified"], started["code_sent"]) == (verified, not verified)
