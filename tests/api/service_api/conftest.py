"""The service API's tests talk to its own internal app (api.main.create_service_app), as the
action server does: `client` and `gateway(...)`'s client are the service API's."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.api.fake_rasa import FakeRasa
from tests.api.support import Database, GatewayFactory, make_settings, running


@pytest.fixture
def gateway(database: Database, fake_rasa: FakeRasa) -> GatewayFactory:
    """`async with gateway(**settings) as (app, service_client)`."""

    def factory(**overrides: Any) -> AbstractAsyncContextManager[tuple[FastAPI, httpx.AsyncClient]]:
        rasa_url = overrides.pop("rasa_url", fake_rasa.url)
        return running(make_settings(database, rasa_url, **overrides), service=True)

    return factory
