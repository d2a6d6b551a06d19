"""Which runs of digits in a citizen's text are personal identifiers, and the shape of the
pseudonyms (tokens) that stand for them on their way to Rasa.

A token keeps the identifier's length and character class (digits), so the NLU sees what it
was trained on and its extractor finds the same entity, but it carries a prefix that no real
identifier of that kind has, so a token can never be mistaken for, or collide with, a
citizen's number:

- `nik`, 16 digits with a known province code (a NIK or a KK number): `00`, a check digit and
  13 random digits (province 00 does not exist);
- `bpjs`, a BPJS Kesehatan card, 13 digits: `99` and 11 random digits;
- `nisn`, a student number, 10 digits: `5` and 9 random digits (a NISN starts with the last
  three digits of a birth year, `0..` or `9..`);
- `casn`, a CASN participant number, 17 digits: `00` and 15 random digits;
- `phone`, an Indonesian number (08…, 628…, +628…), 10–13 digits: `00` and 10 random digits,
  12 in all whatever the original's length (no number dials 00 after the trunk 0, and a
  13-digit BPJS card may start with 000).

The check digit of a 16-digit token tells the bot what a NIK check of the original said,
without the original: 0 a valid NIK, 1 its birth date is not in the calendar, 2 its regency
or district code is 00, 3 its serial is 0000 (the number may still be a valid KK number).
The Rasa side reads the same shapes (bot/identifiers.py `token_kind`); a test keeps the two
in step (tests/security/test_personal_data.py).
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from dataclasses import dataclass

import phonenumbers
from lokal import parse_nik
from lokal.provinces import PROVINCES

# Case numbers come first: their digits ("ADM-2025-000123") are no identifier. Typed in any case,
# the parts joined by a dash, slash, dot, underscore, spaces or nothing, as bot/entities.py reads them.
# The prefixes are api/cases.py's (a test keeps them equal).
CASE_PREFIXES = ("LPR", "ADM", "SKCK", "BIL", "TKT", "CASN")
_TICKET = re.compile(
    rf"\b({'|'.join(CASE_PREFIXES)})\s*[-/._]?\s*(20\d\d)\s*[-/._]?\s*(\d{{5,6}})\b", re.IGNORECASE
)
# Digit groups joined by single spaces, dots or dashes, as bot/entities.py reads them; a
# leading "+" for international phone numbers, an area or operator prefix in parentheses
# ("(0812) 3456-7890"). Letters may touch it ("NIK3273..."), digits may not.
_NUMBER_RUN = re.compile(r"(?<![\d+(])(?:\+|\(\+?)?\d+(?:(?:\) ?|[ .-]\(?)\d+)*(?!\d)")
_NON_DIGITS = re.compile(r"\D")
# A village code ("17.09.10.2006") has a NISN's ten digits; it is no identifier.
_VILLAGE_CODE = re.compile(r"\d{2}\.\d{2}\.\d{2}\.\d{4}")
_NIK_CHECKS = {"birth_date": "1", "wilayah": "2", "serial": "3"}


@dataclass(frozen=True)
class Found:
    kind: str
    start: int
    end: int
    value: str  # digits only


def normalized(text: str) -> str:
    """`text` in Unicode NFKC: full-width and other compatibility digits as ASCII digits, so
    "３２７３…" is found as a NIK. Identifiers are looked for in this form."""
    return unicodedata.normalize("NFKC", text)


def digits(value: str) -> str:
    return _NON_DIGITS.sub("", value)


def token_kind(value: str) -> str | None:
    """The kind of identifier the token `value` (digits) stands for; None if it is no token."""
    if not value.isdigit():
        return None
    length = len(value)
    if length == 16 and value[:2] == "00" and value[2] in "0123":
        return "nik"
    if length == 17 and value.startswith("00"):
        return "casn"
    if length == 13 and value.startswith("99"):
        return "bpjs"
    if length == 10 and value.startswith("5"):
        return "nisn"
    if length == 12 and value.startswith("00"):
        return "phone"
    return None


def new_token(kind: str, value: str) -> str:
    """A fresh random token for the identifier `value` (digits) of `kind`."""
    length = 12 if kind == "phone" else len(value)
    if kind == "nik":
        prefix = "00" + nik_check(value)
    elif kind == "bpjs":
        prefix = "99"
    elif kind == "nisn":
        prefix = "5"
    else:  # casn, phone
        prefix = "00"
    return prefix + "".join(secrets.choice("0123456789") for _ in range(length - len(prefix)))


def nik_check(value: str) -> str:
    """The check digit of a 16-digit token: what a NIK check of `value` says."""
    info = parse_nik(value)
    if info.valid:
        return "0"
    for error in info.errors:
        if error.code in _NIK_CHECKS:
            return _NIK_CHECKS[error.code]
    return "1"


def is_phone(run: str) -> bool:
    """An Indonesian phone number: 08…, 628… or +628…, valid for libphonenumber."""
    if not digits(run).startswith(("08", "628")):
        return False
    try:
        return phonenumbers.is_valid_number(phonenumbers.parse(run, "ID"))
    except phonenumbers.NumberParseException:
        return False


def _kind(run: str) -> str | None:
    whole = digits(run)
    if token_kind(whole) is not None:
        return None  # already a token (a button payload, a form's own echo)
    if is_phone(run):
        return "phone"
    if run.startswith(("+", "(")) or _VILLAGE_CODE.fullmatch(run):
        return None
    if len(whole) == 16:
        return "nik" if whole[:2] in PROVINCES else None
    return {13: "bpjs", 10: "nisn", 17: "casn"}.get(len(whole))


def find_identifiers(text: str) -> list[Found]:
    """The identifiers in `text` (`normalized` already), in order: a whole run of digit groups,
    or its space-separated parts (a NIK followed by a card number)."""
    tickets = [m.span() for m in _TICKET.finditer(text)]
    found: list[Found] = []

    def add(start: int, run: str) -> None:
        kind = _kind(run)
        if kind is not None:
            found.append(Found(kind, start, start + len(run), digits(run)))
            return
        if run.startswith("(") and ")" not in run:  # "(3273014508950001)": the parenthesis is no prefix
            add(start + 1, run[1:])
            return
        if " " in run:
            offset = start
            for part in run.split(" "):
                add(offset, part)
                offset += len(part) + 1

    for m in _NUMBER_RUN.finditer(text):
        if not any(m.start() < end and start < m.end() for start, end in tickets):
            add(m.start(), m.group())
    return found


def same_identifier(kind: str, value: str) -> str:
    """What makes two spellings one identifier: a phone number's E.164 digits (0812…, +62 812…
    and 62812… are one number), any other identifier's digits."""
    if kind == "phone" and value.startswith("0"):
        return "62" + value[1:]
    return value


def mask(kind: str, value: str) -> str:
    """An identifier as a person may see it: a NIK or KK as 3273********0001, anything else
    with all but its last four digits hidden."""
    if kind == "nik" and len(value) == 16:
        return f"{value[:4]}********{value[-4:]}"
    return "*" * max(len(value) - 4, 0) + value[-4:]


def masked_text(text: str) -> str:
    """`text` (`normalized`) with every identifier masked (what is stored and shown of a
    citizen's message)."""
    text = normalized(text)
    for item in reversed(find_identifiers(text)):
        text = text[: item.start] + mask(item.kind, item.value) + text[item.end :]
    return text
