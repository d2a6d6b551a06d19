"""The notifier: learns of case changes and turns them into updates for the subscribers.

Each tick, on every gateway replica:
1. `poll` — the followed cases not yet final whose ministry was not asked for
   `poll_case_seconds` are refreshed from it (api/cases.py `refresh`: new statuses become
   case events). Ministries that call back (callbacks.py) are refreshed at once instead.
2. `collect` — each new case event of an active subscription becomes one `CaseNotification`
   row (unique per subscription and event: at most one update per change and subscriber, on
   any number of replicas), due now, or when the quiet hours end unless it is urgent.
3. `dispatch` — each due row is claimed (a conditional UPDATE) and stored as a message of the
   subscriber's conversation in the same commit, so the outbox (api/conversations/outbox.py)
   has it for Telegram and WhatsApp; then it goes out through the `Outbound` port (the fast
   path, retried by the outbox's worker), or to the web widget's open sockets. A web citizen
   who returns reads it in the history. On WhatsApp outside the 24-hour window the message is
   the configured `utility` template. A web subscriber who consented to e-mail (emails.py)
   gets the update's e-mail copy too: marked due in the same commit.
4. `send_emails` — each due e-mail copy is claimed (a conditional UPDATE that moves it
   `email_lease_seconds` on), sent through the `Mailer` port (connectors/email.py, SMTP), and
   marked sent; a failure is tried again after a doubling delay (held through the quiet hours
   unless urgent), at most `email_attempts` times. The address is read when sending: a
   withdrawn consent sends nothing more.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import and_, exists, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import selectinload

from api.cases import refresh
from api.conversations.delivery import Outbound
from api.conversations.model import Reply, TemplateReply, TextReply
from api.conversations.store import outgoing_message, within
from api.core.background import Periodic
from api.ministries.registry import Ministries
from api.models import (
    Author,
    Case,
    CaseEvent,
    CaseKind,
    CaseNotification,
    CaseSubscription,
    ChannelThread,
    Conversation,
    utcnow,
)
from api.notifications import emails
from api.notifications.quiet_hours import QuietHours
from api.notifications.texts import EMAIL_STOP_HINT, STOP_HINT, Update, update_for

logger = logging.getLogger(__name__)

# WhatsApp's customer-service window (Meta's rule): outside it only a template may be sent.
WHATSAPP_WINDOW = timedelta(hours=24)

# Statuses after which a case no longer changes: it is not polled any more.
FINAL_STATUSES: dict[CaseKind, frozenset[str]] = {
    CaseKind.POPULATION_APPLICATION: frozenset({"selesai", "ditolak"}),
    CaseKind.COMPLAINT: frozenset({"selesai", "bukan_kewenangan", "diarsipkan"}),
    CaseKind.SKCK: frozenset({"kedaluwarsa", "siap_diambil"}),
    CaseKind.BILLING: frozenset({"lunas", "kedaluwarsa"}),
    CaseKind.CONTACT_REQUEST: frozenset({"closed"}),
    CaseKind.CASN_RESULT: frozenset({"lulus", "tidak_lulus"}),
}


@dataclass(frozen=True)
class Template:
    """The approved WhatsApp template of a case update and its body's parameters, in order."""

    name: str = "kabar_kasus"
    language: str = "id"
    parameters: tuple[str, ...] = ("case_number", "status", "next_step")


class Mailer(Protocol):
    """Sends one plain-text e-mail (connectors/email.py)."""

    async def send(self, to: str, subject: str, body: str) -> None: ...


@dataclass(frozen=True)
class NotifyPolicy:
    tick_seconds: float = 30.0
    poll_case_seconds: float = 3600.0
    batch: int = 100
    email_attempts: int = 6
    email_retry_base_seconds: float = 60.0
    email_retry_max_seconds: float = 3600.0
    email_lease_seconds: float = 300.0  # a replica that claimed a copy and died: tried again after
    quiet: QuietHours = field(default_factory=QuietHours)
    template: Template = field(default_factory=Template)


