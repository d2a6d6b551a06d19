"""Two delivery workers on one PostgreSQL database (database `aw_outbox`, a schema per run),
as two gateway replicas would run them: each reply is sent once, each chat's replies in order
and never two of one chat at once, while sends fail at random and are retried."""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator, Iterator

import asyncpg
import pytest
import pytest_asyncio
from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.conversations import outbox
from api.conversations.delivery import DeliveryFailed, Outbox
from api.conversations.model import Reply, TextReply
from api.conversations.outbox_worker import DeliveryWorker
from api.conversations.store import outgoing_message
from api.db import create_engine, create_sessionmaker, migrate
from api.models import Author, Conversation, DeliveryStatus, HandledBy, Message, OutboxEntry
from tests.api.support import Database, make_settings
from tests.services import POSTGRES_URL, require

DATABASE = "aw_outbox"
CHATS, PER_CHAT = 30, 6


class Channel:
    """A channel that fails a third of the sends (retryably) and records what it took."""

    def __init__(self) -> None:
        self.taken: dict[uuid.UUID, list[str]] = defaultdict(list)
        self.by_worker: dict[str, int] = defaultdict(int)
        self.in_flight: set[uuid.UUID] = set()
        self.overlaps = 0
        self.random = random.Random(19)


class ChatOutbox:
    def __init__(self, channel: Channel, conversation_id: uuid.UUID, worker: str) -> None:
        self._channel, self._conversation_id, self._worker = channel, conversation_id, worker

    async def send(self, reply: Reply, ref: int | None, skip: int = 0) -> str | None:
        channel = self._channel
        if self._conversation_id in channel.in_flight:
            channel.overlaps += 1
        channel.in_flight.add(self._conversation_id)
        try:
            await asyncio.sleep(channel.random.uniform(0, 0.004))
            if channel.random.random() < 0.33:
                raise DeliveryFailed("fake 503", retryable=True)
            assert isinstance(reply, TextReply)
            channel.taken[self._conversation_id].append(reply.text)
            channel.by_worker[self._worker] += 1
            return f"id-{ref}"
        finally:
            channel.in_flight.discard(self._conversation_id)


class Senders:
    """One replica's senders: Telegram on."""

    def __init__(self, channel: Channel, name: str) -> None:
        self._channel, self._name = channel, name

    @property
    def channels(self) -> frozenset[str]:
        return frozenset({"telegram"})

    async def outbox_for(
        self, session: AsyncSession, conversation: Conversation
    ) -> tuple[Outbox, bool] | None:
        return ChatOutbox(self._channel, conversation.id, self._name), True


@pytest.fixture
def schema() -> Iterator[str]:
    """A schema of its own in the `aw_outbox` database (created once)."""
    require("PostgreSQL")
    name = f"outbox_{uuid.uuid4().hex[:10]}"

    async def run(database: str, statement: str) -> None:
        url = make_url(POSTGRES_URL).set(database=database).render_as_string(hide_password=False)
        connection = await asyncpg.connect(url)
        try:
            await connection.execute(statement)
        finally:
            await connection.close()

    async def create() -> None:
        with contextlib.suppress(asyncpg.DuplicateDatabaseError):
            await run(make_url(POSTGRES_URL).database or "test", f"CREATE DATABASE {DATABASE}")
        await run(DATABASE, f"CREATE SCHEMA {name}")

    asyncio.run(create())
    yield name
    asyncio.run(run(DATABASE, f"DROP SCHEMA {name} CASCADE"))


@pytest_asyncio.fixture
async def replicas(schema: str) -> AsyncIterator[list[async_sessionmaker[AsyncSession]]]:
    """Two engines on the database, as two gateway replicas have; migrated."""
    url = make_url(POSTGRES_URL).set(drivername="postgresql+asyncpg", database=DATABASE)
    settings = make_settings(
        Database(url.render_as_string(hide_password=False), schema), "http://127.0.0.1:9"
    )
    engines = [create_engine(settings), create_engine(settings)]
    await migrate(engines[0])
    outbox.configure(
        outbox.RetryPolicy(
            fast_path_seconds=0, lease_seconds=30, backoff_base_seconds=0.01, backoff_max_seconds=0.05
        )
    )
    try:
        yield [create_sessionmaker(engine) for engine in engines]
    finally:
        outbox.configure(outbox.RetryPolicy())
        for engine in engines:
            await engine.dispose()


async def test_two_workers_send_each_reply_once_and_in_order(
    replicas: list[async_sessionmaker[AsyncSession]],
) -> None:
    async with replicas[0]() as session:
        chats = [
            Conversation(channel="telegram", channel_user_id=str(7_000 + n), handled_by=HandledBy.BOT)
            for n in range(CHATS)
        ]
        session.add_all(chats)
        await session.flush()
        for turn in range(PER_CHAT):  # interleaved, as turns of many chats arrive
            for chat in chats:
                session.add(outgoing_message(chat.id, Author.BOT, TextReply(text=f"balasan {turn}")))
            await session.flush()
        await session.commit()
        queued = await session.scalar(select(func.count()).select_from(OutboxEntry))
    assert queued == CHATS * PER_CHAT  # the rows came with the messages

    channel = Channel()
    workers = [
        DeliveryWorker(sessionmaker, Senders(channel, f"replica-{n}"), None, poll_seconds=0.01, batch=8)
        for n, sessionmaker in enumerate(replicas)
    ]
    for worker in workers:
        worker.start()
    try:
        deadline = time.monotonic() + 60
        while True:
            async with replicas[0]() as session:
                left = await session.scalar(select(func.count()).select_from(OutboxEntry))
            if not left:
                break
            assert time.monotonic() < deadline, f"{left} replies still in the outbox"
            await asyncio.sleep(0.05)
    finally:
        for worker in workers:
            await worker.aclose()

    expected = [f"balasan {turn}" for turn in range(PER_CHAT)]
    assert {chat.id: channel.taken[chat.id] for chat in chats} == {chat.id: expected for chat in chats}
    assert channel.overlaps == 0  # never two replies of one chat in flight at once
    assert all(channel.by_worker[f"replica-{n}"] > 0 for n in range(2)), dict(channel.by_worker)
    async with replicas[1]() as session:
        statuses = (await session.scalars(select(Message.delivery_status))).all()
    assert set(statuses) == {DeliveryStatus.SENT} and len(statuses) == CHATS * PER_CHAT
