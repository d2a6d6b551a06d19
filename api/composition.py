"""The composition root: the one place that wires the gateway's conversation parts.

Outbound first (what sends on each channel), then the call center (given the outbound port),
then the outbox's delivery worker (given the senders and the call center), then the inbound
channels (given the call center as the turn's hand-off port). So the
dependencies run one way: routes -> connectors -> core (api/conversations) <- call center
(docs/architecture.md). The app's lifespan (api/main.py) and the Telegram polling runner
(connectors/telegram/polling.py) both build the gateway here.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.attachments.sealed import SealedStorage
from api.attachments.storage import LocalStorage, Storage
from api.callcenter.service import CallCenter
from api.conversations import outbox
from api.conversations.admission import BusyNotice
from api.conversations.bot_conversations import BotConversations
from api.conversations.outbox_worker import DeliveryWorker
from api.conversations.resend import Resends
from api.conversations.retry import RetryPolicy, TurnRetries
from api.core.config import Settings
from api.ministries.registry import Ministries
from api.notifications import emails as update_emails
from api.notifications.notifier import Notifier, NotifyPolicy, Template
from api.notifications.quiet_hours import QuietHours
from api.pubsub import Broadcaster
from api.rasa_client import Admission, RasaClient
from connectors.channels import Channels
from connectors.email import SmtpMailer
from connectors.inbound import ChannelContext
from connectors.outbound import ChannelOutbound
from connectors.ratelimit import (
    IpLimits,
    LoginLimits,
    create_ip_limits,
    create_login_limits,
    create_rate_limiter,
)
from connectors.telegram.channel import TelegramChannel, build_application
from connectors.whatsapp.channel import WhatsAppChannel
from connectors.whatsapp.client import GraphClient

logger = logging.getLogger(__name__)


@dataclass
class Gateway:
    bot_conversations: BotConversations
    callcenter: CallCenter
    channels: Channels
    delivery: DeliveryWorker
    ip_limits: IpLimits | None = None
    login_limits: LoginLimits | None = None
    retries: TurnRetries | None = None
    notifier: Notifier | None = None
    # Files and photos of conversations (api/attachments).
    attachments: Storage | None = None

    async def start(self, settings: Settings) -> None:
        """Telegram's webhook, then following other replicas' hand-offs, the timeouts' sweeper,
        the outbox's delivery worker and the failed turns' retry worker."""
        await self.channels.start(settings)
        self.bot_conversations.start()
        self.callcenter.start()
        if settings.outbox_worker:
            self.delivery.start()
        if self.retries is not None:
            self.retries.start()
        if self.notifier is not None and settings.notify_worker:
            self.notifier.start()

    async def aclose(self) -> None:
        if self.notifier is not None:
            await self.notifier.aclose()
        if self.retries is not None:
            await self.retries.aclose()
        await self.delivery.aclose()
        await self.callcenter.aclose()
        await self.bot_conversations.aclose()
        await self.channels.aclose()
        for limits in (self.ip_limits, self.login_limits):
            if limits is not None:
                await limits.aclose()


def build_gateway(
    settings: Settings,
    sessionmaker: async_sessionmaker[AsyncSession],
    rasa: RasaClient,
    broadcaster: Broadcaster,
    *,
    polling: bool = False,
    ministries: Ministries | None = None,
) -> Gateway:
    """Wire the gateway; nothing connects until `Gateway.start`. `polling`: Telegram alone,
    with python-telegram-bot's updater (`make telegram-polling`), and no WhatsApp. With
    `ministries`, the notifier pushes case updates (api/notifications)."""
    application = build_application(settings, polling=polling) if settings.telegram_enabled else None
    graph = (
        GraphClient(
            str(settings.whatsapp_api_url),
            settings.whatsapp_token.get_secret_value(),
            settings.whatsapp_phone_number_id,
        )
        if settings.whatsapp_enabled and not polling
        else None
    )
    # Files and photos, sealed at rest, under var/ (a production object store would replace
    # LocalStorage: api/attachments/storage.py).
    attachments = SealedStorage(LocalStorage(settings.attachments_dir))
    outbound = ChannelOutbound(
        broadcaster, application.bot if application else None, graph, attachments=attachments
    )
    outbox.configure(
        outbox.RetryPolicy(
            fast_path_seconds=settings.outbox_fast_path_seconds,
            lease_seconds=settings.outbox_lease_seconds,
            backoff_base_seconds=settings.outbox_backoff_base_seconds,
            backoff_max_seconds=settings.outbox_backoff_max_seconds,
            give_up_seconds=settings.outbox_give_up_seconds,
        )
    )

    bot_conversations = BotConversations(broadcaster)
    callcenter = CallCenter(settings, sessionmaker, rasa, broadcaster, outbound, bot_conversations)
    mailer = SmtpMailer(settings) if settings.smtp_host else None
    callcenter.mailer = mailer  # tickets' answers
    update_emails.configure(enabled=mailer is not None and ministries is not None)  # case updates
    # Retries what the fast path could not send; a reply given up becomes the agents' ticket.
    delivery = DeliveryWorker(
        sessionmaker,
        outbound,
        callcenter,
        poll_seconds=settings.outbox_poll_seconds,
        batch=settings.outbox_batch,
        concurrency=settings.outbox_concurrency,
    )
    # Bounded admission to Rasa and failed turns retried (api/rasa_client.py, api/conversations/retry.py).
    rasa.admission = Admission(
        settings.rasa_concurrency, settings.rasa_queue_size, settings.rasa_queue_wait_seconds
    )
    rasa.on_queued = BusyNotice(sessionmaker, outbound)
    retries = (
        TurnRetries(retry_policy(settings), sessionmaker, rasa, callcenter, outbound)
        if settings.turn_retry
        else None
    )

    limiter = create_rate_limiter(
        settings.redis_url, settings.rate_limit_messages, settings.rate_limit_window_seconds
    )
    policy = retry_policy(settings)
    resends = Resends(longest_turn=policy.orphan_pending, heartbeat_dead=policy.heartbeat_dead)
    context = ChannelContext(
        sessionmaker,
        rasa,
        limiter,
        settings.max_message_chars,
        callcenter,
        bot_conversations,
        resends,
        attachments,
        reach_codes=callcenter,
    )
    channels = Channels(
        context,
        telegram=TelegramChannel(application, context) if application else None,
        whatsapp=WhatsAppChannel(graph, context, settings.whatsapp_phone_number_id) if graph else None,
    )
    logger.info(
        "channels telegram=%s whatsapp=%s rate_limit=%s",
        "on" if channels.telegram else "off",
        "on" if channels.whatsapp else "off",
        "redis" if settings.redis_url else "memory",
    )
    ip_limits = create_ip_limits(
        settings.redis_url,
        settings.rate_limit_conversations_per_ip,
        settings.rate_limit_sockets_per_ip,
        settings.rate_limit_service_api_per_ip,
        settings.rate_limit_window_seconds,
    )
    login_limits = create_login_limits(
        settings.redis_url,
        settings.login_limit_per_user,
        settings.login_limit_per_ip,
        settings.login_limit_global,
        settings.login_window_seconds,
    )
    notifier = (
        Notifier(sessionmaker, outbound, ministries, notify_policy(settings), mailer=mailer)
        if ministries is not None
        else None
    )
    return Gateway(
        bot_conversations,
        callcenter,
        channels,
        delivery,
        ip_limits,
        login_limits,
        retries,
        notifier,
        attachments,
    )


def notify_policy(settings: Settings) -> NotifyPolicy:
    return NotifyPolicy(
        tick_seconds=settings.notify_tick_seconds,
        poll_case_seconds=settings.notify_poll_case_seconds,
        batch=settings.notify_batch,
        quiet=QuietHours(settings.notify_quiet_start, settings.notify_quiet_end),
        template=Template(
            settings.whatsapp_update_template,
            settings.whatsapp_update_template_language,
            tuple(settings.whatsapp_update_template_parameters),
        ),
    )


def retry_policy(settings: Settings) -> RetryPolicy:
    return RetryPolicy(
        poll_seconds=settings.turn_retry_poll_seconds,
        base_seconds=settings.turn_retry_base_seconds,
        max_delay_seconds=settings.turn_retry_max_delay_seconds,
        window=timedelta(minutes=settings.turn_retry_window_minutes),
        stale_pending=timedelta(seconds=settings.turn_pending_stale_seconds),
        orphan_pending=timedelta(seconds=settings.longest_turn_seconds),
        heartbeat_dead=timedelta(seconds=max(10.0, 5 * settings.turn_retry_poll_seconds)),
        # Renewed before each message: above one message's longest turn.
        lease=timedelta(seconds=settings.longest_turn_seconds + 30),
        health_timeout=settings.health_timeout_seconds,
    )
