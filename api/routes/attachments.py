"""Files and photos of a conversation (api/attachments), for the two who may see them:

- the citizen in the web widget, with the conversation's session token (`X-Session-Token`):
  `POST /api/v1/conversations/{id}/attachments` (the raw bytes; the name in `X-File-Name`,
  percent-encoded; an optional caption in `X-Caption`) and `GET …/attachments/{attachment_id}`;
- the agents who may see the conversation's hand-off (console cookie):
  `POST /console/api/handoffs/{id}/attachments` (its owner only, like a reply) and
  `GET /console/api/handoffs/{id}/attachments/{attachment_id}`.

Anyone else gets 404, as for an unknown id. A file is served with its checked type, as a
download unless it is an image, and never sniffed or run by the browser.
"""

from __future__ import annotations

import logging
import uuid
from typing import Annotated
from urllib.parse import quote, unquote

from fastapi import APIRouter, Depends, Header, HTTPException, Request, Response, status
from pydantic import BaseModel

from api.attachments import files, kinds
from api.attachments.kinds import Kind
from api.attachments.storage import Storage
from api.callcenter.auth import CurrentAgent
from api.callcenter.handoff import Conflict
from api.callcenter.service import CallCenterDep, can_see
from api.conversations import store
from api.db import SessionDep
from api.deps import ConversationStateDep, DbId, SettingsDep
from api.models import Attachment, Author, Handoff
from api.routes.widget_session import SessionConversationDep, TokenHeader, require_session
from api.schemas import ErrorOut, MessageOut
from connectors.channels import RateLimiterDep
from connectors.ratelimit import RATE_LIMITED_TEXT

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/api/v1/conversations/{conversation_id}/attachments", tags=["attachments"])
console = APIRouter(prefix="/console/api/handoffs/{handoff_id}/attachments", tags=["console"])

NOT_FOUND = "Berkas tidak ditemukan."
HANDOFF_NOT_FOUND = "Percakapan tidak ditemukan."
NOT_YOURS = "Percakapan ini tidak sedang Anda tangani."
MAX_NAME_HEADER = 1024


class Uploaded(BaseModel):
    """The citizen's file as stored, and what to tell them: with the bot (which reads no
    files), that it is kept for an agent; None when an agent has the conversation."""

    message: MessageOut
    notice: str | None = None


FileName = Annotated[str | None, Header(alias="X-File-Name", max_length=MAX_NAME_HEADER)]
Caption = Annotated[str | None, Header(alias="X-Caption", max_length=4 * files.MAX_CAPTION)]


def _storage(request: Request) -> Storage:
    storage: Storage = request.app.state.attachments
    return storage


StorageDep = Annotated[Storage, Depends(_storage)]


async def _body(request: Request, channel: str) -> bytes:
    """The upload, read up to the channel's limit (a larger one stops being read)."""
    limit = files.limits.max_bytes(channel)
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise HTTPException(status.HTTP_413_CONTENT_TOO_LARGE, files.too_large(channel).text)
    data = bytearray()
    async for chunk in request.stream():
        data.extend(chunk)
        if len(data) > limit:
            raise HTTPException(status.HTTP_413_CONTENT_TOO_LARGE, files.too_large(channel).text)
    return bytes(data)


async def _checked(data: bytes, name: str | None, channel: str) -> files.Checked:
    try:
        return await files.check(data, unquote(name) if name else None, channel)
    except files.Rejected as error:
        code = status.HTTP_413_CONTENT_TOO_LARGE if error.reason == "too_large" else 415
        if error.reason == "empty":
            code = status.HTTP_400_BAD_REQUEST
        logger.info("attachment refused reason=%s", error.reason)
        raise HTTPException(code, error.text) from error


def _caption(value: str | None) -> str | None:
    return files.clean_caption(unquote(value)) if value else None


def _served(attachment: Attachment, data: bytes) -> Response:
    kind = Kind(attachment.kind)
    disposition = "inline" if kinds.is_image(kind) else "attachment"
    name = attachment.filename or "berkas"
    ascii_name = name.encode("ascii", "replace").decode().replace("?", "_").replace('"', "_")
    return Response(
        content=data,
        media_type=kinds.CONTENT_TYPES[kind],
        headers={
            "Content-Disposition": (
                f"{disposition}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"
            ),
            "Cache-Control": "private, no-store",
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; sandbox",
            "Cross-Origin-Resource-Policy": "same-site",
        },
    )


