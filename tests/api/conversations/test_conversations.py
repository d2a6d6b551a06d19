import uuid

import httpx
import pytest
from fastapi import FastAPI

from api.models import HandledBy
from tests.api.support import stored_conversation

pytestmark = pytest.mark.asyncio


async def test_create_web_conversation(app: FastAPI, client: httpx.AsyncClient) -> None:
    response = await client.post("/api/v1/conversations", json={})

    assert response.status_code == 201
    body = response.json()
    assert body["channel"] == "web" and body["handled_by"] == "bot"
    stored = await stored_conversation(app, body["id"])
    assert stored is not None
    assert (stored.channel, stored.channel_user_id, stored.handled_by) == (
        "web",
        None,
        HandledBy.BOT,
    )
    assert stored.created_at.tzinfo is not None


async def test_create_channel_conversation(app: FastAPI, client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/conversations", json={"channel": "whatsapp", "channel_user_id": "6281234567890"}
    )

    assert response.status_code == 201
    assert "channel_user_id" not in response.json()  # personal data is not echoed
    stored = await stored_conversation(app, response.json()["id"])
    assert stored is not None and stored.channel_user_id == "6281234567890"


async def test_each_conversation_gets_a_new_id(client: httpx.AsyncClient) -> None:
    first = await client.post("/api/v1/conversations", json={})
    second = await client.post("/api/v1/conversations", json={})
    assert uuid.UUID(first.json()["id"]) != uuid.UUID(second.json()["id"])
