"""The widget's client message id over the WebSocket (connectors/web/socket.py): a message the
widget sends again on a new socket, after the old one died unanswered, gets the first attempt's
result and reaches Rasa once; the same id over the HTTP fallback too."""

from __future__ import annotations

import uuid

import pytest
from starlette.testclient import TestClient

from tests.api.fake_rasa import FakeRasa
from tests.connectors.web.test_socket import (  # noqa: F401 - fixtures
    TOKENS,
    answer,
    connect,
    gateway_client,
    history,
    new_conversation,
    open_gateway,
    socket_path,
)


def test_a_message_resent_on_a_new_socket_gets_the_first_result(
    gateway_client: TestClient,  # noqa: F811
    fake_rasa: FakeRasa,  # noqa: F811
) -> None:
    fake_rasa.respond = lambda body: [{"text": f"jawab: {body['message']}"}]
    conversation_id = new_conversation(gateway_client)
    message_id = str(uuid.uuid4())
    frame = {"type": "text", "text": "syarat KTP", "client_message_id": message_id}

    with connect(gateway_client, socket_path(conversation_id)) as ws:
        ws.send_json({**frame, "id": "1"})
        first, _ = answer(ws)
    with connect(gateway_client, socket_path(conversation_id)) as ws:  # reconnected: sent again
        ws.send_json({**frame, "id": "1"})
        again, _ = answer(ws)
    fallback = gateway_client.post(
        f"/api/v1/conversations/{conversation_id}/messages",
        json={"text": "syarat KTP", "client_message_id": message_id},
        headers={"X-Session-Token": TOKENS[conversation_id]},
    )

    assert first["type"] == again["type"] == "result"
    assert (again["message_id"], again["replies"]) == (first["message_id"], first["replies"])
    assert fallback.status_code == 200
    by_http = fallback.json()
    assert (by_http["message_id"], by_http["replies"]) == (first["message_id"], first["replies"])
    assert [body["message"] for body in fake_rasa.received] == ["syarat KTP"]
    assert [(m["author"], m["text"]) for m in history(gateway_client, conversation_id)] == [
        ("citizen", "syarat KTP"),
        ("bot", "jawab: syarat KTP"),
    ]


@pytest.mark.parametrize("bad", ["bukan-uuid", "", 7, ["x"], "a" * 100])
def test_a_malformed_client_message_id_gets_an_error_frame(
    gateway_client: TestClient,  # noqa: F811
    fake_rasa: FakeRasa,
    bad: object,  # noqa: F811
) -> None:
    conversation_id = new_conversation(gateway_client)

    with connect(gateway_client, socket_path(conversation_id)) as ws:
        ws.send_json({"type": "text", "text": "halo", "id": "1", "client_message_id": bad})
        error, _ = answer(ws)

    assert error["type"] == "error" and error["code"] == "invalid_frame" and error["id"] == "1"
    assert fake_rasa.received == []
