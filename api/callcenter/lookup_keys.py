"""The keyed hashes the console's history looks people up by: a NIK and a phone number never
go into a query, a log or the audit log in clear (docs/call-center.md#history-and-search).

- `nik_key`: the hash verified sessions keep of their NIK (api/identity/sessions.py), which
  verified identities keep too (api/callcenter/access.py), so one hash finds both.
- `callback_key`: the hash a hand-off keeps of its callback number (E.164).
- `whatsapp_key`: the hash a WhatsApp identity keeps of its sender's number
  (connectors/whatsapp/identity.py, purpose `_PHONE_HASH`; tests hold the two equal).
"""

from __future__ import annotations

import phonenumbers

from api.identity.sessions import nik_hash
from api.privacy import sealing

CALLBACK_PURPOSE = "handoffs.callback_phone_hash"
WHATSAPP_PURPOSE = "whatsapp_identities.phone_hash"


def nik_key(nik: str) -> str:
    return nik_hash(nik)


def callback_key(e164: str) -> str:
    """`e164` as the hand-off stores it (+62812...)."""
    return sealing.current().digest(CALLBACK_PURPOSE, e164)


def whatsapp_key(e164: str) -> str:
    return sealing.current().digest(WHATSAPP_PURPOSE, e164.lstrip("+"))


def phone_e164(text: str) -> str | None:
    """A phone number as typed by an agent (0812..., +62 812-..., 62812...), as E.164; None
    when it is no valid number."""
    cleaned = text.strip()
    if cleaned.startswith("62"):
        cleaned = "+" + cleaned
    try:
        number = phonenumbers.parse(cleaned, "ID")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
