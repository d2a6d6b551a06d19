"""Retention (api/privacy/retention.py): what is older than the period is deleted from the
gateway and from Rasa's tracker store, newer stays; replicas running the job at once do not
run it twice and do not fail. The clock is moved, not waited for."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

from fastapi import FastAPI
from sqlalchemy import select

from api.db import create_engine, create_sessionmaker
from api.models import Author, ChannelThread, Conversation, Direction, JobLease, Message, utcnow
from api.privacy import retention
from api.privacy.tracker_db import TrackerDatabase
from tests.api.support import GatewayFactory
from tests.security.support import TrackerStore

DAYS = 90


async def _conversation_with_messages(app: FastAPI, *ages_in_days: int, channel: str = "web") -> uuid.UUID:
    """A conversation whose messages were written `ages_in_days` ago (and last touched then)."""
    now = utcnow()
    oldest = max(ages_in_days)
    async with app.state.sessionmaker() as session:
        conversation = Conversation(
            channel=channel,
            channel_user_id=None if channel == "web" else f"user-{uuid.uuid4().hex[:8]}",
            created_at=now - timedelta(days=oldest),
            updated_at=now - timedelta(days=min(ages_in_days)),
        )
        session.add(conversation)
        await session.flush()
        if channel != "web":
            session.add(
                ChannelThread(
                    channel=channel,
                    channel_user_id=conversation.channel_user_id,
                    conversation_id=conversation.id,
                )
            )
        for age in ages_in_days:
            session.add(
                Message(
                    conversation_id=conversation.id, direction=Direction.IN, author=Author.CITIZEN,
                    text=f"NIK saya 3201012345678901 ({age} hari)", buttons=[],
                    created_at=now - timedelta(days=age),
                )
            )  # fmt: skip
        await session.commit()
        return conversation.id


async def _startup_run_done(app: FastAPI) -> None:
    """The app's own job runs once at start-up (real clock); the tests run theirs after it."""
    for _ in range(500):
        async with app.state.sessionmaker() as session:
            lease = await session.get(JobLease, retention.JOB)
            if lease is not None and lease.last_run_at is not None:
                # Earlier tests moved the clock on this database: start from a free lease.
                await session.delete(lease)
                await session.commit()
                return
        await asyncio.sleep(0.01)
    raise AssertionError("the start-up retention run did not finish")


async def _texts(app: FastAPI, conversation_id: uuid.UUID) -> list[str]:
    async with app.state.sessionmaker() as session:
        query = select(Message.text).where(Message.conversation_id == conversation_id).order_by(Message.id)
        return list((await session.scalars(query)).all())


async def _exists(app: FastAPI, conversation_id: uuid.UUID) -> bool:
    async with app.state.sessionmaker() as session:
        return await session.get(Conversation, conversation_id) is not None


async def test_rows_older_than_the_period_are_deleted_newer_kept(
    gateway: GatewayFactory, tracker: TrackerStore
) -> None:
    async with gateway(retention_days=DAYS, tracker_database_url=tracker.url) as (app, _):
        await _startup_run_done(app)
        old = await _conversation_with_messages(app, 120, 100, channel="telegram")
        mixed = await _conversation_with_messages(app, 95, 10)
        recent = await _conversation_with_messages(app, 1)
        await tracker.add(str(old), age_seconds=100 * 86400, count=3)
        await tracker.add(str(mixed), age_seconds=95 * 86400, count=2)
        await tracker.add(str(mixed), age_seconds=10 * 86400, count=2)
        await tracker.add(str(recent), count=2)
        store = TrackerDatabase(tracker.url)

        pruned = await retention.run_once(
            app.state.sessionmaker, store, app.state.settings, "replica-a", utcnow() + timedelta(minutes=61)
        )
        await store.aclose()

        assert pruned is not None
        assert not await _exists(app, old)  # no message left, untouched for 100 days
        assert await _texts(app, mixed) == ["NIK saya 3201012345678901 (10 hari)"]
        assert len(await _texts(app, recent)) == 1
        assert await tracker.count(str(old)) == 0
        assert await tracker.count(str(mixed)) == 2
        assert await tracker.count(str(recent)) == 2


async def test_a_moved_clock_expires_everything(gateway: GatewayFactory, tracker: TrackerStore) -> None:
    async with gateway(retention_days=DAYS, tracker_database_url=tracker.url) as (app, _):
        await _startup_run_done(app)
        conversation = await _conversation_with_messages(app, 1)
        await tracker.add(str(conversation), count=2)
        store = TrackerDatabase(tracker.url)

        later = utcnow() + timedelta(days=DAYS + 1)
        pruned = await retention.run_once(
            app.state.sessionmaker, store, app.state.settings, "replica-a", later
        )
        await store.aclose()

        assert pruned is not None and pruned.messages >= 1 and pruned.tracker_events >= 2
        assert not await _exists(app, conversation)
        assert await tracker.count(str(conversation)) == 0


async def test_two_replicas_at_once_run_it_once_without_failing(
    gateway: GatewayFactory, tracker: TrackerStore
) -> None:
    async with gateway(retention_days=DAYS, tracker_database_url=tracker.url) as (app, _):
        await _startup_run_done(app)
        settings = app.state.settings
        # A second replica: its own engine and sessions on the same database.
        other_engine = create_engine(settings)
        other = create_sessionmaker(other_engine)
        conversation = await _conversation_with_messages(app, 100, 5)
        store = TrackerDatabase(tracker.url)
        moved = utcnow() + timedelta(days=1)
        try:
            results = await asyncio.gather(
                retention.run_once(app.state.sessionmaker, store, settings, "replica-a", moved),
                retention.run_once(other, store, settings, "replica-b", moved),
            )
            # Within the interval nobody runs it again.
            again = await retention.run_once(
                other, store, settings, "replica-b", moved + timedelta(minutes=1)
            )
        finally:
            await store.aclose()
            await other_engine.dispose()

        assert sorted(result is None for result in results) == [False, True]
        assert again is None
        assert len(await _texts(app, conversation)) == 1
