"""The tracker and lock stores that endpoints.yml and endpoints.prod.yml configure.

endpoints.prod.yml is read as production reads it (values from the environment) and used
against the real PostgreSQL and Redis servers of this machine.
"""

import asyncio
import uuid
from pathlib import Path
from urllib.parse import urlparse

import pytest
from rasa.core.lock_store import InMemoryLockStore, LockStore, RedisLockStore
from rasa.core.tracker_store import SQLTrackerStore, TrackerStore
from rasa.core.utils import read_endpoints_from_path
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from tests.services import POSTGRES_URL, REDIS_URL, require

ENDPOINTS = Path(__file__).parents[2] / "endpoints.yml"


@pytest.fixture
def production_env(monkeypatch):
    pg, redis = urlparse(POSTGRES_URL), urlparse(REDIS_URL)
    for name, value in {
        "ACTION_SERVER_URL": "http://127.0.0.1:5055/webhook",
        "TRACKER_DB_HOST": pg.hostname, "TRACKER_DB_PORT": str(pg.port), "TRACKER_DB_USER": pg.username,
        "TRACKER_DB_PASSWORD": pg.password or "", "TRACKER_DB_NAME": pg.path.lstrip("/"),
        "LOCK_STORE_REDIS_HOST": redis.hostname, "LOCK_STORE_REDIS_PORT": str(redis.port),
        "LOCK_STORE_REDIS_DB": redis.path.lstrip("/") or "0",
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
    (tmp_path / "var").mkdir()
    endpoints = read_endpoints_from_path(ENDPOINTS)
    store = TrackerStore.create(endpoints.tracker_store, Domain.empty())
    assert isinstance(store, SQLTrackerStore) and store.engine.dialect.name == "sqlite"
    assert isinstance(LockStore.create(endpoints.lock_store), InMemoryLockStore)


async def test_conversations_persist_in_postgresql(production_env):
    require("PostgreSQL")
    store = TrackerStore.create(production_env.tracker_store, Domain.empty())
    assert isinstance(store, SQLTrackerStore) and store.engine.dialect.name == "postgresql"
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
