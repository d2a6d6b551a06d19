from fastapi import APIRouter, status

from api.deps import SessionDep
from api.models import Conversation, HandledBy
from api.schemas import ConversationCreate, ConversationOut

router = APIRouter(prefix="/conversations", tags=["conversations"])


@router.post("", status_code=status.HTTP_201_CREATED)
async def create_conversation(body: ConversationCreate, session: SessionDep) -> ConversationOut:
    """Start a conversation; its `id` is the handle for sending and reading messages."""
    conversation = Conversation(
        channel=body.channel.value,
        channel_user_id=body.channel_user_id,
        handled_by=HandledBy.BOT,
    )
    session.add(conversation)
    await session.commit()
    return ConversationOut.model_validate(conversation)
