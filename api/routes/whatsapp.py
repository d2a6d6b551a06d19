"""WhatsApp Cloud API webhook: verification `GET` and signed `POST /webhooks/whatsapp`."""

from __future__ import annotations

import hmac
import logging
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request, Response, status
from fastapi.responses import PlainTextResponse
from pydantic import ValidationError

from api.core.config import SettingsDep
from connectors.whatsapp.channel import WEBHOOK_PATH, WhatsAppChannel
from connectors.whatsapp.payload import WebhookPayload
from connectors.whatsapp.signature import SIGNATURE_HEADER, Signature, check_signature

logger = logging.getLogger(__name__)

router = APIRouter(tags=["channels"])


def _channel(request: Request) -> WhatsAppChannel:
    channels = getattr(request.app.state, "channels", None)
    channel: WhatsAppChannel | None = channels.whatsapp if channels is not None else None
    if channel is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "Kanal WhatsApp tidak aktif.")
    return channel


@router.get(WEBHOOK_PATH, response_class=PlainTextResponse)
async def whatsapp_verification(
    request: Request,
    settings: SettingsDep,
    mode: Annotated[str, Query(alias="hub.mode")] = "",
    verify_token: Annotated[str, Query(alias="hub.verify_token")] = "",
    challenge: Annotated[str, Query(alias="hub.challenge", max_length=256)] = "",
) -> PlainTextResponse:
    """Meta's subscription check: echo `hub.challenge` when the verify token is ours."""
    _channel(request)
    expected = settings.whatsapp_verify_token.get_secret_value().encode()
    if mode != "subscribe" or not challenge or not hmac.compare_digest(expected, verify_token.encode()):
        logger.warning("whatsapp verification refused")
        raise HTTPException(status.HTTP_403_FORBIDDEN, "Token verifikasi tidak valid.")
    return PlainTextResponse(challenge)


@router.post(WEBHOOK_PATH, response_class=Response)
async def whatsapp_webhook(request: Request, settings: SettingsDep) -> Response:
    """Messages and delivery statuses, signed with the app secret (`X-Hub-Signature-256`):
    401 without a signature, 403 with a wrong one. Messages are stored before the 200."""
    channel = _channel(request)
    body = await request.body()
    signature = check_signature(
        settings.whatsapp_app_secret.get_secret_value(), body, request.headers.get(SIGNATURE_HEADER)
    )
    if signature is Signature.MISSING:
        logger.warning("whatsapp webhook refused: no signature")
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "Tanda tangan permintaan tidak ada.")
    if signature is Signature.INVALID:
        logger.warning("whatsapp webhook refused: wrong signature")
        raise HTTPException(status.HTTP_403_FORBIDDEN, "Tanda tangan permintaan tidak valid.")
    try:
        payload = WebhookPayload.model_validate_json(body)
    except ValidationError as error:
        # Where and why only, never the input: the body holds citizens' messages and numbers.
        kinds = sorted({item["type"] for item in error.errors()})
        logger.warning("whatsapp webhook malformed: %s", ",".join(kinds))
        code = (
            status.HTTP_400_BAD_REQUEST if "json_invalid" in kinds else status.HTTP_422_UNPROCESSABLE_CONTENT
        )
        raise HTTPException(code, "Format data tidak valid.") from error
    await channel.handle(payload)
    return Response(status_code=status.HTTP_200_OK)
