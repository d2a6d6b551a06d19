"""bot.runtime.fail_closed: a turn whose tracker or lock cannot be used fails with an error
status, and the REST channel's health route reports the stores (real PostgreSQL and Redis)."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import sqlalchemy as sa
from rasa.core.agent import Agent
from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from rasa.core.lock_store import InMemoryLockStore, RedisLockStore
from rasa.core.tracker_store import FailSafeTrackerStore
from rasa.shared.core.domain import Domain
from sanic import Sanic

from bot.runtime import fail_closed
from bot.tracker_store import SQLTrackerStore


@pytest.fixture(autouse=True)
def failing_closed(monkeypatch: pytest.MonkeyPatch) -> None:
    """The fix installed for each test and removed after it (tests/bot/test_runtime.py reads
    Rasa's own methods when imported, whatever ran first)."""
    monkeypatch.setattr(Agent, "_create_tracker_store", staticmethod(fail_closed.create_tracker_store))
    monkeypatch.setattr(RestInput, "blueprint", fail_closed.blueprint)
    # Several Sanic apps start in this process: Sanic's test mode keeps its method rewriting repeatable.
    monkeypatch.setattr(Sanic, "test_mode", True)


UNREACHABLE_POSTGRES = "postgresql://nobody@127.0.0.1:1/none"
REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379


def server_up(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def need(port: int, what: str) -> None:
    if not server_up(port):
        if os.environ.get("CI") == "true":
            pytest.fail(f"{what} is not running on 127.0.0.1:{port}")
        pytest.skip(f"{what} is not running on 127.0.0.1:{port}")


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SQLTrackerStore]:
    tracker_store = SQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(tmp_path / "rasa.db"))
    yield tracker_store
    tracker_store.engine.dispose()


def unreachable(tracker_store: SQLTrackerStore) -> SQLTrackerStore:
    tracker_store.engine = sa.create_engine(UNREACHABLE_POSTGRES, connect_args={"connect_timeout": 1})
    tracker_store.sessionmaker = sa.orm.sessionmaker(bind=tracker_store.engine)
    return tracker_store


def test_the_agent_uses_the_configured_store_without_a_memory_fallback(store: SQLTrackerStore) -> None:
    agent = Agent(domain=Domain.empty(), tracker_store=store)
    assert agent.tracker_store is store
    assert not isinstance(agent.tracker_store, FailSafeTrackerStore)


async def test_a_turn_whose_tracker_cannot_be_read_raises(store: SQLTrackerStore) -> None:
    agent = Agent(domain=Domain.empty(), tracker_store=unreachable(store))
    with pytest.raises(sa.exc.OperationalError):
        await agent.tracker_store.get_or_create_tracker("citizen-1")


def app_with(on_new_message: Any, agent: Any = None) -> Sanic:
    app = Sanic(f"fail_closed_{id(on_new_message)}")
    app.ctx.agent = agent
    app.blueprint(RestInput().blueprint(on_new_message), url_prefix="/webhooks/rest")
    return app


async def post(app: Sanic, path: str, method: str = "get", json: Any = None) -> tuple[int, Any]:
    """One request to `app` served on a free port for the call (no sanic-testing in Rasa's runtime)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = await app.create_server(
        host="127.0.0.1", port=port, return_asyncio_server=True, access_log=False
    )
    assert server is not None
    await server.startup()
    try:
        url = f"http://127.0.0.1:{port}{path}"
        async with aiohttp.ClientSession() as client, client.request(method, url, json=json) as reply:
            return reply.status, await reply.json()
    finally:
        await server.close()


async def test_a_failed_turn_answers_500_not_its_partial_replies() -> None:
    async def fails(message: UserMessage) -> None:
        await message.output_channel.send_text_message(message.sender_id, "separuh jawaban")
        raise sa.exc.OperationalError("INSERT", {}, Exception("database is gone"))

    status, body = await post(
        app_with(fails), "/webhooks/rest/webhook", method="post", json={"sender": "c1", "message": "halo"}
    )
    assert (status, body) == (500, {"error": "turn_failed"})


async def test_a_turn_that_ends_answers_its_replies() -> None:
    async def answers(message: UserMessage) -> None:
        await message.output_channel.send_text_message(message.sender_id, "Halo!")

    status, body = await post(
        app_with(answers), "/webhooks/rest/webhook", method="post", json={"sender": "c1", "message": "halo"}
    )
    assert status == 200 and [reply["text"] for reply in body] == ["Halo!"]


async def health(agent: Any) -> tuple[int, Any]:
    async def unused(message: UserMessage) -> None:
        raise AssertionError

    return await post(app_with(unused, agent), "/webhooks/rest/")


class Stores:
    def __init__(self, tracker_store: Any, lock_store: Any) -> None:
        self.tracker_store, self.lock_store = tracker_store, lock_store


async def test_health_is_ok_when_both_stores_answer(store: SQLTrackerStore) -> None:
    need(REDIS_PORT, "Redis")
    status, body = await health(Stores(store, RedisLockStore(REDIS_HOST, REDIS_PORT)))
    assert (status, body) == (200, {"status": "ok", "tracker_store": "ok", "lock_store": "ok"})


async def test_health_is_503_while_the_tracker_database_is_unreachable(store: SQLTrackerStore) -> None:
    status, body = await health(Stores(unreachable(store), InMemoryLockStore()))
    assert status == 503
    assert body == {"status": "unavailable", "tracker_store": "unavailable", "lock_store": "ok"}


async def test_health_is_503_while_redis_is_unreachable(store: SQLTrackerStore) -> None:
    status, body = await health(Stores(store, RedisLockStore(REDIS_HOST, 1, socket_timeout=1)))
    assert status == 503
    assert body == {"status": "unavailable", "tracker_store": "ok", "lock_store": "unavailable"}
