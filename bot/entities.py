"""Finds the contract entities in a citizen's message, with normalised values.

Structured identifiers are found by their shape and context rather than learned: a NIK is
16 digits (typed with spaces or dots too), a KK number is 16 digits after "KK"/"kartu
keluarga", a BPJS card 13, a NISN 10, a billing code 15. Regions and dates come from
bot.regions and bot.dates. Earlier finders win where spans overlap.

The identifiers arrive as the gateway's tokens (bot/identifiers.py `token_kind`), of the same
length: a token is the entity its original was, and a phone number's token is none.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.dates import find_dates
from bot.identifiers import (
    CASE_PREFIXES,
    digits,
    is_phone_number,
    normalize_plate,
    normalize_sim_class,
    token_kind,
)
from bot.regions import find_regions
from bot.text import is_known_word


@dataclass(frozen=True)
class Entity:
    entity: str
    start: int
    end: int
    value: str


# A case number as citizens type it: any case, its parts joined by a dash, slash, dot,
# underscore, spaces or nothing ("lpr/2026/00042", "ADM 2026 000123", "skck2026000123").
# The same pattern as api/privacy/shapes.py, so the gateway leaves its digits alone.
_TICKET = re.compile(
    rf"\b({'|'.join(CASE_PREFIXES)})\s*[-/._]?\s*(20\d\d)\s*[-/._]?\s*(\d{{5,6}})\b", re.IGNORECASE
)
# Digit groups joined by single spaces, dots or dashes: "3171 0117 0845 0001".
_NUMBER_RUN = re.compile(r"(?<![\w+])\d+(?:[ .-]\d+)*(?![\w])")
_KK_CONTEXT = re.compile(r"\b(kk|kartu\s+kel\w*)\W*(?:\w+\W+){0,2}$", re.IGNORECASE)
_BY_LENGTH = {16: "nik", 15: "billing_code", 13: "bpjs_number", 10: "nisn"}
# The entity a gateway token stands for (None: a phone number or a CASN number, no entity).
_BY_TOKEN = {"nik": "nik", "bpjs": "bpjs_number", "nisn": "nisn", "casn": None, "phone": None}
# Police registration areas (Perpolri 7/2021 appendix): the letters a plate starts with.
_PLATE_AREAS = frozenset(
    "A B D E F G H K L M N P R S T W Z AA AB AD AE AG BA BB BD BE BG BH BK BL BM BN BP "
    "DA DB DC DD DE DG DH DK DL DM DN DR DT EA EB ED KB KH KT KU PA PB PG PY".split()
)
_PLATE = re.compile(r"\b([a-z]{1,2})\s?(\d{1,4})\s?([a-z]{1,3})\b", re.IGNORECASE)
_CLASS = r"(?P<cls>a|b\s?(?:ii|i|1|2)|c(?:\s?(?:ii|i|1|2))?|d(?:\s?(?:i|1))?)(?P<umum>\s+umum)?\b"
_SIM_CLASS = re.compile(rf"\bsim\s+(?:golongan\s+|gol\.?\s*|kelas\s+)?{_CLASS}", re.IGNORECASE)
# "SIM A dan C", "sim b1, b2 atau c": the classes listed after the first one.
_MORE_CLASSES = re.compile(rf"\s*(?:,|dan|atau|sama|sm|&|\+)\s*{_CLASS}", re.IGNORECASE)


def find_entities(text: str) -> list[Entity]:
    """All entities in `text`, ordered by position."""
    found: list[Entity] = []

    def add(entity: str, start: int, end: int, value: str) -> None:
        if not any(start < e.end and e.start < end for e in found):
            found.append(Entity(entity, start, end, value))

    for m in _TICKET.finditer(text):
        add("ticket_id", m.start(), m.end(), "-".join(g.upper() for g in m.groups()))
    for d in find_dates(text):
        add("date", d.start, d.end, d.date.isoformat())
    for m in _NUMBER_RUN.finditer(text):
        _add_number(text, m.start(), m.group(), add)
    for m in _PLATE.finditer(text):
        if _is_plate(text, m):
            add("plate_number", m.start(), m.end(), normalize_plate(m.group()) or m.group())
    for first in _SIM_CLASS.finditer(text):
        listed: re.Match[str] | None = first
        while listed and _is_sim_class(listed["cls"]):
            value = normalize_sim_class(listed["cls"] + (listed["umum"] or ""))
            add("sim_class", listed.start("cls"), listed.end(), value or listed["cls"].upper())
            listed = _MORE_CLASSES.match(text, listed.end())
    for r in find_regions(text):
        add("region", r.start, r.end, r.region.name)
    return sorted(found, key=lambda e: e.start)


def _add_number(text: str, start: int, run: str, add) -> None:  # noqa: ANN001
    """Adds the identifiers in a run of digit groups: the whole run, or its space-separated parts."""
    whole = digits(run)
    if whole == run and token_kind(whole) is not None:
        token = _BY_TOKEN[token_kind(whole) or ""]
        if token == "nik" and _KK_CONTEXT.search(text[:start]):
            token = "kk_number"
        if token is not None:
            add(token, start, start + len(run), whole)
        return
    if len(whole) in _BY_LENGTH and not _is_phone(run):
        entity = _BY_LENGTH[len(whole)]
        if entity == "nik" and _KK_CONTEXT.search(text[:start]):
            entity = "kk_number"
        add(entity, start, start + len(run), whole)
        return
    if " " in run:  # e.g. a NIK followed by a BPJS number
        offset = start
        for part in run.split(" "):
            _add_number(text, offset, part, add)
            offset += len(part) + 1


def _is_phone(run: str) -> bool:
    return run.lstrip("+").startswith(("08", "628")) and is_phone_number(run)


def _is_plate(text: str, m: re.Match[str]) -> bool:
    area, number, letters = m.groups()
    if area.upper() not in _PLATE_AREAS or re.search(r"\bsim\s*$", text[: m.start()], re.IGNORECASE):
        return False
    if len(number) == 1 and m.group()[len(area)].isdigit():  # "P1 TL", "P2 L": codes, not plates
        return False
    # "B 12 yg", "a 2024 ya": in lower case, a short number or a year followed by a word is no plate.
    if " " in m.group() and letters.islower() and is_known_word(letters):
        return len(number) in (3, 4) and not re.fullmatch(r"19\d\d|20\d\d", number)
    return True


def _is_sim_class(cls: str) -> bool:
    # "sim di polres": lower-case "di" is the preposition, not class D I.
    return cls.replace(" ", "") != "di"
