"""The pool's one-round-trip ping (api/db.py): a pooled PostgreSQL connection that died is
replaced before a session uses it, and a live one is checked without a transaction."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from sqlalchemy import event, text

from api.db import create_engine
from tests.api.support import Database, make_settings, new_database
from tests.services import POSTGRES_URL


@pytest.fixture()
def postgresql(tmp_path: Path) -> Iterator[Database]:
    """Its own PostgreSQL schema (SQLite has no pool of server connections to ping)."""
    yield from new_database("postgresql", tmp_path)


async def test_a_session_after_its_pooled_connection_died_gets_a_fresh_one(postgresql: Database) -> None:
    database = postgresql
    engine = create_engine(make_settings(database, "http://127.0.0.1:9"))
    sent: list[str] = []  # every query the driver sent, pings included

    def log_queries(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.driver_connection.add_query_logger(lambda record: sent.append(record.query))

    event.listen(engine.sync_engine, "connect", log_queries)
    admin = await asyncpg.connect(POSTGRES_URL)
    try:
        async with engine.connect() as connection:
            backend = await connection.scalar(text("SELECT pg_backend_pid()"))
        # What a PostgreSQL restart does to every pooled connection.
        assert await admin.fetchval("SELECT pg_terminate_backend($1)", backend)
        async with engine.connect() as connection:
            assert await connection.scalar(text("SELECT pg_backend_pid()")) != backend
        sent.clear()
        async with engine.connect() as connection:  # a live connection: pinged, reused
            assert await connection.scalar(text("SELECT 1")) == 1
        # One round trip, then the session's own transaction: no BEGIN/ROLLBACK around the ping.
        assert sent[0] == ";" and sent.count("BEGIN;") == 1, sent
        assert engine.sync_engine.pool.checkedout() == 0
    finally:
        await admin.close()
        await engine.dispose()
