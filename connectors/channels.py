"""The gateway's messaging channels, started in its lifespan: each is on when its token is
set (AW_TELEGRAM_BOT_TOKEN, AW_WHATSAPP_TOKEN), and all share one per-sender rate limiter."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.core.config import Settings
from api.rasa_client import RasaClient
from connectors.inbox import ChannelContext
from connectors.ratelimit import RateLimiter, create_rate_limiter
from connectors.telegram.channel import TelegramChannel, build_application
from connectors.whatsapp.channel import WhatsAppChannel
from connectors.whatsapp.client import GraphClient

logger = logging.getLogger(__name__)


@dataclass
class Channels:
    limiter: RateLimiter
    telegram: TelegramChannel | None = None
    whatsapp: WhatsAppChannel | None = None

    @classmethod
    async def start(
        cls,
        settings: Settings,
        sessionmaker: async_sessionmaker[AsyncSession],
        rasa: RasaClient,
    ) -> Channels:
        limiter = create_rate_limiter(
            settings.redis_url, settings.rate_limit_messages, settings.rate_limit_window_seconds
        )
        context = ChannelContext(sessionmaker, rasa, limiter, settings.max_message_chars)
        channels = cls(limiter)
        if settings.telegram_enabled:
            channels.telegram = TelegramChannel(build_application(settings), context)
            await channels.telegram.start(settings)
        if settings.whatsapp_enabled:
            client = GraphClient(
                str(settings.whatsapp_api_url),
                settings.whatsapp_token.get_secret_value(),
                settings.whatsapp_phone_number_id,
            )
            channels.whatsapp = WhatsAppChannel(client, context, settings.whatsapp_phone_number_id)
        logger.info(
            "channels telegram=%s whatsapp=%s rate_limit=%s",
            "on" if channels.telegram else "off",
            "on" if channels.whatsapp else "off",
            "redis" if settings.redis_url else "memory",
        )
        return channels

    async def aclose(self) -> None:
        if self.telegram is not None:
            await self.telegram.stop()
        if self.whatsapp is not None:
            await self.whatsapp.aclose()
        await self.limiter.aclose()


def _rate_limiter(request: Request) -> RateLimiter:
    channels: Channels = request.app.state.channels
    return channels.limiter


RateLimiterDep = Annotated[RateLimiter, Depends(_rate_limiter)]
