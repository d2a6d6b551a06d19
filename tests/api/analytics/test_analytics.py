"""Analytics from Rasa's event broker (api/analytics): no identifier reaches the table, and the
consumer stores what RabbitMQ delivers once, even when a message comes again."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
import uuid
from pathlib import Path
from typing import Any

import aio_pika
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import create_async_engine

from api.analytics.consumer import AnalyticsSettings, Consumer, insert
from api.analytics.events import OTHER, domain_names, to_row
from api.models import AnalyticsEvent
from tests.services import RABBITMQ_URL, require

SALT = b"garam-rahasia-untuk-uji-analitik"
SENDER = "7d6f1c2e-2b9a-4a53-9a1e-5d1b0f3c9e11"
NIK, PHONE, NAME = "3273014508950001", "081234567890", "Siti Rahmawati"
NAMES = domain_names()


def rasa_events() -> list[dict[str, Any]]:
    """A conversation as Rasa's pika broker publishes it, full of personal data."""
    return [
        {"event": "session_started", "timestamp": 1765000000.0},
        {
            "event": "user", "timestamp": 1765000001.5, "text": f"NIK saya {NIK}, nama {NAME}, hp {PHONE}",
            "input_channel": "web", "message_id": "abc",
            "parse_data": {
                "intent": {"name": "inform", "confidence": 0.9},
                "entities": [{"entity": "nik", "value": NIK}, {"entity": "person", "value": NAME}],
                "text": f"NIK saya {NIK}",
            },
            "metadata": {"phone": PHONE, "button_title": NAME},
        },
        {"event": "slot", "timestamp": 1765000001.6, "name": "nik", "value": NIK},
        {"event": "slot", "timestamp": 1765000001.6, "name": "full_name", "value": NAME},
        {"event": "entities", "timestamp": 1765000001.6, "entities": [{"entity": "phone", "value": PHONE}]},
        {"event": "action", "timestamp": 1765000002.0, "name": "action_listen", "policy": "RulePolicy"},
        {"event": "active_loop", "timestamp": 1765000002.1, "name": NAME.lower()},
        {"event": "bot", "timestamp": 1765000002.2, "text": f"Terima kasih, {NAME}.",
         "data": {"phone": PHONE}},
        {"event": "user", "timestamp": 1765000003.0, "text": f"/{NIK}", "input_channel": "web",
         "parse_data": {"intent": {"name": "siti_rahmawati"}}},
    ]  # fmt: skip


def bodies() -> list[bytes]:
    return [json.dumps({"sender_id": SENDER, **event}).encode() for event in rasa_events()]


def assert_no_identifier(rows: list[dict[str, Any]]) -> None:
    cells = " | ".join(str(value) for row in rows for value in row.values())
    for identifier in (SENDER, NIK, PHONE, NAME, NAME.lower(), "siti", "rahmawati", "abc"):
        assert identifier not in cells.lower(), identifier


def test_no_identifier_reaches_a_row():
    rows = [row.as_dict() for body in bodies() if (row := to_row(body, SALT, NAMES))]
    assert [(r["event_type"], r["name"], r["channel"]) for r in rows] == [
        ("session_started", None, None),
        ("user", "inform", "web"),
        ("action", "action_listen", None),
        ("active_loop", OTHER, None),  # not a form of the domain: a typed name, kept out
        ("bot", None, None),
        ("user", OTHER, "web"),  # a typed "/intent" outside the domain
    ]
    assert_no_identifier(rows)
    assert len({r["conversation_hash"] for r in rows}) == 1
    assert all(len(r["event_key"]) == 64 for r in rows)


def test_the_conversation_hash_depends_on_the_salt():
    [first] = [to_row(bodies()[0], SALT, NAMES)]
    [second] = [to_row(bodies()[0], b"another-salt-of-16-chars", NAMES)]
    assert first is not None and second is not None
    assert first.conversation_hash != second.conversation_hash


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[1, 2]",
        b'{"event": "user"}',
        b'{"event": "slot", "sender_id": "x", "value": "1"}',
        b"\xff",
    ],
)
def test_what_is_not_a_kept_event_is_skipped(body):
    assert to_row(body, SALT, NAMES) is None


