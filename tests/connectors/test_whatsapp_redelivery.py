"""A WhatsApp message Meta delivers again after the gateway replica playing its turn was killed
(kill -9 mid-turn: the message and its id stored `pending`, no 200 sent): the same message,
never a second turn; the retry worker answers it once on the citizen's number."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import delete

from api.models import Author, ChannelUpdate, Direction, GatewayReplica, Message, RasaStatus, utcnow
from tests.api.fake_rasa import FakeRasa
from tests.api.support import GatewayFactory
from tests.connectors.fake_channels import FakeGraph
from tests.connectors.test_whatsapp import (  # noqa: F401 - fixtures
    _graph_server,
    graph,
    inbound,
    messages_of,
    number,
    post,
    whatsapp_settings,
)

pytestmark = pytest.mark.asyncio


async def test_a_message_redelivered_after_the_gateway_died_mid_turn_is_answered_once(
    number: str, gateway: GatewayFactory, graph: FakeGraph, fake_rasa: FakeRasa  # noqa: F811
) -> None:
    fast = {
        "turn_retry": True,
        "turn_retry_poll_seconds": 0.05,
        "turn_retry_base_seconds": 0.05,
        "rasa_queue_wait_seconds": 0.5,  # the longest live turn: 2 × (0.5 + 0.5) s
    }
    fake_rasa.respond = lambda body: [{"text": f"jawab: {body['message']}"}]
    killed, wamid = uuid.uuid4().hex, f"wamid.KILLED{uuid.uuid4().hex[:8]}"
    async with gateway(**whatsapp_settings(graph), **fast) as (app, client):
        await post(client, inbound(number, "text", {"body": "halo"}))  # the number's conversation
        [conversation_id] = {m.conversation_id for m in await messages_of(app, number)}
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
            session.add(ChannelUpdate(channel="whatsapp", external_id=wamid))
            session.add(GatewayReplica(holder=killed, seen_at=utcnow() - timedelta(seconds=35)))
            await session.commit()

        redelivered = await post(client, inbound(number, "text", {"body": "cek bansos"}, wamid=wamid))
        for _ in range(200):
            stored = await messages_of(app, number)
            if all(m.rasa_status is not RasaStatus.PENDING for m in stored):
                break
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.3)  # a second turn, if there were one, would show by now
        stored = await messages_of(app, number)
        async with app.state.sessionmaker() as session:
            await session.execute(delete(GatewayReplica).where(GatewayReplica.holder == killed))
            await session.commit()

    assert redelivered.status_code == 200
    # Earlier tests' waiting messages (a shared database) may reach Rasa too: this one's only.
    to_rasa = [body["message"] for body in fake_rasa.received if body["sender"] == str(conversation_id)]
    assert to_rasa == ["halo", "cek bansos"]
    to_number = [body["text"]["body"] for body in graph.messages if body["to"] == number]
    assert to_number == ["jawab: halo", "jawab: cek bansos"]
    assert [(m.text, m.rasa_status) for m in stored if m.direction is Direction.IN] == [
        ("halo", RasaStatus.DELIVERED),
        ("cek bansos", RasaStatus.DELIVERED),
    ]
