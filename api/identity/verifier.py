"""The ways a citizen proves who they are, behind one object (`Verifier`, on `app.state.verifier`).

- **OTP** (`send_nik_code`, `check_nik_code`): six digits by SMS to the number registered with
  Dukcapil for the NIK (for a member without one, a child, the number of a member of the same
  KK, who is then the one verified). A code lives `AW_OTP_TTL_SECONDS` (300), is stored as a
  keyed hash and compared in constant time, and proves only the conversation that asked for it.
  Wrong codes are counted per NIK over every conversation and channel: `AW_OTP_MAX_ATTEMPTS`
  (3) of them lock the NIK for `AW_OTP_LOCKOUT_MINUTES` (30); until a code is used, a NIK is
  looked up and sent a code at most every `AW_OTP_RESEND_SECONDS` (60), known or not (the
  registry is not asked again, so a repeat takes as long for both), and it does not reset the
  count.
- **The channel's possession factor** (`prove_by_channel`): the WhatsApp sender's own number
  (the signed webhook's `from`; a sender known only by a business-scoped user id has none),
  or a contact shared on Telegram by its own user (`contact.user_id == from.id`), when it is
  the number registered for the NIK. Recorded by the channels (`record_proven_phone`).
- **A callback number** (`send_phone_code`, `check_phone_code`): a number typed by the
  citizen gets a code too; only a proved number is booked (`proven_phone`). A number gets at
  most one code per resend interval, over every conversation (a keyed hash of the number),
  and a conversation sends codes to at most `MAX_CALLBACK_NUMBERS` numbers.

Uniform: an unknown NIK, a NIK without a number, a locked NIK and a throttled resend all look
like a code sent; a wrong, expired, foreign or locked code all look like a wrong code. Nothing
here logs a NIK, a number or a code.
"""

from __future__ import annotations

import logging
import secrets
import uuid
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from api.core.config import Settings
from api.identity import sessions
from api.identity.keys import Keys, mask_phone, new_code, normalize_phone
from api.ministries.dukcapil import DukcapilAdapter
from api.ministries.sms import SmsAdapter
from api.models import OtpChallenge, ProvenPhone, utcnow

logger = logging.getLogger(__name__)

CODE_TEXT = (
    "Kode verifikasi Asisten Warga: {code}. Berlaku {minutes} menit. "
    "Jangan berikan kode ini kepada siapa pun, termasuk petugas."
)
CHANNEL_METHODS = frozenset({"whatsapp", "telegram"})
# Distinct numbers a conversation may send callback codes to (an SMS flood otherwise).
MAX_CALLBACK_NUMBERS = 3


