"""The web widget's WebSocket: `/api/v1/conversations/{id}/ws` (frames in docs/channels.md).

The client sends inbound events of the internal message model (`text`, `button`,
`list_choice`, `location`) as JSON text frames, each with an optional `id`; every event gets
exactly one answer frame with the same `id`: `result` (the HTTP API's send result: the
message was stored before this answer) or `error` (`code` and an Indonesian `detail`). An
event may carry `client_message_id` (a UUID the widget makes once per message): sent again on
a new socket after the old one died unanswered, it gets the first attempt's result, never a
second turn (api/conversations/resend.py).
While the bot thinks the server sends `typing` frames. Messages that answer no frame (an
agent's reply, a hand-off notice, the bot's message when an agent hands back) are pushed
as `{"type": "message", "message": ...}` from the gateway's events (api/pubsub.py, published
by `push`), so a socket on any replica hears them. Each event goes through the inbound
pipeline's rate limit (connectors/inbound.py) and a citizen's turn (api/conversations/turn.py).
Close codes mirror HTTP statuses: 4403 origin not allowed or a foreign session token, 4404
unknown or not a web conversation, 4400 too many malformed frames, 4413 frame too large, 4429 flooding,
4401 no valid session.

The session (connectors/web/session.py): the first frame must be `{"type": "auth", "token":
...}` with the conversation's session token (never in the URL, which logs keep), answered by
`{"type": "ready"}`; each `result` carries a fresh `session_token`. The socket is closed (4401)
once the citizen has sent nothing for `AW_WIDGET_IDLE_MINUTES`: pings and pushes do not count.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlsplit

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from pydantic import ValidationError

from api.conversations import store, turn
from api.conversations.model import (
    INBOUND,
    ButtonClickIn,
    ContactIn,
    Inbound,
    ListChoiceIn,
    LocationIn,
    TextIn,
)
from api.core.config import Settings
from api.deps import MAX_DB_ID
from api.models import Conversation, Message
from api.pubsub import Broadcaster, conversation_topic
from api.schemas import Channel, MessageOut, SendResult
from api.text import clean_text
from connectors import inbound
from connectors.inbound import ChannelContext
from connectors.ratelimit import RATE_LIMITED_TEXT, IpLimits, client_ip
from connectors.web import session as widget_session

logger = logging.getLogger(__name__)

router = APIRouter()

# Close codes (RFC 6455 leaves 4000-4999 to applications): 4000 + the HTTP status.
CLOSE_FORBIDDEN = 4403
CLOSE_NOT_FOUND = 4404
CLOSE_MALFORMED = 4400
CLOSE_TOO_LARGE = 4413
CLOSE_FLOODING = 4429
CLOSE_UNAUTHORIZED = 4401
# The first frame (the session token) must come within this time.
AUTH_TIMEOUT_SECONDS = 10.0
# A client that keeps sending bad or refused frames is cut off after this many in a row.
MAX_BAD_FRAMES = 10
_MAX_ID_CHARS = 64
ACTIVITY_EVERY_SECONDS = 1.0

INVALID_FRAME = "Format pesan tidak valid."
UNSUPPORTED = "Jenis pesan ini tidak didukung di sini. Silakan ketik pesan Anda."
SERVER_ERROR = "Mohon maaf, terjadi kesalahan pada sistem. Silakan coba lagi."
NOT_FOUND = "Percakapan tidak ditemukan."


@dataclass
class FrameError(Exception):
    """A frame that is answered with an error frame; the connection stays open."""

    code: str
    detail: str
    bad: bool = True  # counts towards MAX_BAD_FRAMES


def widget_origins(settings: Settings) -> list[str]:
    """The origins allowed to embed the widget: `["*"]`, a list, or `[]` (own page only)."""
    return [origin.strip().rstrip("/") for origin in settings.widget_origins.split(",") if origin.strip()]


def origin_allowed(origin: str | None, host: str | None, settings: Settings) -> bool:
    """Whether a browser page from `origin` may use the widget's API. No Origin header: not a
    browser page (curl, a server), which the open conversation API admits anyway."""
    if origin is None:
        return True
    allowed = widget_origins(settings)
    if "*" in allowed or origin.rstrip("/") in allowed:
        return True
    own_hosts = {host, urlsplit(str(settings.public_url)).netloc if settings.public_url else None}
    return urlsplit(origin).netloc in own_hosts - {None}


@router.websocket("/api/v1/conversations/{conversation_id}/ws")
async def conversation_socket(websocket: WebSocket, conversation_id: str) -> None:
    settings: Settings = websocket.app.state.settings
    # Accept first: a close before the handshake reaches the browser as a bare 1006.
    await websocket.accept()
    code = await _opening_refusal(websocket, conversation_id, settings)
    if code is None:
        code = await _session_refusal(websocket, uuid.UUID(conversation_id), settings)
    if code is not None:
        await _close(websocket, code)
        return
    conversation = uuid.UUID(conversation_id)
    logger.info("ws open conversation=%s", conversation)
    broadcaster: Broadcaster = websocket.app.state.broadcaster
    async with broadcaster.subscribe(conversation_topic(conversation)) as pushed:
        pusher = asyncio.create_task(_push(websocket, pushed))
        try:
            code = await _serve(websocket, conversation, settings)
        except WebSocketDisconnect:
            code = None
        except Exception:
            logger.exception("ws failed conversation=%s", conversation)
            code = 1011  # internal error
        finally:
            pusher.cancel()
            with contextlib.suppress(asyncio.CancelledError, WebSocketDisconnect, RuntimeError):
                await pusher
    if code is not None:
        await _close(websocket, code)
    logger.info("ws closed conversation=%s code=%s", conversation, code or "by client")


async def _push(websocket: WebSocket, pushed: asyncio.Queue[dict[str, Any]]) -> None:
    while True:
        await websocket.send_json(await pushed.get())


async def _close(websocket: WebSocket, code: int) -> None:
    with contextlib.suppress(WebSocketDisconnect, RuntimeError):  # the client is gone already
        await websocket.close(code)


async def _opening_refusal(websocket: WebSocket, conversation_id: str, settings: Settings) -> int | None:
    """Why this socket may not open (a close code), or None. Only web conversations open here:
    Telegram's and WhatsApp's come from their signed webhooks alone."""
    limits: IpLimits = websocket.app.state.ip_limits
    if not (await limits.sockets.admit("ip-sockets", client_ip(websocket))).allowed:
        logger.warning("ws refused: too many opens from one address")
        return CLOSE_FLOODING
    if not origin_allowed(websocket.headers.get("origin"), websocket.headers.get("host"), settings):
        logger.warning("ws refused: origin not allowed")
        return CLOSE_FORBIDDEN
    try:
        conversation_uuid = uuid.UUID(conversation_id)
    except ValueError:
        logger.warning("ws refused: malformed conversation id")
        return CLOSE_NOT_FOUND
    async with websocket.app.state.sessionmaker() as session:
        conversation = await session.get(Conversation, conversation_uuid)
    if conversation is None:
        logger.warning("ws refused: unknown conversation=%s", conversation_uuid)
        return CLOSE_NOT_FOUND
    if conversation.channel != Channel.WEB:  # answered like an unknown id: nothing to learn
        logger.warning("ws refused: conversation=%s is not a web conversation", conversation_uuid)
        return CLOSE_NOT_FOUND
    return None


async def _session_refusal(
    websocket: WebSocket, conversation_id: uuid.UUID, settings: Settings
) -> int | None:
    """Read the first frame, the session token: None when it opens the conversation."""
    try:
        frame = await asyncio.wait_for(websocket.receive(), AUTH_TIMEOUT_SECONDS)
        body = json.loads(frame.get("text") or "null")
    except (TimeoutError, ValueError):
        body = None
    token = body.get("token") if isinstance(body, dict) and body.get("type") == "auth" else None
    refusal = widget_session.check(settings, token if isinstance(token, str) else None, conversation_id)
    if refusal is not None:
        logger.warning("ws refused: session %s conversation=%s", refusal.value, conversation_id)
        return CLOSE_FORBIDDEN if refusal is widget_session.Refusal.OTHER_CONVERSATION else CLOSE_UNAUTHORIZED
    await websocket.send_json({"type": "ready"})
    return None


async def _serve(websocket: WebSocket, conversation_id: uuid.UUID, settings: Settings) -> int | None:
    """Answer frames until the client leaves (None) or must be cut off (a close code)."""
    max_frame_chars = 12 * (settings.max_message_chars + settings.max_metadata_chars) + 1024
    idle = settings.widget_idle_minutes * 60
    loop = asyncio.get_running_loop()
    active_until = loop.time() + idle
    bad_in_a_row = 0
    quiet_until: dict[str, float] = {}  # typing and read frames closer than a second are dropped
    while True:
        try:
            frame = await asyncio.wait_for(websocket.receive(), max(0.0, active_until - loop.time()))
        except TimeoutError:
            logger.info("ws session idle conversation=%s", conversation_id)
            return CLOSE_UNAUTHORIZED
        if frame["type"] == "websocket.disconnect":
            return None
        raw = frame.get("text")
        if raw is not None and len(raw) > max_frame_chars:
            logger.warning("ws frame too large conversation=%s chars=%d", conversation_id, len(raw))
            return CLOSE_TOO_LARGE
        frame_id: str | None = None
        try:
            body = _parse(raw)
            frame_id = _frame_id(body)
            if body.get("type") == "ping":
                await websocket.send_json({"type": "pong", "id": frame_id})
                continue
            kind = body.get("type")
            if kind in ("typing", "read"):  # no answer frame; at most one of each kind a second
                if loop.time() >= quiet_until.get(kind, 0.0):
                    quiet_until[kind] = loop.time() + ACTIVITY_EVERY_SECONDS
                    await _citizen_activity(websocket, conversation_id, body)
                continue
            event = _event(body, settings)
            client_message_id = _client_message_id(body)
            await _admit(websocket, conversation_id)
            await websocket.send_json({"type": "typing", "active": True})
            result = await _handle(websocket, conversation_id, event, client_message_id)
            active_until = loop.time() + idle
            result.session_token = widget_session.issue(settings, conversation_id)
            await websocket.send_json({"type": "result", "id": frame_id, **result.model_dump(mode="json")})
            bad_in_a_row = 0
        except FrameError as error:
            logger.warning("ws frame refused conversation=%s reason=%s", conversation_id, error.code)
            await websocket.send_json(
                {"type": "error", "id": frame_id, "code": error.code, "detail": error.detail}
            )
            bad_in_a_row = bad_in_a_row + 1 if error.bad else 0
            if bad_in_a_row >= MAX_BAD_FRAMES:
                return CLOSE_FLOODING if error.code == "rate_limited" else CLOSE_MALFORMED


class _CitizenActivity(Protocol):
    """The call center's side of a citizen typing or reading (api/callcenter/service.py)."""

    async def citizen_activity(self, conversation_id: uuid.UUID, handoff: Any, activity: str) -> None: ...

    async def read_by_citizen(self, session: Any, conversation_id: uuid.UUID, up_to: int) -> None: ...


