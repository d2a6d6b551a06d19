"""Small pieces the guided flows share: reading a citizen's typed answer, and writing dates,
amounts and identifiers the way citizens read them.

- `typed_answer()`: the text of the latest message when it answers the question the form
  asked, and not when the NLU read it as "batal", as a question asked aside, or as a hand-off
  message (those go to the cancel, interruption and hand-off rules of data/rules/).
- `free_text()`: the same for free text (a description, a location), which may sound like
  anything: only "batal", questions about the conversation and button payloads are not taken.
- `aside_intents()`: the questions a form answers in passing (`action_answer_aside`) before
  asking its question again; data/rules/ lists the same intents in each interruption rule.
- `user_intents()`: the intents of the current session's user messages.
- `read_yes_no()`: "ya", "iya kirim", "gak" → True/False for a confirmation step.
- `word_pattern()`: a regex matching any of some words, for reading typed choices.
- `is_recognisable()`: an Indonesian word, slang or derived form (garbage checks).
- `tanggal()`, `waktu()`, `rupiah()`, `mask_nik()`: Indonesian formats for replies.
- `phrase()`: the text of a domain response, for a fixed sentence inside a reply assembled
  from data (a whole reply is sent as `utter_message(response=..., **values)` instead).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable
from functools import cache
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.types import DomainDict

from bot.identifiers import token_kind
from bot.text import WordNormalizer, collapse_elongation, expand_slang, is_known_word
from knowledge import facts, render_value

# A response's {placeholder}, as Rasa's interpolator reads it (rasa.core.nlg.interpolator).
_PLACEHOLDER = re.compile(r"{([^\n{}]+?)}")
CANCEL_INTENT = "cancel"
# A person asked for, and the conversation handed back by the officer (actions/handoff.py):
# never an answer; in a form, data/rules/handoff.yml handles them.
HANDOFF_INTENTS = frozenset({"request_human", "handoff_returned"})
# Asked in the middle of any form: answered, then the form asks its question again.
GENERAL_ASIDE_INTENTS = frozenset({"office_info", "bot_challenge"})
# Questions about the conversation itself: never an answer, even to a free-text question.
CONVERSATION_INTENTS = frozenset({"bot_challenge"}) | HANDOFF_INTENTS
# Information intents of the services whose responses answer well in passing.
SERVICE_ASIDE_INTENTS = frozenset(
    {"health_bpjs_contribution", "asn_casn_registration", "complaint_status", "police_sim_fee", "police_skck"}
)

# Dates and times are shown in WIB (UTC+7, no daylight saving), as the services announce them.
WIB = dt.timezone(dt.timedelta(hours=7), "WIB")
_MONTHS = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)
_WORD = re.compile(r"[a-z]+")
_YES = frozenset(
    {
        "ya",
        "iya",
        "y",
        "yes",
        "ok",
        "oke",
        "okay",
        "benar",
        "betul",
        "setuju",
        "lanjut",
        "lanjutkan",
        "kirim",
        "kirimkan",
        "boleh",
        "siap",
        "mau",
        "sip",
        "ajukan",
        "daftar",
        "yaudah",
        "okee",
        "yoi",
    }
)
_NO = frozenset({"tidak", "no", "jangan", "belum", "salah", "nanti", "batal"})
YES_NO_WORDS = 5  # a yes or no is said at the start of a reply


def aside_intents(form_intent: str) -> frozenset[str]:
    """The intents answered in passing during the form started by `form_intent`."""
    return (GENERAL_ASIDE_INTENTS | SERVICE_ASIDE_INTENTS) - {form_intent}


def latest_intent(tracker: Tracker) -> str | None:
    return (tracker.latest_message.get("intent") or {}).get("name")


def typed_answer(tracker: Tracker, slot: str, aside: frozenset[str]) -> str | None:
    """The latest message's text if it is a typed answer to the question for `slot`.

    None when the form asked for another slot, for a button payload ("/inform{...}"), and
    when the NLU read the message as cancelling, as a hand-off message or as one of the
    `aside` questions.
    """
    if tracker.get_slot("requested_slot") != slot:
        return None
    text = (tracker.latest_message.get("text") or "").strip()
    if not text or text.startswith("/"):
        return None
    if latest_intent(tracker) in aside | HANDOFF_INTENTS | {CANCEL_INTENT}:
        return None
    return text


def free_text(tracker: Tracker, slot: str) -> str | None:
    """The latest message's text if it is typed while the form asks for `slot`, whatever the
    NLU read it as (a complaint's description may well sound like another question), except
    "batal", questions about the conversation itself ("kamu robot?", "mau bicara dengan
    petugas") and button payloads (an old button clicked is no description)."""
    return typed_answer(tracker, slot, CONVERSATION_INTENTS)


def user_intents(events: Iterable[dict[str, Any]]) -> list[str | None]:
    """The intents of the current session's user messages, oldest first.

    A rewind (UserUtteranceReverted) removes the latest user message; a restart or a new
    session starts the list afresh.
    """
    intents: list[str | None] = []
    for event in events:
        kind = event.get("event")
        if kind in ("session_started", "restart"):
            intents.clear()
        elif kind == "user":
            intent = (event.get("parse_data") or {}).get("intent") or {}
            intents.append(intent.get("name"))
        elif kind == "rewind" and intents:
            intents.pop()
    return intents


def entity_value(tracker: Tracker, entity: str) -> str | None:
    """The first value of `entity` in the latest message, if any."""
    return next(tracker.get_latest_entity_values(entity), None)


def read_yes_no(text: str) -> bool | None:
    """The first yes- or no-word among the first few words of `text` decides; None when there is
    neither (a long message with a "belum" deep inside is no answer to "Kirim sekarang?")."""
    for word in _WORD.findall(text.lower())[:YES_NO_WORDS]:
        word = expand_slang(collapse_elongation(word))
        if word in _YES:
            return True
        if word in _NO:
            return False
    return None


def phrase(domain: DomainDict, response: str, **values: Any) -> str:
    """The text of the domain's `response` (its first variant), `values` and the fact registry's
    `{fact.<id>}` / `{basis.<id>}` filled in as bot/nlg.py fills them; others stay as written."""
    text = str(domain["responses"][response][0]["text"])
    known = {**values, **facts.template_values()}
    return _PLACEHOLDER.sub(lambda match: str(known.get(match.group(1), match.group(0))), text)


def word_pattern(*patterns: str) -> re.Pattern[str]:
    """Any of `patterns` as a whole word, case-insensitive."""
    return re.compile(r"\b(?:" + "|".join(patterns) + r")\b", re.IGNORECASE)


@cache
def _normalizer() -> WordNormalizer:
    return WordNormalizer(stem=True)  # loads the stemmer's dictionary: once, on first use


def is_recognisable(word: str) -> bool:
    """True for an Indonesian root word, a slang form, or a word whose stems are known
    ("diperbaiki", "kelurahan"); False for "asdf" or "qwerty"."""
    plain = expand_slang(collapse_elongation(word.lower()))
    if all(is_known_word(part) for part in plain.split()):
        return True
    return all(is_known_word(stem) for stem in _normalizer().normalize(word).split())


def payload(intent: str, **entities: str) -> str:
    """A button payload: "/inform{"sim_class":"C"}"."""
    if not entities:
        return f"/{intent}"
    return f"/{intent}{json.dumps(entities, ensure_ascii=False, separators=(',', ':'))}"


def _parse(value: Any) -> dt.datetime | dt.date | None:
    """An ISO date, or an ISO date-time (moved to WIB when it carries an offset)."""
    text = str(value or "").strip()
    try:
        if len(text) > 10:
            parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
            return parsed.astimezone(WIB) if parsed.tzinfo else parsed
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def tanggal(value: Any) -> str:
    """A date for citizens: "2026-05-12" (or an ISO date-time) → "12 Mei 2026"; None → ""."""
    parsed = _parse(value)
    if parsed is None:
        return "" if value is None else str(value)
    return f"{parsed.day} {_MONTHS[parsed.month - 1]} {parsed.year}"


def waktu(value: Any) -> str:
    """An ISO date-time → "1 Maret 2026 pukul 12.00 WIB" (WIB when it carries an offset);
    a plain date as `tanggal()`."""
    parsed = _parse(value)
    if not isinstance(parsed, dt.datetime):
        return tanggal(value)
    zone = " WIB" if parsed.tzinfo else ""
    return f"{tanggal(value)} pukul {parsed:%H.%M}{zone}"


def rupiah(amount: Any) -> str:
    """An amount in rupiah as the registry writes one (thousands with dots); None → ""."""
    try:
        return render_value(int(amount), "IDR")
    except (TypeError, ValueError):
        return "" if amount is None else str(amount)


def mask_nik(nik: Any) -> str:
    """A NIK to show: "3273014102900001" → "3273********0001", enough to recognise, not to copy.

    A gateway token (bot/identifiers.py `token_kind`) is passed whole: the gateway shows it to
    the citizen as its original, masked the same way (api/privacy/vault.py `reveal`)."""
    text = str(nik or "")
    if token_kind(text) is not None:
        return text
    if len(text) < 8:
        return "*" * len(text)
    return f"{text[:4]}{'*' * (len(text) - 8)}{text[-4:]}"
