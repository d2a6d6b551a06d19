"""WhatsApp Cloud API: the webhook's messages and delivery statuses.

Each inbound message goes through the shared pipeline (connectors/inbound.py) and its replies
are sent through the Graph API client. Free-form replies are only sent within 24 hours of
the citizen's last message (WhatsApp's customer-service window, counted from the message's
own timestamp, since Meta retries a webhook for days); outside it they are stored, marked
`undelivered` and logged: template messages are out of scope.

A "TIKET 123456" message proves the sender's WhatsApp for a web ticket's answer
(api/callcenter/reach.py): handed to the call center, never to the bot.

A sender is keyed by their business-scoped user id, their number and username kept as
attributes (connectors/whatsapp/identity.py); replies go to the number when known, else to
the BSUID.
"""

from __future__ import annotations

import logging
import re
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from api.attachments import files
from api.attachments.storage import Storage
from api.conversations import store
from api.conversations.delivery import DeliveryFailed, deliver, notify
from api.conversations.model import (
    AttachmentReply,
    ButtonClickIn,
    ContactIn,
    Inbound,
    LocationIn,
    Reply,
    TextIn,
    TextReply,
)
from api.models import Author
from api.text import clean_text
from connectors import inbound
from connectors.inbound import ChannelContext, Outcome, ReachCodes
from connectors.whatsapp import identity, media
from connectors.whatsapp.client import GraphClient
from connectors.whatsapp.payload import (
    Phone,
    Sender,
    SharedContact,
    Value,
    WebhookPayload,
    WhatsAppMessage,
    WhatsAppStatus,
)
from connectors.whatsapp.render import CONTACT_ID, parse_choice_id, render

logger = logging.getLogger(__name__)

CHANNEL = "whatsapp"
WEBHOOK_PATH = "/webhooks/whatsapp"
SERVICE_WINDOW = timedelta(hours=24)
# Reactions and system notices need no answer (a changed number is recorded).
_IGNORED_TYPES = {"reaction", "system", "ephemeral"}


class WhatsAppOutbox:
    """Sends one number's replies; an agent's file is uploaded from `attachments`."""

    def __init__(self, client: GraphClient, to: str, *, attachments: Storage | None = None) -> None:
        self._client, self._to = client, to
        self._attachments = attachments

    async def send(self, reply: Reply, ref: int | None, skip: int = 0) -> str | None:
        if isinstance(reply, AttachmentReply) and self._attachments is not None:
            data = await files.read(self._attachments, reply)
            if data is None:
                raise DeliveryFailed("attachment bytes missing")  # erased meanwhile: final
            return await media.send(self._client, self._to, reply, data)
        wamid = None
        for index, message in enumerate(render(reply, ref)[skip:], start=skip):
            try:
                wamid = await self._client.send(self._to, message)
            except DeliveryFailed as error:
                error.sent_parts = index  # the parts before it were taken
                raise
        return wamid


