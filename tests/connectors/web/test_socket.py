"""The web widget's WebSocket (`/api/v1/conversations/{id}/ws`), through Starlette's
TestClient: round trips, refused connections, malformed frames and floods."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

import pytest
from fastapi import FastAPI
from starlette.testclient import TestClient, WebSocketTestSession
from starlette.websockets import WebSocketDisconnect

from api.conversations.turn import RASA_UNAVAILABLE_TEXT
from api.main import create_app
from connectors.web import socket as socket_module
from connectors.web.socket import MAX_BAD_FRAMES
from tests.api.fake_rasa import FakeRasa, closed_port_url
from tests.api.support import Database, channel_conversation, make_settings
from tests.services import REDIS_URL, require

GatewayClient = Callable[..., AbstractContextManager[TestClient]]
MENU_BUTTON = {"title": "Kesehatan", "payload": '/ask_menu{"service":"health"}'}


@pytest.fixture
def open_gateway(database: Database, fake_rasa: FakeRasa) -> GatewayClient:
    """`with open_gateway(**settings) as client:` the app with its lifespan, in a TestClient."""

    @contextmanager
    def factory(**overrides: Any) -> Iterator[TestClient]:
        rasa_url = overrides.pop("rasa_url", fake_rasa.url)
        with TestClient(create_app(make_settings(database, rasa_url, **overrides))) as client:
            yield client

    return factory


@pytest.fixture
def gateway_client(open_gateway: GatewayClient) -> Iterator[TestClient]:
    with open_gateway() as client:
        yield client


# The session token of each conversation a test opened (connectors/web/session.py).
TOKENS: dict[str, str] = {}


def new_conversation(client: TestClient, channel: str = "web") -> str:
    response = client.post("/api/v1/conversations", json={"channel": channel})
    assert response.status_code == 201, response.text
    conversation_id = str(response.json()["id"])
    if response.json().get("session_token"):
        TOKENS[conversation_id] = response.json()["session_token"]
    return conversation_id


@contextmanager
def connect(client: TestClient, path: str, **kwargs: Any) -> Iterator[WebSocketTestSession]:
    """The conversation's socket, past its first frame (the session token)."""
    with client.websocket_connect(path, **kwargs) as ws:
        ws.send_json({"type": "auth", "token": TOKENS[path.split("/")[-2]]})
        assert ws.receive_json() == {"type": "ready"}
        yield ws


def socket_path(conversation_id: str) -> str:
    return f"/api/v1/conversations/{conversation_id}/ws"


def answer(ws: WebSocketTestSession) -> tuple[dict[str, Any], list[bool]]:
    """The next `result` or `error` frame, and the typing states announced before it."""
    typing: list[bool] = []
    while True:
        frame = ws.receive_json()
        if frame["type"] == "typing":
            typing.append(frame["active"])
        else:
            return frame, typing


def history(client: TestClient, conversation_id: str) -> list[dict[str, Any]]:
    response = client.get(
        f"/api/v1/conversations/{conversation_id}/messages",
        headers={"X-Session-Token": TOKENS[conversation_id]},
    )
    assert response.status_code == 200
    messages: list[dict[str, Any]] = response.json()["messages"]
    return messages


def closed_with(ws: WebSocketTestSession) -> int:
    with pytest.raises(WebSocketDisconnect) as closed:
        ws.receive_json()
    return closed.value.code


def test_text_round_trip(gateway_client: TestClient, fake_rasa: FakeRasa) -> None:
    fake_rasa.reply({"text": "Halo! Ada yang bisa saya bantu?", "buttons": [MENU_BUTTON]})
    conversation_id = new_conversation(gateway_client)

    with connect(gateway_client, socket_path(conversation_id)) as ws:
        ws.send_json({"type": "text", "text": "  halo\x00 ", "id": "1"})
        result, typing = answer(ws)

    assert typing == [True, False]
    assert result["type"] == "result" and result["id"] == "1"
    assert result["conversation_id"] == conversation_id
    assert result["rasa_status"] == "delivered"
    [reply] = result["replies"]
    assert reply["author"] == "bot" and reply["text"] == "Halo! Ada yang bisa saya bantu?"
    assert reply["buttons"] == [MENU_BUTTON]
    assert reply["content"]["type"] == "text"
    [request] = fake_rasa.received
    assert request["sender"] == conversation_id
    assert request["message"] == "halo" and request["input_channel"] == "web"
    stored = history(gateway_client, conversation_id)
    assert [(m["author"], m["text"], m["rasa_status"]) for m in stored] == [
        ("citizen", "halo", "delivered"),
        ("bot", "Halo! Ada yang bisa saya bantu?", None),
    ]
    assert stored[0]["id"] == result["message_id"]


