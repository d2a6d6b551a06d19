"""Telegram's webhook: `POST /webhooks/telegram` (docs/channels.md)."""

from __future__ import annotations

import hmac
import json
import logging

from fastapi import APIRouter, HTTPException, Request, Response, status
from telegram import Update

from api.core.config import SettingsDep
from connectors.telegram.channel import SECRET_HEADER, WEBHOOK_PATH, TelegramChannel

logger = logging.getLogger(__name__)

router = APIRouter(tags=["channels"])

MALFORMED = "Format data tidak valid."


def _channel(request: Request) -> TelegramChannel:
    channels = getattr(request.app.state, "channels", None)
    channel: TelegramChannel | None = channels.telegram if channels is not None else None
    if channel is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "Kanal Telegram tidak aktif.")
    return channel


@router.post(WEBHOOK_PATH, status_code=status.HTTP_200_OK, response_class=Response)
async def telegram_webhook(request: Request, settings: SettingsDep) -> Response:
    """One update from Telegram, checked against the webhook's secret token. The citizen's
    message is stored before the 200; a retried update (same `update_id`) is handled once."""
    channel = _channel(request)
    expected = settings.telegram_webhook_secret.get_secret_value().encode()
    given = request.headers.get(SECRET_HEADER, "").encode("utf-8", "replace")
    if not expected or not hmac.compare_digest(expected, given):
        logger.warning("telegram webhook refused: secret token %s", "missing" if not given else "wrong")
        raise HTTPException(status.HTTP_403_FORBIDDEN, "Token rahasia webhook tidak valid.")
    try:
        data = json.loads(await request.body())
        if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
            raise ValueError("not an update")
        update = Update.de_json(data, channel.bot)
    except (ValueError, TypeError, KeyError, AttributeError) as error:
        # The reason's type only: the body holds a citizen's message.
        logger.warning("telegram webhook malformed: %s", type(error).__name__)
        raise HTTPException(status.HTTP_400_BAD_REQUEST, MALFORMED) from error
    if not await channel.ensure_ready():
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "Kanal Telegram belum siap.")
    await channel.handle(update)
    return Response(status_code=status.HTTP_200_OK)
