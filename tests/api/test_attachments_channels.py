"""Files and photos on Telegram and WhatsApp, through their webhooks and clients, against a
local fake of the Bot API and the Graph API that serves and takes files."""

from __future__ import annotations

import itertools
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import default
from typing import Any
from urllib.parse import parse_qsl

import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI
from sqlalchemy import select
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from api.attachments import files, limits
from api.models import Attachment, Author, ChannelThread, DeliveryStatus, Message
from tests.api.callcenter.support import ALWAYS_OPEN, add_agent, console, fresh_call_center, handoff_bot
from tests.api.fake_rasa import FakeRasa
from tests.api.support import GatewayFactory
from tests.api.test_attachments import JPEG, PDF
from tests.connectors.fake_channels import BOT_USER, GRAPH_TOKEN, TELEGRAM_TOKEN, serve
from tests.connectors.test_telegram import message_update, post_update, telegram_settings
from tests.connectors.test_whatsapp import inbound, post, whatsapp_settings

pytestmark = pytest.mark.asyncio

_chats = itertools.count(777_000_001)
_numbers = itertools.count(6281377000001)


def _multipart(content_type: str, body: bytes) -> dict[str, Any]:
    """A multipart/form-data body as {name: text, or (filename, bytes) for a file}."""
    head = f"Content-Type: {content_type}\r\n\r\n".encode()
    parsed = BytesParser(policy=default).parsebytes(head + body)
    fields: dict[str, Any] = {}
    for part in parsed.iter_parts():
        name = part.get_param("name", header="content-disposition")
        data = part.get_payload(decode=True) or b""
        filename = part.get_filename()
        fields[str(name)] = (filename, data) if filename else data.decode()
    return fields


@dataclass
class FakeMedia:
    """Telegram's Bot API and Meta's Graph API, the parts that carry files."""

    url: str = ""
    # file_id / media id → bytes the citizen sent.
    files: dict[str, bytes] = field(default_factory=dict)
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    uploads: dict[str, tuple[str, bytes, str]] = field(default_factory=dict)
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def sent(self, *methods: str) -> list[dict[str, Any]]:
        return [params for method, params in self.calls if method in methods]

    async def _params(self, request: Request) -> dict[str, Any]:
        body = await request.body()
        content_type = request.headers.get("content-type", "")
        if content_type.startswith("multipart/form-data"):
            return _multipart(content_type, body)
        if content_type.startswith("application/json"):
            return dict(await request.json())
        return dict(parse_qsl(body.decode(), keep_blank_values=True))

    def app(self) -> Starlette:
        async def bot_api(request: Request) -> Response:
            if request.path_params["token"] != TELEGRAM_TOKEN:
                return JSONResponse({"ok": False, "error_code": 401, "description": "Unauthorized"}, 401)
            method, params = request.path_params["method"], await self._params(request)
            self.calls.append((method, params))
            if method == "getMe":
                return JSONResponse({"ok": True, "result": BOT_USER})
            if method == "getFile":
                if params["file_id"] not in self.files:
                    description = "Bad Request: invalid file_id"
                    return JSONResponse({"ok": False, "error_code": 400, "description": description}, 400)
                data = self.files[params["file_id"]]
                result = {"file_id": params["file_id"], "file_unique_id": "u", "file_size": len(data)}
                return JSONResponse(
                    {"ok": True, "result": {**result, "file_path": f"docs/{params['file_id']}"}}
                )
            if method.startswith("send"):
                message = {
                    "message_id": next(self._ids),
                    "date": int(time.time()),
                    "chat": {"id": int(params["chat_id"]), "type": "private"},
                }
                return JSONResponse({"ok": True, "result": message})
            return JSONResponse({"ok": True, "result": True})

        async def bot_file(request: Request) -> Response:
            if request.path_params["token"] != TELEGRAM_TOKEN:
                return Response(status_code=401)
            file_id = request.path_params["path"].rsplit("/", 1)[-1]
            return Response(self.files[file_id], media_type="application/octet-stream")

        def authorised(request: Request) -> bool:
            return request.headers.get("authorization") == f"Bearer {GRAPH_TOKEN}"

        async def graph_media(request: Request) -> Response:
            media_id = request.path_params["media_id"]
            if not authorised(request) or media_id not in self.files:
                return JSONResponse({"error": {"code": 100, "type": "OAuthException"}}, 404)
            url = f"{self.url}/download/{media_id}"
            return JSONResponse({"url": url, "file_size": len(self.files[media_id]), "id": media_id})

        async def graph_download(request: Request) -> Response:
            if not authorised(request):
                return Response(status_code=401)
            return Response(self.files[request.path_params["media_id"]])

        async def graph_upload(request: Request) -> Response:
            if not authorised(request):
                return Response(status_code=401)
            params = await self._params(request)
            name, data = params["file"]
            media_id = f"media-{next(self._ids)}"
            self.uploads[media_id] = (name, data, params["type"])
            return JSONResponse({"id": media_id})

        async def graph_send(request: Request) -> Response:
            body = await request.json()
            self.calls.append(("messages", body))
            wamid = f"wamid.OUT{next(self._ids)}"
            return JSONResponse({"messaging_product": "whatsapp", "messages": [{"id": wamid}]})

        return Starlette(
            routes=[
                Route("/bot/file{token}/{path:path}", bot_file),
                Route("/bot{token}/{method}", bot_api, methods=["GET", "POST"]),
                Route("/v21.0/{phone_number_id}/media", graph_upload, methods=["POST"]),
                Route("/v21.0/{phone_number_id}/messages", graph_send, methods=["POST"]),
                Route("/v21.0/{media_id}", graph_media),
                Route("/download/{media_id}", graph_download),
            ]
        )