async def _citizen_activity(websocket: WebSocket, conversation_id: uuid.UUID, body: dict[str, Any]) -> None:
    """`{"type": "typing"}` while the citizen types, `{"type": "read", "message_id": n}` when the
    widget has shown the messages up to n: told to the agent who has the conversation."""
    callcenter: _CitizenActivity | None = getattr(websocket.app.state, "callcenter", None)
    if callcenter is None:
        return
    context = _context(websocket)
    async with context.sessionmaker() as session:
        if body.get("type") == "read":
            up_to = body.get("message_id")
            if isinstance(up_to, int) and not isinstance(up_to, bool) and 0 < up_to <= MAX_DB_ID:
                await callcenter.read_by_citizen(session, conversation_id, up_to)
            return
        current = await context.bot_conversations.state(session, conversation_id)
    if current is not None:
        await callcenter.citizen_activity(conversation_id, current.handoff, "typing")


def _parse(raw: str | None) -> dict[str, Any]:
    if raw is None:
        raise FrameError("invalid_frame", INVALID_FRAME)  # a binary frame
    try:
        body = json.loads(raw)
    except ValueError:
        raise FrameError("invalid_frame", INVALID_FRAME) from None
    if not isinstance(body, dict):
        raise FrameError("invalid_frame", INVALID_FRAME)
    return body


