"""The web widget's session (docs/security.md, "The widget's session"): the dependency that
requires a valid `X-Session-Token` for a conversation (connectors/web/session.py), and
"Hapus percakapan": the widget's deletion of its conversation."""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Depends, Header, HTTPException, Request, Response, status

from api.conversations.bot_conversations import BotConversations
from api.core.config import Settings
from api.deps import CONVERSATION_NOT_FOUND, ConversationDep, SessionDep, SettingsDep
from api.models import Conversation
from api.privacy import erasure
from api.rasa_client import RasaDep
from api.schemas import Channel
from connectors.web import session as widget_session

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/conversations/{conversation_id}", tags=["conversations"])

SESSION_REQUIRED = "Sesi percakapan berakhir. Silakan mulai percakapan baru."
TokenHeader = Annotated[str | None, Header(alias=widget_session.HEADER)]


def require_session(settings: Settings, conversation: Conversation, token: str | None) -> None:
    """Refuse unless `token` opens `conversation`: the id alone opens nothing. A Telegram or
    WhatsApp conversation is never reachable here (their webhooks alone reach them), and is
    answered like an unknown id, so the public API does not even tell that it exists."""
    if conversation.channel != Channel.WEB:
        logger.warning("public API refused conversation=%s: not a web conversation", conversation.id)
        raise HTTPException(status.HTTP_404_NOT_FOUND, CONVERSATION_NOT_FOUND)
    refusal = widget_session.check(settings, token, conversation.id)
    if refusal is widget_session.Refusal.OTHER_CONVERSATION:
        logger.warning("widget session refused conversation=%s reason=%s", conversation.id, refusal.value)
        raise HTTPException(status.HTTP_403_FORBIDDEN, SESSION_REQUIRED)
    if refusal is not None:
        logger.info("widget session refused conversation=%s reason=%s", conversation.id, refusal.value)
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, SESSION_REQUIRED)


async def _session_conversation(
    conversation: ConversationDep, settings: SettingsDep, token: TokenHeader = None
) -> Conversation:
    require_session(settings, conversation, token)
    return conversation


# A web conversation opened with its session token: the history, the deletion (sending a
# message checks the same with `require_session`).
SessionConversationDep = Annotated[Conversation, Depends(_session_conversation)]


@router.delete("", status_code=status.HTTP_204_NO_CONTENT)
async def delete_conversation(
    conversation: SessionConversationDep, session: SessionDep, rasa: RasaDep, request: Request
) -> Response:
    """ "Hapus percakapan": the conversation, its messages and its Rasa tracker are deleted."""
    bot_conversations: BotConversations = request.app.state.bot_conversations
    await erasure.erase(session, rasa.privacy.tracker, [conversation.id])
    bot_conversations.forget(conversation.id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
