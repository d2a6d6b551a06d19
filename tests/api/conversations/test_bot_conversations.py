"""The message path's memory of conversations with the bot (api/conversations/bot_conversations.py):
the read it saves, and every way an entry is dropped. SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI
from sqlalchemy import event

from api.conversations import bot_conversations
from api.conversations.bot_conversations import HANDOFF_STARTED, BotConversations
from api.models import HandledBy
from api.pubsub import MemoryBroadcaster
from tests.api.callcenter.support import add_agent, ask_for_person, say
from tests.api.fake_rasa import FakeRasa
from tests.api.support import GatewayFactory, new_conversation, stored_conversation

pytestmark = pytest.mark.asyncio


@contextmanager
def conversation_reads(app: FastAPI) -> Iterator[list[str]]:
    """The statements that read the conversations table while the block runs."""
    reads: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "FROM conversations" in statement:
            reads.append(statement)

    engine = app.state.engine.sync_engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield reads
    finally:
        event.remove(engine, "before_cursor_execute", record)


async def test_a_conversation_with_the_bot_is_read_once(center: tuple[FastAPI, httpx.AsyncClient]) -> None:
    app, client = center
    conversation = await new_conversation(client)
    with conversation_reads(app) as reads:
        await say(client, conversation, "halo")
        assert len(reads) == 1
        for text in ("cek bansos", "terima kasih"):
            assert (await say(client, conversation, text))["replies"][0]["text"] == f"bot: {text}"
        assert len(reads) == 1


async def test_the_privacy_notice_is_marked_once_for_a_remembered_conversation(
    gateway: GatewayFactory, fake_rasa: FakeRasa
) -> None:
    """The notice's time is set at the first turn, after the conversation was remembered: the
    entry learns it, or every later turn would repeat the UPDATE (a round trip per turn)."""
    fake_rasa.reply({"text": "Halo!"})
    updates: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().startswith("UPDATE conversations"):
            updates.append(statement)

    async with gateway(privacy_notice=True) as (app, client):
        conversation = await new_conversation(client)
        engine = app.state.engine.sync_engine
        event.listen(engine, "before_cursor_execute", record)
        try:
            first = await say(client, conversation, "halo")
            assert uuid.UUID(conversation) in app.state.bot_conversations
            for text in ("cek bansos", "terima kasih"):
                replies = (await say(client, conversation, text))["replies"]
                assert [reply["author"] for reply in replies] == ["bot"]
        finally:
            event.remove(engine, "before_cursor_execute", record)
    assert [reply["author"] for reply in first["replies"]] == ["system", "bot"]  # the notice, once
    assert len([u for u in updates if "privacy_notice_at" in u]) == 1


async def test_after_a_handoff_starts_the_bot_is_silent_at_once(
    center: tuple[FastAPI, httpx.AsyncClient], fake_rasa: FakeRasa
) -> None:
    app, client = center
    await add_agent(app)
    conversation = await new_conversation(client)
    await say(client, conversation, "halo")
    assert uuid.UUID(conversation) in app.state.bot_conversations
    await ask_for_person(client, conversation)
    assert uuid.UUID(conversation) not in app.state.bot_conversations

    sent_to_bot = len(fake_rasa.received)
    assert (await say(client, conversation, "halo, ada orang?"))["replies"] == []
    assert len(fake_rasa.received) == sent_to_bot
    assert uuid.UUID(conversation) not in app.state.bot_conversations


async def test_a_remembered_conversation_is_saved_like_a_loaded_one(
    center: tuple[FastAPI, httpx.AsyncClient],
) -> None:
    """A hit is attached to the session without a query; changing it writes the change."""
    app, client = center
    conversation = uuid.UUID(await new_conversation(client))
    await say(client, conversation.hex, "halo")
    with conversation_reads(app) as reads:
        async with app.state.sessionmaker() as session:
            state = await app.state.bot_conversations.state(session, conversation)
            assert state is not None and state.handoff is None and state.conversation.channel == "web"
            state.conversation.handled_by = HandledBy.AGENT
            await session.commit()
    assert reads == []
    stored = await stored_conversation(app, str(conversation))
    assert stored is not None and stored.handled_by is HandledBy.AGENT


# --- The rules, on one process's memory ------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class Counting:
    """`store.conversation_state` that counts its queries and can run a step in the middle."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.queries = 0
        self.during: Any = None
        real = bot_conversations.conversation_state

        async def counted(session: Any, conversation_id: uuid.UUID) -> Any:
            self.queries += 1
            state = await real(session, conversation_id)
            if self.during is not None:
                self.during()
            return state

        monkeypatch.setattr(bot_conversations, "conversation_state", counted)


