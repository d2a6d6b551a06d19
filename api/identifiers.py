"""Identifiers and dates as the service API accepts them, with Indonesian error messages,
and the masking of names for citizens' eyes.

Use the `Annotated` types in request models: `nik: Nik`, `birth_date: BirthDate`. A value
that does not fit raises a pydantic error of type `invalid_input`, whose message the app's
422 handler returns as the `detail`.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated

from lokal import parse_nik
from pydantic import AfterValidator, BeforeValidator
from pydantic_core import PydanticCustomError

_SEPARATORS = re.compile(r"[\s.\-]")


def invalid(message: str) -> PydanticCustomError:
    return PydanticCustomError("invalid_input", message)


def _digits(value: object, length: int, label: str) -> str:
    if not isinstance(value, str | int):
        raise invalid(f"{label} harus berupa {length} digit angka.")
    digits = _SEPARATORS.sub("", str(value))
    if not digits.isdigit() or len(digits) != length:
        raise invalid(f"{label} harus terdiri dari {length} digit angka.")
    return digits


def validate_nik(value: object) -> str:
    """16 digits whose structure is a NIK (region, birth date, serial)."""
    digits = _digits(value, 16, "NIK")
    info = parse_nik(digits)
    if not info.valid:
        raise invalid(f"NIK tidak valid: {info.errors[0].message}")
    return digits


def validate_nisn(value: object) -> str:
    return _digits(value, 10, "NISN")


def validate_bpjs_card(value: object) -> str:
    return _digits(value, 13, "Nomor kartu BPJS Kesehatan")


def validate_birth_date(value: object) -> date:
    """A real date in `YYYY-MM-DD`, not in the future."""
    if isinstance(value, date):
        parsed = value
    elif isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        try:
            parsed = date.fromisoformat(value.strip())
        except ValueError:
            raise invalid("Tanggal lahir tidak valid. Mohon periksa kembali.") from None
    else:
        raise invalid("Tanggal lahir harus berformat TTTT-BB-HH, misalnya 1990-08-17.")
    if parsed > date.today() or parsed.year < 1900:
        raise invalid("Tanggal lahir tidak valid. Mohon periksa kembali.")
    return parsed


def _past_or_today(value: date) -> date:
    if value > date.today():
        raise invalid("Tanggal tidak boleh di masa depan.")
    return value


Nik = Annotated[str, BeforeValidator(validate_nik)]
Nisn = Annotated[str, BeforeValidator(validate_nisn)]
BpjsCardNumber = Annotated[str, BeforeValidator(validate_bpjs_card)]
BirthDate = Annotated[date, BeforeValidator(validate_birth_date)]
PastDate = Annotated[date, AfterValidator(_past_or_today)]


def mask_name(name: str) -> str:
    """`Budi Santoso` → `BUDI S******`: the first word whole, the others by their initial."""
    words = name.upper().split()
    if not words:
        return ""
    return " ".join([words[0], *(word[0] + "*" * (len(word) - 1) for word in words[1:])])
