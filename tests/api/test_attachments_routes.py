"""Files and photos over HTTP: the citizen's uploads in the widget, an agent's in the
console, and who may fetch them (api/routes/attachments.py)."""

from __future__ import annotations

import uuid
from urllib.parse import quote

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from api.attachments import files, limits
from api.models import Attachment, Author, Direction
from connectors.web import session as widget_session
from tests.api.callcenter.support import add_agent, ask_for_person, console, handoff_of
from tests.api.support import new_conversation, stored_messages, stranger
from tests.api.test_attachments import JPEG, PDF, PNG

pytestmark = pytest.mark.asyncio


def _token(app: FastAPI, conversation_id: str) -> dict[str, str]:
    return {widget_session.HEADER: widget_session.issue(app.state.settings, uuid.UUID(conversation_id))}


async def _upload(
    client: httpx.AsyncClient,
    app: FastAPI,
    conversation_id: str,
    data: bytes,
    name: str = "foto.jpg",
    **headers: str,
) -> httpx.Response:
    return await client.post(
        f"/api/v1/conversations/{conversation_id}/attachments",
        content=data,
        headers={**_token(app, conversation_id), "X-File-Name": quote(name), **headers},
    )


async def test_a_citizen_sends_a_photo_and_only_they_can_fetch_it(
    center: tuple[FastAPI, httpx.AsyncClient],
) -> None:
    app, client = center
    conversation_id = await new_conversation(client)
    response = await _upload(
        client, app, conversation_id, JPEG, "Foto KTP saya.jpeg", **{"X-Caption": quote("KTP")}
    )
    assert response.status_code == 201, response.text
    message = response.json()["message"]
    assert response.json()["notice"] == files.RECEIVED_TEXT  # the bot has the conversation
    content = message["content"]
    assert (message["author"], message["direction"], message["text"]) == ("citizen", "in", "KTP")
    assert content["type"] == "attachment"
    assert (content["filename"], content["content_type"], content["size"]) == (
        "Foto KTP saya.jpg",
        "image/jpeg",
        len(JPEG),
    )
    path = f"/api/v1/conversations/{conversation_id}/attachments/{content['id']}"

    fetched = await client.get(path, headers=_token(app, conversation_id))
    assert fetched.status_code == 200
    assert fetched.content == JPEG
    assert fetched.headers["content-type"] == "image/jpeg"
    assert fetched.headers["x-content-type-options"] == "nosniff"
    assert fetched.headers["content-disposition"].startswith("inline;")
    assert "no-store" in fetched.headers["cache-control"]

    async with stranger(app) as nobody:
        assert (await nobody.get(path)).status_code == 401
    other = await new_conversation(client)
    assert (await client.get(path, headers=_token(app, other))).status_code == 403
    # Another conversation's own token does not open this file through its own path.
    wrong_path = f"/api/v1/conversations/{other}/attachments/{content['id']}"
    assert (await client.get(wrong_path, headers=_token(app, other))).status_code == 404

    history = await client.get(
        f"/api/v1/conversations/{conversation_id}/messages", headers=_token(app, conversation_id)
    )
    assert history.json()["messages"][-1]["content"]["id"] == content["id"]
    stored = await stored_messages(app, conversation_id)
    assert stored[-1].rasa_status is None  # the bot reads no files


@pytest.mark.parametrize(
    ("data", "status", "detail"),
    [
        (b"MZ\x90\x00 not a photo", 415, "hanya dapat menerima foto"),
        (b"", 400, "kosong"),
        (JPEG + b"\x00" * limits.max_bytes("web"), 413, "terlalu besar"),
    ],
)
async def test_a_bad_upload_gets_a_clear_refusal(
    center: tuple[FastAPI, httpx.AsyncClient], data: bytes, status: int, detail: str
) -> None:
    app, client = center
    conversation_id = await new_conversation(client)
    response = await _upload(client, app, conversation_id, data)
    assert response.status_code == status
    assert detail in response.json()["detail"]
    async with app.state.sessionmaker() as session:
        kept = await session.scalars(
            select(Attachment).where(Attachment.conversation_id == uuid.UUID(conversation_id))
        )
        assert kept.all() == []


async def test_an_upload_needs_the_conversations_session(center: tuple[FastAPI, httpx.AsyncClient]) -> None:
    app, client = center
    conversation_id = await new_conversation(client)
    async with stranger(app) as nobody:
        response = await nobody.post(f"/api/v1/conversations/{conversation_id}/attachments", content=JPEG)
    assert response.status_code == 401
    other = await new_conversation(client)
    response = await client.post(
        f"/api/v1/conversations/{conversation_id}/attachments", content=JPEG, headers=_token(app, other)
    )
    assert response.status_code == 403
    hostile = await client.post(
        f"/api/v1/conversations/{conversation_id}/attachments",
        content=JPEG,
        headers={**_token(app, conversation_id), "X-File-Name": "%ZZ" + "a" * 5000},
    )
    assert hostile.status_code == 422
    odd = await _upload(client, app, conversation_id, JPEG, "%ZZ\u0000🙂.jpg")
    assert odd.status_code == 201
    assert odd.json()["message"]["content"]["filename"].endswith(".jpg")
    missing = await client.get(
        f"/api/v1/conversations/{conversation_id}/attachments/not-a-uuid",
        headers=_token(app, conversation_id),
    )
    assert missing.status_code == 422


