"""What a citizen types for a bansos search (actions/social.py): the method ("pakai NIK", a NIK
itself, "nama"), names of regions and people, and what the opening message already gives for
a search by name: the regions it mentions (province, regency, district by their Kemendagri
codes, bot/regions.py) and a name at its end ("... atas nama Siti Aminah")."""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Tracker

from actions.answers import entity_value
from bot.regions import find_regions

METHODS = ("nik", "name")

_NAME_PREFIX = re.compile(
    r"^(?:nama\s+(?:saya|lengkap(?:nya)?|anak(?:nya)?|ibu|bapak|ayah)|nama|atas\s+nama|namanya)\b\s*:?\s*",
    re.IGNORECASE,
)
NAME = re.compile(r"[^\W\d_]+(?:[ .'-]+[^\W\d_]+)*\.?")
_WORD = re.compile(r"[a-z]+")
# Type words dropped when typed and official names are compared; "kota" and "kabupaten" stay,
# since Kota Bandung and Kabupaten Bandung are different places.
_LEVEL_WORDS = frozenset({"provinsi", "propinsi", "prov", "kecamatan", "kec", "desa", "kelurahan", "kel"})
# A name closing the opening message: "cek bansos warga Cibiru atas nama Asep Saepudin".
_TRAILING_NAME = re.compile(
    r"\b(?:atas\s+nama|a\.?\s?n\.?|nama(?:nya)?)\s*:?\s+([^\W\d_]+(?:[ .'-]+[^\W\d_]+){0,5})\s*[.?!]*\s*$",
    re.IGNORECASE,
)
# A NIK refused: a negation up to three words before "NIK"/"KTP".
_NO_NIK = re.compile(
    r"\b(?:tidak|tdk|gak|ga|gk|nggak|ngga|enggak|ogah|tanpa|bukan|jangan|belum)\b(?:\s+\w+){0,3}?\s+(?:nik|ktp)\b",
    re.IGNORECASE,
)
# Region steps filled by a region mention of each kind: its code cut to the step's depth.
_DEPTH = {"provinsi": 1, "kota": 2, "kabupaten": 2, "kecamatan": 3}
_STEP_SLOTS = ("bansos_province", "bansos_regency", "bansos_district")


def method_in(tracker: Tracker) -> str | None:
    """The search method named in the latest message: a button, a NIK, or words."""
    chosen = entity_value(tracker, "bansos_method")
    if chosen in METHODS:
        return chosen
    if entity_value(tracker, "nik") is not None:
        return "nik"
    text = tracker.latest_message.get("text") or ""
    return None if text.startswith("/") else method_in_text(text)


def method_in_text(text: str) -> str | None:
    """ "pakai NIK" → "nik"; "nama", a region word, or a NIK refused ("tanpa NIK", "tidak mau
    kasih NIK") → "name"."""
    if _NO_NIK.search(text):
        return "name"
    words = set(_WORD.findall(text.lower()))
    if words & {"nik", "ktp"}:
        return "nik"
    if words & {"nama", "wilayah", "daerah", "desa", "kelurahan"}:
        return "name"
    return None


def region_key(name: str) -> str:
    """ "Kab. Bandung" → "kabupaten bandung", "Kec. Sukasari" → "sukasari": typed and official
    names compared."""
    words = ["kabupaten" if word == "kab" else word for word in _WORD.findall(name.lower())]
    while words and words[0] in _LEVEL_WORDS:
        words = words[1:]
    return " ".join(words)


def clean_name(text: str) -> str:
    """ "atas nama  Dewi Lestari" → "Dewi Lestari"."""
    return " ".join(_NAME_PREFIX.sub("", text.strip()).split())


def valid_name(name: str) -> bool:
    letters = sum(char.isalpha() for char in name)
    return bool(NAME.fullmatch(name)) and letters >= 3 and len(name) <= 60


def given_for_name_search(text: str) -> dict[str, Any]:
    """The region steps and the name an opening message already gives: {"bansos_province": "32",
    "bansos_regency": "32.01", "bansos_name": "Siti Aminah"}; {} when it gives neither."""
    given: dict[str, Any] = {}
    named = _TRAILING_NAME.search(text)
    if named and valid_name(name := " ".join(named.group(1).split())):
        given["bansos_name"] = name
        text = text[: named.start()]
    mentions = find_regions(text)
    if mentions:
        region = mentions[-1].region  # the last mention is the most specific ("Cibiru, Kota Bandung")
        parts = region.code.split(".")
        for depth, slot in enumerate(_STEP_SLOTS[: _DEPTH.get(region.kind, 0)], start=1):
            given[slot] = ".".join(parts[:depth])
    return given
