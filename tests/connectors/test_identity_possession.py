# ruff: noqa: F811 - the fixtures imported from the channel tests are used as arguments
"""The channels' possession factor (api/identity/verifier.py): the WhatsApp sender's own number
and a Telegram contact shared by its own user verify a conversation when they are the number
registered with Dukcapil; anything else falls back to an OTP."""

from __future__ import annotations

import time
import uuid
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from api.identity.keys import normalize_phone
from simulators.seed.population import own_phone, population
from tests.api.identity_support import HEADER, sent_sms
from tests.api.support import service_client
from tests.connectors.test_telegram import (  # noqa: F401 - fixtures
    _telegram_server,
    bot,
    citizen,
    message_update,
    post_update,
    telegram,
)
from tests.connectors.test_telegram import messages_of as telegram_messages
from tests.connectors.test_whatsapp import _graph_server, envelope, graph, post, wa  # noqa: F401 - fixtures
from tests.connectors.test_whatsapp import messages_of as whatsapp_messages

pytestmark = pytest.mark.asyncio
OTP = "/api/v1/identity/otp"


def _adults() -> Any:
    for person in population().citizens:
        phone = own_phone(person)
        if phone is not None:
            yield person.nik, normalize_phone(phone)


_fresh = _adults()


async def start(app: FastAPI, conversation_id: uuid.UUID, nik: str) -> dict[str, Any]:
    """`POST /identity/otp` as the action server makes it: on the internal service API."""
    async with service_client(app) as service:
        response = await service.post(OTP, json={"nik": nik}, headers={HEADER: str(conversation_id)})
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


# --- Telegram ----------------------------------------------------------------------------------


async def test_a_telegram_contact_shared_by_its_own_user_verifies(
    bot: tuple[FastAPI, httpx.AsyncClient], citizen: int
) -> None:
    app, client = bot
    nik, phone = next(_fresh)
    contact = {"phone_number": f"+{phone}", "first_name": "Budi", "user_id": citizen}
    assert (await post_update(client, message_update(citizen, contact=contact))).status_code == 200
    conversation = (await telegram_messages(app, citizen))[0].conversation_id
    assert await start(app, conversation, nik) == {
        "verified": True,
        "method": "channel",
        "code_sent": False,
    }
    assert await sent_sms(app, phone) == []


async def test_a_telegram_contact_of_another_user_is_refused(
    bot: tuple[FastAPI, httpx.AsyncClient], citizen: int
) -> None:
    app, client = bot
    nik, phone = next(_fresh)
    contact = {"phone_number": f"+{phone}", "first_name": "Ani", "user_id": 42}  # not the sender
    assert (await post_update(client, message_update(citizen, contact=contact))).status_code == 200
    conversation = (await telegram_messages(app, citizen))[0].conversation_id
    assert await start(app, conversation, nik) == {"verified": False, "method": None, "code_sent": True}
    assert len(await sent_sms(app, phone)) == 1  # an OTP instead


# --- WhatsApp ----------------------------------------------------------------------------------


def text_from(sender: dict[str, str], text: str = "halo") -> dict[str, Any]:
    message = {"id": f"wamid.ID{time.time_ns()}", "timestamp": str(int(time.time())), "type": "text",
               "text": {"body": text}, **sender}  # fmt: skip
    return envelope({"messages": [message]})


async def test_the_whatsapp_senders_own_number_verifies(wa: tuple[FastAPI, httpx.AsyncClient]) -> None:
    app, client = wa
    nik, phone = next(_fresh)
    assert phone is not None
    assert (await post(client, text_from({"from": phone}))).status_code == 200
    conversation = (await whatsapp_messages(app, phone))[0].conversation_id
    assert await start(app, conversation, nik) == {
        "verified": True,
        "method": "channel",
        "code_sent": False,
    }


async def test_a_whatsapp_number_that_is_not_the_registered_one_falls_back_to_otp(
    wa: tuple[FastAPI, httpx.AsyncClient],
) -> None:
    app, client = wa
    nik, phone = next(_fresh)
    _, other = next(_fresh)
    assert other is not None and phone is not None
    assert (await post(client, text_from({"from": other}))).status_code == 200
    conversation = (await whatsapp_messages(app, other))[0].conversation_id
    assert await start(app, conversation, nik) == {"verified": False, "method": None, "code_sent": True}
    assert len(await sent_sms(app, phone)) == 1


async def test_a_whatsapp_user_known_only_by_user_id_falls_back_to_otp(
    wa: tuple[FastAPI, httpx.AsyncClient],
) -> None:
    app, client = wa
    nik, phone = next(_fresh)
    user_id = f"ID.{uuid.uuid4().int % 10**18}"
    assert (await post(client, text_from({"user_id": user_id}))).status_code == 200
    conversation = (await whatsapp_messages(app, user_id))[0].conversation_id
    assert await start(app, conversation, nik) == {"verified": False, "method": None, "code_sent": True}
    assert phone is not None and len(await sent_sms(app, phone)) == 1
