"""Typed dependencies for the routes, in one place."""

import uuid
from typing import Annotated

from fastapi import Depends, HTTPException, Path, Request, status

from api.conversations.bot_conversations import BotConversations
from api.conversations.store import ConversationState
from api.core.config import SettingsDep
from api.db import SessionDep
from api.models import Conversation
from api.rasa_client import RasaDep

__all__ = [
    "MAX_DB_ID",
    "ConversationDep",
    "ConversationStateDep",
    "DbId",
    "RasaDep",
    "SessionDep",
    "SettingsDep",
]

# The largest integer key the databases hold (BIGINT): every integer parameter is bounded by
# it, so a larger one is a 422, never an overflow (500) in the driver.
MAX_DB_ID = 2**63 - 1
DbId = Annotated[int, Path(ge=1, le=MAX_DB_ID)]

CONVERSATION_NOT_FOUND = "Percakapan tidak ditemukan."


async def _conversation(conversation_id: uuid.UUID, session: SessionDep) -> Conversation:
    conversation = await session.get(Conversation, conversation_id)
    if conversation is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, CONVERSATION_NOT_FOUND)
    return conversation


ConversationDep = Annotated[Conversation, Depends(_conversation)]


async def _conversation_state(
    conversation_id: uuid.UUID, session: SessionDep, request: Request
) -> ConversationState:
    bot_conversations: BotConversations = request.app.state.bot_conversations
    state = await bot_conversations.state(session, conversation_id)
    if state is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, CONVERSATION_NOT_FOUND)
    return state


# The conversation with its open hand-off: what a citizen's message needs, in one query or none
# (api/conversations/bot_conversations.py).
ConversationStateDep = Annotated[ConversationState, Depends(_conversation_state)]
