"""Keyed hashes, phone numbers and masks of identity verification.

A NIK or a one-time code is stored only as HMAC-SHA256 under `AW_IDENTITY_KEY` (a random key
per process when it is empty: codes then do not outlive a restart, which is fine locally;
production requires the key, so that every replica computes the same hashes)."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

_process_key = secrets.token_bytes(32)
_MOBILE = re.compile(r"^628[0-9]{7,11}$")


class Keys:
    def __init__(self, key: str) -> None:
        self._key = key.encode() if key else _process_key

    def digest(self, purpose: str, value: str) -> str:
        """HMAC-SHA256 of `value` for `purpose` ("nik", "code", "phone"), hex."""
        return hmac.new(self._key, f"{purpose}\x00{value}".encode(), hashlib.sha256).hexdigest()

    def matches(self, purpose: str, value: str, digest: str) -> bool:
        """Whether `value` hashes to `digest`, compared in constant time."""
        return hmac.compare_digest(self.digest(purpose, value).encode(), digest.encode())


def new_code() -> str:
    """Six random digits (the system's CSPRNG)."""
    return f"{secrets.randbelow(1_000_000):06d}"


def normalize_phone(raw: str | None) -> str | None:
    """An Indonesian mobile number as E.164 digits without "+" (6281234567890), or None:
    "0812-3456-7890", "+62 812 3456 7890" and "6281234567890" are the same number."""
    if not raw:
        return None
    digits = re.sub(r"[^0-9]", "", raw)
    if digits.startswith("0"):
        digits = "62" + digits[1:]
    elif digits.startswith("8"):
        digits = "62" + digits
    return digits if _MOBILE.match(digits) else None


def mask_phone(phone: str) -> str:
    """6281234567890 → 0812*****890: enough to recognise one's own number, not to call it."""
    local = "0" + phone[2:] if phone.startswith("62") else phone
    return local[:4] + "*" * max(0, len(local) - 7) + local[-3:]


def mask_number(value: str, visible: int = 4) -> str:
    """A card, KK or account number with all but its last `visible` digits masked:
    0001234567890 → *********7890."""
    value = str(value)
    if len(value) <= visible:
        return "*" * len(value)
    return "*" * (len(value) - visible) + value[-visible:]
