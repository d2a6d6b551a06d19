"""The outbox of replies to Telegram and WhatsApp (api/conversations/outbox.py), through the
gateway's webhooks against local fakes of the Bot API and the Graph API that answer 429 and
5xx for a while: every reply arrives once and in order, Retry-After is honoured, a crash
between the commit and the send is made good by the worker, and a reply given up after the
bound goes to the agents' queue. SQLite and PostgreSQL (the shared `database` fixture).
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from api.conversations import store
from api.conversations.model import TextReply
from api.models import Author, Conversation, DeliveryStatus, Direction, HandledBy, Message, OutboxEntry
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
from tests.connectors.fake_channels import FakeGraph, FakeTelegram, serve
from tests.connectors.test_telegram import message_update, post_update, telegram_settings
from tests.connectors.test_telegram import messages_of as telegram_messages
from tests.connectors.test_whatsapp import inbound, post, whatsapp_settings
from tests.connectors.test_whatsapp import messages_of as whatsapp_messages

# Fast bounds: the worker polls often, backs off in tens of milliseconds, and takes a reply
# over from the fast path after a second.
FAST: dict[str, Any] = {
    "outbox_worker": True,
    "outbox_poll_seconds": 0.05,
    "outbox_backoff_base_seconds": 0.05,
    "outbox_backoff_max_seconds": 0.2,
    "outbox_fast_path_seconds": 1,
    "outbox_lease_seconds": 10,
}

_chats = iter(range(777_000_001, 777_999_999))
_numbers = iter(range(6281900000001, 6281999999999))


@pytest.fixture(scope="module")
def telegram() -> Iterator[FakeTelegram]:
    fake = FakeTelegram()
    with serve(fake.app()) as url:
        fake.url = url
        yield fake


@pytest.fixture(scope="module")
def graph() -> Iterator[FakeGraph]:
    fake = FakeGraph()
    with serve(fake.app()) as url:
        fake.url = url
        yield fake


@pytest.fixture(autouse=True)
def _fresh_fakes(telegram: FakeTelegram, graph: FakeGraph) -> None:
    telegram.reset()
    graph.reset()


def two_answers(body: dict[str, Any]) -> list[dict[str, Any]]:
    """Two replies per message, named after it: their order is visible."""
    return [{"text": f"Jawaban {body['message']} (1)"}, {"text": f"Jawaban {body['message']} (2)"}]


async def settled(app: FastAPI, conversation_ids: set[uuid.UUID], timeout: float = 30) -> None:
    """Wait until none of these conversations has a reply left in the outbox."""
    deadline = time.monotonic() + timeout
    while True:
        async with app.state.sessionmaker() as session:
            left = await session.scalar(
                select(func.count())
                .select_from(OutboxEntry)
                .where(OutboxEntry.conversation_id.in_(conversation_ids))
            )
        if not left:
            return
        assert time.monotonic() < deadline, f"{left} replies still in the outbox"
        await asyncio.sleep(0.05)


def conversations(messages: list[Message]) -> set[uuid.UUID]:
    return {message.conversation_id for message in messages}


async def test_telegram_429_and_5xx_every_reply_arrives_once_in_order(
    gateway: GatewayFactory, telegram: FakeTelegram, fake_rasa: FakeRasa
) -> None:
    chat = next(_chats)
    fake_rasa.respond = two_answers
    # The first send meets flood control (retry after 1 s), then Bad Gateway, an internal
    # error and, after one success, a 503.
    telegram.script = [(429, 1), (502, None), (500, None), None, (503, None)]
    async with gateway(**telegram_settings(telegram, **FAST)) as (app, client):
        for n in range(1, 4):
            assert (await post_update(client, message_update(chat, text=f"pesan {n}"))).status_code == 200
        stored = await telegram_messages(app, chat)
        await settled(app, conversations(stored))
        stored = await telegram_messages(app, chat)

    expected = [f"Jawaban pesan {n} ({k})" for n in range(1, 4) for k in (1, 2)]
    assert telegram.delivered(chat) == expected
    replies = [message for message in stored if message.author is Author.BOT]
    assert [message.delivery_status for message in replies] == [DeliveryStatus.SENT] * 6
    assert len({message.channel_message_id for message in replies}) == 6
    # Telegram's retry_after is honoured: nothing reached the chat sooner than it asked.
    mine = [(at, status) for at, _, params, status in telegram.attempts if params.get("chat_id") == chat]
    limited = [at for at, status in mine if status == 429]
    assert limited
    assert all(at >= limited[0] + 1.0 for at, _ in mine if at > limited[0])


async def test_whatsapp_429_and_5xx_every_reply_arrives_once_in_order(
    gateway: GatewayFactory, graph: FakeGraph, fake_rasa: FakeRasa
) -> None:
    number = str(next(_numbers))
    fake_rasa.respond = two_answers
    throttled = {"code": 130429, "type": "OAuthException"}
    graph.script = [
        (429, throttled, {"Retry-After": "1"}),
        (503, {"code": 2, "type": "OAuthException"}, {}),
        None,
        (400, {"code": 131056, "type": "OAuthException"}, {}),  # pair rate limit: retried
        (500, {"code": 1, "type": "OAuthException"}, {}),
    ]
    async with gateway(**whatsapp_settings(graph, **FAST)) as (app, client):
        for n in range(1, 4):
            assert (await post(client, inbound(number, "text", {"body": f"pesan {n}"}))).status_code == 200
        await settled(app, conversations(await whatsapp_messages(app, number)))
        stored = await whatsapp_messages(app, number)

    assert graph.delivered(number) == [f"Jawaban pesan {n} ({k})" for n in range(1, 4) for k in (1, 2)]
    replies = [message for message in stored if message.author is Author.BOT]
    assert [message.delivery_status for message in replies] == [DeliveryStatus.SENT] * 6
    mine = [(at, status) for at, body, status in graph.attempts if body.get("to") == number]
    limited = next(at for at, status in mine if status == 429)
    assert all(at >= limited + 1.0 for at, _ in mine if at > limited)


async def test_a_whatsapp_retry_outside_the_24_hour_window_is_kept_undelivered(
    gateway: GatewayFactory, graph: FakeGraph, fake_rasa: FakeRasa
) -> None:
    number = str(next(_numbers))
    fake_rasa.reply({"text": "Baik."})
    graph.failure = (503, {"code": 2, "type": "OAuthException"})
    window_left = 8  # seconds: the citizen wrote 24 hours ago, less eight (a loaded machine's turn)
    async with gateway(**whatsapp_settings(graph, **FAST)) as (app, client):
        await post(client, inbound(number, "text", {"body": "halo"}, age_seconds=24 * 3600 - window_left))
        await settled(app, conversations(await whatsapp_messages(app, number)))
        reply = (await whatsapp_messages(app, number))[-1]
    assert (reply.delivery_status, reply.delivery_error) == (DeliveryStatus.UNDELIVERED, "outside_24h_window")
    assert len([body for _, body, _ in graph.attempts if body.get("to") == number]) >= 2  # retried meanwhile


async def test_a_newer_reply_waits_behind_an_older_one_the_channel_refused(
    gateway: GatewayFactory, telegram: FakeTelegram, fake_rasa: FakeRasa
) -> None:
    chat = next(_chats)
    fake_rasa.respond = two_answers
    telegram.script = [(429, 3)]  # only the very first send is refused, for three seconds
    async with gateway(**telegram_settings(telegram, **FAST)) as (app, client):
        await post_update(client, message_update(chat, text="pesan 1"))
        await post_update(client, message_update(chat, text="pesan 2"))  # its fast path must wait
        await settled(app, conversations(await telegram_messages(app, chat)))
    expected = [f"Jawaban pesan {n} ({k})" for n in (1, 2) for k in (1, 2)]
    assert telegram.delivered(chat) == expected


async def test_an_agents_reply_the_channel_refused_is_sent_by_the_worker(
    gateway: GatewayFactory, telegram: FakeTelegram, fake_rasa: FakeRasa
) -> None:
    chat = next(_chats)
    handoff_bot(fake_rasa)
    async with gateway(**telegram_settings(telegram, **FAST), **ALWAYS_OPEN) as (app, client):
        await fresh_call_center(app)
        agent = await add_agent(app, name="Sari")
        await post_update(client, message_update(chat, text="/request_human"))
        conversation_id = (await telegram_messages(app, chat))[0].conversation_id
        handoff = await handoff_of(app, str(conversation_id))
        async with console(app, agent) as desk:
            await desk.post(f"/console/api/handoffs/{handoff.id}/claim")
            telegram.script = [(502, None), (503, None)]
            answer = await desk.post(
                f"/console/api/handoffs/{handoff.id}/messages", json={"text": "Halo, Pak Budi."}
            )
            assert answer.status_code == 201  # the agent is not kept waiting for the retries
        await settled(app, {conversation_id})
        stored = await telegram_messages(app, chat)
    delivered = telegram.delivered(chat)
    assert delivered[-1] == "Halo, Pak Budi." and delivered.count("Halo, Pak Budi.") == 1
    assert stored[-1].author is Author.AGENT and stored[-1].delivery_status is DeliveryStatus.SENT


async def test_a_long_reply_resumes_after_the_parts_already_sent(
    gateway: GatewayFactory, telegram: FakeTelegram, fake_rasa: FakeRasa
) -> None:
    chat = next(_chats)
    long_text = " ".join(f"kata{n}" for n in range(600))  # 4,690 characters: two parts
    fake_rasa.reply({"text": long_text})
    telegram.script = [None, (502, None)]  # the first part is taken, the second fails
    async with gateway(**telegram_settings(telegram, **FAST)) as (app, client):
        await post_update(client, message_update(chat, text="halo"))
        await settled(app, conversations(await telegram_messages(app, chat)))

    parts = telegram.delivered(chat)
    assert len(parts) == 2  # each part once: the retry skipped the first
    assert " ".join(parts).split() == long_text.split()


async def test_a_crash_between_commit_and_send_is_delivered_by_the_worker(
    gateway: GatewayFactory, telegram: FakeTelegram
) -> None:
    chat = next(_chats)
    async with gateway(**telegram_settings(telegram, **FAST)) as (app, _):
        async with app.state.sessionmaker() as session:
            _, conversation, _ = await store.channel_thread(session, "telegram", str(chat))
            replies = [
                store.outgoing_message(conversation.id, Author.AGENT, TextReply(text=f"Balasan {n}"))
                for n in (1, 2, 3)
            ]
            session.add_all(replies)
            await session.commit()
        # The process "dies" here: nothing sends them. The worker does, after the fast path's grace.
        await settled(app, {conversation.id})
        stored = await telegram_messages(app, chat)

    assert telegram.delivered(chat) == ["Balasan 1", "Balasan 2", "Balasan 3"]
    assert [message.delivery_status for message in stored] == [DeliveryStatus.SENT] * 3


async def test_the_outbox_row_is_written_in_the_messages_transaction(
    gateway: GatewayFactory, telegram: FakeTelegram
) -> None:
    chat = next(_chats)
    async with gateway(**telegram_settings(telegram)) as (app, _), app.state.sessionmaker() as session:
        _, conversation, _ = await store.channel_thread(session, "telegram", str(chat))
        conversation_id = conversation.id
        message = store.outgoing_message(conversation_id, Author.BOT, TextReply(text="Halo"))
        session.add(message)
        await session.flush()
        queued = await session.scalar(select(OutboxEntry).where(OutboxEntry.message_id == message.id))
        assert queued is not None and queued.conversation_id == conversation_id
        await session.rollback()  # neither the message nor its row
        assert await session.scalar(select(func.count()).select_from(Message).where(
            Message.conversation_id == conversation_id)) == 0  # fmt: skip
        assert await session.scalar(select(func.count()).select_from(OutboxEntry).where(
            OutboxEntry.conversation_id == conversation_id)) == 0  # fmt: skip


async def test_a_reply_built_with_its_conversation_object_is_queued_too(
    gateway: GatewayFactory, telegram: FakeTelegram
) -> None:
    async with gateway(**telegram_settings(telegram)) as (app, _), app.state.sessionmaker() as session:
        conversation = Conversation(
            channel="telegram", channel_user_id=str(next(_chats)), handled_by=HandledBy.BOT
        )
        message = Message(conversation=conversation, direction=Direction.OUT, author=Author.BOT, text="Halo")
        session.add(message)
        await session.flush()
        queued = await session.scalar(select(OutboxEntry).where(OutboxEntry.message_id == message.id))
        assert queued is not None and queued.conversation_id == conversation.id
        await session.rollback()


async def test_web_replies_get_no_outbox_row(gateway: GatewayFactory, fake_rasa: FakeRasa) -> None:
    fake_rasa.reply({"text": "Halo dari web."})
    async with gateway() as (app, client):
        created = (await client.post("/api/v1/conversations", json={})).json()
        answer = await client.post(f"/api/v1/conversations/{created['id']}/messages", json={"text": "halo"})
        assert answer.status_code == 200
        async with app.state.sessionmaker() as session:
            rows = await session.scalar(
                select(func.count())
                .select_from(OutboxEntry)
                .where(OutboxEntry.conversation_id == uuid.UUID(created["id"]))
            )
    assert rows == 0


async def test_a_reply_given_up_after_the_bound_goes_to_the_agents_queue(
    gateway: GatewayFactory, telegram: FakeTelegram, fake_rasa: FakeRasa
) -> None:
    chat = next(_chats)
    fake_rasa.reply({"text": "Jawaban yang tidak sampai."})
    telegram.failures["sendMessage"] = (502, "Bad Gateway")
    async with gateway(**telegram_settings(telegram, **FAST, outbox_give_up_seconds=4)) as (app, client):
        await post_update(client, message_update(chat, text="halo"))
        stored = await telegram_messages(app, chat)
        conversation_id = stored[0].conversation_id
        await settled(app, {conversation_id})
        reply = (await telegram_messages(app, chat))[-1]
        assert reply.delivery_status is DeliveryStatus.FAILED
        assert reply.delivery_error is not None and reply.delivery_error.startswith("gave_up: NetworkError")
        supervisor = await add_agent(app, role="supervisor")
        async with console(app, supervisor) as agent_client:
            queue = (await agent_client.get("/console/api/handoffs")).json()
        ticket = next(item for item in queue if item["conversation_id"] == str(conversation_id))
        assert (ticket["state"], ticket["reason"]) == ("ticket", "undelivered")

        # The chat is not blocked behind the reply given up: the next one goes out.
        telegram.failures.clear()
        fake_rasa.reply({"text": "Jawaban berikutnya."})
        await post_update(client, message_update(chat, text="halo lagi"))
        await settled(app, {conversation_id})
    assert telegram.delivered(chat) == ["Jawaban berikutnya."]
    retried = [status for _, _, params, status in telegram.attempts if params.get("chat_id") == chat]
    assert retried.count(502) >= 2  # retried with backoff before giving up


async def test_a_blocked_bot_is_final_not_retried(
    gateway: GatewayFactory, telegram: FakeTelegram, fake_rasa: FakeRasa
) -> None:
    chat = next(_chats)
    fake_rasa.reply({"text": "Baik."})
    telegram.failures["sendMessage"] = (403, "Forbidden: bot was blocked by the user")
    async with gateway(**telegram_settings(telegram, **FAST)) as (app, client):
        await post_update(client, message_update(chat, text="halo"))
        await settled(app, conversations(await telegram_messages(app, chat)))
        await asyncio.sleep(0.3)  # a few worker rounds
        stored = await telegram_messages(app, chat)
    assert [status for _, _, params, status in telegram.attempts if params.get("chat_id") == chat] == [403]
    assert stored[-1].delivery_status is DeliveryStatus.FAILED