class Notifier:
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        outbound: Outbound,
        ministries: Ministries | None,
        policy: NotifyPolicy,
        *,
        mailer: Mailer | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._sessionmaker = sessionmaker
        self._outbound = outbound
        self._mailer = mailer
        self._ministries = ministries
        self.policy = policy
        self.clock = clock
        self._loop = Periodic(
            "notifier",
            self.run_once,
            lambda: self.policy.tick_seconds,
            log=logger,
            failed="notifier tick failed",
        )

    def start(self) -> None:
        self._loop.start()

    async def aclose(self) -> None:
        await self._loop.aclose()

    async def run_once(self) -> int:
        """One tick: poll, collect, dispatch, e-mail; returns how many updates were stored."""
        now = self.clock()
        async with self._sessionmaker() as session:
            await self.poll(session, now)
            await self.collect(session, now)
        stored = await self.dispatch(now)
        await self.send_emails(now)
        return stored

    # --- 1. Poll ---------------------------------------------------------------------------

    async def poll(self, session: AsyncSession, now: datetime) -> int:
        """Refresh the followed, unfinished cases not asked about for `poll_case_seconds`."""
        if self._ministries is None:
            return 0
        stale = now - timedelta(seconds=self.policy.poll_case_seconds)
        followed = exists().where(CaseSubscription.case_id == Case.id, CaseSubscription.stopped_at.is_(None))
        final = or_(
            *(and_(Case.kind == kind, Case.status.in_(done)) for kind, done in FINAL_STATUSES.items())
        )
        query = (
            select(Case)
            .where(followed, ~final, (Case.polled_at.is_(None)) | (Case.polled_at <= stale))
            .options(selectinload(Case.events))
            .order_by(Case.polled_at.is_not(None), Case.polled_at, Case.id)
            .limit(self.policy.batch)
        )
        polled = 0
        for case in (await session.scalars(query)).all():
            await self.refresh_case(session, case, now)
            polled += 1
        return polled

    async def refresh_case(self, session: AsyncSession, case: Case, now: datetime) -> None:
        """Ask the case's ministry now (a poll, or a callback); commits."""
        if self._ministries is not None:
            await refresh(session, case, self._ministries)
        case.polled_at = now
        await session.commit()

    # --- 2. Collect ------------------------------------------------------------------------

    async def collect(self, session: AsyncSession, now: datetime, *, urgent: Iterable[int] = ()) -> int:
        """One notification row per new event of each active subscription (`urgent`: the
        events a ministry flagged so, not held by the quiet hours). Commits."""
        flagged = set(urgent)
        noticed = exists().where(
            CaseNotification.subscription_id == CaseSubscription.id,
            CaseNotification.case_event_id == CaseEvent.id,
        )
        query = (
            select(CaseSubscription.id, CaseEvent.id)
            .join(CaseEvent, CaseEvent.case_id == CaseSubscription.case_id)
            .where(
                CaseSubscription.stopped_at.is_(None),
                CaseEvent.id > CaseSubscription.since_event_id,
                ~noticed,
            )
            .order_by(CaseEvent.id)
            .limit(self.policy.batch)
        )
        rows = (await session.execute(query)).all()
        if not rows:
            return 0
        connection = await session.connection()
        dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
        values = [
            {
                "subscription_id": subscription_id,
                "case_event_id": event_id,
                "urgent": event_id in flagged,
                "due_at": self.policy.quiet.due(now, urgent=event_id in flagged),
                "created_at": now,
            }
            for subscription_id, event_id in rows
        ]
        # Another replica may have collected the same change: the unique pair keeps one.
        await session.execute(
            dialect.insert(CaseNotification)
            .values(values)
            .on_conflict_do_nothing(index_elements=["subscription_id", "case_event_id"])
        )
        await session.commit()
        return len(values)

    # --- 3. Dispatch -----------------------------------------------------------------------

    async def dispatch(self, now: datetime) -> int:
        """Store and send every due update; returns how many were stored."""
        async with self._sessionmaker() as session:
            due = list(
                (
                    await session.scalars(
                        select(CaseNotification.id)
                        .where(CaseNotification.recorded_at.is_(None), CaseNotification.due_at <= now)
                        .order_by(CaseNotification.due_at, CaseNotification.id)
                        .limit(self.policy.batch)
                    )
                ).all()
            )
        stored = 0
        for notification_id in due:
            try:
                stored += await self._deliver_one(notification_id, now)
            except Exception:
                logger.exception("case update not stored notification=%s", notification_id)
        return stored

    async def _deliver_one(self, notification_id: int, now: datetime) -> int:
        async with self._sessionmaker() as session:
            claimed = await session.execute(
                update(CaseNotification)
                .where(CaseNotification.id == notification_id, CaseNotification.recorded_at.is_(None))
                .values(recorded_at=now)
            )
            if claimed.rowcount != 1:  # type: ignore[attr-defined]
                await session.rollback()
                return 0
            row = (
                await session.execute(
                    select(CaseNotification, CaseSubscription, CaseEvent, Case, Conversation)
                    .join(CaseSubscription, CaseSubscription.id == CaseNotification.subscription_id)
                    .join(CaseEvent, CaseEvent.id == CaseNotification.case_event_id)
                    .join(Case, Case.id == CaseEvent.case_id)
                    .join(Conversation, Conversation.id == CaseSubscription.conversation_id)
                    .where(CaseNotification.id == notification_id)
                )
            ).one_or_none()
            if row is None or row[1].stopped_at is not None:
                await session.commit()  # stopped meanwhile: claimed, never sent
                return 0
            notification, _, event, case, conversation = row
            reply = await self._reply(session, conversation, update_for(case, event.status))
            message = outgoing_message(conversation.id, Author.SYSTEM, reply)
            session.add(message)
            await session.flush()
            notification.message_id = message.id
            if await self._emails_to(session, conversation):
                notification.email_due_at = now
            await session.commit()
            logger.info(
                "case update stored case_kind=%s channel=%s message=%s",
                case.kind.value, conversation.channel, message.id,
            )  # fmt: skip
            await self._outbound.push(session, conversation, [message])
            return 1

    async def _emails_to(self, session: AsyncSession, conversation: Conversation) -> bool:
        """Whether the update also goes by e-mail: a web citizen who consented (emails.py)."""
        if self._mailer is None or conversation.channel != "web":
            return False
        return await emails.address_for(session, conversation.id) is not None

    async def _reply(self, session: AsyncSession, conversation: Conversation, update_: Update) -> Reply:
        """The update as text; on WhatsApp outside the 24-hour window, as the template."""
        if conversation.channel == "whatsapp" and not await self._window_open(session, conversation):
            template = self.policy.template
            return TemplateReply(
                text=update_.text,
                template=template.name,
                language=template.language,
                parameters=[update_.parameter(name) for name in template.parameters],
            )
        return TextReply(text=update_.text)

    @staticmethod
    async def _window_open(session: AsyncSession, conversation: Conversation) -> bool:
        thread = await session.scalar(
            select(ChannelThread).where(
                ChannelThread.channel == conversation.channel,
                ChannelThread.channel_user_id == conversation.channel_user_id,
            )
        )
        return thread is not None and within(thread, WHATSAPP_WINDOW)

    # --- 4. E-mail copies ------------------------------------------------------------------

    async def send_emails(self, now: datetime) -> int:
        """Send every due e-mail copy; returns how many were sent."""
        if self._mailer is None:
            return 0
        async with self._sessionmaker() as session:
            due = list(
                (
                    await session.scalars(
                        select(CaseNotification.id)
                        .where(CaseNotification.email_due_at <= now, CaseNotification.emailed_at.is_(None))
                        .order_by(CaseNotification.email_due_at, CaseNotification.id)
                        .limit(self.policy.batch)
                    )
                ).all()
            )
        sent = 0
        for notification_id in due:
            try:
                sent += await self._email_one(notification_id, now)
            except Exception:
                logger.exception("case update e-mail failed notification=%s", notification_id)
        return sent

    async def _email_one(self, notification_id: int, now: datetime) -> int:
        assert self._mailer is not None
        lease = now + timedelta(seconds=self.policy.email_lease_seconds)
        async with self._sessionmaker() as session:
            claimed = await session.execute(
                update(CaseNotification)
                .where(
                    CaseNotification.id == notification_id,
                    CaseNotification.emailed_at.is_(None),
                    CaseNotification.email_due_at <= now,
                )
                .values(email_due_at=lease, email_attempts=CaseNotification.email_attempts + 1)
            )
            await session.commit()
            if claimed.rowcount != 1:  # type: ignore[attr-defined]
                return 0  # another replica's
            notification, event, case, conversation_id = (
                await session.execute(
                    select(CaseNotification, CaseEvent, Case, CaseSubscription.conversation_id)
                    .join(CaseSubscription, CaseSubscription.id == CaseNotification.subscription_id)
                    .join(CaseEvent, CaseEvent.id == CaseNotification.case_event_id)
                    .join(Case, Case.id == CaseEvent.case_id)
                    .where(CaseNotification.id == notification_id)
                    .execution_options(populate_existing=True)
                )
            ).one()
            address = await emails.address_for(session, conversation_id)
            if address is None:  # consent withdrawn (or the conversation erased) meanwhile
                notification.email_due_at = None
                await session.commit()
                return 0
            update_ = update_for(case, event.status)
            subject = f"Kabar terbaru {update_.service} {update_.case_number} - Asisten Warga"
            body = update_.text.replace(STOP_HINT, EMAIL_STOP_HINT)
            try:
                await self._mailer.send(address, subject, body)
            except Exception as error:
                attempts = notification.email_attempts
                if attempts >= self.policy.email_attempts:
                    notification.email_due_at = None
                    logger.warning(
                        "case update e-mail given up notification=%s attempts=%d error=%s",
                        notification_id, attempts, type(error).__name__,
                    )  # fmt: skip
                else:
                    delay = min(
                        self.policy.email_retry_base_seconds * 2 ** (attempts - 1),
                        self.policy.email_retry_max_seconds,
                    )
                    retry_at = now + timedelta(seconds=delay)
                    notification.email_due_at = self.policy.quiet.due(retry_at, urgent=notification.urgent)
                    logger.warning(
                        "case update e-mail failed notification=%s attempt=%d error=%s",
                        notification_id, attempts, type(error).__name__,
                    )  # fmt: skip
                await session.commit()
                return 0
            notification.emailed_at, notification.email_due_at = now, None
            await session.commit()
            logger.info("case update e-mailed notification=%s case_kind=%s", notification_id, case.kind.value)
            return 1
