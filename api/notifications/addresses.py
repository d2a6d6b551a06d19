"""E-mail addresses citizens type: validated (one plain address, at most 254 characters) and
shown masked. Shared by the call center's ticket reach (api/callcenter/reach.py) and the case
updates by e-mail (emails.py); imports nothing of the gateway."""

from __future__ import annotations

import re

# A plain address: one @, a dot in the domain, no spaces or angle brackets.
_EMAIL = re.compile(r"^[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,24}$")
MAX_LENGTH = 254  # RFC 5321's path limit


def parse_email(text: str) -> str | None:
    candidate = text.strip()
    return candidate.lower() if len(candidate) <= MAX_LENGTH and _EMAIL.fullmatch(candidate) else None


def mask_email(address: str) -> str:
    """nama@contoh.id → n***@contoh.id."""
    local, _, domain = address.partition("@")
    return f"{local[:1]}***@{domain}"