@pytest_asyncio.fixture
async def memory(
    app_client: tuple[FastAPI, httpx.AsyncClient], monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[tuple[BotConversations, MemoryBroadcaster, Clock, Counting, FastAPI, uuid.UUID]]:
    """A BotConversations of its own, its broadcaster and clock, and a conversation with the bot."""
    app, client = app_client
    broadcaster, clock = MemoryBroadcaster(), Clock()
    remembered = BotConversations(broadcaster, ttl_seconds=30, clock=clock)
    remembered.start()
    conversation = uuid.UUID(await new_conversation(client))
    try:
        yield remembered, broadcaster, clock, Counting(monkeypatch), app, conversation
    finally:
        await remembered.aclose()


async def _read(app: FastAPI, remembered: BotConversations, conversation: uuid.UUID) -> None:
    async with app.state.sessionmaker() as session:
        state = await remembered.state(session, conversation)
        assert state is not None and state.conversation.id == conversation


async def _settle() -> None:
    """Let the follower task run (it was started, or an event was just published)."""
    for _ in range(3):
        await asyncio.sleep(0)


async def test_entries_expire(memory: Any) -> None:
    remembered, _, clock, counting, app, conversation = memory
    await _settle()
    await _read(app, remembered, conversation)
    await _read(app, remembered, conversation)
    assert counting.queries == 1
    clock.now += 31
    await _read(app, remembered, conversation)
    assert counting.queries == 2


async def test_an_event_from_any_replica_drops_the_entry(memory: Any) -> None:
    remembered, broadcaster, _, counting, app, conversation = memory
    await _settle()
    await _read(app, remembered, conversation)
    await broadcaster.publish(HANDOFF_STARTED, {"conversation": str(conversation)})
    await _settle()
    assert conversation not in remembered
    await broadcaster.publish(HANDOFF_STARTED, {"conversation": "not-a-uuid"})  # logged, ignored
    await _settle()
    await _read(app, remembered, conversation)
    assert counting.queries == 2 and conversation in remembered


async def test_a_read_that_raced_a_handoff_is_not_remembered(memory: Any) -> None:
    remembered, _, _, counting, app, conversation = memory
    await _settle()
    counting.during = lambda: remembered.forget(uuid.uuid4())  # a hand-off elsewhere, mid-read
    await _read(app, remembered, conversation)
    assert conversation not in remembered
    counting.during = None
    await _read(app, remembered, conversation)
    assert conversation in remembered


async def test_nothing_is_trusted_while_the_replicas_are_not_heard(memory: Any) -> None:
    remembered, broadcaster, _, counting, app, conversation = memory
    await _settle()
    await _read(app, remembered, conversation)
    broadcaster.listening = None  # Redis down: hand-offs elsewhere would go unheard
    await _read(app, remembered, conversation)
    await _read(app, remembered, conversation)
    assert counting.queries == 3 and conversation not in remembered
    broadcaster.listening = 1  # heard again, on a new subscription
    await _read(app, remembered, conversation)
    await _read(app, remembered, conversation)
    assert counting.queries == 4


async def test_nothing_is_remembered_before_following(app_client: Any) -> None:
    app, client = app_client
    remembered = BotConversations(MemoryBroadcaster())
    conversation = uuid.UUID(await new_conversation(client))
    await _read(app, remembered, conversation)
    assert conversation not in remembered