class Verifier:
    def __init__(self, settings: Settings, dukcapil: DukcapilAdapter, sms: SmsAdapter) -> None:
        self.keys = Keys(settings.identity_key.get_secret_value())
        self.dukcapil = dukcapil
        self.sms = sms
        self.ttl = timedelta(seconds=settings.otp_ttl_seconds)
        self.max_attempts = settings.otp_max_attempts
        self.lockout = timedelta(minutes=settings.otp_lockout_minutes)
        self.resend = timedelta(seconds=settings.otp_resend_seconds)
        sessions.configure(settings.verified_session_minutes)

    # --- OTP to the number registered for a NIK -------------------------------------------

    async def send_nik_code(self, session: AsyncSession, conversation_id: uuid.UUID, nik: str) -> None:
        """Send a code for `nik` (see the module docstring). Says nothing of the outcome."""
        row, now = await self._challenge(session, "nik", nik), utcnow()
        if row is not None and self._locked(row):
            await session.rollback()
            return
        # Throttled while a code sent lately is still unused (a used one ends the interval): the
        # code already sent then serves the conversation that asked last (a citizen who left one
        # chat for another types the code they have). An unknown NIK, or one without a number,
        # is throttled the same way: the registry is asked once per interval for any NIK.
        if row is not None and now - row.sent_at < self.resend:
            row.conversation_id = conversation_id
            await session.commit()
            return
        contact = await self.dukcapil.contact(nik)
        phone = normalize_phone(contact.phone) if contact is not None else None
        code = new_code()
        row = self._arm(session, row, "nik", nik, conversation_id, phone, code if phone else None)
        await session.commit()
        if phone is not None:
            await self.sms.send(phone, CODE_TEXT.format(code=code, minutes=self._minutes()))

    async def check_nik_code(
        self, session: AsyncSession, conversation_id: uuid.UUID, nik: str, code: str
    ) -> bool:
        """True when `code` is the live code of `nik` asked for in this conversation: the
        conversation is then bound to the verified citizen (`sessions.bind`, method "otp")
        and the number recorded as proved."""
        phone = await self._check(session, "nik", nik, conversation_id, code)
        if phone is None:
            return False
        contact = await self.dukcapil.contact(nik)
        if contact is None or normalize_phone(contact.phone) != phone:
            return False  # the registry changed meanwhile
        await sessions.bind(session, conversation_id, contact.owner_nik, "otp")
        await self.record_proven_phone(session, conversation_id, phone, "otp")
        return True

    # --- The channel's possession factor --------------------------------------------------

    async def record_proven_phone(
        self, session: AsyncSession, conversation_id: uuid.UUID, phone: str, method: str
    ) -> None:
        """The citizen of `conversation_id` proved `phone` is theirs by `method` ("whatsapp",
        "telegram", "otp"). Commits."""
        number = normalize_phone(phone)
        if number is None:
            return
        await record_phone(session, conversation_id, number, method)

    async def prove_by_channel(self, session: AsyncSession, conversation_id: uuid.UUID, nik: str) -> bool:
        """Bind the conversation to `nik`'s citizen when the channel vouches for the number
        registered for it (a WhatsApp sender's own number, a Telegram contact of its own
        user); False when it does not (then an OTP is the way)."""
        phone, method = await self._channel_phone(session, conversation_id)
        if phone is None or method is None:
            return False
        contact = await self.dukcapil.contact(nik)
        registered = normalize_phone(contact.phone) if contact is not None else None
        if contact is None or registered is None:
            return False
        if not secrets.compare_digest(registered.encode(), phone.encode()):
            return False
        await sessions.bind(session, conversation_id, contact.owner_nik, method)
        return True

    async def _channel_phone(
        self, session: AsyncSession, conversation_id: uuid.UUID
    ) -> tuple[str | None, str | None]:
        # Recorded by the channels: the signed WhatsApp webhook's `from` (a sender known only by
        # a business-scoped user id has none: an OTP then), a Telegram contact of its own user.
        proven = await session.get(ProvenPhone, conversation_id, populate_existing=True)
        if proven is not None and proven.method in CHANNEL_METHODS:
            return proven.phone, proven.method
        return None, None

    # --- Callback numbers -------------------------------------------------------------------

    async def proven_phone(self, session: AsyncSession, conversation_id: uuid.UUID) -> str | None:
        """A number the citizen of the conversation has proved (E.164 digits), or None."""
        proven = await session.get(ProvenPhone, conversation_id)
        if proven is not None:
            return proven.phone
        phone, _ = await self._channel_phone(session, conversation_id)
        return phone

    async def send_phone_code(
        self, session: AsyncSession, conversation_id: uuid.UUID, phone: str
    ) -> str | None:
        """Send a code to `phone` (typed for a callback); the masked number, or None when it
        is no Indonesian mobile number. A resend within the interval sends nothing new."""
        number = normalize_phone(phone)
        if number is None:
            return None
        subject = f"{conversation_id}"
        row, now = await self._challenge(session, "callback", subject), utcnow()
        standing = row is not None and (
            self._locked(row) or (row.phone == number and now - row.sent_at < self.resend)
        )
        if standing or not await self._number_allowed(session, conversation_id, number, now):
            # Locked, the code already sent still stands, or a flood. A commit (of nothing) ends
            # the transaction without expiring the caller's objects, as a rollback would.
            await session.commit()
            return mask_phone(number)
        code = new_code()
        self._arm(session, row, "callback", subject, conversation_id, number, code)
        try:
            await session.commit()
        except IntegrityError:  # another request for this number won the race
            await session.rollback()
            return mask_phone(number)
        await self.sms.send(number, CODE_TEXT.format(code=code, minutes=self._minutes()))
        return mask_phone(number)

    async def _number_allowed(
        self, session: AsyncSession, conversation_id: uuid.UUID, number: str, now: datetime
    ) -> bool:
        """Whether `number` may get a callback code now: none sent to it within the resend
        interval from any conversation, and this conversation under its cap of distinct
        numbers. When allowed, both are recorded in `session` (the caller commits)."""
        last = await self._challenge(session, "number", number)
        if last is not None and now - last.sent_at < self.resend:
            return False
        pair = f"{conversation_id}:{number}"
        if await self._challenge(session, "callback-number", pair, lock=False) is None:
            numbers = await session.scalar(
                select(func.count())
                .select_from(OtpChallenge)
                .where(OtpChallenge.conversation_id == conversation_id)
                .where(OtpChallenge.kind == "callback-number")
            )
            if (numbers or 0) >= MAX_CALLBACK_NUMBERS:
                return False
            self._mark(session, None, "callback-number", pair, conversation_id, now)
        self._mark(session, last, "number", number, conversation_id, now)
        return True

    def _mark(
        self,
        session: AsyncSession,
        row: OtpChallenge | None,
        kind: str,
        subject: str,
        conversation_id: uuid.UUID,
        now: datetime,
    ) -> None:
        """A row that holds no code, only when something was sent (a throttle's memory)."""
        if row is None:
            row = OtpChallenge(nik_hash=self.keys.digest(kind, subject), kind=kind, failures=0)
            session.add(row)
        row.code_hash, row.conversation_id = self._unmatchable(), conversation_id
        row.sent_at = row.expires_at = now

    async def pending_phone(self, session: AsyncSession, conversation_id: uuid.UUID) -> bool:
        """Whether a callback code is waiting to be typed back in this conversation."""
        row = await self._challenge(session, "callback", f"{conversation_id}", lock=False)
        return (
            row is not None and row.phone is not None and row.expires_at > utcnow() and not self._locked(row)
        )

    async def check_phone_code(
        self, session: AsyncSession, conversation_id: uuid.UUID, code: str
    ) -> str | None:
        """The number proved by `code` (recorded as proved), or None."""
        phone = await self._check(session, "callback", f"{conversation_id}", conversation_id, code)
        if phone is not None:
            await record_phone(session, conversation_id, phone, "otp")
        return phone

    # --- Shared -----------------------------------------------------------------------------

    def _minutes(self) -> int:
        return max(1, int(self.ttl.total_seconds() // 60))

    def _locked(self, row: OtpChallenge) -> bool:
        return row.locked_until is not None and row.locked_until > utcnow()

    async def _challenge(
        self, session: AsyncSession, kind: str, subject: str, *, lock: bool = True
    ) -> OtpChallenge | None:
        query = select(OtpChallenge).where(OtpChallenge.nik_hash == self.keys.digest(kind, subject))
        if lock:
            query = query.with_for_update()
        found: OtpChallenge | None = await session.scalar(query.execution_options(populate_existing=True))
        return found

    def _arm(
        self,
        session: AsyncSession,
        row: OtpChallenge | None,
        kind: str,
        subject: str,
        conversation_id: uuid.UUID,
        phone: str | None,
        code: str | None,
    ) -> OtpChallenge:
        """A fresh code on the subject's row (created when missing). `code` None: a code that
        nothing can match (nothing was sent), so an unknown NIK behaves like a known one."""
        now = utcnow()
        if row is None:
            row = OtpChallenge(nik_hash=self.keys.digest(kind, subject), failures=0, expires_at=now)
            session.add(row)
        row.kind = kind
        row.code_hash = self.keys.digest("code", code) if code else self._unmatchable()
        row.conversation_id, row.phone, row.sent_at, row.expires_at = (
            conversation_id,
            phone,
            now,
            now + self.ttl,
        )
        if row.locked_until is not None and row.locked_until <= now:
            row.locked_until = None
        return row

    def _unmatchable(self) -> str:
        return self.keys.digest("void", secrets.token_hex(16))

    async def _check(
        self, session: AsyncSession, kind: str, subject: str, conversation_id: uuid.UUID, code: str
    ) -> str | None:
        """The number the live code went to when `code` matches (the code is then spent);
        None otherwise, counting the failure against the subject (the lockout)."""
        row, now = await self._challenge(session, kind, subject), utcnow()
        if row is None or self._locked(row):
            await session.rollback()
            return None
        typed = "".join(ch for ch in code if ch.isdigit())
        matched = self.keys.matches("code", typed, row.code_hash)  # constant time, always computed
        if matched and row.conversation_id == conversation_id and row.expires_at > now and row.phone:
            phone = row.phone
            row.failures, row.code_hash, row.phone, row.expires_at = 0, self._unmatchable(), None, now
            row.sent_at = min(row.sent_at, now - self.resend)  # a used code ends the interval
            await session.commit()
            return phone
        row.failures += 1
        if row.failures >= self.max_attempts:
            row.failures, row.locked_until = 0, now + self.lockout
            row.code_hash, row.phone, row.expires_at = self._unmatchable(), None, now
            logger.warning("otp locked kind=%s", kind)
        await session.commit()
        return None


async def stage_phone(session: AsyncSession, conversation_id: uuid.UUID, phone: str, method: str) -> None:
    """Add to the session (not committed) `phone` (E.164 digits) as proved by the citizen of
    `conversation_id`: a channel stores it in the same commit as the message that proved it."""
    row = await session.get(ProvenPhone, conversation_id)
    if row is None:
        row = ProvenPhone(conversation_id=conversation_id, phone=phone, method=method)
        session.add(row)
    row.phone, row.method, row.proven_at = phone, method, utcnow()


async def record_phone(session: AsyncSession, conversation_id: uuid.UUID, phone: str, method: str) -> None:
    """Record `phone` (E.164 digits) as proved by the citizen of `conversation_id`. Commits."""
    await stage_phone(session, conversation_id, phone, method)
    await session.commit()
