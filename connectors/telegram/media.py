"""Telegram files both ways, through python-telegram-bot's `Bot`:

- in: a photo (its largest size) or a document, fetched with getFile and downloaded from the
  Bot API's file URL; its size checked before (the update's `file_size`) and after;
- out: an agent's file (`AttachmentReply`) uploaded with sendPhoto, or sendDocument for a
  PDF and for an image over sendPhoto's 10 MB.
"""

from __future__ import annotations

from dataclasses import dataclass

from telegram import Bot, InputFile, Message
from telegram.error import BadRequest

from api.attachments import files, limits
from api.conversations.model import AttachmentReply

CHANNEL = "telegram"
PHOTO_LIMIT = 10 * 1000 * 1000  # sendPhoto's limit
CAPTION_LIMIT = 1024


@dataclass(frozen=True)
class IncomingFile:
    """A file a message carries, not downloaded yet."""

    file_id: str
    name: str | None
    size: int | None
    caption: str | None


def incoming(message: Message) -> IncomingFile | None:
    """The photo or document of `message`, if it has one."""
    if message.photo:
        largest = message.photo[-1]
        return IncomingFile(largest.file_id, "foto.jpg", largest.file_size, message.caption)
    if message.document is not None:
        document = message.document
        return IncomingFile(document.file_id, document.file_name, document.file_size, message.caption)
    return None


async def download(bot: Bot, wanted: IncomingFile) -> files.Checked:
    """The file's bytes, checked. Raises `files.Rejected` (too large, a kind we do not take,
    a file Telegram refuses to give) or another TelegramError (Telegram unreachable or busy:
    the webhook answers 5xx and Telegram retries the update)."""
    limit = limits.max_bytes(CHANNEL)
    if wanted.size is not None and wanted.size > limit:
        raise files.too_large(CHANNEL)
    try:
        telegram_file = await bot.get_file(wanted.file_id)
        if telegram_file.file_size is not None and telegram_file.file_size > limit:
            raise files.too_large(CHANNEL)
        data = bytes(await telegram_file.download_as_bytearray())
    except BadRequest as error:  # final (an expired or unknown file id): asked to send again
        raise files.Rejected("unavailable", files.UNAVAILABLE_TEXT) from error
    return await files.check(data, wanted.name, CHANNEL)


async def send(bot: Bot, chat_id: int, reply: AttachmentReply, data: bytes) -> Message:
    """Upload an agent's file to the chat. Raises TelegramError."""
    caption = (reply.caption or "")[:CAPTION_LIMIT] or None
    upload = InputFile(data, filename=reply.filename)
    if reply.content_type.startswith("image/") and len(data) <= PHOTO_LIMIT:
        return await bot.send_photo(chat_id=chat_id, photo=upload, caption=caption)
    return await bot.send_document(chat_id=chat_id, document=upload, caption=caption)
