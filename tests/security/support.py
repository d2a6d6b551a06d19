"""Helpers of the security tests: a web conversation as the widget opens it (its id and
session token); Rasa's tracker store: Rasa's own `events` table (the columns of
rasa.core.tracker_store.SQLTrackerStore.SQLEvent) in a SQLite file or a throw-away
PostgreSQL database, filled and read with plain SQL."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import httpx
import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from tests.services import POSTGRES_URL, require


async def web_conversation(client: httpx.AsyncClient) -> tuple[str, str]:
    """A new web conversation as the widget opens it: its id and its session token."""
    created = await client.post("/api/v1/conversations", json={"channel": "web"})
    assert created.status_code == 201, created.text
    body = created.json()
    return str(body["id"]), str(body["session_token"])


_EVENTS = """CREATE TABLE events (
    id {id} PRIMARY KEY, sender_id VARCHAR(255) NOT NULL, type_name VARCHAR(255) NOT NULL,
    timestamp FLOAT, intent_name VARCHAR(255), action_name VARCHAR(255), data TEXT)"""


@dataclass(frozen=True)
class TrackerStore:
    url: str  # what the gateway is given (AW_TRACKER_DATABASE_URL)

    async def add(self, sender_id: str, *, age_seconds: float = 0.0, count: int = 1) -> None:
        at = time.time() - age_seconds
        rows = [
            {
                "sender_id": sender_id, "type_name": "user", "timestamp": at + n,
                "data": json.dumps({"event": "user", "text": "NIK 3201012345678901", "timestamp": at + n}),
            }
            for n in range(count)
        ]  # fmt: skip
        engine = create_async_engine(self.url)
        async with engine.begin() as connection:
            await connection.execute(
                sa.text(
                    "INSERT INTO events (sender_id, type_name, timestamp, data) "
                    "VALUES (:sender_id, :type_name, :timestamp, :data)"
                ),
                rows,
            )
        await engine.dispose()

    async def count(self, sender_id: str | None = None) -> int:
        engine = create_async_engine(self.url)
        query = "SELECT count(*) FROM events" + (" WHERE sender_id = :sender" if sender_id else "")
        async with engine.connect() as connection:
            found = (await connection.execute(sa.text(query), {"sender": sender_id})).scalar_one()
        await engine.dispose()
        return int(found)


async def _create_events(url: str, id_type: str) -> None:
    engine = create_async_engine(url)
    async with engine.begin() as connection:
        await connection.execute(sa.text(_EVENTS.format(id=id_type)))
    await engine.dispose()


def new_tracker_store(backend: str, tmp_dir: Path) -> Iterator[TrackerStore]:
    if backend == "sqlite":
        path = tmp_dir / "rasa-tracker.db"
        store = TrackerStore(f"sqlite+aiosqlite:///{path}")
        asyncio.run(_create_events(store.url, "INTEGER"))
        yield store
        return
    require("PostgreSQL")
    name = f"aw_tracker_{uuid.uuid4().hex[:12]}"
    asyncio.run(_postgres(f"CREATE DATABASE {name}"))
    url = make_url(POSTGRES_URL).set(database=name)
    store = TrackerStore(url.set(drivername="postgresql+asyncpg").render_as_string(hide_password=False))
    try:
        asyncio.run(_create_events(store.url, "SERIAL"))
        yield store
    finally:
        asyncio.run(_postgres(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))


async def _postgres(statement: str) -> None:
    connection = await asyncpg.connect(POSTGRES_URL)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()