def _frame_id(body: dict[str, Any]) -> str | None:
    frame_id = body.get("id")
    if frame_id is None:
        return None
    if isinstance(frame_id, int | str) and not isinstance(frame_id, bool):
        return str(frame_id)[:_MAX_ID_CHARS]
    raise FrameError("invalid_frame", INVALID_FRAME)


def _client_message_id(body: dict[str, Any]) -> uuid.UUID | None:
    """The widget's id of the message (a UUID), if the frame carries one."""
    value = body.get("client_message_id")
    if value is None:
        return None
    if isinstance(value, str) and len(value) <= _MAX_ID_CHARS:
        with contextlib.suppress(ValueError):
            return uuid.UUID(value)
    raise FrameError("invalid_frame", INVALID_FRAME)


def _event(body: dict[str, Any], settings: Settings) -> Inbound:
    """The inbound event of a frame, cleaned like the HTTP API's text."""
    try:
        event = INBOUND.validate_python(body)
    except ValidationError:
        raise FrameError("invalid_frame", INVALID_FRAME) from None
    if isinstance(event, ContactIn):
        # The web cannot vouch for a phone number: the citizen types it as text instead.
        raise FrameError("unsupported", UNSUPPORTED)
    if isinstance(event, TextIn):
        text = clean_text(event.text)
        if not text:
            raise FrameError("empty_text", "Pesan tidak boleh kosong.")
        if len(text) > settings.max_message_chars:
            raise FrameError(
                "too_long",
                f"Pesan terlalu panjang. Panjang maksimal {settings.max_message_chars} karakter.",
            )
        return TextIn(text=text)
    if isinstance(event, ButtonClickIn | ListChoiceIn):
        title, payload = clean_text(event.title), clean_text(event.payload)
        if not (title and payload) or max(len(title), len(payload)) > settings.max_message_chars:
            raise FrameError("invalid_frame", INVALID_FRAME)
        return type(event)(title=title, payload=payload)
    assert isinstance(event, LocationIn)
    return LocationIn(latitude=event.latitude, longitude=event.longitude)


