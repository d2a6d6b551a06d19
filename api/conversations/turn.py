"""A citizen's turn, the same on every channel.

Store the citizen's message (with the channel's update id, so a retried update is handled
once) and commit; forward it to Rasa; map Rasa's replies into the message model
(api/conversations/model.py) and store them. The channel then delivers them
(api/conversations/delivery.py).

Hand-offs join in three places, through the `Handoffs` port the call center implements
(api/callcenter/service.py): a hand-off button or the callback number it asked for is
answered by the gateway itself; while the citizen waits for or talks with an agent, messages
are stored for the agent and not forwarded; and when the bot's replies carry the hand-off
signal, the conversation is handed off and the notice is added to the replies.

This is every citizen's turn, so it keeps its round trips few: the caller reads the
conversation with its open hand-off in one query (`store.conversation_state`,
`store.channel_thread`), or not at all when it is known to be with the bot
(api/conversations/bot_conversations.py).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from api.conversations import bot_conversations, two_questions, waiting
from api.conversations.model import (
    SHARE_CONTACT_INTENT,
    SHARE_LOCATION_INTENT,
    ButtonClickIn,
    Inbound,
    Reply,
    TextIn,
    TextReply,
    from_rasa_replies,
)
from api.conversations.store import (
    DuplicateMessage,
    client_message,
    mask_after_turn,
    mask_stored,
    outgoing_message,
    store_incoming,
    store_replies,
)
from api.metrics import instruments as metrics
from api.models import Author, ChannelThread, Conversation, HandledBy, Handoff, Message, RasaStatus, utcnow
from api.notifications import emails as update_emails
from api.privacy import erasure
from api.privacy import vault as privacy
from api.privacy.erasure import ERASE_SIGNAL
from api.rasa_client import TURN_ID_KEY, BotReply, RasaBusyError, RasaClient, RasaUnavailableError

logger = logging.getLogger(__name__)

# What the citizen reads when the bot cannot answer now; the retry worker keeps each promise
# (api/conversations/retry.py): the answer comes here, or a person follows up.
RASA_UNAVAILABLE_TEXT = (
    "Mohon maaf, asisten sedang terganggu. Pesan Anda sudah kami simpan dan akan dijawab di sini "
    "begitu asisten pulih. Bila terlalu lama, petugas kami yang akan menindaklanjuti. "
    "Anda tidak perlu mengirim ulang."
)
# Beyond the admission queue (api/rasa_client.py): kept, answered as soon as there is room.
RASA_BUSY_TEXT = (
    "Mohon maaf, asisten sedang ramai. Pesan Anda sudah kami simpan dan akan dijawab di sini "
    "sesegera mungkin. Anda tidak perlu mengirim ulang."
)
# A new message while an earlier one waits: answered after it, in order.
QUEUED_BEHIND_TEXT = "Pesan Anda sudah kami terima dan akan dijawab setelah pesan Anda sebelumnya."
# The bot's request for a person: a custom reply `{"type": "handoff", ...}` (actions/handoff.py),
# read by the call center (api/callcenter/signal.py), never shown to the citizen.
HANDOFF_SIGNAL = "handoff"


def is_handoff_signal(custom: Any) -> bool:
    return isinstance(custom, dict) and custom.get("type") == HANDOFF_SIGNAL


def is_erase_signal(custom: Any) -> bool:
    """The bot's "erase now" after the citizen confirmed "Hapus data saya" (api/privacy/erasure.py)."""
    return isinstance(custom, dict) and custom.get("type") == ERASE_SIGNAL


class Handoffs(Protocol):
    """What a turn asks of the call center."""

    def intercepts(self, conversation: Conversation, handoff: Handoff | None, event: Inbound) -> bool:
        """Whether the gateway answers `event` itself (a hand-off or survey button, a callback
        number, a survey's comment)."""
        ...

    async def on_control(
        self, session: AsyncSession, conversation: Conversation, handoff: Handoff | None, event: Inbound
    ) -> list[Reply]:
        """Answer an intercepted event; commits."""
        ...

    async def on_message_for_people(self, handoff: Handoff | None) -> None:
        """A citizen's message was stored for the agent (not sent to the bot)."""
        ...

    async def on_signal(
        self, session: AsyncSession, conversation: Conversation, signal: Mapping[str, Any]
    ) -> list[Reply]:
        """The bot asked for a person (`signal`: its custom reply); the notices to add. Commits."""
        ...

    async def message_read(self, session: AsyncSession, conversation_id: uuid.UUID) -> None:
        """The channel says the citizen read a message (WhatsApp's `read` status)."""
        ...