class WhatsAppChannel:
    def __init__(self, client: GraphClient, context: ChannelContext, phone_number_id: str) -> None:
        self.client = client
        self._context = context
        self._phone_number_id = phone_number_id

    async def aclose(self) -> None:
        await self.client.aclose()

    async def handle(self, payload: WebhookPayload) -> None:
        """Statuses and messages of one webhook call. Raises only when storing failed."""
        for value in payload.values():
            number = value.metadata.phone_number_id if value.metadata else None
            if number is not None and number != self._phone_number_id:
                logger.warning("whatsapp webhook for another phone number ignored")
                continue
            for status in value.statuses:
                await self._status(value, status)
            for message in value.messages:
                await self._message(value.sender(message), message)

    async def _status(self, value: Value, status: WhatsAppStatus) -> None:
        recipient = value.recipient(status)
        if recipient is not None:  # a BSUID next to the number we sent to: a thread from before
            async with self._context.sessionmaker() as session:
                await identity.learn(session, recipient)
        delivery = status.delivery_status()
        if delivery is None:
            logger.info("whatsapp status ignored status=%s", status.status[:16])
            return
        async with self._context.sessionmaker() as session:
            found = await store.record_status(session, CHANNEL, status.id, delivery, status.error())
            if found is not None and delivery.value == "read" and self._context.handoffs is not None:
                await self._context.handoffs.message_read(session, found)  # "Dibaca" in the console
        if found is None:  # a notice we did not store, or a message from before
            logger.debug("whatsapp status for an unknown message")
        elif delivery.value == "failed":
            logger.warning("whatsapp delivery failed error=%s", status.error())

    async def _message(self, sender: Sender, message: WhatsAppMessage) -> None:
        if (change := message.number_change) is not None:
            async with self._context.sessionmaker() as session:
                await identity.changed_number(session, sender, change)
            return
        if message.type in _IGNORED_TYPES:
            logger.info("whatsapp message ignored type=%s", message.type)
            return
        admission = await inbound.rate_limit(self._context, CHANNEL, sender.key)
        wanted = media.incoming(message) if self._context.attachments is not None else None
        if wanted is not None and admission.allowed:
            await self._file(sender, message, wanted)
            return
        event, notice = self._event(message)
        async with self._context.sessionmaker() as session:
            # A message we cannot read opens no conversation (as before BSUIDs).
            key = await identity.resolve(session, sender, open_thread=event is not None)
            outbox = WhatsAppOutbox(self.client, await identity.send_to(session, key, sender.phone))
            if isinstance(event, ContactIn) and event.own:
                await identity.record_phone(session, key, re.sub(r"[^0-9]", "", event.phone_number))
            if not admission.allowed:  # stored, not forwarded: see connectors/inbound.py
                await inbound.refuse(
                    session,
                    outbox,
                    admission,
                    channel=CHANNEL,
                    user_id=key,
                    external_id=message.id,
                    event=event,
                    sent_at=message.sent_at(),
                )
                return
            if event is None:
                if await store.claim_update(session, CHANNEL, message.id):
                    await notify(outbox, notice or inbound.UNSUPPORTED_TEXT)
                return
            codes = self._context.reach_codes
            if codes and isinstance(event, TextIn) and (code := codes.reach_code(event.text)):  # TIKET 123456
                await self._reach_code(session, outbox, key, message, event, code, codes)
                return
            received = await inbound.receive(
                self._context,
                session,
                channel=CHANNEL,
                user_id=key,
                external_id=message.id,
                event=event,
                sent_at=message.sent_at(),
                own_number=message.phone,
            )
            if received.outcome is Outcome.STALE_CHOICE:
                await notify(outbox, inbound.STALE_CHOICE_TEXT)
            elif received.outcome is Outcome.HANDLED and received.thread is not None:
                await deliver(
                    session,
                    outbox,
                    CHANNEL,
                    received.replies or [],
                    window_open=store.within(received.thread, SERVICE_WINDOW),
                )

    async def _file(self, sender: Sender, message: WhatsAppMessage, wanted: media.IncomingFile) -> None:
        """An image or document: downloaded, checked and kept with the conversation (once per
        message id); the citizen is told it is kept, or why it was refused."""
        async with self._context.sessionmaker() as session:
            key = await identity.resolve(session, sender, open_thread=True)
            outbox = WhatsAppOutbox(self.client, await identity.send_to(session, key, sender.phone))
            if await store.update_seen(session, CHANNEL, message.id):
                return  # Meta retried a message already kept
            try:
                checked = await media.download(self.client, wanted)
            except files.Rejected as error:
                logger.info("whatsapp file refused reason=%s", error.reason[:64])
                if await store.claim_update(session, CHANNEL, message.id):
                    await notify(outbox, error.text)
                return
            received = await inbound.receive_file(
                self._context,
                session,
                channel=CHANNEL,
                user_id=key,
                external_id=message.id,
                checked=checked,
                caption=wanted.caption,
                sent_at=message.sent_at(),
            )
            if received.outcome is Outcome.HANDLED and received.replies == []:
                await notify(outbox, files.RECEIVED_TEXT)

    async def _reach_code(
        self,
        session: AsyncSession,
        outbox: WhatsAppOutbox,
        key: str,
        message: WhatsAppMessage,
        event: TextIn,
        code: str,
        codes: ReachCodes,
    ) -> None:
        """Kept in the sender's conversation (once per message id; it opens WhatsApp's window),
        handed to the call center, its answer sent back."""
        thread, conversation, _ = await store.channel_thread(session, CHANNEL, key)
        try:
            await store.store_incoming(
                session,
                conversation,
                event,
                None,
                external_id=message.id,
                thread=thread,
                sent_at=message.sent_at(),
            )
        except store.DuplicateUpdate:
            return
        address = f"+{key}" if key.isdigit() else key  # the number, or the BSUID
        answer = await codes.claim_whatsapp_code(session, code, address)
        replies = await store.store_replies(session, conversation, Author.SYSTEM, [TextReply(text=answer)])
        await deliver(session, outbox, CHANNEL, replies)

    def _event(self, message: WhatsAppMessage) -> tuple[Inbound | inbound.EventFactory | None, str | None]:
        """The event a message stands for, or None and the notice to answer with."""
        try:
            return self._read(message)
        except ValueError:  # a value the model refuses: a number, coordinates, an empty title
            return None, inbound.UNSUPPORTED_TEXT

    def _read(self, message: WhatsAppMessage) -> tuple[Inbound | inbound.EventFactory | None, str | None]:
        if message.type == "text" and message.text is not None:
            text = clean_text(message.text.body)
            if not text:
                return None, inbound.UNSUPPORTED_TEXT
            if len(text) > self._context.max_message_chars:
                return None, inbound.too_long_text(self._context.max_message_chars)
            return TextIn(text=text), None
        if message.type == "interactive" and message.interactive is not None:
            chosen = message.interactive.button_reply or message.interactive.list_reply
            if chosen is None:
                return None, inbound.UNSUPPORTED_TEXT
            if chosen.id.startswith(f"{CONTACT_ID}:"):
                # The number the message came from: WhatsApp vouches for it. A sender known
                # only by a user id has none to give: the number is typed and proved by OTP.
                if message.phone is None:
                    return None, inbound.UNSUPPORTED_TEXT
                return ContactIn(phone_number=message.phone, own=True), None
            reference = parse_choice_id(chosen.id)
            if reference is None:
                return None, inbound.STALE_CHOICE_TEXT
            return inbound.chosen_event(*reference), None
        if message.type == "button" and message.button is not None and message.button.payload:
            return ButtonClickIn(
                payload=message.button.payload, title=message.button.text or message.button.payload
            ), None
        if message.type == "location" and message.location is not None:
            location = message.location
            return LocationIn(
                latitude=location.latitude,
                longitude=location.longitude,
                name=location.name,
                address=location.address,
            ), None
        if message.type == "contacts" and message.contacts:
            card = message.contacts[0]
            phones = [phone for phone in card.phones if phone.phone or phone.wa_id]
            if phones:
                number = phones[0].phone or phones[0].wa_id or ""
                return ContactIn(phone_number=number, own=_own(message, card, phones[0])), None
        # Images, voice notes, stickers, documents, videos, unreadable contacts…
        return None, inbound.UNSUPPORTED_TEXT


def _own(message: WhatsAppMessage, card: SharedContact, phone: Phone) -> bool:
    """A card is the sender's own number only when WhatsApp marks it the answer to our contact
    request (`origin: contact_request`), and, the sender's number known, it is that number."""
    if card.origin != "contact_request":
        return False
    return message.phone is None or phone.wa_id is None or phone.wa_id == message.phone
