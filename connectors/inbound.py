"""The inbound pipeline every messaging channel (Telegram, WhatsApp) goes through.

1. Per-sender rate limit (Redis or in-process), counted for every update (`rate_limit`);
   the web widget's WebSocket counts its frames here too (connectors/web/socket.py).
2. The channel user's conversation is found or opened (`store.channel_thread`).
3. The event is built (a button click is checked against the message we really sent).
4. The citizen's message and the channel's update id are stored in one commit, so the
   update is handled once even when the channel retries; only then Rasa is asked
   (`turn.receive_event`, api/conversations/turn.py).
5. The channel delivers the stored replies on the sender's own channel
   (`delivery.deliver` with its `Outbox`, api/conversations/delivery.py), and what became of
   each is recorded.

Over the limit (`refuse`) a message is not dropped: steps 2-4 store it and its update id
in one commit with `rasa_status = rate_limited` (a retried update is still stored once), but
it is not forwarded to Rasa and nothing is delivered. The first refused update of a window
gets one notice (`RATE_LIMITED_TEXT`, sent after the commit), later ones nothing. An
update that carries no message (a sticker, an edit, a stale button) only has its update id
recorded. A webhook is answered 200 whatever the limit says (an error would only make the
channel retry the flood), so storing is what keeps those messages from being lost. The
web channels differ: the HTTP route answers 429 and the WebSocket an error frame
(`rate_limited`; close code 4429 after ten in a row), and neither stores the message,
since their client sees the refusal and can send it again.

A storage failure propagates (the webhook answers 5xx and the channel retries); everything
after the commit is answered, logged and acknowledged.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.attachments import files
from api.attachments.storage import Storage
from api.conversations import store, turn
from api.conversations.bot_conversations import BotConversations
from api.conversations.delivery import Outbox, notify
from api.conversations.model import ContactIn, Inbound
from api.conversations.resend import Resends
from api.identity.keys import normalize_phone
from api.identity.verifier import stage_phone
from api.models import Author, ChannelThread, Conversation, Handoff, Message, utcnow
from api.rasa_client import RasaClient
from connectors.ratelimit import RATE_LIMITED_TEXT, Admission, RateLimiter

logger = logging.getLogger(__name__)

STALE_CHOICE_TEXT = (
    "Mohon maaf, pilihan itu sudah tidak berlaku. Silakan ketik pertanyaan Anda atau ketik "
    '"menu" untuk melihat layanan.'
)
UNSUPPORTED_TEXT = (
    "Mohon maaf, saat ini kami hanya dapat membaca pesan teks, pilihan tombol, kontak, lokasi, "
    "foto, dan dokumen PDF. Silakan ketik pertanyaan Anda."
)


def too_long_text(limit: int) -> str:
    return f"Mohon maaf, pesan Anda terlalu panjang. Mohon ringkas menjadi paling banyak {limit} karakter."


class ReachCodes(Protocol):
    def reach_code(self, text: str) -> str | None:
        """The code of a "TIKET 123456" message; None for anything else."""
        ...

    async def claim_whatsapp_code(self, session: AsyncSession, code: str, address: str) -> str:
        """Book the web ticket waiting for `code` with its answer going to `address`; the
        sender's answer. Commits."""
        ...


@dataclass(frozen=True)
class ChannelContext:
    """What a channel needs from the gateway."""

    sessionmaker: async_sessionmaker[AsyncSession]
    rasa: RasaClient
    limiter: RateLimiter
    max_message_chars: int
    handoffs: turn.Handoffs | None
    bot_conversations: BotConversations
    resends: Resends = Resends()  # the web's resent messages (api/conversations/resend.py)
    # Where citizens' files and photos are kept (api/attachments); None: files are refused.
    attachments: Storage | None = None
    # A web ticket's WhatsApp proved by a "TIKET 123456" message (api/callcenter/reach.py).
    reach_codes: ReachCodes | None = None


class Outcome(enum.Enum):
    HANDLED = "handled"
    DUPLICATE = "duplicate"
    STALE_CHOICE = "stale_choice"
    RATE_LIMITED = "rate_limited"  # over the limit: stored (or claimed), not forwarded


@dataclass
class Received:
    outcome: Outcome
    thread: ChannelThread | None = None
    conversation: Conversation | None = None
    replies: list[Message] | None = None


# Builds the event once the conversation is known (a button click needs it).
EventFactory = Callable[[AsyncSession, Conversation], Awaitable[Inbound | None]]


def chosen_event(message_id: int, index: int) -> EventFactory:
    """A click on button (or list row) `index` of our message `message_id`, checked against
    the stored message once the conversation is known."""

    async def resolve(session: AsyncSession, conversation: Conversation) -> Inbound | None:
        return await store.chosen(session, conversation, message_id, index)

    return resolve


async def rate_limit(context: ChannelContext, channel: str, user_id: str) -> Admission:
    """Step 1: count this update against the sender's rate limit."""
    result = await context.limiter.admit(channel, user_id)
    if result is Admission.REFUSED_FIRST:
        logger.warning("rate limited channel=%s", channel)
    return result