@pytest.fixture(scope="module")
def _media_server() -> Iterator[FakeMedia]:
    fake = FakeMedia()
    with serve(fake.app()) as url:
        fake.url = url
        yield fake


@pytest.fixture
def fake(_media_server: FakeMedia) -> FakeMedia:
    _media_server.calls, _media_server.files, _media_server.uploads = [], {}, {}
    return _media_server


@pytest_asyncio.fixture
async def channels(
    gateway: GatewayFactory, fake: FakeMedia, fake_rasa: FakeRasa
) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    handoff_bot(fake_rasa)
    settings = {
        **telegram_settings(_Urls(f"{fake.url}/bot")),
        **whatsapp_settings(_Urls(f"{fake.url}/v21.0")),
        **ALWAYS_OPEN,
    }
    async with gateway(**settings) as running:
        await fresh_call_center(running[0])
        yield running


@dataclass
class _Urls:
    api_url: str


async def _kept(app: FastAPI, channel: str, user: str) -> list[tuple[Attachment, bytes | None]]:
    async with app.state.sessionmaker() as session:
        thread = await session.scalar(
            select(ChannelThread).where(
                ChannelThread.channel == channel, ChannelThread.channel_user_id == user
            )
        )
        if thread is None:
            return []
        rows = (
            await session.scalars(
                select(Attachment).where(Attachment.conversation_id == thread.conversation_id)
            )
        ).all()
    return [(row, await app.state.attachments.get(row.storage_key)) for row in rows]


async def test_a_telegram_photo_is_downloaded_checked_and_kept_once(
    channels: tuple[FastAPI, httpx.AsyncClient], fake: FakeMedia
) -> None:
    app, client = channels
    chat_id = next(_chats)
    fake.files["big"] = JPEG
    photo = [
        {"file_id": "small", "file_unique_id": "s", "width": 90, "height": 90, "file_size": 10},
        {"file_id": "big", "file_unique_id": "b", "width": 1280, "height": 960, "file_size": len(JPEG)},
    ]
    update = message_update(chat_id, photo=photo, caption="KK saya")
    assert (await post_update(client, update)).status_code == 200
    assert (await post_update(client, update)).status_code == 200  # Telegram retries it

    kept = await _kept(app, "telegram", str(chat_id))
    assert len(kept) == 1
    row, data = kept[0]
    assert (row.kind, row.author, row.filename, data) == ("jpeg", Author.CITIZEN, "foto.jpg", JPEG)
    assert [params["file_id"] for params in fake.sent("getFile")] == ["big"]
    assert [params["text"] for params in fake.sent("sendMessage")] == [files.RECEIVED_TEXT]


