"""The conversations' store: what the message path reads and writes.

A channel user's thread and current conversation, read with its open hand-off in one query
(`channel_thread`, `conversation_state`); the citizen's message stored with the channel's
update id, or the id its web client gave it, in one commit, so a retried update or a resent
message is handled once (`store_incoming`, `store_rate_limited`, `claim_update`,
`DuplicateMessage`); replies as stored messages and back (`outgoing_message`, `stored_reply`,
`chosen`, `replies_to`); what became of each delivery (`record_delivery`, `record_status`); the
history.

Every citizen's turn goes through here, so round trips stay few: storing a message writes only
the message (and its update id) and its replies.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta
from typing import Any, NamedTuple, Unpack, cast

from pydantic import ValidationError
from sqlalchemy import Select, Table, and_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

# Imported for its hook: every outgoing Telegram or WhatsApp message gets its outbox row in
# the flush that stores it (api/conversations/outbox.py).
from api.conversations import outbox as _outbox  # noqa: F401
from api.conversations.model import (
    REPLY,
    ButtonClickIn,
    Inbound,
    ListChoiceIn,
    ListReply,
    Reply,
    TextReply,
    choices,
    summary_text,
)
from api.conversations.waiting import PROCESS
from api.models import (
    Author,
    ChannelThread,
    ChannelUpdate,
    Conversation,
    DeliveryStatus,
    Direction,
    HandledBy,
    Handoff,
    HandoffState,
    Message,
    RasaStatus,
    utcnow,
)
from api.privacy.masking import mask_text, mask_value
from api.privacy.shapes import masked_text

logger = logging.getLogger(__name__)

# The states of a hand-off that is not over; a conversation has at most one such hand-off.
OPEN_HANDOFF = (
    HandoffState.QUEUED,
    HandoffState.ACTIVE,
    HandoffState.OFFERED,
    HandoffState.CALLBACK,
    HandoffState.TICKET,
)


class DuplicateUpdate(Exception):
    """The channel update was handled before (a retried webhook)."""


class DuplicateMessage(Exception):
    """The client sent this message before (the same client message id): stored as
    `message_id`, whose answer the resend gets (api/conversations/resend.py)."""

    def __init__(self, message_id: int) -> None:
        super().__init__(message_id)
        self.message_id = message_id


class ConversationState(NamedTuple):
    conversation: Conversation
    handoff: Handoff | None  # the open hand-off, if any


async def conversation_state(session: AsyncSession, conversation_id: uuid.UUID) -> ConversationState | None:
    """The conversation and its open hand-off, in one query; None if there is no such
    conversation."""
    query = with_open_handoff(select(Conversation).where(Conversation.id == conversation_id))
    row = (await session.execute(query)).first()
    return ConversationState(row[0], row[1]) if row is not None else None


def with_open_handoff(query: Select[Unpack[tuple[Any, ...]]]) -> Select[Unpack[tuple[Any, ...]]]:
    """`query`, which selects from conversations, with each conversation's open hand-off (or
    None) as one more column: the message path reads both in one round trip."""
    return query.add_columns(Handoff).outerjoin(
        Handoff, and_(Handoff.conversation_id == Conversation.id, Handoff.state.in_(OPEN_HANDOFF))
    )


async def store_replies(
    session: AsyncSession,
    conversation: Conversation,
    author: Author,
    replies: list[Reply],
    *,
    reply_to: int | None = None,
) -> list[Message]:
    """Store replies that answer the citizen (their message `reply_to`) and commit them."""
    outgoing = [outgoing_message(conversation.id, author, reply) for reply in replies]
    for message in outgoing:
        message.reply_to = reply_to
    session.add_all(outgoing)
    await session.commit()
    return outgoing


async def store_rate_limited(
    session: AsyncSession,
    conversation: Conversation,
    event: Inbound,
    *,
    external_id: str,
    thread: ChannelThread | None = None,
    sent_at: datetime | None = None,
) -> Message:
    """Store a channel event that arrived over the per-sender rate limit, with its update
    id, as `rate_limited`: kept for the transcript, never forwarded to Rasa. Raises
    `DuplicateUpdate` (storing nothing) when the update was handled before."""
    return await store_incoming(
        session,
        conversation,
        event,
        RasaStatus.RATE_LIMITED,
        external_id=external_id,
        thread=thread,
        sent_at=sent_at,
    )


async def store_incoming(
    session: AsyncSession,
    conversation: Conversation,
    event: Inbound,
    rasa_status: RasaStatus | None,
    *,
    external_id: str | None,
    thread: ChannelThread | None,
    sent_at: datetime | None,
    rasa_message: str | None = None,
    client_message_id: uuid.UUID | None = None,
) -> Message:
    """Add the citizen's message (and the channel's update id) and commit them together.
    Raises `DuplicateUpdate` (a retried update) or `DuplicateMessage` (`client_message_id`
    stored before in this conversation), storing nothing.

    Identifiers in it are stored masked (api/privacy/shapes.py): the history, the console and
    the channel's echo show 3273********0001, never the number. `rasa_message` is what Rasa
    gets, with tokens for identifiers (api/conversations/turn.py), kept as the payload when it
    is not the text the citizen sees."""
    display_text = event.display_text()
    payload = rasa_message if rasa_message is not None else masked_text(event.rasa_message())
    incoming = Message(
        conversation_id=conversation.id,
        direction=Direction.IN,
        author=Author.CITIZEN,
        text=masked_text(display_text),
        payload=payload if payload != display_text else None,  # tokens: a replay sends them
        buttons=[],
        rasa_status=rasa_status,
        # This process plays the turn: if it dies, others retry the message soon (waiting.py).
        rasa_holder=PROCESS if rasa_status is RasaStatus.PENDING else None,
        client_message_id=client_message_id,
    )
    session.add(incoming)
    now = utcnow()
    if external_id is not None:
        session.add(ChannelUpdate(channel=conversation.channel, external_id=external_id))
    if thread is not None:
        written = min(sent_at, now) if sent_at is not None else now
        if thread.last_inbound_at is None or written > thread.last_inbound_at:
            thread.last_inbound_at = written
    # Committed before Rasa is called: the message survives whatever happens next.
    if external_id is not None:
        await _commit_once(session, conversation.channel, external_id)
    elif client_message_id is not None:
        await _commit_client_message(session, conversation.id, client_message_id)
    else:
        await session.commit()
    logger.info(
        "message in conversation=%s message=%s kind=%s chars=%d rasa_status=%s",
        conversation.id,
        incoming.id,
        event.type,
        len(display_text),
        rasa_status,
    )
    return incoming


async def _commit_once(session: AsyncSession, channel: str, external_id: str) -> None:
    """Commit what was added with the channel update `external_id`; `DuplicateUpdate` when
    that update was stored before. Any other integrity error (a CHECK constraint) is a
    fault, raised as it is: taking it for a retry would lose the message silently."""
    try:
        await session.commit()
    except IntegrityError as error:
        await session.rollback()
        if not await _update_seen(session, channel, external_id):
            raise
        logger.info("duplicate update ignored channel=%s", channel)
        raise DuplicateUpdate from error


async def _commit_client_message(
    session: AsyncSession, conversation_id: uuid.UUID, client_message_id: uuid.UUID
) -> None:
    """Commit a message with its client's id; `DuplicateMessage` when another request stored
    that id first (a resend racing the first attempt). Any other integrity error is raised."""
    try:
        await session.commit()
    except IntegrityError as error:
        await session.rollback()
        earlier = await client_message(session, conversation_id, client_message_id)
        if earlier is None:
            raise
        logger.info("resent message conversation=%s message=%s", conversation_id, earlier)
        raise DuplicateMessage(earlier) from error


async def client_message(
    session: AsyncSession, conversation_id: uuid.UUID, client_message_id: uuid.UUID
) -> int | None:
    """The stored message the client gave `client_message_id` in this conversation, if any
    (one probe of `uq_messages_client_message_id`)."""
    query = select(Message.id).where(
        Message.conversation_id == conversation_id, Message.client_message_id == client_message_id
    )
    found = await session.scalar(query)
    return int(found) if found is not None else None


async def _update_seen(session: AsyncSession, channel: str, external_id: str) -> bool:
    query = select(ChannelUpdate.id).where(
        ChannelUpdate.channel == channel, ChannelUpdate.external_id == external_id
    )
    return (await session.scalar(query)) is not None


async def update_seen(session: AsyncSession, channel: str, external_id: str) -> bool:
    """Whether the channel's update was handled before (a retried webhook): checked before
    work that is costly to repeat (downloading a file)."""
    return await _update_seen(session, channel, external_id)


async def claim_update(session: AsyncSession, channel: str, external_id: str) -> bool:
    """Record an update that stores no message (a sticker, an edit); False if seen before."""
    session.add(ChannelUpdate(channel=channel, external_id=external_id))
    try:
        await _commit_once(session, channel, external_id)
    except DuplicateUpdate:
        return False
    return True


async def channel_thread(
    session: AsyncSession, channel: str, channel_user_id: str
) -> tuple[ChannelThread, Conversation, Handoff | None]:
    """The current conversation of a Telegram chat or WhatsApp number (opened on first use)
    and its open hand-off."""
    found = await _find_thread(session, channel, channel_user_id)
    if found is not None:
        return found
    conversation = Conversation(channel=channel, channel_user_id=channel_user_id, handled_by=HandledBy.BOT)
    session.add(conversation)
    await session.flush()
    thread = ChannelThread(channel=channel, channel_user_id=channel_user_id, conversation_id=conversation.id)
    session.add(thread)
    try:
        await session.commit()
    except IntegrityError:
        # Two first messages at once: the other request opened it.
        await session.rollback()
        found = await _find_thread(session, channel, channel_user_id)
        if found is None:
            raise
        return found
    logger.info("conversation opened channel=%s conversation=%s", channel, conversation.id)
    return thread, conversation, None


async def _find_thread(
    session: AsyncSession, channel: str, channel_user_id: str
) -> tuple[ChannelThread, Conversation, Handoff | None] | None:
    query = with_open_handoff(
        select(ChannelThread, Conversation)
        .join(Conversation, Conversation.id == ChannelThread.conversation_id)
        .where(ChannelThread.channel == channel, ChannelThread.channel_user_id == channel_user_id)
    )
    row = (await session.execute(query)).first()
    return (row[0], row[1], row[2]) if row is not None else None


def within(thread: ChannelThread, window: timedelta, now: datetime | None = None) -> bool:
    """Whether the citizen wrote within `window` (WhatsApp's customer-service window)."""
    if thread.last_inbound_at is None:
        return False
    return (now or utcnow()) - thread.last_inbound_at < window


async def chosen(
    session: AsyncSession, conversation: Conversation, message_id: int, index: int
) -> ButtonClickIn | ListChoiceIn | None:
    """The button or list row `index` of our message `message_id`, if it is this
    conversation's; None for a stale or forged reference."""
    message = await session.get(Message, message_id)
    if (
        message is None
        or message.conversation_id != conversation.id
        or message.direction is not Direction.OUT
    ):
        return None
    reply = stored_reply(message)
    options = choices(reply) if reply is not None else []
    if not 0 <= index < len(options):
        return None
    option = options[index]
    if isinstance(reply, ListReply):
        return ListChoiceIn(payload=option.payload, title=option.title)
    return ButtonClickIn(payload=option.payload, title=option.title)


def stored_reply(message: Message) -> Reply | None:
    """The reply of an outgoing message (older rows: from its text and buttons)."""
    if message.content is not None:
        try:
            return REPLY.validate_python(message.content)
        except ValidationError:
            logger.warning("stored reply unreadable message=%s", message.id)
            return None
    if not message.text:
        return None
    return TextReply.model_validate({"text": message.text, "buttons": message.buttons or []})


async def record_delivery(
    session: AsyncSession,
    message: Message,
    status: DeliveryStatus,
    *,
    channel_message_id: str | None = None,
    error: str | None = None,
) -> None:
    """What became of sending `message` on its channel."""
    message.delivery_status = status
    if channel_message_id is not None:
        message.channel_message_id = channel_message_id
    message.delivery_error = error[:255] if error else None
    await session.commit()


# A status never goes back: "read" after "delivered" after "sent". "failed" is final.
_STATUS_RANK = {
    None: 0,
    DeliveryStatus.UNDELIVERED: 0,
    DeliveryStatus.SENT: 1,
    DeliveryStatus.DELIVERED: 2,
    DeliveryStatus.READ: 3,
    DeliveryStatus.FAILED: 4,
}


async def record_status(
    session: AsyncSession,
    channel: str,
    channel_message_id: str,
    status: DeliveryStatus,
    error: str | None = None,
) -> uuid.UUID | None:
    """A channel's delivery callback: the conversation of the outgoing message with that id,
    None when there is none."""
    query = (
        select(Message)
        .join(Conversation, Conversation.id == Message.conversation_id)
        .where(
            Message.channel_message_id == channel_message_id,
            Message.direction == Direction.OUT,
            Conversation.channel == channel,
        )
    )
    messages = list((await session.scalars(query)).all())
    for message in messages:
        if _STATUS_RANK[status] > _STATUS_RANK[message.delivery_status]:
            message.delivery_status = status
            if error:
                message.delivery_error = error[:255]
    await session.commit()
    return messages[0].conversation_id if messages else None


async def history(
    session: AsyncSession, conversation_id: uuid.UUID, limit: int, *, after: int | None = None
) -> list[Message]:
    """The latest `limit` messages of a conversation (newer than id `after`), oldest first."""
    latest = (
        select(Message)
        .where(Message.conversation_id == conversation_id)
        .order_by(Message.id.desc())
        .limit(limit)
    )
    if after is not None:
        latest = latest.where(Message.id > after)
    messages = list((await session.scalars(latest)).all())
    messages.reverse()
    # Shown masked even if a turn stopped before masking what it stored (mask_after_turn).
    for message in messages:
        session.expunge(message)
        _mask(message, dates=_typed(message))
    return messages


async def replies_to(session: AsyncSession, message: Message) -> list[Message]:
    """The replies stored for the citizen's `message` (its turn's, a retry's, their notices),
    oldest first, masked as the history shows them. Replies come after their message, so the
    read starts there in `ix_messages_conversation_id_id`."""
    query = (
        select(Message)
        .where(
            Message.conversation_id == message.conversation_id,
            Message.id > message.id,
            Message.reply_to == message.id,
        )
        .order_by(Message.id)
    )
    replies = list((await session.scalars(query)).all())
    for reply in replies:
        session.expunge(reply)
        _mask(reply, dates=_typed(reply))
    return replies


def _typed(message: Message) -> bool:
    """Written by a person (the citizen, an agent), whose dates are masked too; the bot's and
    the system's dates (a deadline, an opening day) are not personal."""
    return message.direction is Direction.IN or message.author is Author.AGENT


def _masked(message: Message, *, dates: bool) -> dict[str, Any]:
    """The columns of `message` that masking changes, masked."""
    masked = {
        "text": mask_text(message.text, dates=dates),
        "payload": mask_text(message.payload, dates=dates) if message.payload is not None else None,
        "buttons": mask_value(message.buttons, dates=dates),
        "content": mask_value(message.content, dates=dates),
    }
    return {key: value for key, value in masked.items() if value != getattr(message, key)}


def shown_text(message: Message) -> str:
    """`message`'s text as its stored row and the history show it once its turn is over
    (masked): what the widget puts in place of what the citizen typed."""
    return mask_text(message.text, dates=_typed(message))


def _mask(message: Message, *, dates: bool) -> None:
    for key, value in _masked(message, dates=dates).items():
        setattr(message, key, value)


async def mask_after_turn(session: AsyncSession, incoming: Message, outgoing: list[Message]) -> None:
    """Mask identifiers (and, in what the citizen typed, dates) in the stored rows of a turn
    that is over (api/privacy/masking.py). The objects keep the clear text: the channel
    delivers this turn's replies as they are. No statement when nothing needs masking."""
    await mask_stored(session, [incoming, *outgoing])


async def mask_stored(session: AsyncSession, messages: list[Message]) -> None:
    """Mask the stored rows of `messages`, delivered already (a turn's, a message to or from an
    agent): identifiers, and dates in what a person wrote. The objects keep the clear text."""
    changes = [(message, _masked(message, dates=_typed(message))) for message in messages]
    changes = [(message, masked) for message, masked in changes if masked and message.id is not None]
    if not changes:
        return
    for message, masked in changes:
        # Core UPDATE of the table: the session's objects are left as they are.
        table = cast(Table, Message.__table__)
        await session.execute(update(table).where(table.c.id == message.id).values(**masked))
    await session.commit()


def outgoing_message(conversation_id: uuid.UUID, author: Author, reply: Reply) -> Message:
    """A reply as a stored message: `text` and `buttons` for clients that know only those,
    `content` with the whole reply."""
    return Message(
        conversation_id=conversation_id,
        direction=Direction.OUT,
        author=author,
        text=summary_text(reply),
        buttons=[{"title": choice.title, "payload": choice.payload} for choice in choices(reply)],
        content=reply.model_dump(mode="json", exclude_none=True),
    )
