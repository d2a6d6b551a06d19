"""The gateway's inbound channels: each is on when its token is set (AW_TELEGRAM_BOT_TOKEN,
AW_WHATSAPP_TOKEN), and all, the web widget's WebSocket too, share one `ChannelContext` and
its per-sender rate limiter. Built by the composition root (api/composition.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from api.conversations.resend import Resends
from api.core.config import Settings
from connectors.inbound import ChannelContext
from connectors.ratelimit import RateLimiter
from connectors.telegram.channel import TelegramChannel
from connectors.whatsapp.channel import WhatsAppChannel


@dataclass
class Channels:
    context: ChannelContext
    telegram: TelegramChannel | None = None
    whatsapp: WhatsAppChannel | None = None

    @property
    def limiter(self) -> RateLimiter:
        return self.context.limiter

    async def start(self, settings: Settings) -> None:
        """Telegram's bot is initialised and its webhook registered (see TelegramChannel.start)."""
        if self.telegram is not None:
            await self.telegram.start(settings)

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


async def _resends(request: Request) -> Resends:
    channels: Channels = request.app.state.channels
    return channels.context.resends


ResendsDep = Annotated[Resends, Depends(_resends)]
