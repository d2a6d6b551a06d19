"""The tracker and lock stores that endpoints.yml and endpoints.prod.yml configure.

endpoints.prod.yml is read as production reads it (values from the environment) and used
against the real PostgreSQL and Redis servers of this machine.
"""

import asyncio
import uuid
from pathlib import Path
from urllib.parse import urlparse

import pytest
import sqlalchemy as sa
from rasa.core import tracker_store as rasa_stores
from rasa.core.lock_store import InMemoryLockStore, LockStore, RedisLockStore
from rasa.core.tracker_store import TrackerStore
from rasa.core.utils import read_endpoints_from_path
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.slots import TextSlot
from rasa.shared.core.trackers import DialogueStateTracker

from bot.tracker_store import SQLTrackerStore
from tests.services import POSTGRES_URL, REDIS_URL, require

ENDPOINTS = Path(__file__).parents[2] / "endpoints.yml"


@pytest.fixture
def production_env(monkeypatch):
    pg, redis = urlparse(POSTGRES_URL), urlparse(REDIS_URL)
    for name, value in {
        "ACTION_SERVER_URL": "http://127.0.0.1:5055/webhook", "ACTION_SERVER_TOKEN": "rahasia",
        "TRACKER_DB_HOST": pg.hostname, "TRACKER_DB_PORT": str(pg.port), "TRACKER_DB_USER": pg.username,
        "TRACKER_DB_PASSWORD": pg.password or "", "TRACKER_DB_NAME": pg.path.lstrip("/"),
        "LOCK_STORE_REDIS_HOST": redis.hostname, "LOCK_STORE_REDIS_PORT": str(redis.port),
        "LOCK_STORE_REDIS_DB": redis.path.lstrip("/") or "0",
        "EVENT_BROKER_HOST": "127.0.0.1", "EVENT_BROKER_PORT": "5672", "EVENT_BROKER_USERNAME": "guest",
        "EVENT_BROKER_PASSWORD": "guest", "EVENT_BROKER_QUEUE": "aw_cluster_test_events",
        "EVENT_BROKER_EXCHANGE": "aw_cluster_test_events",
    }.items():
        monkeypatch.setenv(name, value)
    return read_endpoints_from_path("endpoints.prod.yml")


def conversation(sender_id):
    tracker = DialogueStateTracker(sender_id, slots=[])
    tracker.update(UserUttered("cek bpjs saya", {"name": "health_bpjs_status", "confidence": 0.97}))
    tracker.update(ActionExecuted("utter_health_bpjs_status"))
    tracker.update(BotUttered("Status kepesertaan JKN dapat dicek di aplikasi Mobile JKN."))
    return tracker