# Shared phones and warnet PCs: the widget swaps the typed text for the stored, masked one.
MASKED_TYPED = ("NIK saya 3201012345678901, lahir 12-03-1990", "NIK saya 3201********8901, lahir ••-••-••••")


def test_websocket_result_carries_the_masked_stored_text(
    gateway_client: TestClient, fake_rasa: FakeRasa
) -> None:
    fake_rasa.reply({"text": "Terima kasih."})
    conversation_id = new_conversation(gateway_client)

    with connect(gateway_client, socket_path(conversation_id)) as ws:
        ws.send_json({"type": "text", "text": MASKED_TYPED[0], "id": "1"})
        result, _ = answer(ws)

    assert result["type"] == "result" and result["text"] == MASKED_TYPED[1]
    [citizen] = [m for m in history(gateway_client, conversation_id) if m["author"] == "citizen"]
    assert citizen["text"] == result["text"]


def test_button_and_location_events(gateway_client: TestClient, fake_rasa: FakeRasa) -> None:
    fake_rasa.reply({"text": "Baik."})
    conversation_id = new_conversation(gateway_client)

    with connect(gateway_client, socket_path(conversation_id)) as ws:
        ws.send_json({"type": "button", **MENU_BUTTON, "id": 7})
        clicked, _ = answer(ws)
        ws.send_json({"type": "location", "latitude": -6.2, "longitude": 106.8})
        located, _ = answer(ws)

    assert clicked["id"] == "7" and located["id"] is None
    button, location = fake_rasa.received
    assert button["message"] == MENU_BUTTON["payload"]
    # Each with the gateway's turn id (api/conversations/turn.py).
    assert button["metadata"] == {"button_title": "Kesehatan", "turn_id": button["metadata"]["turn_id"]}
    assert location["message"] == '/share_location{"latitude":-6.2,"longitude":106.8}'
    turn_id = location["metadata"]["turn_id"]
    assert location["metadata"] == {"location": {"latitude": -6.2, "longitude": 106.8}, "turn_id": turn_id}
    citizen = [m for m in history(gateway_client, conversation_id) if m["author"] == "citizen"]
    assert [m["text"] for m in citizen] == ["Kesehatan", "📍 Lokasi dibagikan"]


def test_rasa_down_still_stores_and_answers(open_gateway: GatewayClient) -> None:
    with open_gateway(rasa_url=closed_port_url()) as client:
        conversation_id = new_conversation(client)
        with connect(client, socket_path(conversation_id)) as ws:
            ws.send_json({"type": "text", "text": "halo", "id": "a"})
            result, typing = answer(ws)
        stored = history(client, conversation_id)

    assert typing == [True, False]
    assert result["rasa_status"] == "failed"
    assert [(r["author"], r["text"]) for r in result["replies"]] == [("system", RASA_UNAVAILABLE_TEXT)]
    assert stored[0]["text"] == "halo" and stored[0]["rasa_status"] == "failed"


def test_ping(gateway_client: TestClient) -> None:
    with connect(gateway_client, socket_path(new_conversation(gateway_client))) as ws:
        ws.send_json({"type": "ping", "id": "p"})
        assert ws.receive_json() == {"type": "pong", "id": "p"}


def test_typing_and_read_frames_need_no_answer_and_survive_garbage(
    gateway_client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The citizen's typing and read frames (told to an agent, if one has the conversation) get
    no answer; a read frame's id that is not a positive database id is ignored."""
    monkeypatch.setattr(socket_module, "ACTIVITY_EVERY_SECONDS", 0.0)  # every frame handled
    with connect(gateway_client, socket_path(new_conversation(gateway_client))) as ws:
        for frame in (
            {"type": "typing"},
            {"type": "typing"},
            {"type": "read", "message_id": "x"},
            {"type": "read", "message_id": True},
            {"type": "read", "message_id": -5},
            {"type": "read", "message_id": 10**30},
            {"type": "read", "message_id": 1},
        ):
            ws.send_json(frame)
        ws.send_json({"type": "ping", "id": "after"})
        assert ws.receive_json() == {"type": "pong", "id": "after"}  # nothing came before it


SECRET_TEXT = "NIK saya 3171012345678901"


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        ("{not json", "invalid_frame"),
        ("[1, 2]", "invalid_frame"),
        (b"\x00\x01", "invalid_frame"),
        ('{"type": "sticker", "id": "x"}', "invalid_frame"),
        ('{"type": "text"}', "invalid_frame"),
        ('{"type": "text", "text": "halo", "id": {"a": 1}}', "invalid_frame"),
        ('{"type": "button", "payload": "/greet"}', "invalid_frame"),
        ('{"type": "location", "latitude": 200, "longitude": 0}', "invalid_frame"),
        ('{"type": "text", "text": " \\u0000 ", "id": "x"}', "empty_text"),
        (json.dumps({"type": "text", "text": SECRET_TEXT + "x" * 2000}), "too_long"),
        (json.dumps({"type": "contact", "phone_number": "081234567890", "own": True}), "unsupported"),
    ],
)
def test_malformed_frames_get_an_error_frame(
    gateway_client: TestClient,
    fake_rasa: FakeRasa,
    caplog: pytest.LogCaptureFixture,
    frame: str | bytes,
    code: str,
) -> None:
    caplog.set_level(logging.INFO, logger="api")
    conversation_id = new_conversation(gateway_client)
    with connect(gateway_client, socket_path(conversation_id)) as ws:
        if isinstance(frame, bytes):
            ws.send_bytes(frame)
        else:
            ws.send_text(frame)
        error = ws.receive_json()
        # The connection survives: the next frame is answered.
        ws.send_json({"type": "ping"})
        assert ws.receive_json()["type"] == "pong"

    assert error["type"] == "error" and error["code"] == code
    assert isinstance(error["detail"], str) and error["detail"]
    assert fake_rasa.received == [] and history(gateway_client, conversation_id) == []
    assert f"ws frame refused conversation={conversation_id} reason={code}" in caplog.text
    assert SECRET_TEXT not in caplog.text