async def receive(
    session: AsyncSession,
    rasa: RasaClient,
    conversation: Conversation,
    text: str,
    payload: str | None,
    metadata: dict[str, Any],
    *,
    handoff: Handoff | None,
    handoffs: Handoffs | None,
    client_message_id: uuid.UUID | None = None,
) -> tuple[Message, list[Message]]:
    """The HTTP API's message: typed `text`, or a button's `payload` with its title as `text`."""
    event: Inbound = (
        ButtonClickIn(payload=payload, title=text)
        if payload is not None and payload != text
        else TextIn(text=text)
    )
    return await receive_event(
        session, rasa, conversation, event, metadata, handoff=handoff, handoffs=handoffs,
        client_message_id=client_message_id,
    )  # fmt: skip


@metrics.timed_turn
async def receive_event(
    session: AsyncSession,
    rasa: RasaClient,
    conversation: Conversation,
    event: Inbound,
    metadata: Mapping[str, Any] | None = None,
    *,
    handoff: Handoff | None,
    handoffs: Handoffs | None,
    external_id: str | None = None,
    thread: ChannelThread | None = None,
    sent_at: datetime | None = None,
    client_message_id: uuid.UUID | None = None,
) -> tuple[Message, list[Message]]:
    """Handle one citizen event; return the stored message and the replies stored for it.

    `handoff` is the conversation's open hand-off, read with it. With `external_id` (the
    channel's update or message id) the event is handled once: a second call raises
    `store.DuplicateUpdate` and stores nothing. Likewise with `client_message_id` (the id the
    web or HTTP client gave the message): a resend raises `store.DuplicateMessage`, whose
    answer api/conversations/resend.py gives. `thread` remembers when the citizen last
    wrote: `sent_at` (the channel's timestamp) or now. `handoffs` None: no hand-offs (a tool
    that talks to the bot alone).
    """
    if client_message_id is not None:
        earlier = await client_message(session, conversation.id, client_message_id)
        if earlier is not None:  # a resend: never a second turn
            raise DuplicateMessage(earlier)
    control = handoffs is not None and handoffs.intercepts(conversation, handoff, event)
    # The e-mail consent for case updates, asked by the gateway (api/notifications/emails.py).
    emailing = (
        not control
        and conversation.handled_by is HandledBy.BOT
        and (await update_emails.awaits(session, conversation, event))
    )
    control = control or emailing
    for_bot = conversation.handled_by is HandledBy.BOT and not control
    # Identifiers become this conversation's tokens before anything leaves the gateway; the
    # vault's rows are committed with the message (api/privacy/vault.py).
    vault = privacy.current()
    for_rasa = (await vault.tokenize(session, conversation.id, event.rasa_message())).text
    rasa_metadata: dict[str, Any] = {}
    if for_bot:
        rasa_metadata = await vault.tokenize_json(
            session, conversation.id, {**event.rasa_metadata(), **(metadata or {})}
        )
    # Never before an earlier message Rasa has not answered: this one waits behind it, and the
    # retry worker plays both in order (api/conversations/retry.py), soon: the citizen is back.
    behind = for_bot and await waiting.earlier_waits(session, conversation.id)
    if behind:
        await waiting.nudge(session, conversation.id)  # committed with the message
    incoming = await store_incoming(
        session,
        conversation,
        event,
        (RasaStatus.QUEUED if behind else RasaStatus.PENDING) if for_bot else None,
        external_id=external_id,
        thread=thread,
        sent_at=sent_at,
        rasa_message=for_rasa,
        client_message_id=client_message_id,
    )
    if emailing or (handoffs is not None and control):
        answers = (
            await update_emails.answer(session, conversation, event)
            if emailing or handoffs is None
            else await handoffs.on_control(session, conversation, handoff, event)
        )
        answered = await store_replies(session, conversation, Author.SYSTEM, answers, reply_to=incoming.id)
        await mask_after_turn(session, incoming, answered)  # a callback number, typed
        return incoming, answered
    if not for_bot:
        if handoffs is not None:
            await handoffs.on_message_for_people(handoff)
        # Written to an agent, who gets it as written: stored masked once it is delivered.
        await mask_after_turn(session, incoming, [])
        return incoming, []

    # One turn per conversation at a time, in stored order, whichever replica took each message:
    # Rasa's lock cannot order turns in flight at once (docs/deployment.md, rasa#9213).
    if not behind and not await waiting.turn_comes(
        session, conversation.id, incoming.id, rasa.admission.wait_seconds
    ):
        incoming.rasa_status = RasaStatus.QUEUED  # the retry worker plays it after the earlier one
        await waiting.nudge(session, conversation.id)
        behind = True
    if behind:
        outgoing = [outgoing_message(conversation.id, Author.SYSTEM, TextReply(text=QUEUED_BEHIND_TEXT))]
        await _finish(session, rasa, conversation, incoming, outgoing, erase=False)
        return incoming, outgoing
    try:
        outgoing, erase = await _ask(
            session, rasa, conversation, incoming, for_rasa, rasa_metadata,
            typed=isinstance(event, TextIn), handoffs=handoffs, replay=False,
        )  # fmt: skip
    except RasaUnavailableError as error:
        logger.warning(
            "rasa unavailable conversation=%s message=%s reason=%s",
            conversation.id,
            incoming.id,
            error.reason,
        )
        # Kept for the retry worker, as typed (masked once it is answered).
        busy = isinstance(error, RasaBusyError)
        incoming.rasa_status = RasaStatus.QUEUED if busy else RasaStatus.FAILED
        erase = False
        apology = RASA_BUSY_TEXT if busy else RASA_UNAVAILABLE_TEXT
        outgoing = [outgoing_message(conversation.id, Author.SYSTEM, TextReply(text=apology))]
    else:
        question = await update_emails.offer(session, conversation)  # the turn followed a case
        if question is not None:
            outgoing.append(outgoing_message(conversation.id, Author.SYSTEM, question))
    await _finish(session, rasa, conversation, incoming, outgoing, erase)
    return incoming, outgoing


