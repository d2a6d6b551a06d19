"""Payment codes as a simulated payment system keeps them (SIMPONI billing codes, Samsat
payment codes): issue, look up, and the bank's confirmation. Each simulator formats the
records in its own API shape.

A code is 15 digits. It is payable until `expires_at`; the bank's confirmation stamps
`paid_at` and an NTPN. One confirmation per code, even when two race: the payment is
stored under the code's unique key first.
"""

from __future__ import annotations

import enum
import random
from datetime import datetime, timedelta
from typing import Any

from simulators.store import DuplicateKey, SimStore


class CodeStatus(enum.StrEnum):
    UNPAID = "unpaid"
    PAID = "paid"
    EXPIRED = "expired"


class PaymentRefused(Exception):
    """The bank cannot pay this code: `reason` is `not_found`, `paid` or `expired`."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def status_of(record: dict[str, Any], now: datetime) -> CodeStatus:
    if record.get("paid_at"):
        return CodeStatus.PAID
    if now >= datetime.fromisoformat(record["expires_at"]):
        return CodeStatus.EXPIRED
    return CodeStatus.UNPAID


class PaymentCodes:
    """The payment codes of one simulated ministry, in its `SimStore`."""

    _ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"

    def __init__(self, store: SimStore, first_digit: str, valid_for: timedelta) -> None:
        self._store = store
        self._first_digit = first_digit
        self._valid_for = valid_for
        self._random = random.SystemRandom()

    async def issue(self, now: datetime, details: dict[str, Any]) -> dict[str, Any]:
        """Store a new unpaid code with `details`; the stored record."""
        record = {
            **details,
            "issued_at": now.isoformat(),
            "expires_at": (now + self._valid_for).isoformat(),
            "paid_at": None,
            "ntpn": None,
        }
        while True:  # a fresh random code; retry on the (unlikely) collision
            code = self._first_digit + "".join(str(self._random.randrange(10)) for _ in range(14))
            try:
                await self._store.insert("code", code, {"code": code, **record})
            except DuplicateKey:
                continue
            return {"code": code, **record}

    async def get(self, code: str) -> dict[str, Any] | None:
        return await self._store.get("code", code)

    async def pay(self, code: str, now: datetime) -> dict[str, Any]:
        """The bank's confirmation: the paid record, or `PaymentRefused`."""
        record = await self.get(code)
        if record is None:
            raise PaymentRefused("not_found")
        status = status_of(record, now)
        if status is not CodeStatus.UNPAID:
            raise PaymentRefused(status.value)
        payment = {"paid_at": now.isoformat(), "ntpn": self._ntpn()}
        try:
            await self._store.insert("payment", code, payment)
        except DuplicateKey:
            raise PaymentRefused("paid") from None
        paid = await self._store.update("code", code, payment)
        assert paid is not None
        return paid

    def _ntpn(self) -> str:
        """Nomor Transaksi Penerimaan Negara: 16 upper-case letters and digits."""
        return "".join(self._random.choice(self._ALPHABET) for _ in range(16))
