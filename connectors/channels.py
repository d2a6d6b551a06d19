"""The gateway's messaging channels, started in its lifespan: each is on when its token is
set (AW_TELEGRAM_BOT_TOKEN, AW_WHATSAPP_TOKEN), and all share one per-sender rate limiter."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated

from fastapi import Depends, Request
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api import chat
from api.core.config import Settings
from api.models import ChannelThread, Conversation, Message
from api.rasa_client import RasaClient
from connectors import inbox
from connectors.inbox import ChannelContext, Outbox
from connectors.ratelimit import RateLimiter, create_rate_limiter
from connectors.telegram.channel import TelegramChannel, TelegramOutbox, build_application
from connectors.whatsapp.channel import SERVICE_WINDOW, WhatsAppChannel, WhatsAppOutbox
from connectors.whatsapp.client import GraphClient

if TYPE_CHECKING:
    from api.callcenter.service import CallCenter

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
        callcenter: CallCenter | None,
    ) -> Channels:
        limiter = create_rate_limiter(
            settings.redis_url, settings.rate_limit_messages, settings.rate_limit_window_seconds
        )
        context = ChannelContext(sessionmaker, rasa, limiter, settings.max_message_chars, callcenter)
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

    async def push(self, session: AsyncSession, conversation: Conversation, messages: list[Message]) -> None:
        """Send stored messages that answer no webhook (an agent's reply, a hand-off notice)
        to a Telegram chat or WhatsApp number, recording each delivery. WhatsApp's 24-hour
        window applies. Web conversations are pushed by the gateway's events instead."""
        outbox: Outbox
        window_open = True
        if conversation.channel == "telegram" and self.telegram is not None:
            outbox = TelegramOutbox(self.telegram.bot, int(conversation.channel_user_id or 0))
        elif conversation.channel == "whatsapp" and self.whatsapp is not None:
            outbox = WhatsAppOutbox(self.whatsapp.client, conversation.channel_user_id or "")
            thread = await session.scalar(
                select(ChannelThread).where(
                    ChannelThread.channel == conversation.channel,
                    ChannelThread.channel_user_id == conversation.channel_user_id,
                )
            )
            window_open = thread is not None and chat.within(thread, SERVICE_WINDOW)
        else:
            return
        await inbox.deliver(session, outbox, conversation.channel, messages, window_open=window_open)

    async def aclose(self) -> None:
        if self.telegram is not None:
            await self.telegram.stop()
        if self.whatsapp is not None:
            await self.whatsapp.aclose()
        await self.limiter.aclose()


async def _rate_limiter(request: Request) -> RateLimiter:
    channels: Channels = request.app.state.channels
    return channels.limiter


RateLimiterDep = Annotated[RateLimiter, Depends(_rate_limiter)]
