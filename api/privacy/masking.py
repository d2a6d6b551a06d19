"""Identifiers and birth dates masked in the stored history, once the turn that used them is
over (a shared phone, a warnet PC: a reload must not show them again).

Masked: runs of 8 or more digits, spaces, dots or dashes allowed between them (NIK and KK: 16
digits, BPJS card: 13, NISN: 10, phone numbers, account and participant numbers, billing
codes), down to their last 4 digits; and dates (12-03-1990, 1990-03-12, 12 Maret 1990) in
what the citizen typed, whole; and e-mail addresses in what a person typed (the address given
for case updates or a ticket's answer is kept sealed elsewhere), down to their first letter and
domain. Case numbers (ADM-2026-000123) have fewer digits in a row and stay readable; the
service's own addresses in the bot's replies stay readable too.
"""

from __future__ import annotations

import re
from typing import Any

MASK = "•"
_DIGIT_RUN = re.compile(r"(?<![\w-])\+?\d(?:[ .-]?\d){7,}(?![\w-])")
_MONTHS = (
    "januari|februari|maret|april|mei|juni|juli|agustus|september|oktober|november|desember|"
    "jan|feb|mar|apr|jun|jul|agu|agt|ags|sep|okt|nov|des"
)
_DATE = re.compile(
    rf"(?<!\d)(?:\d{{1,2}}[-/. ]\d{{1,2}}[-/. ]\d{{2,4}}|\d{{4}}[-/.]\d{{1,2}}[-/.]\d{{1,2}}"
    rf"|\d{{1,2}}\s+(?:{_MONTHS})\.?\s+\d{{4}})(?!\d)",
    re.IGNORECASE,
)


_EMAIL = re.compile(r"(?<![\w.+-])([\w.+-])([\w.+-]*)@([\w-]+(?:\.[\w-]+)+)")


def _mask_email(match: re.Match[str]) -> str:
    return f"{match.group(1)}{MASK * 3}@{match.group(3)}"


def _mask_run(match: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", match.group())
    return MASK * (len(digits) - 4) + digits[-4:]


def mask_text(text: str, *, dates: bool) -> str:
    """`text` with identifiers (and, with `dates`: what a person typed, dates and e-mail
    addresses) masked."""
    if dates:
        text = _EMAIL.sub(_mask_email, text)
        text = _DATE.sub(lambda match: re.sub(r"\w", MASK, match.group()), text)
    return _DIGIT_RUN.sub(_mask_run, text)


def mask_value(value: Any, *, dates: bool) -> Any:
    """Every string inside a JSON value (a stored reply, its buttons), masked."""
    if isinstance(value, str):
        return mask_text(value, dates=dates)
    if isinstance(value, list):
        return [mask_value(item, dates=dates) for item in value]
    if isinstance(value, dict):
        return {key: mask_value(item, dates=dates) for key, item in value.items()}
    return value