async def _load(
    session: SessionDep, storage: Storage, conversation_id: uuid.UUID, attachment_id: uuid.UUID
) -> Response:
    attachment = await files.find(session, conversation_id, attachment_id)
    data = await storage.get(attachment.storage_key) if attachment is not None else None
    if attachment is None or data is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, NOT_FOUND)
    return _served(attachment, data)


# --- The citizen (web widget) -----------------------------------------------------------------

_CITIZEN_ERRORS: dict[int | str, dict[str, object]] = {
    code: {"model": ErrorOut} for code in (400, 401, 403, 404, 413, 415, 429)
}


@router.post("", status_code=status.HTTP_201_CREATED, responses=_CITIZEN_ERRORS)
async def upload(
    request: Request,
    state: ConversationStateDep,
    session: SessionDep,
    settings: SettingsDep,
    storage: StorageDep,
    limiter: RateLimiterDep,
    callcenter: CallCenterDep,
    token: TokenHeader = None,
    name: FileName = None,
    caption: Caption = None,
) -> Uploaded:
    """A photo (JPEG, PNG, WebP) or a PDF from the citizen, kept with the conversation and
    shown to the agents who handle it. The bot does not read files: with the bot, the
    citizen is told the file is kept for an agent (`content.type` "attachment")."""
    conversation = state.conversation
    require_session(settings, conversation, token)
    if not (await limiter.admit(conversation.channel, str(conversation.id))).allowed:
        raise HTTPException(status.HTTP_429_TOO_MANY_REQUESTS, RATE_LIMITED_TEXT)
    checked = await _checked(await _body(request, "web"), name, "web")
    message, _ = await files.keep(
        session,
        storage,
        conversation.id,
        checked,
        author=Author.CITIZEN,
        channel="web",
        caption=_caption(caption),
    )
    await session.commit()
    await store.mask_stored(session, [message])  # a caption or name may hold a NIK
    await callcenter.on_message_for_people(state.handoff)  # agents see it in the console
    notice = None if state.handoff is not None else files.RECEIVED_TEXT
    return Uploaded(message=MessageOut.model_validate(message), notice=notice)


@router.get("/{attachment_id}", responses={code: {"model": ErrorOut} for code in (401, 403, 404)})
async def citizen_download(
    attachment_id: uuid.UUID,
    conversation: SessionConversationDep,
    session: SessionDep,
    storage: StorageDep,
) -> Response:
    """The file, for the conversation's citizen (`X-Session-Token`)."""
    return await _load(session, storage, conversation.id, attachment_id)


# --- Agents (console) -------------------------------------------------------------------------


async def _handoff(session: SessionDep, handoff_id: int, agent: CurrentAgent) -> Handoff:
    handoff = await session.get(Handoff, handoff_id)
    if handoff is None or not can_see(agent, handoff):
        raise HTTPException(status.HTTP_404_NOT_FOUND, HANDOFF_NOT_FOUND)
    return handoff


@console.post(
    "",
    status_code=status.HTTP_201_CREATED,
    responses={code: {"model": ErrorOut} for code in (400, 404, 409, 413, 415)},
)
async def agent_upload(
    handoff_id: DbId,
    request: Request,
    agent: CurrentAgent,
    session: SessionDep,
    storage: StorageDep,
    callcenter: CallCenterDep,
    name: FileName = None,
    caption: Caption = None,
) -> MessageOut:
    """An agent attaches a document or photo (e.g. a requirements sheet): sent on the
    citizen's channel, kept with the conversation. Only the agent handling the hand-off."""
    handoff = await _handoff(session, handoff_id, agent)
    checked = await _checked(await _body(request, "console"), name, "console")
    try:
        message = await callcenter.send_file(
            session, handoff, agent, lambda: files.keep(
                session, storage, handoff.conversation_id, checked,
                author=Author.AGENT, channel="console", caption=_caption(caption),
            ),
        )  # fmt: skip
    except Conflict:
        raise HTTPException(status.HTTP_409_CONFLICT, NOT_YOURS) from None
    return MessageOut.model_validate(message)


@console.get("/{attachment_id}", responses={404: {"model": ErrorOut}})
async def agent_download(
    handoff_id: DbId, attachment_id: uuid.UUID, agent: CurrentAgent, session: SessionDep, storage: StorageDep
) -> Response:
    """The file, for an agent who may see the hand-off."""
    handoff = await _handoff(session, handoff_id, agent)
    return await _load(session, storage, handoff.conversation_id, attachment_id)
