"""Telegram: one handler for every update, used by the webhook route and by polling.

python-telegram-bot provides the bot (with its `AIORateLimiter` for Telegram's outgoing
limits), the typed updates and, in polling mode, the updater. The application is built
with `updater(None)` for the webhook: the gateway's own route receives the update and
awaits `TelegramChannel.handle`, so the message is stored before Telegram gets its 200.

Private chats only: group and channel posts are ignored on purpose (the assistant handles
personal matters). Stickers, photos, voice notes and other media get a short notice;
edited messages get a notice too (an edit cannot be un-sent to Rasa); edited live locations
and service updates are ignored.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Bot, Message, ReplyKeyboardRemove, Update
from telegram.error import BadRequest, ChatMigrated, Forbidden, RetryAfter, TelegramError
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder

from api.attachments import files
from api.attachments.storage import Storage
from api.conversations import store
from api.conversations.delivery import DeliveryFailed, deliver, notify
from api.conversations.model import (
    AttachmentReply,
    ButtonClickIn,
    ContactIn,
    ContactRequest,
    Inbound,
    LocationIn,
    LocationRequest,
    Reply,
    TextIn,
)
from api.core.config import Settings
from api.text import clean_text
from connectors import inbound
from connectors.inbound import ChannelContext, Outcome
from connectors.telegram import media
from connectors.telegram.render import Call, parse_callback_data, render

logger = logging.getLogger(__name__)

CHANNEL = "telegram"
WEBHOOK_PATH = "/webhooks/telegram"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
ALLOWED_UPDATES = ["message", "edited_message", "callback_query"]

EDITED_TEXT = (
    "Pesan yang diubah tidak kami proses. Bila ada yang ingin diperbaiki, silakan kirim sebagai pesan baru."
)
UNSUPPORTED_CONTACT_TEXT = "Mohon maaf, nomor telepon pada kontak itu tidak dapat kami baca."

# Commands: Telegram's /start opens every bot; the rest mirror the menu.
COMMANDS = {"start": "/greet", "menu": "/ask_menu", "bantuan": "/ask_menu", "help": "/ask_menu"}


# With no retries of its own, the rate limiter logs each 429 as an error with a traceback; the
# outbox retries it and logs it once (api/conversations/delivery.py).
logging.getLogger("telegram.ext.AIORateLimiter").setLevel(logging.CRITICAL)


def build_application(settings: Settings, *, polling: bool = False) -> Application:
    """The python-telegram-bot application; without an updater unless `polling`."""
    builder: ApplicationBuilder = (
        Application.builder()
        .token(settings.telegram_bot_token.get_secret_value())
        # Throttles to Telegram's limits; a 429 is not slept on here but raised, and the outbox
        # retries it after Telegram's `retry_after` (api/conversations/outbox_worker.py).
        .rate_limiter(AIORateLimiter(max_retries=0))
    )
    if settings.telegram_api_url is not None:
        base = str(settings.telegram_api_url).rstrip("/")
        builder = builder.base_url(base).base_file_url(f"{base}/file")
    if not polling:
        builder = builder.updater(None)
    return builder.build()


class TelegramOutbox:
    """Sends one chat's replies; the first one without a keyboard of its own hides an
    earlier contact/location keyboard. An agent's file is uploaded from `attachments`."""

    def __init__(
        self, bot: Bot, chat_id: int, *, remove_keyboard: bool = False, attachments: Storage | None = None
    ) -> None:
        self._bot, self._chat_id, self._remove_keyboard = bot, chat_id, remove_keyboard
        self._attachments = attachments

    @property
    def chat_id(self) -> int:
        return self._chat_id

    async def send(self, reply: Reply, ref: int | None, skip: int = 0) -> str | None:
        if isinstance(reply, AttachmentReply) and self._attachments is not None:
            return await self._send_file(reply)
        if isinstance(reply, ContactRequest | LocationRequest):
            self._remove_keyboard = False  # the request shows a keyboard of its own
        calls = render(reply, ref, remove_keyboard=self._remove_keyboard)
        if any(isinstance(call.params.get("reply_markup"), ReplyKeyboardRemove) for call in calls):
            self._remove_keyboard = False
        sent: Message | None = None
        for index, call in enumerate(calls[skip:], start=skip):
            sent = await self._call(call, index)
        return str(sent.message_id) if sent is not None else None

    async def _send_file(self, reply: AttachmentReply) -> str:
        assert self._attachments is not None
        data = await files.read(self._attachments, reply)
        if data is None:
            raise DeliveryFailed("attachment bytes missing")  # erased meanwhile: final
        try:
            sent = await media.send(self._bot, self._chat_id, reply, data)
        except TelegramError as error:
            raise failure(error) from error
        return str(sent.message_id)

    async def _call(self, call: Call, index: int) -> Message:
        try:
            method = getattr(self._bot, call.method)
            result: Message = await method(chat_id=self._chat_id, **call.params)
        except TelegramError as error:
            raise failure(error, sent_parts=index) from error
        return result


