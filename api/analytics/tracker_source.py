"""Rasa's events in the embedded default: read from its tracker store, no broker needed.

`make run` gives Rasa no event broker (endpoints.yml); its SQL tracker store (SQLite,
var/rasa-tracker.db) holds every event. The dashboard calls `catch_up` before it counts: the
rows past the cursor (`analytics_cursors`) go through the same allow-list and masking as the
broker's messages (api/analytics/events.py, questions.py), so both sources store the same
rows without identifiers. With endpoints.prod.yml the consumer feeds the tables instead
(AW_ANALYTICS_SOURCE=broker, or "auto" with a PostgreSQL tracker store).
"""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, create_async_engine

from api.analytics.events import KEPT_TYPES, Row, domain_names, to_row
from api.analytics.questions import Question, to_question
from api.analytics.sink import insert_in
from api.core.config import Settings
from api.models import AnalyticsCursor

logger = logging.getLogger("api.analytics")

SOURCE = "tracker"
BATCH = 2_000
MAX_PER_CALL = 50_000
# Rasa's SQL tracker store table (rasa.core.tracker_store.SQLTrackerStore.SQLEvent).
EVENTS = sa.table(
    "events",
    sa.column("id", sa.Integer),
    sa.column("sender_id", sa.String),
    sa.column("type_name", sa.String),
    sa.column("data", sa.Text),
)


def uses_tracker(settings: Settings) -> bool:
    """Whether the dashboard imports from the tracker store (see the module's doc)."""
    if settings.analytics_source != "auto":
        return settings.analytics_source == SOURCE
    url = settings.tracker_database_url
    return bool(url) and make_url(url).get_backend_name() == "sqlite"


class TrackerSource:
    """Reads new events of one tracker store; a store that does not exist yet has none."""

    def __init__(self, url: str, salt: bytes) -> None:
        self._url = make_url(url)
        # One cursor per store (a test or a move to another file starts from its first row).
        self.source = f"{SOURCE}:{hashlib.sha256(url.encode()).hexdigest()[:16]}"
        self._salt = salt
        self._names = domain_names()
        self._engine: AsyncEngine | None = None

    def _connect(self) -> AsyncEngine | None:
        if self._url.get_backend_name() == "sqlite":
            database = self._url.database
            if not database or database == ":memory:" or not Path(database).exists():
                return None
        if self._engine is None:
            self._engine = create_async_engine(self._url, hide_parameters=True)
        return self._engine

    async def aclose(self) -> None:
        if self._engine is not None:
            await self._engine.dispose()
            self._engine = None

    async def catch_up(self, session: AsyncSession, limit: int = MAX_PER_CALL) -> int:
        """Import the events past the cursor (at most `limit`); the number of rows read."""
        engine = self._connect()
        if engine is None:
            return 0
        cursor = await session.get(AnalyticsCursor, self.source)
        if cursor is None:
            cursor = AnalyticsCursor(source=self.source, position=0)
            session.add(cursor)
        read = 0
        while read < limit:
            query = (
                sa.select(EVENTS.c.id, EVENTS.c.sender_id, EVENTS.c.data)
                .where(EVENTS.c.id > cursor.position, EVENTS.c.type_name.in_(list(KEPT_TYPES)))
                .order_by(EVENTS.c.id)
                .limit(BATCH)
            )
            try:
                async with engine.connect() as connection:
                    batch = (await connection.execute(query)).all()
            except sa.exc.DBAPIError as error:  # no table yet, or the store is down: try next time
                logger.warning("Tracker store not readable for analytics (%s).", type(error).__name__)
                break
            if not batch:
                break
            rows, questions = self._convert([(row.sender_id, row.data) for row in batch])
            await insert_in(session, rows, questions)
            cursor.position = max(cursor.position, batch[-1].id)
            try:
                await session.commit()
            except sa.exc.IntegrityError:  # another request made the cursor first: it imports these
                await session.rollback()
                break
            read += len(batch)
        return read

    def _convert(self, batch: list[tuple[str, str]]) -> tuple[list[Row], list[Question]]:
        """(sender id, event JSON) pairs as the broker's rows and questions."""
        rows: list[Row] = []
        questions: list[Question] = []
        for sender, data in batch:
            try:
                event = json.loads(data)
            except (TypeError, ValueError):
                continue
            if not isinstance(event, dict):
                continue
            body = json.dumps({**event, "sender_id": sender}, sort_keys=True).encode()
            if (row := to_row(body, self._salt, self._names)) is not None:
                rows.append(row)
            if (question := to_question(body, self._salt, self._names)) is not None:
                questions.append(question)
        return rows, questions
