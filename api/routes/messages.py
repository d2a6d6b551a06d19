from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, status

from api.callcenter.service import CallCenterDep
from api.conversations import store, turn
from api.deps import (
    CONVERSATION_NOT_FOUND,
    MAX_DB_ID,
    ConversationStateDep,
    RasaDep,
    SessionDep,
    SettingsDep,
)
from api.routes.widget_session import (
    SESSION_REQUIRED,
    SessionConversationDep,
    TokenHeader,
    require_session,
)
from api.schemas import ErrorOut, History, MessageIn, MessageOut, SendResult
from connectors.channels import RateLimiterDep, ResendsDep
from connectors.ratelimit import RATE_LIMITED_TEXT
from connectors.web import session as widget_session

router = APIRouter(prefix="/conversations/{conversation_id}/messages", tags=["messages"])

_NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorOut, "description": CONVERSATION_NOT_FOUND}
}


@router.post(
    "",
    responses={
        **_NOT_FOUND,
        401: {"model": ErrorOut, "description": SESSION_REQUIRED},
        403: {"model": ErrorOut, "description": SESSION_REQUIRED},
        413: {"model": ErrorOut, "description": "Pesan terlalu panjang."},
        429: {"model": ErrorOut, "description": "Terlalu banyak pesan dalam waktu singkat."},
    },
)
async def send_message(
    body: MessageIn,
    state: ConversationStateDep,
    session: SessionDep,
    rasa: RasaDep,
    settings: SettingsDep,
    limiter: RateLimiterDep,
    callcenter: CallCenterDep,
    resends: ResendsDep,
    token: TokenHeader = None,
) -> SendResult:
    """Store the citizen's message, forward it to the bot and return the bot's replies.

    If the bot cannot be reached the message stays stored (`rasa_status: failed`) and the
    single reply is a system message asking the citizen to try again later (still 200).
    More than `AW_RATE_LIMIT_MESSAGES` messages of one conversation within
    `AW_RATE_LIMIT_WINDOW_SECONDS` are refused with 429 and not stored. Requires the
    conversation's session token (`X-Session-Token`); the answer carries a renewed one.

    With `client_message_id`, sending the message again (after a lost connection) is safe: the
    answer is the first attempt's (its `message_id` and replies), waited for while its turn
    runs; the bot gets the message once.
    """
    require_session(settings, state.conversation, token)
    if len(body.text) > settings.max_message_chars:
        raise HTTPException(
            status.HTTP_413_CONTENT_TOO_LARGE,
            f"Pesan terlalu panjang. Panjang maksimal {settings.max_message_chars} karakter.",
        )
    if body.metadata_chars() > settings.max_metadata_chars:
        raise HTTPException(status.HTTP_413_CONTENT_TOO_LARGE, "Metadata pesan terlalu besar.")
    conversation = state.conversation
    if not (await limiter.admit(conversation.channel, str(conversation.id))).allowed:
        raise HTTPException(status.HTTP_429_TOO_MANY_REQUESTS, RATE_LIMITED_TEXT)

    title = body.button_title
    try:
        incoming, replies = await turn.receive(
            session,
            rasa,
            conversation,
            text=title or body.text,
            payload=body.text,
            metadata=body.metadata,
            handoff=state.handoff,
            handoffs=callcenter,
            client_message_id=body.client_message_id,
        )
    except store.DuplicateMessage as resent:
        answered = await resends.answer(session, resent.message_id)
        if answered is None:  # erased meanwhile
            raise HTTPException(status.HTTP_404_NOT_FOUND, CONVERSATION_NOT_FOUND) from None
        incoming, replies = answered
    return SendResult(
        conversation_id=incoming.conversation_id,  # `conversation` expired if a racing resend rolled back
        message_id=incoming.id,
        rasa_status=incoming.rasa_status,
        text=store.shown_text(incoming),  # a warnet PC: the typed NIK leaves the screen
        replies=[MessageOut.model_validate(reply) for reply in replies],
        session_token=widget_session.issue(settings, incoming.conversation_id),  # sliding idle expiry
    )


@router.get(
    "",
    responses={
        **_NOT_FOUND,
        401: {"model": ErrorOut, "description": SESSION_REQUIRED},
        403: {"model": ErrorOut, "description": SESSION_REQUIRED},
    },
)
async def list_messages(
    conversation: SessionConversationDep,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 200,
    after: Annotated[int | None, Query(ge=0, le=MAX_DB_ID)] = None,
) -> History:
    """The conversation's latest `limit` messages, oldest first; with `after`, only those
    newer than that message id (what the widget polls for on its HTTP fallback: an agent's
    replies). Requires the conversation's session token (`X-Session-Token`), which reading
    does not renew: only the citizen's messages do. Identifiers and dates are masked once
    their turn is over."""
    messages = await store.history(session, conversation.id, limit, after=after)
    return History(
        conversation_id=conversation.id,
        messages=[MessageOut.model_validate(message) for message in messages],
    )