async def test_embedded_defaults_need_no_server(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ACTION_SERVER_TOKEN", "rahasia")
    (tmp_path / "var").mkdir()
    endpoints = read_endpoints_from_path(ENDPOINTS)
    # Rasa sends the action server's secret as ?token= (actions/server.py checks it).
    assert (endpoints.action.token, endpoints.action.token_name) == ("rahasia", "token")
    store = TrackerStore.create(endpoints.tracker_store, Domain.empty())
    # Exactly ours: Rasa falls back to an in-memory store, with a warning only, when it cannot load a type.
    assert type(store) is SQLTrackerStore and store.engine.dialect.name == "sqlite"
    assert isinstance(LockStore.create(endpoints.lock_store), InMemoryLockStore)


async def test_conversations_persist_in_postgresql(production_env):
    require("PostgreSQL")
    store = TrackerStore.create(production_env.tracker_store, Domain.empty())
    assert type(store) is SQLTrackerStore and store.engine.dialect.name == "postgresql"
    sender = f"test-{uuid.uuid4()}"
    await store.save(conversation(sender))

    again = TrackerStore.create(production_env.tracker_store, Domain.empty())  # as another replica would
    restored = await again.retrieve(sender)
    assert restored is not None
    assert restored.latest_message.text == "cek bpjs saya"
    assert restored.latest_bot_utterance.text.startswith("Status kepesertaan JKN")


async def test_redis_lock_store_serialises_one_conversation(production_env):
    require("Redis")
    first, second = LockStore.create(production_env.lock_store), LockStore.create(production_env.lock_store)
    assert isinstance(first, RedisLockStore)
    sender, order = f"test-{uuid.uuid4()}", []

    async def handle(store, name):
        async with store.lock(sender, wait_time_in_seconds=0.05):
            order.append(f"{name} start")
            await asyncio.sleep(0.2)
            order.append(f"{name} end")

    await asyncio.gather(handle(first, "a"), handle(second, "b"))
    assert order in (["a start", "a end", "b start", "b end"], ["b start", "b end", "a start", "a end"])


@pytest.fixture(params=["sqlite", "postgresql"])
def open_store(request, tmp_path):
    """`open_store(kind)`: a store of `kind` (ours or Rasa's) on this test's database."""
    url = urlparse(POSTGRES_URL)
    if request.param == "postgresql":
        require("PostgreSQL")
    stores = []

    def open_(kind=SQLTrackerStore):
        if request.param == "sqlite":
            store = kind(DOMAIN, dialect="sqlite", db=str(tmp_path / f"{kind.__module__}.db"))
        else:
            store = kind(
                DOMAIN, dialect="postgresql", host=url.hostname, port=url.port, db=url.path.lstrip("/"),
                username=url.username, password=url.password,
            )  # fmt: skip
        stores.append(store)
        return store

    yield open_
    for store in stores:
        store.engine.dispose()


DOMAIN = Domain.empty()
DOMAIN.slots.append(TextSlot("nik", mappings=[]))


def stored_rows(store, sender_id):
    columns = [store.SQLEvent.type_name, store.SQLEvent.timestamp, store.SQLEvent.intent_name]
    columns += [store.SQLEvent.action_name, store.SQLEvent.data]
    query = sa.select(*columns).where(store.SQLEvent.sender_id == sender_id).order_by(store.SQLEvent.id)
    with store.engine.connect() as connection:
        return [tuple(row) for row in connection.execute(query)]


async def test_our_tracker_store_writes_the_rows_rasas_writes(open_store):
    ours, rasas = open_store(), open_store(rasa_stores.SQLTrackerStore)
    senders = {ours: f"test-{uuid.uuid4()}", rasas: f"test-{uuid.uuid4()}"}  # one table on PostgreSQL
    first = list(conversation("").events)
    thanks = UserUttered("terima kasih", {"name": "thanks", "confidence": 0.9})
    then = [SlotSet("nik", "3201012345670001"), thanks]
    for store, sender in senders.items():
        tracker = DialogueStateTracker.from_events(sender, first, DOMAIN.slots)
        await store.save(tracker)
        for event in then:
            tracker.update(event)
        await store.save(tracker)  # only the two new events are added
        await store.save(tracker)  # nothing new: nothing added

    rows = stored_rows(ours, senders[ours])
    assert len(rows) == 5
    assert rows == stored_rows(rasas, senders[rasas])
    restored = await ours.retrieve(senders[ours])
    assert restored is not None and restored.get_slot("nik") == "3201012345670001"
    assert [event.as_dict() for event in restored.events] == [event.as_dict() for event in tracker.events]


async def test_our_tracker_store_reads_the_latest_session_and_on_request_all(open_store):
    store = open_store()
    sender = f"test-{uuid.uuid4()}"
    tracker = conversation(sender)
    await store.save(tracker)
    later = tracker.events[-1].timestamp + 1
    tracker.update(SessionStarted(timestamp=later))
    tracker.update(UserUttered("halo lagi", {"name": "greet", "confidence": 0.9}, timestamp=later + 1))
    await store.save(tracker)

    latest = await store.retrieve(sender)
    full = await store.retrieve_full_tracker(sender)
    assert latest is not None and [e.type_name for e in latest.events] == ["session_started", "user"]
    assert full is not None and len(full.events) == 5
    assert await store.retrieve(f"test-{uuid.uuid4()}") is None



async def test_our_tracker_store_adds_a_later_sessions_turn_as_rasas_does(open_store):
    """A turn of a later session arrives on a tracker retrieved with that session's events only:
    what is already stored is counted within the latest session, not across sessions."""
    ours, rasas = open_store(), open_store(rasa_stores.SQLTrackerStore)
    senders = {ours: f"test-{uuid.uuid4()}", rasas: f"test-{uuid.uuid4()}"}  # one table on PostgreSQL
    first = list(conversation("").events)
    later = first[-1].timestamp + 1
    greeting = UserUttered("halo lagi", {"name": "greet"}, timestamp=later + 1)
    new_session = [SessionStarted(timestamp=later), greeting]
    for store, sender in senders.items():
        await store.save(DialogueStateTracker.from_events(sender, first + new_session, DOMAIN.slots))
        tracker = await store.retrieve(sender)  # the latest session only: two events
        assert tracker is not None and len(tracker.events) == 2
        tracker.update(ActionExecuted("utter_greet", timestamp=later + 2))
        await store.save(tracker)

    rows = stored_rows(ours, senders[ours])
    assert [row[0] for row in rows] == ["user", "action", "bot", "session_started", "user", "action"]
    assert rows == stored_rows(rasas, senders[rasas])
    latest = await ours.retrieve(senders[ours])
    assert latest is not None
    assert [event.type_name for event in latest.events] == ["session_started", "user", "action"]

PRAGMAS = ("journal_mode", "synchronous")


def test_our_sqlite_tracker_store_keeps_its_connections_in_wal_mode(tmp_path):
    store = SQLTrackerStore(DOMAIN, dialect="sqlite", db=str(tmp_path / "tracker.db"))
    with store.engine.connect() as connection:
        modes = [connection.exec_driver_sql(f"PRAGMA {name}").scalar() for name in PRAGMAS]
    assert modes == ["wal", 1]  # 1: NORMAL
    assert isinstance(store.engine.pool, sa.pool.QueuePool)