async def receive(
    context: ChannelContext,
    session: AsyncSession,
    *,
    channel: str,
    user_id: str,
    external_id: str,
    event: Inbound | EventFactory,
    metadata: Mapping[str, Any] | None = None,
    sent_at: datetime | None = None,
    own_number: str | None = None,
) -> Received:
    """Steps 2-4 for one admitted update; see the module docstring. `own_number`: the
    sender's number as the signed webhook vouches for it (WhatsApp's `from`), recorded as the
    conversation's proved number with the message."""
    thread, conversation, handoff, resolved = await _resolve(session, channel, user_id, event)
    if resolved is None:
        if not await store.claim_update(session, channel, external_id):
            return Received(Outcome.DUPLICATE)
        return Received(Outcome.STALE_CHOICE, thread, conversation)
    await _stage_own_number(session, channel, conversation.id, resolved)
    if own_number is not None and channel in _VOUCHING_CHANNELS and (number := normalize_phone(own_number)):
        await stage_phone(session, conversation.id, number, channel)
    try:
        _, replies = await turn.receive_event(
            session,
            context.rasa,
            conversation,
            resolved,
            {"channel": channel, **(metadata or {})},
            handoff=handoff,
            handoffs=context.handoffs,
            external_id=external_id,
            thread=thread,
            sent_at=sent_at,
        )
    except store.DuplicateUpdate:
        return Received(Outcome.DUPLICATE)
    return Received(Outcome.HANDLED, thread, conversation, replies)


async def receive_file(
    context: ChannelContext,
    session: AsyncSession,
    *,
    channel: str,
    user_id: str,
    external_id: str,
    checked: files.Checked,
    caption: str | None = None,
    sent_at: datetime | None = None,
) -> Received:
    """A citizen's photo or document (api/attachments): kept with their conversation, with
    the update id in one commit (a retried update is kept once), never sent to the bot (it
    reads no files). The agents of an open hand-off are told. `replies` is [] when the bot
    has the conversation, so the channel tells the citizen the file is kept for an agent;
    None when an agent has it (they answer)."""
    if context.attachments is None:
        raise RuntimeError("no attachment storage")
    thread, conversation, handoff = await store.channel_thread(session, channel, user_id)
    message, _ = await files.keep(
        session, context.attachments, conversation.id, checked,
        author=Author.CITIZEN, channel=channel, caption=caption,
    )  # fmt: skip
    written = min(sent_at, utcnow()) if sent_at is not None else utcnow()
    if thread.last_inbound_at is None or written > thread.last_inbound_at:
        thread.last_inbound_at = written  # WhatsApp's window opens with any message
    if not await store.claim_update(session, channel, external_id):
        return Received(Outcome.DUPLICATE)
    await store.mask_stored(session, [message])  # a caption or name may hold a NIK
    if handoff is not None and context.handoffs is not None:
        await context.handoffs.on_message_for_people(handoff)
        return Received(Outcome.HANDLED, thread, conversation, None)
    return Received(Outcome.HANDLED, thread, conversation, [])


# Channels whose connector can vouch that a shared contact is the sender's own number
# (Telegram: `contact.user_id == from.id`; WhatsApp: the contact-request reply's own `from`).
_VOUCHING_CHANNELS = frozenset({"telegram", "whatsapp"})


async def _stage_own_number(session: AsyncSession, channel: str, conversation_id: Any, event: Any) -> None:
    """A contact the channel vouches is the sender's own becomes the conversation's proved
    number (identity verification's possession factor, a callback number), stored with the
    message."""
    if not (isinstance(event, ContactIn) and event.own and channel in _VOUCHING_CHANNELS):
        return
    number = normalize_phone(event.phone_number)
    if number is not None:
        await stage_phone(session, conversation_id, number, channel)


async def refuse(
    session: AsyncSession,
    outbox: Outbox,
    admission: Admission,
    *,
    channel: str,
    user_id: str,
    external_id: str,
    event: Inbound | EventFactory | None,
    sent_at: datetime | None = None,
) -> Outcome:
    """An update over the rate limit: stored as `rate_limited` with its update id (only the
    id when it carries no message: `event` None or a stale choice), never forwarded to Rasa.
    The first refused update of the window gets the notice, even a retried one (the notice
    belongs to the window, not to the update). DUPLICATE for a retried update."""
    stored: bool
    if event is None:
        stored = await store.claim_update(session, channel, external_id)
    else:
        thread, conversation, _, resolved = await _resolve(session, channel, user_id, event)
        if resolved is None:
            stored = await store.claim_update(session, channel, external_id)
        else:
            try:
                await store.store_rate_limited(
                    session,
                    conversation,
                    resolved,
                    external_id=external_id,
                    thread=thread,
                    sent_at=sent_at,
                )
                stored = True
            except store.DuplicateUpdate:
                stored = False
    if admission is Admission.REFUSED_FIRST:
        await notify(outbox, RATE_LIMITED_TEXT)
    return Outcome.RATE_LIMITED if stored else Outcome.DUPLICATE


async def _resolve(
    session: AsyncSession, channel: str, user_id: str, event: Inbound | EventFactory
) -> tuple[ChannelThread, Conversation, Handoff | None, Inbound | None]:
    """Steps 2-3: the sender's thread, conversation and open hand-off, and the event (None:
    a stale choice)."""
    thread, conversation, handoff = await store.channel_thread(session, channel, user_id)
    resolved = event if not callable(event) else await event(session, conversation)
    return thread, conversation, handoff, resolved
