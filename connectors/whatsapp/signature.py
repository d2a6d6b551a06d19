"""Meta's webhook signature: `X-Hub-Signature-256: sha256=<HMAC-SHA256 of the raw body,
keyed with the app secret>`."""

from __future__ import annotations

import enum
import hashlib
import hmac

SIGNATURE_HEADER = "X-Hub-Signature-256"
_PREFIX = "sha256="


class Signature(enum.Enum):
    VALID = "valid"
    MISSING = "missing"  # → 401
    INVALID = "invalid"  # → 403


def sign(app_secret: str, body: bytes) -> str:
    """The header value Meta would send for `body`."""
    return _PREFIX + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()


def check_signature(app_secret: str, body: bytes, header: str | None) -> Signature:
    if not header:
        return Signature.MISSING
    if not app_secret or not header.startswith(_PREFIX):
        return Signature.INVALID
    expected = sign(app_secret, body).encode()
    # Bytes: compare_digest refuses non-ASCII strings, and a header may hold anything.
    given = header.strip().lower().encode("utf-8", "replace")
    return Signature.VALID if hmac.compare_digest(expected, given) else Signature.INVALID