def failure(error: TelegramError, *, sent_parts: int = 0) -> DeliveryFailed:
    """What the outbox makes of a Bot API error: 429 (`RetryAfter`, with Telegram's
    `retry_after`), a 5xx or a network error is retried; a 400 (`BadRequest`), a 403
    (`Forbidden`: the citizen blocked the bot) or a migrated chat is final."""
    reason = f"{type(error).__name__}: {error.message}"[:255]
    if isinstance(error, RetryAfter):
        wait = error._retry_after.total_seconds()  # the timedelta behind the deprecated int
        return DeliveryFailed(reason, retryable=True, retry_after=wait, sent_parts=sent_parts)
    final = isinstance(error, BadRequest | Forbidden | ChatMigrated)
    return DeliveryFailed(reason, retryable=not final, sent_parts=sent_parts)


@dataclass
class _Inbound:
    """What an update asks of us."""

    chat_id: int
    event: Inbound | inbound.EventFactory | None = None
    notice: str | None = None
    remove_keyboard: bool = False
    file: media.IncomingFile | None = None


class TelegramChannel:
    def __init__(self, application: Application, context: ChannelContext) -> None:
        self.application = application
        self._context = context
        self._ready = False

    @property
    def bot(self) -> Bot:
        return self.application.bot

    async def start(self, settings: Settings) -> None:
        """Initialise the bot (getMe) and, with a public URL, register the webhook. Telegram
        being unreachable does not stop the gateway: the webhook route retries later."""
        if not await self._initialise():
            return
        if settings.public_url is None:
            return
        url = str(settings.public_url).rstrip("/") + WEBHOOK_PATH
        try:
            await self.bot.set_webhook(
                url=url,
                secret_token=settings.telegram_webhook_secret.get_secret_value(),
                allowed_updates=ALLOWED_UPDATES,
            )
            logger.info("telegram webhook registered")
        except TelegramError as error:
            logger.warning("telegram webhook not registered: %s", type(error).__name__)

    async def _initialise(self) -> bool:
        if not self._ready:
            try:
                await self.application.initialize()
            except TelegramError as error:
                logger.warning("telegram unavailable at start-up: %s", type(error).__name__)
                return False
            self._ready = True
        return True

    async def ensure_ready(self) -> bool:
        return await self._initialise()

    async def stop(self) -> None:
        if self._ready:
            await self.application.shutdown()
            self._ready = False

    async def handle(self, update: Update) -> None:
        """Handle one update end to end. Raises only when it could not be stored."""
        if update.callback_query is not None:
            # Answered first, whatever follows: the citizen's button stops spinning.
            try:
                await update.callback_query.answer()
            except TelegramError as error:
                logger.info("callback query not answered: %s", type(error).__name__)
        request = self._inbound(update)
        if request is None:
            return
        outbox = TelegramOutbox(self.bot, request.chat_id, remove_keyboard=request.remove_keyboard)
        user_id = str(request.chat_id)
        admission = await inbound.rate_limit(self._context, CHANNEL, user_id)
        async with self._context.sessionmaker() as session:
            if not admission.allowed:  # stored, not forwarded: see connectors/inbound.py
                await inbound.refuse(
                    session,
                    outbox,
                    admission,
                    channel=CHANNEL,
                    user_id=user_id,
                    external_id=str(update.update_id),
                    event=request.event,
                )
                return
            if request.file is not None:
                await self._receive_file(session, outbox, update, request.file)
                return
            if request.event is None:  # a notice only; still once per update
                if await _claim(session, update) and request.notice:
                    await notify(outbox, request.notice)
                return
            received = await inbound.receive(
                self._context,
                session,
                channel=CHANNEL,
                user_id=user_id,
                external_id=str(update.update_id),
                event=request.event,
            )
            if received.outcome is Outcome.STALE_CHOICE:
                await notify(outbox, inbound.STALE_CHOICE_TEXT)
            elif received.outcome is Outcome.HANDLED:
                await deliver(session, outbox, CHANNEL, received.replies or [])

    async def _receive_file(
        self, session: AsyncSession, outbox: TelegramOutbox, update: Update, wanted: media.IncomingFile
    ) -> None:
        """A photo or document: downloaded, checked, kept with the conversation (once per
        update); the citizen is told it is kept, or why it was refused."""
        if await store.update_seen(session, CHANNEL, str(update.update_id)):
            return  # Telegram retried an update already handled
        try:
            checked = await media.download(self.bot, wanted)
        except files.Rejected as error:
            logger.info("telegram file refused reason=%s", error.reason)
            if await _claim(session, update):
                await notify(outbox, error.text)
            return
        received = await inbound.receive_file(
            self._context,
            session,
            channel=CHANNEL,
            user_id=str(outbox.chat_id),
            external_id=str(update.update_id),
            checked=checked,
            caption=wanted.caption,
        )
        if received.outcome is Outcome.HANDLED and received.replies == []:
            await notify(outbox, files.RECEIVED_TEXT)

    def _inbound(self, update: Update) -> _Inbound | None:
        """What to do with an update; None to ignore it on purpose."""
        if update.callback_query is not None:
            query = update.callback_query
            message = query.message
            if message is None or message.chat.type != "private":
                return None
            reference = parse_callback_data(query.data)
            if reference is None:
                return _Inbound(message.chat.id, notice=inbound.STALE_CHOICE_TEXT)
            return _Inbound(message.chat.id, event=inbound.chosen_event(*reference))
        if update.edited_message is not None:
            edited = update.edited_message
            if edited.chat.type != "private" or edited.location is not None:
                return None  # live location updates arrive as edits: ignored
            return _Inbound(edited.chat.id, notice=EDITED_TEXT)
        message = update.message
        if message is None or message.from_user is None:
            _log_ignored(update)
            return None
        if message.chat.type != "private":
            _log_ignored(update)
            return None
        return self._message(message)

    def _message(self, message: Message) -> _Inbound:
        chat_id = message.chat.id
        if message.text and (text := clean_text(message.text)):
            if len(text) > self._context.max_message_chars:
                return _Inbound(chat_id, notice=inbound.too_long_text(self._context.max_message_chars))
            return _Inbound(chat_id, event=_text_event(text))
        if message.contact is not None:
            contact = message.contact
            sender = message.from_user
            own = sender is not None and contact.user_id == sender.id
            try:
                event: Inbound = ContactIn(phone_number=contact.phone_number, own=own)
            except ValueError:
                return _Inbound(chat_id, notice=UNSUPPORTED_CONTACT_TEXT)
            return _Inbound(chat_id, event=event, remove_keyboard=True)
        if message.location is not None:
            venue = message.venue
            try:
                event = LocationIn(
                    latitude=message.location.latitude,
                    longitude=message.location.longitude,
                    name=venue.title if venue else None,
                    address=venue.address if venue else None,
                )
            except ValueError:
                return _Inbound(chat_id, notice=inbound.UNSUPPORTED_TEXT)
            return _Inbound(chat_id, event=event, remove_keyboard=True)
        if (wanted := media.incoming(message)) is not None and self._context.attachments is not None:
            return _Inbound(chat_id, file=wanted)
        # Stickers, voice notes, videos, polls, dice…
        return _Inbound(chat_id, notice=inbound.UNSUPPORTED_TEXT)


def _text_event(text: str) -> Inbound:
    """Typed text; a command (`/start`, `/menu`) as the intent it stands for."""
    if text.startswith("/"):
        command = text[1:].split(maxsplit=1)[0].split("@", 1)[0].lower() if len(text) > 1 else ""
        if command in COMMANDS:
            return ButtonClickIn(payload=COMMANDS[command], title=text.split(maxsplit=1)[0])
        # An unknown command is read as words, never as a Rasa intent payload.
        text = text.lstrip("/") or text
    return TextIn(text=text)


async def _claim(session: AsyncSession, update: Update) -> bool:
    return await store.claim_update(session, CHANNEL, str(update.update_id))


_UPDATE_KINDS = ("message", "channel_post", "edited_channel_post", "my_chat_member", "chat_member")


def _log_ignored(update: Update) -> None:
    kinds = ",".join(kind for kind in _UPDATE_KINDS if getattr(update, kind, None)) or "other"
    logger.info("telegram update ignored update=%s kind=%s", update.update_id, kinds)
