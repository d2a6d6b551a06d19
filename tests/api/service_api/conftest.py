"""The service tests check each ministry's data as the verified citizen whose record they ask
for (tests/api/identity_support.py): every gateway here answers through a `VerifiedClient`.
tests/security checks who may ask."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.api.identity_support import VerifiedClient
from tests.api.support import GatewayFactory


@asynccontextmanager
async def _verified(
    running: AbstractAsyncContextManager[tuple[FastAPI, httpx.AsyncClient]],
) -> AsyncIterator[tuple[FastAPI, Any]]:
    async with running as (app, client):
        yield app, VerifiedClient(app, client)


@pytest.fixture
def gateway(gateway: GatewayFactory) -> Any:
    def factory(**overrides: Any) -> AbstractAsyncContextManager[tuple[FastAPI, Any]]:
        return _verified(gateway(**overrides))

    return factory
