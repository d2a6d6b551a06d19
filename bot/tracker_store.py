"""The tracker store endpoints.yml names: Rasa's SQL tracker store, same tables and rows, with
bounded work per turn.

Rasa 3.6's `SQLTrackerStore` reads a conversation's whole session on every turn (and again in
`save`, to diff it, when an event broker is set), through ORM entities, and counts the stored
events with a `count()` over a subquery of whole rows. A session lasts 60 minutes, so turn 600
of one conversation cost about 20 times turn 20 (rasa#6334, docs/benchmarks.md). Here:

- **a window**: next to a conversation's events the store keeps a snapshot of the state at a
  window start (bot/tracker_window.py: slots, active form, as the events of a session start),
  and a turn reads the snapshot and the events from there on, so a turn reads a bounded number
  of events however long the session. The snapshot is one row of the same `events` table
  (`type_name` `aw_snapshot`), so whatever deletes a conversation's rows or the rows before a
  time (the gateway's erasure and retention, api/privacy/tracker_db.py) deletes it too; every
  read here skips it. A snapshot whose window start is gone is ignored (the session is read
  as before);
- `save` writes the events added since the tracker was read (the store remembers how many it
  gave out), streams the same events to the broker without reading the tracker again, and
  moves the window forward every few turns (one row rewritten);
- reads select the `id` and `data` columns only, writes are one executemany INSERT of the same
  columns Rasa writes;
- SQLite keeps its connections (a queue pool, as SQLAlchemy 2 does for files) in WAL mode with
  `synchronous=NORMAL`, as the gateway's database (api/db.py): a commit survives the process
  crashing, not a power cut. On PostgreSQL an index on (sender_id, id) lets the window's reads
  start at the window (SQLite's sender_id index already holds the row id).

The window's size: `window_turns`, `window_visible_actions`, `window_max_turns`, `window_slack`
in endpoints.yml (defaults in bot/tracker_window.py).
"""

from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from rasa.core import tracker_store
from rasa.core.brokers.broker import EventBroker
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

from bot import tracker_window
from bot.tracker_window import WindowSize

SNAPSHOT = "aw_snapshot"  # type_name of a snapshot row; no Rasa event has it
WINDOW_INDEX = "aw_events_sender_id_id"
_READ = "_aw_read"  # the attribute of a tracker that remembers how it was read


@dataclass
class _Read:
    """How a tracker given out by this store was read."""

    count: int  # events the tracker had when read (or last saved)
    ids: list[int | None]  # database id of each of those events (None: the snapshot's, or unknown)
    window: int  # index of the window's first event (0: the whole session was read)
    snapshot_id: int | None  # the snapshot row in use
    movable: bool  # whether save may move the window (not for a tracker of all sessions)


