from fastapi import APIRouter, HTTPException, Request, status

from api.deps import SessionDep, SettingsDep
from api.models import Conversation, HandledBy
from api.schemas import Channel, ConversationCreate, ConversationOut
from connectors.ratelimit import IpLimitsDep, client_ip
from connectors.web import session as widget_session

router = APIRouter(prefix="/conversations", tags=["conversations"])

# Telegram and WhatsApp conversations come only from their signed webhooks: a conversation
# opened here could otherwise steer agents' replies to any chat or phone number.
WEB_ONLY = "Percakapan melalui alamat ini hanya untuk obrolan web."
TOO_MANY_CONVERSATIONS = "Terlalu banyak percakapan baru dalam waktu singkat. Mohon tunggu sebentar."


@router.post("", status_code=status.HTTP_201_CREATED)
async def create_conversation(
    body: ConversationCreate,
    session: SessionDep,
    request: Request,
    limits: IpLimitsDep,
    settings: SettingsDep,
) -> ConversationOut:
    """Start a web conversation; its `id` is the handle for sending messages. It comes with
    its `session_token`, which reading the history, the WebSocket and the deletion require
    (header `X-Session-Token`)."""
    if body.channel is not Channel.WEB or body.channel_user_id is not None:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, WEB_ONLY)
    if not (await limits.conversations.admit("ip-conversations", client_ip(request))).allowed:
        raise HTTPException(status.HTTP_429_TOO_MANY_REQUESTS, TOO_MANY_CONVERSATIONS)
    conversation = Conversation(channel=Channel.WEB.value, channel_user_id=None, handled_by=HandledBy.BOT)
    session.add(conversation)
    await session.commit()
    created = ConversationOut.model_validate(conversation)
    if conversation.channel == Channel.WEB:
        created.session_token = widget_session.issue(settings, conversation.id)
    return created
