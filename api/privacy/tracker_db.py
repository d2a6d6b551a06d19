"""Rasa's tracker store, as the gateway erases and prunes it.

Rasa 3.6's HTTP API cannot delete a tracker: `PUT /conversations/{id}/tracker/events` saves the
new events through the tracker store, and the SQL store (Rasa's and bot/tracker_store.py) only
appends the events past those already stored, so an empty list deletes nothing. The gateway
therefore deletes the rows itself, in the database endpoints*.yml give Rasa
(`AW_TRACKER_DATABASE_URL`: the same SQLite file or PostgreSQL database). Rasa keeps no tracker
in memory between messages, so the next message starts a fresh tracker.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

logger = logging.getLogger(__name__)

# Rasa's SQL tracker store table (rasa.core.tracker_store.SQLTrackerStore.SQLEvent).
EVENTS = sa.table("events", sa.column("sender_id", sa.String), sa.column("timestamp", sa.Float))


class TrackerDatabase:
    """Deletes events from Rasa's tracker store. A store that does not exist yet (Rasa never
    ran, or its SQLite file is elsewhere) has nothing to delete: it is not created."""

    def __init__(self, url: str) -> None:
        self._url = make_url(url)
        self._engine: AsyncEngine | None = None

    def _connect(self) -> AsyncEngine | None:
        if self._url.get_backend_name() == "sqlite":
            database = self._url.database
            if not database or database == ":memory:" or not Path(database).exists():
                return None
        if self._engine is None:
            self._engine = create_async_engine(self._url, hide_parameters=True, pool_pre_ping=True)
        return self._engine

    async def delete_conversations(self, sender_ids: Sequence[str]) -> int:
        """Delete every event of these conversations (Rasa's sender ids); how many."""
        if not sender_ids:
            return 0
        return await self._delete(EVENTS.c.sender_id.in_(list(sender_ids)))

    async def delete_before(self, timestamp: float) -> int:
        """Delete the events older than `timestamp` (unix seconds); how many."""
        return await self._delete(EVENTS.c.timestamp < timestamp)

    async def _delete(self, condition: sa.ColumnElement[bool]) -> int:
        engine = self._connect()
        if engine is None:
            return 0
        try:
            async with engine.begin() as connection:
                result = await connection.execute(sa.delete(EVENTS).where(condition))
        except DBAPIError as error:
            if _no_table(error):
                return 0  # Rasa has not created its table yet
            raise
        return result.rowcount or 0

    async def aclose(self) -> None:
        if self._engine is not None:
            await self._engine.dispose()


def _no_table(error: DBAPIError) -> bool:
    text = str(error.orig).lower()
    return "no such table" in text or "does not exist" in text
