"""Fixtures shared by the gateway's tests (tests/api, tests/connectors): a fake Rasa, each
database backend, the running app and a call center. Each directory's conftest.py imports
them, so a test sees them wherever it mirrors its package.

Every gateway test runs against SQLite and against the real PostgreSQL (a throw-away schema
per session, so parallel runs don't collide).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import AbstractAsyncContextManager
from typing import Any

import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI

from tests.api.callcenter.support import ALWAYS_OPEN, fresh_call_center, handoff_bot
from tests.api.fake_rasa import FakeRasa, FakeRasaServer
from tests.api.support import Database, GatewayFactory, make_settings, new_database, running


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Database]:
    yield from new_database(request.param, tmp_path_factory.mktemp("db"))


@pytest.fixture(scope="session")
def _rasa_server() -> Iterator[FakeRasa]:
    with FakeRasaServer() as fake:
        yield fake


@pytest.fixture
def fake_rasa(_rasa_server: FakeRasa) -> FakeRasa:
    _rasa_server.reset()
    return _rasa_server


@pytest.fixture
def gateway(database: Database, fake_rasa: FakeRasa) -> GatewayFactory:
    """`async with gateway(rasa_url=..., **settings) as (app, client)` for custom settings."""

    def factory(**overrides: Any) -> AbstractAsyncContextManager[tuple[FastAPI, httpx.AsyncClient]]:
        rasa_url = overrides.pop("rasa_url", fake_rasa.url)
        return running(make_settings(database, rasa_url, **overrides))

    return factory


@pytest_asyncio.fixture
async def app_client(gateway: GatewayFactory) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    async with gateway() as running_app:
        yield running_app


@pytest.fixture
def app(app_client: tuple[FastAPI, httpx.AsyncClient]) -> FastAPI:
    return app_client[0]


@pytest.fixture
def client(app_client: tuple[FastAPI, httpx.AsyncClient]) -> httpx.AsyncClient:
    return app_client[1]


@pytest_asyncio.fixture
async def center(
    gateway: GatewayFactory, fake_rasa: FakeRasa
) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    """A call center that is always open, without earlier tests' agents and hand-offs, and a bot
    that hands off on /request_human (some modules override it)."""
    handoff_bot(fake_rasa)
    async with gateway(**ALWAYS_OPEN) as (app, client):
        await fresh_call_center(app)
        yield app, client