async def replay(
    session: AsyncSession,
    rasa: RasaClient,
    conversation: Conversation,
    incoming: Message,
    *,
    handoffs: Handoffs | None,
) -> list[Message]:
    """Play a stored citizen message Rasa has not answered (the retry worker,
    api/conversations/retry.py): what the turn would have stored, stored and committed. A
    part of it Rasa answered already (its answer was lost) is not played again: its replies are
    read from the tracker. Raises RasaUnavailableError, storing nothing."""
    for_rasa = incoming.rasa_text
    # The event's own metadata is not stored: a button's title is its text; a shared contact or
    # location keeps only what its payload carries (not vouched as the sender's own number).
    intent = incoming.payload is not None and incoming.payload.startswith("/")
    metadata: dict[str, Any] = {"channel": conversation.channel, "replayed": True}
    if intent and not incoming.rasa_text.startswith(
        (f"/{SHARE_CONTACT_INTENT}", f"/{SHARE_LOCATION_INTENT}")
    ):
        metadata["button_title"] = incoming.text
    outgoing, erase = await _ask(
        session, rasa, conversation, incoming, for_rasa, metadata,
        typed=not intent, handoffs=handoffs, replay=True,
    )  # fmt: skip
    await _finish(session, rasa, conversation, incoming, outgoing, erase)
    return outgoing


async def _ask(
    session: AsyncSession,
    rasa: RasaClient,
    conversation: Conversation,
    incoming: Message,
    for_rasa: str,
    metadata: dict[str, Any],
    *,
    typed: bool,
    handoffs: Handoffs | None,
    replay: bool,
) -> tuple[list[Message], bool]:
    """Rasa's answer to `incoming` as messages to store, and whether it asks for erasure; marks
    `incoming` delivered. Raises RasaUnavailableError before anything is added."""
    parts = 0

    async def send(message: str) -> list[BotReply]:
        # Each part of the message is a turn of its own, named by the gateway: the actions key
        # their service calls by it, and a replay finds Rasa's answer by it (api/rasa_client.py).
        nonlocal parts
        turn_id = f"{incoming.id}.{parts}"
        parts += 1
        if replay:
            answered = await rasa.replies_of_turn(str(conversation.id), turn_id)
            if answered is not None:
                logger.info("turn answered before conversation=%s message=%s", conversation.id, incoming.id)
                return answered
        return await rasa.send(
            sender=str(conversation.id),
            message=message,
            input_channel=conversation.channel,
            metadata={**metadata, TURN_ID_KEY: turn_id},
            notice=not replay,
        )

    # Typed text may hold two questions: each is its own turn (api/conversations/two_questions.py).
    bot_replies = await (
        two_questions.play(rasa, for_rasa, send, _stops_the_message) if typed else send(for_rasa)
    )
    incoming.rasa_status = RasaStatus.DELIVERED
    bot_replies = await reveal_replies(session, conversation.id, bot_replies)
    erase = any(is_erase_signal(reply.custom) for reply in bot_replies)
    signals = [reply.custom for reply in bot_replies if is_handoff_signal(reply.custom)]
    replies = from_rasa_replies(_without_signals(bot_replies))
    outgoing = [outgoing_message(conversation.id, Author.BOT, reply) for reply in replies]
    for message in outgoing:  # set before a hand-off's commit below stores them
        message.reply_to = incoming.id
    logger.info(
        "rasa replied conversation=%s message=%s replies=%d",
        conversation.id,
        incoming.id,
        len(outgoing),
    )
    if signals and handoffs is not None:
        session.add_all(outgoing)
        notices = await handoffs.on_signal(session, conversation, signals[0])
        outgoing += [outgoing_message(conversation.id, Author.SYSTEM, notice) for notice in notices]
    return outgoing, erase


