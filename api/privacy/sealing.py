"""Columns sealed at rest: personal data the gateway must read back (a verified session's NIK,
a proved phone number, the number a one-time code went to, a birth date an agent checked) is
stored AES-256-GCM encrypted under a key derived from `AW_DATA_KEY`, the column's name as
associated data (a ciphertext copied to another column does not decrypt). The models declare
such columns `Sealed("table.column")` (api/models.py); code reads and writes them in clear.

`digest` is a keyed hash (HMAC-SHA-256) under the same root key, for what is looked up by
value: the NIK a session is bound to (erasure finds a citizen's conversations by it).

A leaf module: it imports nothing of the project, so api/models.py can use it. The gateway
installs its key at start-up (api/privacy/vault.py `start`), before migrations run; until
then, and in tests, a random key of the process.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

PREFIX = "s1:"  # a sealed value; anything else in a sealed column is a value from before


class Sealer:
    def __init__(self, root: bytes) -> None:
        self._aead = AESGCM(hmac.new(root, b"asisten-warga sealed columns", hashlib.sha256).digest())
        self._hash_key = hmac.new(root, b"asisten-warga lookup hash", hashlib.sha256).digest()

    def seal(self, purpose: str, value: str) -> str:
        nonce = os.urandom(12)
        sealed = self._aead.encrypt(nonce, value.encode(), purpose.encode())
        return PREFIX + base64.b64encode(nonce + sealed).decode()

    def open(self, purpose: str, stored: str) -> str | None:
        """The clear value, or None when `stored` is no ciphertext of this key and purpose."""
        if not stored.startswith(PREFIX):
            return None
        try:
            raw = base64.b64decode(stored[len(PREFIX) :])
            return self._aead.decrypt(raw[:12], raw[12:], purpose.encode()).decode()
        except (InvalidTag, ValueError):
            return None

    def seal_bytes(self, purpose: str, data: bytes) -> bytes:
        """`data` sealed as raw bytes (a file: api/attachments/sealed.py): nonce + ciphertext."""
        nonce = os.urandom(12)
        return nonce + self._aead.encrypt(nonce, data, purpose.encode())

    def open_bytes(self, purpose: str, stored: bytes) -> bytes | None:
        """The clear bytes, or None when `stored` is no ciphertext of this key and purpose."""
        try:
            return self._aead.decrypt(stored[:12], stored[12:], purpose.encode())
        except (InvalidTag, ValueError):
            return None

    def digest(self, purpose: str, value: str) -> str:
        """HMAC-SHA-256 of `value` for `purpose`, 64 hex digits."""
        return hmac.new(self._hash_key, f"{purpose}\x00{value}".encode(), hashlib.sha256).hexdigest()


_installed: Sealer | None = None
_fallback: Sealer | None = None


def install(root: bytes) -> None:
    """The gateway's key (`AW_DATA_KEY`), at start-up."""
    global _installed
    _installed = Sealer(root)


def is_installed() -> bool:
    return _installed is not None


def current() -> Sealer:
    """The installed sealer; before `install`, one with a random key of this process."""
    global _fallback
    if _installed is not None:
        return _installed
    if _fallback is None:
        _fallback = Sealer(os.urandom(32))
    return _fallback
