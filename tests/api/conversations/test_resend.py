"""Client message ids (api/conversations/resend.py): a message sent again with the id its client
gave it gets the first attempt's answer and reaches Rasa once, whether the first attempt is
over, still racing, failed, or died with its gateway mid-turn."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import delete

from api.conversations.resend import RECEIVED_TEXT
from api.conversations.retry import RetryPolicy
from api.conversations.turn import RASA_UNAVAILABLE_TEXT
from api.models import Author, Direction, GatewayReplica, Message, RasaStatus, utcnow
from tests.api.conversations.test_retry import RecordingOutbound, echo, gateway_app, sent_texts, worker
from tests.api.fake_rasa import FakeRasa
from tests.api.support import RASA_TIMEOUT, GatewayFactory, new_conversation, stored_messages

pytestmark = pytest.mark.asyncio


async def send(
    client: httpx.AsyncClient, conversation_id: str, text: str, client_message_id: uuid.UUID | str
) -> dict[str, Any]:
    response = await client.post(
        f"/api/v1/conversations/{conversation_id}/messages",
        json={"text": text, "client_message_id": str(client_message_id)},
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def citizen_rows(messages: list[Message]) -> list[str]:
    return [m.text for m in messages if m.direction is Direction.IN]


def answer_of(body: dict[str, Any]) -> tuple[int, str, list[tuple[int, str]]]:
    return body["message_id"], body["rasa_status"], [(r["id"], r["text"]) for r in body["replies"]]


async def test_a_resend_after_the_first_attempt_was_answered_gets_the_same_answer(
    gateway: GatewayFactory, fake_rasa: FakeRasa
) -> None:
    async with gateway_app(gateway) as (app, client):
        conversation_id = await new_conversation(client)
        echo(fake_rasa)
        message_id = uuid.uuid4()
        first = await send(client, conversation_id, "syarat KTP", message_id)
        again = await send(client, conversation_id, "syarat KTP", message_id)
        other = await send(client, conversation_id, "syarat KTP", uuid.uuid4())  # a new message
        stored = await stored_messages(app, conversation_id)

    assert answer_of(first) == answer_of(again)
    assert answer_of(first)[1:] == ("delivered", [(first["replies"][0]["id"], "jawab: syarat KTP")])
    assert other["message_id"] != first["message_id"]
    assert sent_texts(fake_rasa) == ["syarat KTP", "syarat KTP"]  # the first and the new one
    assert citizen_rows(stored) == ["syarat KTP", "syarat KTP"]


async def test_a_resend_racing_the_first_attempt_waits_for_its_answer(
    gateway: GatewayFactory, fake_rasa: FakeRasa
) -> None:
    async with gateway_app(gateway, rasa_timeout_seconds=5.0) as (app, client):
        conversation_id = await new_conversation(client)
        echo(fake_rasa)
        fake_rasa.delay = 0.4
        message_id = uuid.uuid4()
        first, second = await asyncio.gather(
            send(client, conversation_id, "cek bansos", message_id),
            send(client, conversation_id, "cek bansos", message_id),
        )
        stored = await stored_messages(app, conversation_id)

    assert answer_of(first) == answer_of(second)
    assert [r["text"] for r in first["replies"]] == ["jawab: cek bansos"]
    assert sent_texts(fake_rasa) == ["cek bansos"]
    assert citizen_rows(stored) == ["cek bansos"]


async def test_a_resend_after_a_failed_turn_gets_the_apology_and_no_second_turn(
    gateway: GatewayFactory, fake_rasa: FakeRasa
) -> None:
    async with gateway_app(gateway) as (app, client):
        conversation_id = await new_conversation(client)
        fake_rasa.status = 500
        message_id = uuid.uuid4()
        first = await send(client, conversation_id, "syarat SIM", message_id)
        fake_rasa.status = 200
        again = await send(client, conversation_id, "syarat SIM", message_id)

    assert answer_of(first) == answer_of(again)
    assert again["rasa_status"] == "failed"
    assert [r["text"] for r in again["replies"]] == [RASA_UNAVAILABLE_TEXT]
    assert sent_texts(fake_rasa) == ["syarat SIM"]  # the retry worker plays it, not the resend


async def test_a_resend_after_the_gateway_died_mid_turn_is_answered_once_by_the_retry_worker(
    gateway: GatewayFactory, fake_rasa: FakeRasa
) -> None:
    """kill -9 of the gateway replica playing the turn: its message stays `pending` under a
    dead process. The client's resend reaches another replica: it is told at once that the
    message is being handled (no wait for a turn that will not end, no second turn), and the
    retry worker answers it once; a later resend gets that answer."""
    policy = RetryPolicy(
        base_seconds=0.001,
        max_delay_seconds=0.002,
        health_timeout=RASA_TIMEOUT,
        stale_pending=timedelta(minutes=10),
        orphan_pending=timedelta(seconds=30),
        heartbeat_dead=timedelta(seconds=10),
    )
    outbound = RecordingOutbound()
    async with gateway_app(gateway) as (app, client):
        conversation_id = await new_conversation(client)
        echo(fake_rasa)
        killed, message_id = uuid.uuid4().hex, uuid.uuid4()
        async with app.state.sessionmaker() as session:
            session.add(
                Message(
                    conversation_id=uuid.UUID(conversation_id),
                    direction=Direction.IN,
                    author=Author.CITIZEN,
                    text="status pengaduan",
                    rasa_status=RasaStatus.PENDING,
                    rasa_holder=killed,
                    client_message_id=message_id,
                    created_at=utcnow() - timedelta(seconds=40),
                )
            )
            session.add(GatewayReplica(holder=killed, seen_at=utcnow() - timedelta(seconds=35)))
            await session.commit()

        began = asyncio.get_running_loop().time()
        resent = await send(client, conversation_id, "status pengaduan", message_id)
        took = asyncio.get_running_loop().time() - began
        assert resent["rasa_status"] == "pending"
        assert [(r["author"], r["text"]) for r in resent["replies"]] == [("system", RECEIVED_TEXT)]
        assert took < 5  # not the longest turn's 52 s: the process that held it is dead
        assert fake_rasa.received == []

        retries = worker(app, outbound, policy)
        assert await retries.run_once() == 1
        assert await retries.run_once() == 0
        later = await send(client, conversation_id, "status pengaduan", message_id)
        stored = await stored_messages(app, conversation_id)
        async with app.state.sessionmaker() as session:
            await session.execute(delete(GatewayReplica).where(GatewayReplica.holder == killed))
            await session.commit()

    assert sent_texts(fake_rasa) == ["status pengaduan"]
    assert outbound.pushed == [(uuid.UUID(conversation_id), "jawab: status pengaduan")]
    assert later["message_id"] == resent["message_id"] and later["rasa_status"] == "delivered"
    assert [r["text"] for r in later["replies"]] == [RECEIVED_TEXT, "jawab: status pengaduan"]
    assert citizen_rows(stored) == ["status pengaduan"]


async def test_one_id_in_two_conversations_is_two_messages(
    gateway: GatewayFactory, fake_rasa: FakeRasa
) -> None:
    async with gateway_app(gateway) as (_, client):
        first, second = await new_conversation(client), await new_conversation(client)
        echo(fake_rasa)
        message_id = uuid.uuid4()
        await send(client, first, "halo", message_id)
        await send(client, second, "halo", message_id)

    assert sent_texts(fake_rasa) == ["halo", "halo"]


@pytest.mark.parametrize("bad", ["bukan-uuid", "", "x" * 10_000, 42, ["a"], {"id": 1}])
async def test_a_malformed_client_message_id_is_refused(
    gateway: GatewayFactory, fake_rasa: FakeRasa, bad: Any
) -> None:
    async with gateway_app(gateway) as (_, client):
        conversation_id = await new_conversation(client)
        body = {"text": "halo", "client_message_id": bad}
        response = await client.post(f"/api/v1/conversations/{conversation_id}/messages", json=body)

    assert response.status_code == 422
    assert fake_rasa.received == []