class SQLTrackerStore(tracker_store.SQLTrackerStore):
    """`type: bot.tracker_store.SQLTrackerStore` in endpoints.yml, with the SQL store's keys."""

    def __init__(
        self,
        domain: Domain | None = None,
        dialect: str = "sqlite",
        host: str | None = None,
        port: int | None = None,
        db: str = "rasa.db",
        username: str | None = None,
        password: str | None = None,
        event_broker: EventBroker | None = None,
        login_db: str | None = None,
        query: dict[str, Any] | None = None,
        window_turns: int = WindowSize.turns,
        window_visible_actions: int = WindowSize.visible_actions,
        window_max_turns: int = WindowSize.max_turns,
        window_slack: int = WindowSize.slack,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            domain, dialect, host, port, db, username, password, event_broker, login_db, query, **kwargs
        )  # fmt: skip
        self.window_size = WindowSize(
            int(window_turns), int(window_visible_actions), int(window_max_turns), int(window_slack)
        )
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
        else:
            self._create_window_index()

    def _create_window_index(self) -> None:
        """The index on (sender_id, id) the window's reads use, unless it exists (two replicas
        starting at once may both try: the second one's error is the first one's success)."""
        table = self.SQLEvent.__table__
        index = sa.Index(WINDOW_INDEX, table.c.sender_id, table.c.id)
        try:
            index.create(self.engine, checkfirst=True)
        except sa.exc.DBAPIError:
            if WINDOW_INDEX not in {found["name"] for found in sa.inspect(self.engine).get_indexes("events")}:
                raise

    # Reading

    async def _retrieve(
        self, sender_id: str, fetch_events_from_all_sessions: bool
    ) -> DialogueStateTracker | None:
        events = self.SQLEvent
        with self.session_scope() as session:
            prefix: list[dict[str, Any]] = []
            window, snapshot_id = None, None
            if not fetch_events_from_all_sessions:
                window, snapshot_id = self._read_window(session, sender_id)
            if window is None:
                query = self._event_query(session, sender_id, fetch_events_from_all_sessions)
                rows = [(id_, data) for id_, data in query.with_entities(events.id, events.data)]
            else:
                prefix, rows = window
        if not self.domain or not rows:
            return None
        stored = [json.loads(data) for _, data in rows]
        tracker = DialogueStateTracker.from_dict(sender_id, prefix + stored, self.domain.slots)
        ids: list[int | None] = [None] * len(prefix) + [id_ for id_, _ in rows]
        read = _Read(len(ids), ids, len(prefix), snapshot_id, movable=not fetch_events_from_all_sessions)
        setattr(tracker, _READ, read)
        return tracker

    def _read_window(
        self, session: sa.orm.Session, sender_id: str
    ) -> tuple[tuple[list[dict[str, Any]], list[tuple[int, str]]] | None, int | None]:
        """The snapshot's events and the rows of its window (of the latest session), or None
        when the conversation has no usable snapshot; and the snapshot's id."""
        events = self.SQLEvent
        found = (
            session.query(events.id, events.data)
            .filter(events.sender_id == sender_id, events.type_name == SNAPSHOT)
            .order_by(events.id.desc())
            .limit(1)
            .first()
        )
        if found is None:
            return None, None
        snapshot_id, data = found
        snapshot = json.loads(data)
        start = int(snapshot["window_start"])
        rows = (
            session.query(events.id, events.type_name, events.timestamp, events.data)
            .filter(events.sender_id == sender_id, events.id >= start, events.type_name != SNAPSHOT)
            .order_by(events.id)
            .all()
        )
        if not rows or rows[0].id != start:
            return None, snapshot_id  # its start was deleted (erasure, retention): read the session
        starts = [row.timestamp for row in rows if row.type_name == SessionStarted.type_name]
        if starts:
            # A session started inside the window: Rasa's rule (tracker_store._event_query).
            return ([], [(row.id, row.data) for row in rows if row.timestamp >= max(starts)]), snapshot_id
        return (list(snapshot["events"]), [(row.id, row.data) for row in rows]), snapshot_id

    def _event_query(
        self, session: sa.orm.Session, sender_id: str, fetch_events_from_all_sessions: bool
    ) -> Any:
        """Rasa's query of a conversation's events, without the snapshot rows."""
        query = super()._event_query(session, sender_id, fetch_events_from_all_sessions)
        return query.filter(self.SQLEvent.type_name != SNAPSHOT)

    # Writing

    async def save(self, tracker: DialogueStateTracker) -> None:
        read: _Read | None = getattr(tracker, _READ, None)
        events = list(tracker.events)
        with self.session_scope() as session:
            if read is None or read.count > len(events):
                read = _Read(self._stored_count(session, tracker.sender_id), [], 0, None, movable=False)
            new_events = events[read.count :]
            if self.event_broker is not None:
                await self._stream_new_events(self.event_broker, new_events, tracker.sender_id)
            rows = [_row(tracker.sender_id, event.as_dict()) for event in new_events]
            if rows:
                session.execute(sa.insert(self.SQLEvent.__table__), rows)
            moved = self._move_window(session, tracker, events, read)
            session.commit()
        read.count = len(events)
        read.ids += [None] * (len(events) - len(read.ids))
        if moved is not None:
            read.window = moved
        setattr(tracker, _READ, read)

    def _stored_count(self, session: sa.orm.Session, sender_id: str) -> int:
        """How many events of the latest session are stored (for a tracker not read here)."""
        query = self._event_query(session, sender_id, fetch_events_from_all_sessions=False)
        return int(query.with_entities(sa.func.count(self.SQLEvent.id)).order_by(None).scalar())

    def _move_window(
        self, session: sa.orm.Session, tracker: DialogueStateTracker, events: list[Any], read: _Read
    ) -> int | None:
        """Write a new snapshot (in place of the one in use) when the window should move; the
        index of its start, or None."""
        if not read.movable or self.domain is None:
            return None
        start = tracker_window.window_start(events, self.window_size, read.window)
        if start is None or start >= len(read.ids) or read.ids[start] is None:
            return None  # not yet, or its database id is unknown (a new event): next turn
        state = tracker_window.state_before(tracker, start, self.domain.slots)
        if state.active_loop_name is not None:
            return None  # a form the events' own order did not show (a rewind): not here
        now = time.time()
        snapshot = {
            "window_start": read.ids[start],
            "events": tracker_window.snapshot(state, events[start].timestamp),
        }
        row = {
            "sender_id": tracker.sender_id,
            "type_name": SNAPSHOT,
            "timestamp": now,
            "data": json.dumps(snapshot),
        }
        table = self.SQLEvent.__table__
        inserted = session.execute(sa.insert(table).values(row)).inserted_primary_key
        if read.snapshot_id is not None:
            session.execute(sa.delete(table).where(table.c.id == read.snapshot_id))
        read.snapshot_id = int(inserted[0])
        return start


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
