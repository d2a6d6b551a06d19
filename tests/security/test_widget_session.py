"""The widget's session (connectors/web/session.py): the conversation id alone no longer opens
a web conversation. Its history and its WebSocket need the conversation's signed session token;
a forged, foreign or expired one is refused, and the socket closes when the citizen is idle."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from api.main import create_app
from connectors.web import session as widget_session
from tests.api.fake_rasa import FakeRasa
from tests.api.support import (
    Database,
    channel_conversation,
    make_settings,
    session_headers,
    stored_conversation,
    stored_messages,
    stranger,
)
from tests.security.support import web_conversation


def _history(conversation: str) -> str:
    return f"/api/v1/conversations/{conversation}/messages"


async def test_the_history_needs_the_conversations_valid_token(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    conversation, token = await web_conversation(client)
    other, other_token = await web_conversation(client)
    settings = app.state.settings
    expired = widget_session.issue(
        settings, uuid.UUID(conversation), now=time.time() - settings.widget_idle_minutes * 60 - 5
    )
    payload, _, signature = token.partition(".")
    forged = f"{payload}.{signature[::-1]}"

    assert (await client.get(_history(conversation))).status_code == 401
    for bad in (forged, expired, "x", "a.b", token + "=="):
        assert (await client.get(_history(conversation), headers={"X-Session-Token": bad})).status_code == 401
    assert (
        await client.get(_history(conversation), headers={"X-Session-Token": other_token})
    ).status_code == 403

    answer = await client.get(_history(conversation), headers={"X-Session-Token": token})
    assert answer.status_code == 200
    assert answer.json()["messages"] == []


async def test_a_token_signed_with_another_key_is_refused(app: FastAPI, client: httpx.AsyncClient) -> None:
    conversation, _ = await web_conversation(client)
    elsewhere = make_settings_with_key("another key")
    token = widget_session.issue(elsewhere, uuid.UUID(conversation))

    assert (await client.get(_history(conversation), headers={"X-Session-Token": token})).status_code == 401


def make_settings_with_key(key: str) -> Any:
    from api.core.config import Settings

    return Settings(_env_file=None, widget_session_key=key)  # type: ignore[call-arg]


async def test_a_message_needs_the_conversations_valid_token(
    app: FastAPI, client: httpx.AsyncClient, fake_rasa: FakeRasa
) -> None:
    conversation, token = await web_conversation(client)
    _, other_token = await web_conversation(client)
    payload, _, signature = token.partition(".")
    fake_rasa.reply({"text": "Halo"})

    async with stranger(app) as outsider:  # knows the id, not the token
        refused = [
            (await outsider.post(_history(conversation), json={"text": "halo"}, headers=headers)).status_code
            for headers in (
                {},
                {"X-Session-Token": f"{payload}.{signature[::-1]}"},
                {"X-Session-Token": other_token},
            )
        ]
        assert refused == [401, 401, 403]
        assert fake_rasa.received == []
        assert await stored_messages(app, conversation) == []

        sent = await outsider.post(
            _history(conversation), json={"text": "halo"}, headers={"X-Session-Token": token}
        )
    assert sent.status_code == 200
    renewed = sent.json()["session_token"]  # a message renews the token
    assert widget_session.check(app.state.settings, renewed, uuid.UUID(conversation)) is None


@pytest.mark.parametrize("channel", ["telegram", "whatsapp"])
async def test_a_webhook_conversation_is_unknown_to_the_public_api(
    app: FastAPI, client: httpx.AsyncClient, fake_rasa: FakeRasa, channel: str
) -> None:
    """Even with a validly signed token for its id (which a key leak could give), a Telegram or
    WhatsApp conversation answers like an id that does not exist."""
    conversation = await channel_conversation(app, channel, "6281234567890")
    unknown = str(uuid.uuid4())
    fake_rasa.reply({"text": "Halo"})

    async def statuses(target: str) -> list[int]:
        headers = session_headers(app, target)
        url = _history(target)
        return [
            (await client.post(url, json={"text": "halo"}, headers=headers)).status_code,
            (await client.get(url, headers=headers)).status_code,
            (await client.delete(f"/api/v1/conversations/{target}", headers=headers)).status_code,
        ]

    assert await statuses(conversation) == await statuses(unknown) == [404, 404, 404]
    assert fake_rasa.received == []
    assert await stored_conversation(app, conversation) is not None


@pytest.fixture
def socket_client(database: Database, fake_rasa: FakeRasa) -> Iterator[TestClient]:
    with TestClient(create_app(make_settings(database, fake_rasa.url, widget_idle_minutes=1))) as client:
        yield client


def _new(client: TestClient) -> tuple[str, str]:
    body = client.post("/api/v1/conversations", json={"channel": "web"}).json()
    return body["id"], body["session_token"]


def _closed_with(client: TestClient, conversation: str, first: dict[str, Any] | str) -> int:
    with client.websocket_connect(f"/api/v1/conversations/{conversation}/ws") as ws:
        ws.send_text(first if isinstance(first, str) else json.dumps(first))
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
    return closed.value.code


def test_the_socket_needs_the_token_in_its_first_frame(
    socket_client: TestClient, fake_rasa: FakeRasa
) -> None:
    conversation, token = _new(socket_client)
    _, other_token = _new(socket_client)
    settings = socket_client.app.state.settings  # type: ignore[attr-defined]
    expired = widget_session.issue(settings, uuid.UUID(conversation), now=time.time() - 61)

    assert _closed_with(socket_client, conversation, {"type": "text", "text": "halo"}) == 4401
    assert _closed_with(socket_client, conversation, {"type": "auth", "token": expired}) == 4401
    assert _closed_with(socket_client, conversation, {"type": "auth", "token": "forged.token"}) == 4401
    assert _closed_with(socket_client, conversation, {"type": "auth", "token": other_token}) == 4403
    assert fake_rasa.received == []

    fake_rasa.reply({"text": "Halo"})
    with socket_client.websocket_connect(f"/api/v1/conversations/{conversation}/ws") as ws:
        ws.send_json({"type": "auth", "token": token})
        assert ws.receive_json() == {"type": "ready"}
        ws.send_json({"type": "text", "text": "halo", "id": "1"})
        frames = [ws.receive_json() for _ in range(3)]
    result = next(frame for frame in frames if frame["type"] == "result")
    assert result["replies"][0]["text"] == "Halo"
    assert widget_session.check(settings, result["session_token"], uuid.UUID(conversation)) is None


def test_production_needs_a_session_key() -> None:
    from api.core.config import Settings

    # Everything else production needs (the service token, the identity and data keys, a Rasa
    # deadline beyond an action chain), so that the session key is what is missing.
    others = {
        "service_token": "a-long-enough-service-token",
        "identity_key": "k" * 32,
        "data_key": "a-key-of-at-least-sixteen-characters",
        "rasa_timeout_seconds": 20,
    }
    with pytest.raises(ValueError, match="AW_WIDGET_SESSION_KEY"):
        Settings(_env_file=None, environment="production", allow_simulated_backends=True, **others)  # type: ignore[call-arg]
    local = Settings(_env_file=None)  # type: ignore[call-arg]
    assert len(local.widget_session_key.get_secret_value()) >= 32  # a random key per process


def test_a_webhook_conversations_socket_is_an_unknown_id(socket_client: TestClient) -> None:
    app = socket_client.app
    telegram = socket_client.portal.call(channel_conversation, app, "telegram", "12345")  # type: ignore[union-attr,arg-type]
    token = widget_session.issue(app.state.settings, uuid.UUID(telegram))  # type: ignore[attr-defined]

    assert _closed_with(socket_client, telegram, {"type": "auth", "token": token}) == 4404
    assert _closed_with(socket_client, str(uuid.uuid4()), {"type": "auth", "token": token}) == 4404