async def _table(tmp_path: Path):
    engine = create_async_engine(f"sqlite+aiosqlite:///{tmp_path / 'analytics.db'}")
    async with engine.begin() as connection:
        await connection.run_sync(lambda sync: AnalyticsEvent.__table__.create(sync))
    return engine


async def _rows(engine) -> list[dict[str, Any]]:
    async with engine.connect() as connection:
        result = await connection.execute(select(AnalyticsEvent.__table__))
        return [dict(row._mapping) for row in result]


async def test_a_redelivered_message_is_stored_once(tmp_path):
    engine = await _table(tmp_path)
    rows = [row for body in bodies() if (row := to_row(body, SALT, NAMES))]
    await insert(engine, rows)
    await insert(engine, rows[:3])
    assert len(await _rows(engine)) == len(rows)
    await engine.dispose()


async def test_the_consumer_stores_what_rasa_publishes_without_identifiers(tmp_path):
    require("RabbitMQ")
    engine = await _table(tmp_path)
    name = f"aw_cluster_test_{uuid.uuid4().hex[:8]}"
    settings = AnalyticsSettings(
        database_url=str(engine.url), rabbitmq_url=RABBITMQ_URL, analytics_queue=name,
        analytics_exchange=name, analytics_salt=SALT.decode(), analytics_health_file=tmp_path / "alive",
    )  # fmt: skip
    consumer, stop = Consumer(settings, engine), asyncio.Event()
    running = asyncio.create_task(consumer.run(stop))
    connection = await aio_pika.connect(RABBITMQ_URL)
    try:
        async with connection:
            channel = await connection.channel()
            for _ in range(50):  # until the consumer has declared and bound its queue
                try:
                    exchange = await channel.get_exchange(name, ensure=True)
                    await channel.get_queue(name, ensure=True)
                    break
                except aio_pika.exceptions.ChannelClosed:
                    channel = await connection.channel()
                    await asyncio.sleep(0.1)
            for body in bodies():  # as Rasa's PikaEventBroker publishes: persistent, to the fanout exchange
                await exchange.publish(
                    aio_pika.Message(body, delivery_mode=aio_pika.DeliveryMode.PERSISTENT), ""
                )
            for _ in range(100):
                if len(await _rows(engine)) >= 6:
                    break
                await asyncio.sleep(0.1)
            rows = await _rows(engine)
            await channel.queue_delete(name)
            await channel.exchange_delete(name)
    finally:
        stop.set()
        await asyncio.wait_for(running, 10)
        await engine.dispose()
    assert len(rows) == 6 and consumer.skipped == 3
    assert_no_identifier(rows)
    # The probes' signal (deploy/): touched while the loop ran.
    assert time.time() - (tmp_path / "alive").stat().st_mtime < 15


async def test_the_health_file_is_touched_while_the_database_is_down(tmp_path):
    """A consumer keeping its batch while the database is down is alive: its probes must not
    restart it (a restart would not bring the database back)."""
    broken = create_async_engine(f"sqlite+aiosqlite:///{tmp_path / 'missing' / 'analytics.db'}")
    settings = AnalyticsSettings(analytics_salt=SALT.decode(), analytics_health_file=tmp_path / "alive")
    consumer = Consumer(settings, broken)

    class Delivered:
        body = bodies()[0]
        acked = False

        async def ack(self, multiple: bool = False) -> None:
            self.acked = True

    message = Delivered()
    flushing = asyncio.create_task(consumer.flush([message]))  # type: ignore[list-item]
    await asyncio.sleep(0.2)
    alive = (tmp_path / "alive").exists()
    flushing.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await flushing
    await broken.dispose()
    assert alive and not message.acked
