"""A failed Telegram turn answered later by the retry worker, on the citizen's chat, through the
`Outbound` port (api/conversations/retry.py): the apology, then the answer, once; an update
Telegram delivers again after the gateway died mid-turn is the same message, answered once."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import delete

from api.conversations.turn import RASA_UNAVAILABLE_TEXT
from api.models import Author, ChannelUpdate, Direction, GatewayReplica, Message, RasaStatus, utcnow
from tests.api.fake_rasa import FakeRasa
from tests.api.support import GatewayFactory
from tests.connectors.test_telegram import (  # noqa: F401 - fixtures
    FakeTelegram,
    _telegram_server,
    citizen,
    message_update,
    messages_of,
    post_update,
    telegram,
    telegram_settings,
)

pytestmark = pytest.mark.asyncio

ANSWER = "Halo! Ada yang bisa kami bantu?"


async def test_the_answer_reaches_the_chat_once_rasa_is_back(
    citizen: int, gateway: GatewayFactory, telegram: FakeTelegram, fake_rasa: FakeRasa  # noqa: F811
) -> None:
    fast = {"turn_retry": True, "turn_retry_poll_seconds": 0.05, "turn_retry_base_seconds": 0.05}
    fake_rasa.status = 503
    async with gateway(**telegram_settings(telegram), **fast) as (app, client):
        await post_update(client, message_update(citizen, text="halo"))
        await asyncio.sleep(0.2)  # passes while Rasa still fails
        fake_rasa.status = 200
        fake_rasa.reply({"text": ANSWER})
        for _ in range(200):
            stored = await messages_of(app, citizen)
            if stored[0].rasa_status is RasaStatus.DELIVERED:
                break
            await asyncio.sleep(0.05)

    to_citizen = [params["text"] for params in telegram.sent() if params["chat_id"] == citizen]
    assert to_citizen == [RASA_UNAVAILABLE_TEXT, ANSWER]
    assert [m.text for m in stored] == ["halo", RASA_UNAVAILABLE_TEXT, ANSWER]


async def test_an_update_redelivered_after_the_gateway_died_mid_turn_is_answered_once(
    citizen: int, gateway: GatewayFactory, telegram: FakeTelegram, fake_rasa: FakeRasa  # noqa: F811
) -> None:
    """kill -9 of the replica playing a Telegram turn: the message and its update id were
    stored (`pending`, under the dead process), no 200 reached Telegram, so Telegram delivers
    the update again. The redelivery is the same message (no second turn); the retry worker
    answers it once no live turn can still run it, and the answer reaches the chat once."""
    fast = {
        "turn_retry": True,
        "turn_retry_poll_seconds": 0.05,
        "turn_retry_base_seconds": 0.05,
        "rasa_queue_wait_seconds": 0.5,  # the longest live turn: 2 × (0.5 + 0.5) s
    }
    fake_rasa.respond = lambda body: [{"text": f"jawab: {body['message']}"}]
    killed = uuid.uuid4().hex
    async with gateway(**telegram_settings(telegram), **fast) as (app, client):
        await post_update(client, message_update(citizen, text="halo"))  # the chat's conversation
        [conversation_id] = {m.conversation_id for m in await messages_of(app, citizen)}
        update = message_update(citizen, text="cek bansos")
        async with app.state.sessionmaker() as session:  # what the killed replica had committed
            session.add(
                Message(
                    conversation_id=conversation_id,
                    direction=Direction.IN,
                    author=Author.CITIZEN,
                    text="cek bansos",
                    rasa_status=RasaStatus.PENDING,
                    rasa_holder=killed,
                    created_at=utcnow() - timedelta(seconds=40),
                )
            )
            session.add(ChannelUpdate(channel="telegram", external_id=str(update["update_id"])))
            session.add(GatewayReplica(holder=killed, seen_at=utcnow() - timedelta(seconds=35)))
            await session.commit()

        redelivered = await post_update(client, update)
        for _ in range(200):
            stored = await messages_of(app, citizen)
            if all(m.rasa_status is not RasaStatus.PENDING for m in stored):
                break
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.3)  # a second turn, if there were one, would show by now
        stored = await messages_of(app, citizen)
        async with app.state.sessionmaker() as session:
            await session.execute(delete(GatewayReplica).where(GatewayReplica.holder == killed))
            await session.commit()

    assert redelivered.status_code == 200
    # Earlier tests' waiting messages (a shared database) may reach Rasa too: this one's only.
    to_rasa = [body["message"] for body in fake_rasa.received if body["sender"] == str(conversation_id)]
    assert to_rasa == ["halo", "cek bansos"]
    to_citizen = [params["text"] for params in telegram.sent() if params["chat_id"] == citizen]
    assert to_citizen == ["jawab: halo", "jawab: cek bansos"]
    assert [(m.text, m.rasa_status) for m in stored if m.direction is Direction.IN] == [
        ("halo", RasaStatus.DELIVERED),
        ("cek bansos", RasaStatus.DELIVERED),
    ]
