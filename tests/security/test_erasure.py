""" "Hapus data saya" (api/privacy/erasure.py) removes the citizen's conversations, messages
and Rasa tracker rows, across the gateway and Rasa, and only after the citizen confirmed (the
action's request through the service API); the widget's "Hapus percakapan" removes its
conversation whole, with its session token only."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import FastAPI
from sqlalchemy import select

from api.conversations import turn
from api.conversations.model import TextIn
from api.models import Author, ChannelThread, Conversation, Direction, Message, VerifiedIdentity
from tests.api.fake_rasa import FakeRasa
from tests.api.support import GatewayFactory, service_client
from tests.security.support import TrackerStore, web_conversation

ERASED = "Data Anda sudah kami hapus."


async def _telegram_user(app: FastAPI, chat_id: str, conversations: int) -> list[uuid.UUID]:
    """`conversations` conversations of one Telegram chat, with messages and a verified NIK;
    the thread points at the last one."""
    ids = []
    async with app.state.sessionmaker() as session:
        for _ in range(conversations):
            conversation = Conversation(channel="telegram", channel_user_id=chat_id)
            session.add(conversation)
            await session.flush()
            session.add(
                Message(
                    conversation_id=conversation.id, direction=Direction.IN, author=Author.CITIZEN,
                    text="NIK saya 3201012345678901", buttons=[],
                )
            )  # fmt: skip
            session.add(
                VerifiedIdentity(
                    conversation_id=conversation.id, nik="3201012345678901", birth_date="1990-01-01",
                    service="health",
                )
            )  # fmt: skip
            ids.append(conversation.id)
        session.add(ChannelThread(channel="telegram", channel_user_id=chat_id, conversation_id=ids[-1]))
        await session.commit()
    return ids


async def _say(app: FastAPI, conversation_id: uuid.UUID, text: str) -> list[Message]:
    async with app.state.sessionmaker() as session:
        conversation = await session.get(Conversation, conversation_id)
        assert conversation is not None
        _, replies = await turn.receive_event(
            session, app.state.rasa, conversation, TextIn(text=text), handoff=None, handoffs=None
        )
    return replies


def _erasing_bot(body: dict[str, Any]) -> list[dict[str, Any]]:
    # What action_erase_my_data answers once the gateway accepted the request.
    return [{"text": ERASED}, {"custom": {"type": "erase"}}]


async def _rows(app: FastAPI, conversation_id: uuid.UUID) -> tuple[bool, list[str], bool]:
    async with app.state.sessionmaker() as session:
        exists = await session.get(Conversation, conversation_id) is not None
        texts = list(
            (
                await session.scalars(select(Message.text).where(Message.conversation_id == conversation_id))
            ).all()
        )
        verified = await session.get(VerifiedIdentity, conversation_id) is not None
    return exists, texts, verified


async def test_confirmed_erasure_removes_gateway_rows_and_rasa_tracker_rows(
    gateway: GatewayFactory, fake_rasa: FakeRasa, tracker: TrackerStore
) -> None:
    async with gateway(tracker_database_url=tracker.url) as (app, client):
        chat = f"{uuid.uuid4().int % 10**9}"
        older, current = await _telegram_user(app, chat, 2)
        [stranger] = await _telegram_user(app, f"{uuid.uuid4().int % 10**9}", 1)
        for conversation in (older, current, stranger):
            await tracker.add(str(conversation), count=4)
        fake_rasa.respond = _erasing_bot

        # The action, once the citizen clicked "Ya, hapus": the request, then its reply.
        async with service_client(app) as actions:  # the internal listener (the action server)
            accepted = await actions.post(
                "/api/v1/privacy/erasure", headers={"X-Conversation-ID": str(current)}
            )
        assert accepted.status_code == 202, accepted.text
        replies = await _say(app, current, "/affirm")

        assert [reply.text for reply in replies] == [ERASED]  # the signal is never shown
        assert await _rows(app, older) == (False, [], False)
        assert await _rows(app, current) == (True, [ERASED], False)
        assert await tracker.count(str(older)) == 0
        assert await tracker.count(str(current)) == 0
        # Someone else's data stays.
        assert await _rows(app, stranger) == (True, ["NIK saya 3201012345678901"], True)
        assert await tracker.count(str(stranger)) == 4


async def test_an_erase_signal_without_the_citizens_request_erases_nothing(
    gateway: GatewayFactory, fake_rasa: FakeRasa, tracker: TrackerStore
) -> None:
    async with gateway(tracker_database_url=tracker.url) as (app, _):
        [conversation] = await _telegram_user(app, f"{uuid.uuid4().int % 10**9}", 1)
        await tracker.add(str(conversation), count=2)
        fake_rasa.respond = _erasing_bot

        await _say(app, conversation, "/affirm")

        exists, texts, verified = await _rows(app, conversation)
        assert exists and verified and len(texts) == 3
        assert await tracker.count(str(conversation)) == 2


async def test_the_widget_deletes_its_conversation_with_its_session_token_only(
    gateway: GatewayFactory, fake_rasa: FakeRasa, tracker: TrackerStore
) -> None:
    async with gateway(tracker_database_url=tracker.url) as (app, client):
        conversation, token = await web_conversation(client)
        fake_rasa.reply({"text": "Halo"})
        await client.post(f"/api/v1/conversations/{conversation}/messages", json={"text": "halo"})
        await tracker.add(conversation, count=3)
        url = f"/api/v1/conversations/{conversation}"

        assert (await client.delete(url)).status_code == 401
        assert (await client.delete(url, headers={"X-Session-Token": token + "x"})).status_code == 401
        assert await tracker.count(conversation) == 3

        deleted = await client.delete(url, headers={"X-Session-Token": token})

        assert deleted.status_code == 204
        assert await _rows(app, uuid.UUID(conversation)) == (False, [], False)
        assert await tracker.count(conversation) == 0
        gone = await client.get(f"{url}/messages", headers={"X-Session-Token": token})
        assert gone.status_code == 404
