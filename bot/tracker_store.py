"""The tracker store endpoints.yml names: Rasa's SQL tracker store, same tables and rows, less
work per turn.

Rasa 3.6's `SQLTrackerStore` reads and writes a conversation's events through ORM entities:
every event read becomes an `SQLEvent` object in the session's identity map, every event
written goes through the unit of work, and "how many events are stored" is a `query.count()`
over a subquery of whole rows. On SQLite it opens a new connection per session (SQLAlchemy
1.4's NullPool for files) in rollback-journal mode, so every save waited for fsyncs in the
server's event loop. Under load the store was 21% of the Rasa server's time (py-spy, 50
citizens; docs/benchmarks.md). Here:

- reading selects the `data` column only, writing is one executemany INSERT of the same
  columns, counting is `SELECT count(id)` with the same filter;
- SQLite keeps its connections (a queue pool, as SQLAlchemy 2 does for files) in WAL mode with
  `synchronous=NORMAL`, as the gateway's database (api/db.py): a commit survives the process
  crashing, not a power cut. Production keeps the conversations in PostgreSQL
  (endpoints.prod.yml), where only the first point applies.

A retrieve and save, medians over conversations of up to 80 events (`python -m bench.tracker_store`):
3.1 ms against Rasa's 5.6 ms on SQLite, 5.1 against 5.9 ms on PostgreSQL.
"""

from __future__ import annotations

import itertools
import json
import sqlite3
from typing import Any

import sqlalchemy as sa
from rasa.core import tracker_store
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY


class SQLTrackerStore(tracker_store.SQLTrackerStore):
    """`type: bot.tracker_store.SQLTrackerStore` in endpoints.yml, with the SQL store's keys."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.engine: sa.engine.Engine
        if self.engine.dialect.name == "sqlite":
            self.engine.dispose()
            self.engine = sa.create_engine(
                self.engine.url,
                poolclass=sa.pool.QueuePool,
                # Pooled connections may serve a session on another thread than their own (never two at once).
                connect_args={"check_same_thread": False},
            )
            sa.event.listen(self.engine, "connect", _sqlite_pragmas)
            self.sessionmaker = sa.orm.sessionmaker(bind=self.engine)

    async def _retrieve(
        self, sender_id: str, fetch_events_from_all_sessions: bool
    ) -> DialogueStateTracker | None:
        with self.session_scope() as session:
            query = self._event_query(session, sender_id, fetch_events_from_all_sessions)
            events = [json.loads(data) for (data,) in query.with_entities(self.SQLEvent.data)]
        if not self.domain or not events:
            return None
        return DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)

    async def save(self, tracker: DialogueStateTracker) -> None:
        await self.stream_events(tracker)
        with self.session_scope() as session:
            stored = (
                self._event_query(session, tracker.sender_id, fetch_events_from_all_sessions=False)
                .with_entities(sa.func.count(self.SQLEvent.id))
                .order_by(None)
                .scalar()
            )
            new_events = itertools.islice(tracker.events, stored, None)
            rows = [_row(tracker.sender_id, event.as_dict()) for event in new_events]
            if rows:
                session.execute(sa.insert(self.SQLEvent.__table__), rows)
            session.commit()


def _row(sender_id: str, event: dict[str, Any]) -> dict[str, Any]:
    """The columns Rasa's store writes for one event."""
    return {
        "sender_id": sender_id,
        "type_name": event["event"],
        "timestamp": event.get("timestamp"),
        "intent_name": event.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
        "action_name": event.get("name"),
        "data": json.dumps(event),
    }


def _sqlite_pragmas(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