async def test_a_telegram_file_of_another_kind_or_too_large_is_refused(
    channels: tuple[FastAPI, httpx.AsyncClient], fake: FakeMedia
) -> None:
    app, client = channels
    chat_id = next(_chats)
    fake.files["exe"] = b"MZ\x90\x00" + b"\x00" * 100
    document = {"file_id": "exe", "file_unique_id": "e", "file_name": "formulir.pdf", "file_size": 104}
    assert (await post_update(client, message_update(chat_id, document=document))).status_code == 200
    huge = {**document, "file_id": "huge", "file_size": limits.max_bytes("telegram") + 1}
    assert (await post_update(client, message_update(chat_id, document=huge))).status_code == 200
    expired = {**document, "file_id": "expired", "file_size": 100}
    assert (await post_update(client, message_update(chat_id, document=expired))).status_code == 200

    assert await _kept(app, "telegram", str(chat_id)) == []
    assert [params["file_id"] for params in fake.sent("getFile")] == ["exe", "expired"]  # never the huge one
    texts = [params["text"] for params in fake.sent("sendMessage")]
    assert texts == [files.UNSUPPORTED_TEXT, files.too_large("telegram").text, files.UNAVAILABLE_TEXT]


async def test_an_agent_sends_a_document_to_telegram_and_a_photo_to_whatsapp(
    channels: tuple[FastAPI, httpx.AsyncClient], fake: FakeMedia
) -> None:
    app, client = channels
    agent = await add_agent(app)
    chat_id, number = next(_chats), str(next(_numbers))
    assert (await post_update(client, message_update(chat_id, text="/request_human"))).status_code == 200
    assert (await post(client, inbound(number, "text", {"body": "request_human"}))).status_code == 200

    async with console(app, agent) as desk:
        handoffs = (await desk.get("/console/api/handoffs?scope=queue")).json()
        ids = [handoff["id"] for handoff in handoffs]
        assert len(ids) >= 2
        for handoff_id in ids[-2:]:
            assert (await desk.post(f"/console/api/handoffs/{handoff_id}/claim")).status_code == 200
        fake.calls = []
        for handoff_id, (data, name) in zip(
            ids[-2:], [(PDF, "Syarat.pdf"), (JPEG, "Contoh.jpg")], strict=True
        ):
            sent = await desk.post(
                f"/console/api/handoffs/{handoff_id}/attachments",
                content=data,
                headers={"X-File-Name": name, "X-Caption": "Silakan dibaca"},
            )
            assert sent.status_code == 201, sent.text

    # Telegram: the bytes themselves, uploaded with sendDocument (sendPhoto for the photo).
    uploaded = fake.sent("sendDocument", "sendPhoto")
    whatsapp = fake.sent("messages")
    assert len(uploaded) + len(whatsapp) == 2
    for params in uploaded:
        assert int(params["chat_id"]) == chat_id
        media = params.get("document") or params.get("photo")
        assert media[1] in (PDF, JPEG)
        assert params["caption"] == "Silakan dibaca"
    # WhatsApp: uploaded to /media, then a message with its media id.
    for body in whatsapp:
        kind = body["type"]
        media_id = body[kind]["id"]
        name, data, content_type = fake.uploads[media_id]
        assert (kind, content_type) in (("image", "image/jpeg"), ("document", "application/pdf"))
        assert data in (PDF, JPEG)
        assert body["to"] == number

    async with app.state.sessionmaker() as session:
        statuses = (
            await session.scalars(
                select(Message.delivery_status).where(
                    Message.author == Author.AGENT, Message.agent_id == agent.id
                )
            )
        ).all()
    assert statuses == [DeliveryStatus.SENT, DeliveryStatus.SENT]


async def test_a_whatsapp_image_is_downloaded_through_the_graph_api_and_kept(
    channels: tuple[FastAPI, httpx.AsyncClient], fake: FakeMedia
) -> None:
    app, client = channels
    number = str(next(_numbers))
    fake.files["1234567890"] = PDF
    document = {"id": "1234567890", "mime_type": "image/jpeg", "filename": "../surat.exe", "caption": "Surat"}
    payload = inbound(number, "document", document)
    assert (await post(client, payload)).status_code == 200
    assert (await post(client, payload)).status_code == 200  # Meta retries it

    kept = await _kept(app, "whatsapp", number)
    assert len(kept) == 1
    row, data = kept[0]
    # The content is a PDF, whatever Meta was told; the name keeps no path.
    assert (row.kind, row.filename, data) == ("pdf", "surat.pdf", PDF)
    notices = [body["text"]["body"] for body in fake.sent("messages")]
    assert notices == [files.RECEIVED_TEXT]

    missing = inbound(number, "image", {"id": "9999", "mime_type": "image/jpeg"})
    assert (await post(client, missing)).status_code == 200
    assert [body["text"]["body"] for body in fake.sent("messages")][-1].startswith(
        "Mohon maaf, berkas Anda belum"
    )
    assert len(await _kept(app, "whatsapp", number)) == 1
