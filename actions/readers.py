"""Readers of a follow-up's new value typed without an entity (actions/followups.py `ANSWERS`):
each takes the message, the parameters of the last answer and that answer's text, and returns
the new value (checked afterwards by the form's own validator), or None.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from typing import Any

from actions import road_topics
from bot.identifiers import normalize_sim_class

Reader = Callable[[str, Mapping[str, Any], str], Any]


def year(text: str, before: Mapping[str, Any], answer_text: str) -> str | None:
    """A year typed ("2022", "tahun 2022"), or one relative to the answer's ("tahun lalu")."""
    explicit = re.search(r"\b(19[5-9]\d|20\d\d)\b", text)
    if explicit:
        return explicit.group(1)
    relative = re.search(
        r"\b(?:tahun|thn|taun)\s+(lalu|kemarin|sebelumnya|sebelum\s*nya|depan|ini)\b", text, re.IGNORECASE
    )
    if not relative:
        return None
    if relative.group(1).lower() == "ini":
        return str(dt.date.today().year)
    shown = re.search(r"tahun\s+(\d{4})", answer_text) or re.search(r"\b(\d{4})\b", answer_text)
    base = before.get("statistics_year") or (shown.group(1) if shown else None)
    if base is None or not str(base).isdigit():
        return None
    step = 1 if relative.group(1).lower() == "depan" else -1
    return str(int(base) + step)


_CLASS_WORDS = {
    "1": "1",
    "i": "1",
    "satu": "1",
    "2": "2",
    "ii": "2",
    "dua": "2",
    "3": "3",
    "iii": "3",
    "tiga": "3",
}


def bpjs_class(text: str, before: Mapping[str, Any], answer_text: str) -> str | None:
    """A BPJS class: "kelas 2", "kls II", "kelas tiga"."""
    found = re.search(r"\b(?:kelas|kls|klas)\s*(iii|ii|i|1|2|3|satu|dua|tiga)\b", text, re.IGNORECASE)
    return _CLASS_WORDS[found.group(1).lower()] if found else None


_VEHICLE_SIM = {"mobil": "A", "motor": "C", "sepeda motor": "C", "truk": "B1", "bus": "B1"}
# Words around a class named in a follow-up: "kalau yang c?", "klo sim b1 gimana".
_FOLLOWUP_WORDS = frozenset(
    """kalau kalo klo kl klu bagaimana gimana gmn gmna dengan dgn untuk utk buat yang yg sim golongan
    gol jenis kelas nya aja saja dong ya sih kak min berapa brp biayanya biaya""".split()
)
_TOKENS = re.compile(r"[a-z0-9]+")


def vehicle_sim(text: str, before: Mapping[str, Any], answer_text: str) -> str | None:
    """The SIM class of a vehicle named instead of the class ("kalau mobil?"), or a class
    named alone ("klo yg c", "kalau BII?")."""
    for word, sim_class in _VEHICLE_SIM.items():
        if re.search(rf"\b{word}\b", text, re.IGNORECASE):
            return sim_class
    rest = "".join(token for token in _TOKENS.findall(text.lower()) if token not in _FOLLOWUP_WORDS)
    return normalize_sim_class(rest) if rest else None


def school_level(text: str, before: Mapping[str, Any], answer_text: str) -> str | None:
    """A school level named ("kalau SMP?"); the form's validator reads and checks it."""
    found = re.search(
        r"\b(sd|smp|sma|smk|sltp|slta|sekolah dasar|sekolah menengah (?:pertama|atas|kejuruan))\b",
        text,
        re.IGNORECASE,
    )
    return found.group(1) if found else None


def vehicle_kind(text: str, before: Mapping[str, Any], answer_text: str) -> str | None:
    """ "kalau mobil?" after a vehicle rule (actions/road_topics.py): motorcycle or car."""
    return road_topics.vehicle_kind(text)


def passport_kind(text: str, before: Mapping[str, Any], answer_text: str) -> str | None:
    """ "kalau paspor elektronik?" after the passport fees (actions/road_topics.py); "yg 10 taun?"
    keeps the kind asked before and changes the years."""
    kind = road_topics.passport_kind(_YEAR_WORDS.sub("tahun", text))
    previous = str(before.get("passport_kind") or "")
    if kind in ("5y", "10y") and previous.startswith(("electronic", "non_electronic")):
        return f"{previous.rsplit('_', 1)[0] if previous.endswith('y') else previous}_{kind}"
    return kind


_YEAR_WORDS = re.compile(r"\b(?:thn|taun|thun)\b", re.IGNORECASE)


FOLLOWUP_WORDS = 6  # a follow-up is short: a longer message is a new question
# "kalau …?", "klo yg …", "terus …": a follow-up that names a new value, not a new question.
_FOLLOWUP_START = re.compile(
    r"^\s*(?:kalau|kalo|klo|kl|klu|terus|trus|lalu|bagaimana dengan|gimana dengan|gmn dengan"
    r"|untuk|utk|yg|yang|tahun|thn|taun)\b",
    re.IGNORECASE,
)


def same_topic(slot: str) -> Reader:
    """The topic of the last answer (`slot`) for a follow-up that starts like one ("kalau TKP?"):
    the answer's action reads the new value from the text itself."""

    def read(text: str, before: Mapping[str, Any], answer_text: str) -> Any:
        return before.get(slot) if is_followup(text) else None

    return read


def is_followup(text: str) -> bool:
    """A short message that starts like a follow-up ("kalau yang rusak?", "klo lansia")."""
    return bool(_FOLLOWUP_START.search(text)) and len(text.split()) <= FOLLOWUP_WORDS
