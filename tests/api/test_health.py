import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import create_async_engine

from tests.api.fake_rasa import STORES_UP, FakeRasa, closed_port_url
from tests.api.support import GatewayFactory

pytestmark = pytest.mark.asyncio


async def test_health_ok(client: httpx.AsyncClient) -> None:
    response = await client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "rasa": "ok", "rasa_stores": STORES_UP}


async def test_health_degraded_when_rasa_is_down(gateway: GatewayFactory) -> None:
    async with gateway(rasa_url=closed_port_url()) as (_, client):
        response = await client.get("/health")
    assert response.status_code == 200  # messages are still accepted and stored
    assert response.json() == {
        "status": "degraded",
        "database": "ok",
        "rasa": "unavailable",
        "rasa_stores": {},
    }


async def test_health_degraded_when_a_store_of_rasa_is_down(
    client: httpx.AsyncClient, fake_rasa: FakeRasa
) -> None:
    """Rasa answers but cannot read or lock conversations: its turns would fail (fail closed)."""
    fake_rasa.stores["tracker_store"] = "unavailable"
    response = await client.get("/health")
    assert response.status_code == 200
    assert response.json() == {
        "status": "degraded", "database": "ok", "rasa": "unavailable",
        "rasa_stores": {"tracker_store": "unavailable", "lock_store": "ok"},
    }  # fmt: skip


async def test_health_503_when_database_is_down(app: FastAPI, client: httpx.AsyncClient) -> None:
    working = app.state.engine
    app.state.engine = create_async_engine("postgresql+asyncpg://nobody@127.0.0.1:1/none")
    try:
        response = await client.get("/health")
    finally:
        await app.state.engine.dispose()
        app.state.engine = working
    assert response.status_code == 503
    assert response.json() == {
        "status": "degraded", "database": "unavailable", "rasa": "ok", "rasa_stores": STORES_UP,
    }  # fmt: skip