def _context(websocket: WebSocket) -> ChannelContext:
    context: ChannelContext = websocket.app.state.channels.context
    return context


async def _admit(websocket: WebSocket, conversation_id: uuid.UUID) -> None:
    # The pipeline's limiter, shared by every channel; the web's sender is the conversation.
    admission = await inbound.rate_limit(_context(websocket), Channel.WEB.value, str(conversation_id))
    if not admission.allowed:
        raise FrameError("rate_limited", RATE_LIMITED_TEXT)


async def _handle(
    websocket: WebSocket, conversation_id: uuid.UUID, event: Inbound, client_message_id: uuid.UUID | None
) -> SendResult:
    """Store the citizen's event, ask the bot, store and return the replies (a resent event:
    the first attempt's)."""
    context = _context(websocket)
    try:
        async with context.sessionmaker() as session:
            current = await context.bot_conversations.state(session, conversation_id)
            if current is None:  # deleted while the socket was open
                raise FrameError("not_found", NOT_FOUND)
            try:
                incoming, replies = await turn.receive_event(
                    session, context.rasa, current.conversation, event,
                    handoff=current.handoff, handoffs=context.handoffs,
                    client_message_id=client_message_id,
                )  # fmt: skip
            except store.DuplicateMessage as resent:
                answered = await context.resends.answer(session, resent.message_id)
                if answered is None:  # erased meanwhile
                    raise FrameError("not_found", NOT_FOUND) from None
                incoming, replies = answered
    except FrameError:
        raise
    except Exception:
        # The traceback holds no message text (SQL parameters are hidden).
        logger.exception("ws message failed conversation=%s", conversation_id)
        raise FrameError("server_error", SERVER_ERROR, bad=False) from None
    finally:
        await websocket.send_json({"type": "typing", "active": False})
    return SendResult(
        conversation_id=conversation_id,
        message_id=incoming.id,
        rasa_status=incoming.rasa_status,
        text=store.shown_text(incoming),  # a warnet PC: the typed NIK leaves the screen
        replies=[MessageOut.model_validate(reply) for reply in replies],
    )


async def push(broadcaster: Broadcaster, conversation_id: uuid.UUID, messages: list[Message]) -> None:
    """Messages that answer no frame, to the conversation's open sockets on every replica."""
    topic = conversation_topic(conversation_id)
    for message in messages:
        body = MessageOut.model_validate(message).model_dump(mode="json")
        await broadcaster.publish(topic, {"type": "message", "message": body})
