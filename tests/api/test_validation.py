"""Bad input gets a clear 4xx with an Indonesian message, never a 500; nothing is stored."""

import uuid

import httpx
import pytest
from fastapi import FastAPI

from tests.api.fake_rasa import FakeRasa
from tests.api.support import GatewayFactory, new_conversation, session_headers, stored_messages

pytestmark = pytest.mark.asyncio


def messages_url(conversation_id: str) -> str:
    return f"/api/v1/conversations/{conversation_id}/messages"


async def test_unknown_conversation_is_404(client: httpx.AsyncClient) -> None:
    url = messages_url(str(uuid.uuid4()))
    for response in (await client.post(url, json={"text": "halo"}), await client.get(url)):
        assert response.status_code == 404
        assert response.json() == {"detail": "Percakapan tidak ditemukan."}


async def test_malformed_conversation_id_is_422(client: httpx.AsyncClient) -> None:
    response = await client.post(messages_url("bukan-uuid"), json={"text": "halo"})
    assert response.status_code == 422
    assert response.json()["detail"] == "ID percakapan tidak valid."


@pytest.mark.parametrize("text", ["", "   ", "\n\t ", "\u0000\u0007"])
async def test_empty_text_is_422(
    app: FastAPI, client: httpx.AsyncClient, fake_rasa: FakeRasa, text: str
) -> None:
    conversation_id = await new_conversation(client)
    response = await client.post(messages_url(conversation_id), json={"text": text})
    assert response.status_code == 422
    assert response.json()["detail"] == "Pesan tidak boleh kosong."
    assert await stored_messages(app, conversation_id) == []
    assert fake_rasa.received == []


async def test_ten_thousand_characters_is_413(
    app: FastAPI, client: httpx.AsyncClient, fake_rasa: FakeRasa
) -> None:
    conversation_id = await new_conversation(client)
    response = await client.post(messages_url(conversation_id), json={"text": "a" * 10_000})
    assert response.status_code == 413
    assert response.json() == {"detail": "Pesan terlalu panjang. Panjang maksimal 2000 karakter."}
    assert await stored_messages(app, conversation_id) == []
    assert fake_rasa.received == []


async def test_message_at_the_limit_is_accepted(client: httpx.AsyncClient) -> None:
    conversation_id = await new_conversation(client)
    response = await client.post(messages_url(conversation_id), json={"text": "🙂" * 2000})
    assert response.status_code == 200


async def test_limit_comes_from_settings(gateway: GatewayFactory) -> None:
    async with gateway(max_message_chars=10_000) as (app, client):
        conversation_id = await new_conversation(client)
        response = await client.post(messages_url(conversation_id), json={"text": "a" * 10_000})
        assert response.status_code == 200
        [stored] = await stored_messages(app, conversation_id)
        assert len(stored.text) == 10_000


async def test_oversized_metadata_is_413(client: httpx.AsyncClient) -> None:
    conversation_id = await new_conversation(client)
    body = {"text": "halo", "metadata": {"blob": "x" * 5000}}
    response = await client.post(messages_url(conversation_id), json=body)
    assert response.status_code == 413
    assert response.json() == {"detail": "Metadata pesan terlalu besar."}


@pytest.mark.parametrize(
    "content",
    [
        b'{"text": "halo"',  # truncated JSON
        b"not json at all",
        b"[]",
        b'"halo"',
        b"{}",
        b'{"text": 123}',
        b'{"text": null}',
        b'{"text": "halo", "metadata": [1, 2]}',
        b'{"text": "halo", "unknown": true}',
    ],
)
async def test_malformed_body_is_422(
    app: FastAPI, client: httpx.AsyncClient, content: bytes
) -> None:
    conversation_id = await new_conversation(client)
    response = await client.post(
        messages_url(conversation_id), content=content, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 422
    body = response.json()
    assert isinstance(body["detail"], str) and body["errors"]
    assert await stored_messages(app, conversation_id) == []


async def test_body_that_is_not_utf8_is_400(app: FastAPI, client: httpx.AsyncClient) -> None:
    conversation_id = await new_conversation(client)
    response = await client.post(
        messages_url(conversation_id),
        content=b"\xff\xfe\x00",
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert response.json() == {"detail": "Format data tidak valid: kirimkan JSON yang benar."}
    assert await stored_messages(app, conversation_id) == []


async def test_huge_body_is_rejected_before_parsing(client: httpx.AsyncClient) -> None:
    conversation_id = await new_conversation(client)
    response = await client.post(messages_url(conversation_id), json={"text": "a" * 1_000_000})
    # Starlette answers this one itself, in plain text, before the app runs.
    assert response.status_code == 413


async def test_unknown_path_and_method(client: httpx.AsyncClient) -> None:
    assert (await client.get("/api/v1/nothing")).json() == {"detail": "Alamat tidak ditemukan."}
    response = await client.delete("/api/v1/conversations")
    assert response.status_code == 405
    assert response.json() == {"detail": "Metode tidak diizinkan untuk alamat ini."}


async def test_invalid_conversation_body_is_422(client: httpx.AsyncClient) -> None:
    for body in ({"channel": "fax"}, {"channel": "web", "channel_user_id": ""}):
        response = await client.post("/api/v1/conversations", json=body)
        assert response.status_code == 422
        assert response.json()["detail"] == "Data yang dikirim tidak valid. Mohon periksa kembali."


async def test_history_limit_is_validated(app: FastAPI, client: httpx.AsyncClient) -> None:
    conversation_id = await new_conversation(client)
    response = await client.get(
        messages_url(conversation_id), params={"limit": 0}, headers=session_headers(app, conversation_id)
    )
    assert response.status_code == 422


async def test_unexpected_error_is_a_polite_500(app: FastAPI) -> None:
    app.state.sessionmaker = None  # any unexpected failure inside a request
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway.test") as client:
        response = await client.post("/api/v1/conversations", json={})
    assert response.status_code == 500
    assert response.json() == {
        "detail": "Mohon maaf, terjadi kesalahan pada sistem. Silakan coba lagi."
    }