async def _finish(
    session: AsyncSession,
    rasa: RasaClient,
    conversation: Conversation,
    incoming: Message,
    outgoing: list[Message],
    erase: bool,
) -> None:
    """Store the turn's replies (after the privacy notice at first contact) and commit; then
    erase, or mask what the turn used."""
    first_contact = await _first_contact(session, rasa, conversation)
    if first_contact is not None:
        notice = TextReply(text=rasa.privacy.notice or "")
        outgoing.insert(0, outgoing_message(conversation.id, Author.SYSTEM, notice))
    for message in outgoing:  # a resend of `incoming` gets them again (api/conversations/resend.py)
        if message.reply_to is None:
            message.reply_to = incoming.id
    session.add_all(outgoing)
    await session.commit()
    if first_contact is not None:  # committed: later turns, from the remembered conversation, skip it
        bot_conversations.noted(conversation, privacy_notice_at=first_contact)
    if erase:
        await erasure.after_turn(session, rasa.privacy.tracker, conversation, [m.id for m in outgoing])
    elif incoming.rasa_status is RasaStatus.DELIVERED:
        # A shared phone or a warnet PC: what this turn used is masked in the stored history.
        await mask_after_turn(session, incoming, outgoing)
    else:
        await mask_stored(session, outgoing)


async def reveal_replies(
    session: AsyncSession, conversation_id: uuid.UUID, bot_replies: list[BotReply]
) -> list[BotReply]:
    """The bot's replies as a person may read them: a token the bot echoes (a slot, a
    number from a service) shown as the masked original (api/privacy/vault.py). Button
    payloads keep their tokens: they go back to Rasa."""
    vault = privacy.current()
    revealed = []
    for reply in bot_replies:
        changes: dict[str, Any] = {}
        if reply.text:
            changes["text"] = await vault.reveal(session, conversation_id, reply.text)
        if reply.buttons:
            changes["buttons"] = [
                button.model_copy(
                    update={"title": await vault.reveal(session, conversation_id, button.title)}
                )
                for button in reply.buttons
            ]
        signal = is_handoff_signal(reply.custom) or is_erase_signal(reply.custom)
        if isinstance(reply.custom, dict) and not signal:
            changes["custom"] = await vault.reveal_json(session, conversation_id, reply.custom)
        revealed.append(reply.model_copy(update=changes) if changes else reply)
    return revealed


async def _first_contact(
    session: AsyncSession, rasa: RasaClient, conversation: Conversation
) -> datetime | None:
    """When this is the conversation's first turn with the bot (the privacy notice is due): the
    time it is marked with; else None. Read in memory first: one UPDATE, at first contact only."""
    rights = rasa.privacy
    if rights.notice is None or conversation.privacy_notice_at is not None:
        return None
    if conversation.channel not in rights.notice_channels:
        return None
    now = utcnow()
    marked = await session.execute(
        update(Conversation)
        .where(Conversation.id == conversation.id, Conversation.privacy_notice_at.is_(None))
        .values(privacy_notice_at=now)
        .execution_options(synchronize_session=False)
    )
    # As loaded with it: the UPDATE above wrote it, the unit of work must not write it again.
    set_committed_value(conversation, "privacy_notice_at", now)
    return now if marked.rowcount else None  # type: ignore[attr-defined]


def _stops_the_message(reply: BotReply) -> bool:
    """After a hand-off or an erasure, the rest of a two-question message is not played."""
    return is_handoff_signal(reply.custom) or is_erase_signal(reply.custom)


def _without_signals(bot_replies: list[BotReply]) -> list[dict[str, Any]]:
    return [
        reply.model_dump(exclude_none=True)
        for reply in bot_replies
        if not (is_handoff_signal(reply.custom) or is_erase_signal(reply.custom))
    ]
