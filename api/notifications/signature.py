"""The signature of a ministry's callback: HMAC-SHA256 over "<timestamp>.<body>" with the
secret shared with that ministry, sent as `X-Signature: t=<unix seconds>,v1=<hex>`. The
timestamp is signed too and must be recent, so a captured callback cannot be replayed later.
Used by the gateway's callback route and by the simulated ministries that call it."""

from __future__ import annotations

import hashlib
import hmac

HEADER = "X-Signature"
TOLERANCE_SECONDS = 300


def sign(secret: str, body: bytes, timestamp: int) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify(secret: str, body: bytes, header: str | None, now: float) -> bool:
    """Whether `header` signs `body` with `secret` within the tolerance of `now`."""
    if not secret or not header or len(header) > 200:
        return False
    fields = dict(part.partition("=")[::2] for part in header.split(",") if "=" in part)
    timestamp, given = fields.get("t", ""), fields.get("v1", "")
    # isascii: "²" is a digit to str.isdigit but not to int().
    if not (timestamp.isascii() and timestamp.isdigit()) or abs(now - int(timestamp)) > TOLERANCE_SECONDS:
        return False
    expected = sign(secret, body, int(timestamp)).rpartition("v1=")[2]
    return hmac.compare_digest(expected.encode(), given.encode())


def parse_secrets(value: str) -> dict[str, str]:
    """`"simponi=abc,lapor=def"` → `{"simponi": "abc", "lapor": "def"}`."""
    pairs = (item.strip().partition("=") for item in value.split(",") if item.strip())
    return {name.strip(): secret.strip() for name, _, secret in pairs if name.strip() and secret.strip()}
