from fastapi import APIRouter, status

from api.deps import SessionDep, SettingsDep
from api.models import Conversation, HandledBy
from api.schemas import Channel, ConversationCreate, ConversationOut
from connectors.web import session as widget_session

router = APIRouter(prefix="/conversations", tags=["conversations"])


@router.post("", status_code=status.HTTP_201_CREATED)
async def create_conversation(
    body: ConversationCreate, session: SessionDep, settings: SettingsDep
) -> ConversationOut:
    """Start a conversation; its `id` is the handle for sending messages. A web conversation
    comes with its `session_token`, which reading the history, the WebSocket and the
    deletion require (header `X-Session-Token`)."""
    conversation = Conversation(
        channel=body.channel.value,
        channel_user_id=body.channel_user_id,
        handled_by=HandledBy.BOT,
    )
    session.add(conversation)
    await session.commit()
    created = ConversationOut.model_validate(conversation)
    if conversation.channel == Channel.WEB:
        created.session_token = widget_session.issue(settings, conversation.id)
    return created