def test_frame_too_large_closes(gateway_client: TestClient) -> None:
    with connect(gateway_client, socket_path(new_conversation(gateway_client))) as ws:
        ws.send_text(json.dumps({"type": "text", "text": "x" * 100_000}))
        assert closed_with(ws) == 4413


def test_a_stream_of_malformed_frames_closes(gateway_client: TestClient) -> None:
    with connect(gateway_client, socket_path(new_conversation(gateway_client))) as ws:
        for _ in range(MAX_BAD_FRAMES - 1):
            ws.send_text("{")
            assert ws.receive_json()["code"] == "invalid_frame"
        ws.send_text("{")
        assert ws.receive_json()["code"] == "invalid_frame"
        assert closed_with(ws) == 4400


def test_refused_connections(gateway_client: TestClient) -> None:
    app = gateway_client.app
    assert isinstance(app, FastAPI)
    telegram = gateway_client.portal.call(channel_conversation, app, "telegram")  # type: ignore[union-attr]
    for path, code in [
        (socket_path("2b1c7e4e-0000-4000-8000-000000000000"), 4404),
        (socket_path("not-a-uuid"), 4404),
        (socket_path(telegram), 4404),  # like an unknown id: a webhook's conversation
    ]:
        with gateway_client.websocket_connect(path) as ws:
            assert closed_with(ws) == code, path


def test_only_allowed_origins(open_gateway: GatewayClient) -> None:
    with open_gateway(widget_origins="https://kelurahan.go.id") as client:
        path = socket_path(new_conversation(client))
        for origin in ["https://kelurahan.go.id", "http://testserver", None]:
            headers = {"origin": origin} if origin else {}
            with connect(client, path, headers=headers) as ws:
                ws.send_json({"type": "ping"})
                assert ws.receive_json()["type"] == "pong", origin
        with client.websocket_connect(path, headers={"origin": "https://evil.example"}) as ws:
            assert closed_with(ws) == 4403


@pytest.mark.parametrize("store", ["memory", "redis"])
def test_flood_is_rate_limited(open_gateway: GatewayClient, fake_rasa: FakeRasa, store: str) -> None:
    settings: dict[str, Any] = {"rate_limit_messages": 2, "rate_limit_window_seconds": 3600}
    if store == "redis":
        require("Redis")
        settings["redis_url"] = REDIS_URL
    fake_rasa.reply({"text": "Baik."})
    with open_gateway(**settings) as client:
        conversation_id = new_conversation(client)
        with connect(client, socket_path(conversation_id)) as ws:
            results = []
            for number in range(3):
                ws.send_json({"type": "text", "text": f"pesan {number}", "id": str(number)})
                results.append(answer(ws)[0])
            for _ in range(MAX_BAD_FRAMES - 1):
                ws.send_json({"type": "text", "text": "lagi"})
                assert ws.receive_json()["code"] == "rate_limited"
            assert closed_with(ws) == 4429
        stored = history(client, conversation_id)

    assert [r["type"] for r in results] == ["result", "result", "error"]
    assert results[2]["code"] == "rate_limited" and "tunggu" in results[2]["detail"]
    assert len(fake_rasa.received) == 2
    assert [m["text"] for m in stored if m["author"] == "citizen"] == ["pesan 0", "pesan 1"]
