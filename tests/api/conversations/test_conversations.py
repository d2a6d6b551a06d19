import uuid

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from api.models import Conversation, HandledBy
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


@pytest.mark.parametrize(
    "body",
    [
        {"channel": "whatsapp", "channel_user_id": "6281234567890"},
        {"channel": "telegram", "channel_user_id": "777"},
        {"channel": "telegram"},
        {"channel": "web", "channel_user_id": "6281234567890"},
    ],
)
async def test_only_web_conversations_are_opened_here(
    app: FastAPI, client: httpx.AsyncClient, body: dict[str, str]
) -> None:
    """Telegram and WhatsApp conversations come from their signed webhooks only: one opened
    here would steer agents' replies to any chat or number."""
    before = await _count(app)
    response = await client.post("/api/v1/conversations", json=body)
    assert response.status_code == 422
    assert "6281234567890" not in response.text
    assert await _count(app) == before


async def _count(app: FastAPI) -> int:
    async with app.state.sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(Conversation)) or 0)


async def test_each_conversation_gets_a_new_id(client: httpx.AsyncClient) -> None:
    first = await client.post("/api/v1/conversations", json={})
    second = await client.post("/api/v1/conversations", json={})
    assert uuid.UUID(first.json()["id"]) != uuid.UUID(second.json()["id"])
