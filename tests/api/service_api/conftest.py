"""The service API's tests talk to its own internal app (api.main.create_service_app), as the
action server does: `client` and `gateway(...)`'s client are the service API's. They check
each ministry's data as the verified citizen whose record they ask for
(tests/api/identity_support.py): every gateway here answers through a `VerifiedClient`.
tests/security checks who may ask."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.api.fake_rasa import FakeRasa
from tests.api.identity_support import VerifiedClient
from tests.api.support import Database, make_settings, running


@asynccontextmanager
async def _verified(
    running: AbstractAsyncContextManager[tuple[FastAPI, httpx.AsyncClient]],
) -> AsyncIterator[tuple[FastAPI, Any]]:
    async with running as (app, client):
        yield app, VerifiedClient(app, client)


@pytest.fixture
def gateway(database: Database, fake_rasa: FakeRasa) -> Any:
    """`async with gateway(**settings) as (app, service_client)`, the client calling as the
    verified citizen."""

    def factory(**overrides: Any) -> AbstractAsyncContextManager[tuple[FastAPI, Any]]:
        rasa_url = overrides.pop("rasa_url", fake_rasa.url)
        return _verified(running(make_settings(database, rasa_url, **overrides), service=True))

    return factory
