"""`Idempotency-Key` on the service API's POSTs: a retried request never opens a second case,
billing or ticket.

The actions send one key per turn (the conversation and the turn's message id,
actions/gateway.py). The first request with a key reserves it (a row with status 0, committed
before the route runs, so a concurrent twin finds it: 409 `in_progress`), runs, and stores its
answer; a later request with the same key, method, path and body gets that answer again,
marked `Idempotent-Replayed: true`. An answer of 5xx is not kept (the retry runs again), and
neither is the key of a caller without the service token (the route answers it 401). Rows
live `KEEP` (a day); only a hash of key, method, path and body is stored as their key.
"""

from __future__ import annotations

import hashlib
import json
import logging
from datetime import timedelta
from typing import Any

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.models import IdempotentResponse, utcnow

logger = logging.getLogger(__name__)

HEADER = "idempotency-key"
REPLAYED = "Idempotent-Replayed"
KEEP = timedelta(days=1)
MAX_KEY_CHARS = 255
MAX_BODY_BYTES = 1 << 20
IN_PROGRESS = {
    "code": "in_progress",
    "detail": "Permintaan yang sama sedang diproses. Silakan tunggu sebentar.",
}
BAD_KEY = {"code": "invalid_input", "detail": "Idempotency-Key tidak valid."}
TOO_LARGE = {"code": "invalid_input", "detail": "Permintaan terlalu besar."}


def key_hash(key: str, method: str, path: str, query: bytes, body: bytes) -> str:
    digest = hashlib.sha256()
    for part in (key.encode(), method.encode(), path.encode(), query, body):
        digest.update(len(part).to_bytes(8, "big") + part)
    return digest.hexdigest()


class IdempotencyMiddleware:
    """Pure ASGI middleware of the service app (api.main.create_service_app)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        key = headers.get(HEADER)
        state = scope["app"].state
        # Imported here: api.service_api imports this module.
        from api.service_api import token_ok

        if key is None or not token_ok(state.settings, headers.get("authorization")):
            await self.app(scope, receive, send)
            return
        if not key.strip() or len(key) > MAX_KEY_CHARS:
            await _send_json(send, 422, BAD_KEY)
            return
        body = await _read_body(receive)
        if body is None:
            await _send_json(send, 413, TOO_LARGE)
            return
        digest = key_hash(key, scope["method"], scope["path"], scope.get("query_string", b""), body)
        sessionmaker: async_sessionmaker[AsyncSession] = state.sessionmaker
        stored = await _reserve(sessionmaker, digest)
        if stored is not None:
            if stored.status == 0:
                await _send_json(send, 409, IN_PROGRESS)
            else:
                area = scope["path"].split("/")[3] if scope["path"].count("/") > 3 else "?"
                logger.info("idempotent replay area=%s status=%s", area, stored.status)
                await _send(
                    send, stored.status, stored.content_type, (stored.body or "").encode(), replayed=True
                )
            return
        await self._run(scope, receive, body, send, sessionmaker, digest)

    async def _run(
        self,
        scope: Scope,
        receive: Receive,
        body: bytes,
        send: Send,
        sessionmaker: async_sessionmaker[AsyncSession],
        digest: str,
    ) -> None:
        sent = False

        async def replay_body() -> Message:
            nonlocal sent
            if sent:  # the body was read: from now on, what the client does (a disconnect)
                return await receive()
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        status, content_type, chunks = 500, None, []

        async def capture(message: Message) -> None:
            nonlocal status, content_type
            if message["type"] == "http.response.start":
                status = message["status"]
                content_type = Headers(raw=message.get("headers", [])).get("content-type")
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, replay_body, capture)
        finally:
            await _settle(sessionmaker, digest, status, content_type, b"".join(chunks))


async def _reserve(sessionmaker: async_sessionmaker[AsyncSession], digest: str) -> IdempotentResponse | None:
    """None when this request holds the key now; else the row another request left."""
    now = utcnow()
    async with sessionmaker() as session:
        await session.execute(delete(IdempotentResponse).where(IdempotentResponse.created_at < now - KEEP))
        session.add(IdempotentResponse(key_hash=digest, created_at=now, status=0))
        try:
            await session.commit()
            return None
        except IntegrityError:
            await session.rollback()
        return await session.get(IdempotentResponse, digest)


async def _settle(
    sessionmaker: async_sessionmaker[AsyncSession],
    digest: str,
    status: int,
    content_type: str | None,
    body: bytes,
) -> None:
    """Keep the answer; or, for a 5xx (or a failure), free the key for a retry."""
    async with sessionmaker() as session:
        row = await session.get(IdempotentResponse, digest)
        if row is None:
            return
        if status >= 500:
            await session.delete(row)
        else:
            row.status, row.content_type, row.body = status, content_type, body.decode("utf-8", "replace")
        await session.commit()


async def _read_body(receive: Receive) -> bytes | None:
    """The whole body, or None past `MAX_BODY_BYTES`."""
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


async def _send_json(send: Send, status: int, content: dict[str, Any]) -> None:
    await _send(send, status, "application/json", json.dumps(content).encode())


async def _send(
    send: Send, status: int, content_type: str | None, body: bytes, replayed: bool = False
) -> None:
    headers = [(b"content-length", str(len(body)).encode())]
    if content_type:
        headers.append((b"content-type", content_type.encode()))
    if replayed:
        headers.append((REPLAYED.lower().encode(), b"true"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