async def test_other_routes_keep_their_small_body_limit(center: tuple[FastAPI, httpx.AsyncClient]) -> None:
    app, client = center
    conversation_id = await new_conversation(client)
    response = await client.post(
        f"/api/v1/conversations/{conversation_id}/messages",
        content=b'{"text": "' + b"a" * 2_000_000 + b'"}',
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 413


async def test_an_agent_attaches_a_document_and_sees_the_citizens_photo(
    center: tuple[FastAPI, httpx.AsyncClient],
) -> None:
    app, client = center
    agent, other_team = await add_agent(app), await add_agent(app, teams=["health"])
    conversation_id = await new_conversation(client)
    await ask_for_person(client, conversation_id)
    handoff = await handoff_of(app, conversation_id)
    uploaded = (await _upload(client, app, conversation_id, PNG, "rumah.png")).json()
    assert uploaded["notice"] is None  # an agent has the conversation
    photo = uploaded["message"]["content"]

    async with console(app, agent) as desk:
        assert (await desk.post(f"/console/api/handoffs/{handoff.id}/claim")).status_code == 200
        seen = await desk.get(f"/console/api/handoffs/{handoff.id}/attachments/{photo['id']}")
        assert seen.status_code == 200
        assert seen.content == PNG
        sent = await desk.post(
            f"/console/api/handoffs/{handoff.id}/attachments",
            content=PDF,
            headers={"X-File-Name": quote("Syarat KTP-el.pdf"), "X-Caption": quote("Daftar persyaratan")},
        )
        assert sent.status_code == 201, sent.text
        document = sent.json()
        assert (document["author"], document["direction"]) == ("agent", "out")
        assert document["content"]["filename"] == "Syarat KTP-el.pdf"
        assert document["sender_name"]
        detail = (await desk.get(f"/console/api/handoffs/{handoff.id}")).json()
        shown = [(turn.get("content") or {}).get("id") for turn in detail["transcript"]]
        assert {photo["id"], document["content"]["id"]} <= set(shown)

    # The citizen gets the agent's document, as a download.
    got = await client.get(
        f"/api/v1/conversations/{conversation_id}/attachments/{document['content']['id']}",
        headers=_token(app, conversation_id),
    )
    assert got.status_code == 200
    assert got.content == PDF
    assert got.headers["content-disposition"].startswith("attachment;")

    # An agent who may not see the hand-off gets nothing, and may not attach.
    async with console(app, other_team) as stranger_desk:
        path = f"/console/api/handoffs/{handoff.id}/attachments"
        assert (await stranger_desk.get(f"{path}/{photo['id']}")).status_code == 404
        assert (await stranger_desk.post(path, content=PDF)).status_code == 404

    async with app.state.sessionmaker() as session:
        rows = (
            await session.scalars(
                select(Attachment).where(Attachment.conversation_id == uuid.UUID(conversation_id))
            )
        ).all()
    assert sorted(row.author for row in rows) == [Author.AGENT, Author.CITIZEN]
    stored = await stored_messages(app, conversation_id)
    assert stored[-1].direction is Direction.OUT


async def test_only_the_agent_handling_it_may_attach(center: tuple[FastAPI, httpx.AsyncClient]) -> None:
    app, client = center
    agent = await add_agent(app)
    conversation_id = await new_conversation(client)
    await ask_for_person(client, conversation_id)
    handoff = await handoff_of(app, conversation_id)
    async with console(app, agent) as desk:  # not claimed: queued
        response = await desk.post(f"/console/api/handoffs/{handoff.id}/attachments", content=PDF)
    assert response.status_code == 409


async def test_deleting_the_conversation_deletes_its_files(center: tuple[FastAPI, httpx.AsyncClient]) -> None:
    app, client = center
    conversation_id = await new_conversation(client)
    content = (await _upload(client, app, conversation_id, JPEG)).json()["message"]["content"]
    key = uuid.UUID(content["id"]).hex
    storage = app.state.attachments
    assert await storage.get(key) == JPEG
    erased = await client.delete(
        f"/api/v1/conversations/{conversation_id}", headers=_token(app, conversation_id)
    )
    assert erased.status_code == 204
    async with app.state.sessionmaker() as session:
        assert await files.sweep(session, storage, grace_seconds=3600) == 0  # too young yet
        assert await files.sweep(session, storage, grace_seconds=0) >= 1
    assert await storage.get(key) is None


async def test_a_caption_is_masked_once_stored(center: tuple[FastAPI, httpx.AsyncClient]) -> None:
    app, client = center
    conversation_id = await new_conversation(client)
    caption = quote("KTP saya 3273010101900001")
    response = await _upload(
        client, app, conversation_id, JPEG, "ktp 3273010101900001.jpg", **{"X-Caption": caption}
    )
    assert response.status_code == 201
    stored = (await stored_messages(app, conversation_id))[-1]
    assert "3273010101900001" not in stored.text
    assert "3273010101900001" not in str(stored.content)
    assert stored.content == {**response.json()["message"]["content"], **stored.content}
    assert stored.content["id"] == response.json()["message"]["content"]["id"]  # still opens
