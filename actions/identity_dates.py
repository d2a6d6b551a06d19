"""Dates and identifiers a citizen gives together (issue 18, section 2: data before the question).

- `parse_birth_date()`: the first date written in a text.
- `gave_identifier()`: the latest message filled an identifier of the person.
- `date_with_identifier()`: the birth date written in the same message as the identifier
  ("nik …, lahir 3 November 1977"), read whenever that message comes.
"""

from __future__ import annotations

import datetime as dt

from rasa_sdk import Tracker

from actions.history import since_latest_user
from bot.dates import find_dates


def parse_birth_date(text: str, today: dt.date | None = None) -> dt.date | None:
    """The first date written in `text` (any format `bot.dates` reads), or None."""
    mentions = find_dates(text, today=today)
    return mentions[0].date if mentions else None


IDENTIFIER_ENTITIES = frozenset(
    {"nik", "bpjs_number", "kk_number", "nisn", "participant_number", "plate_number"}
)


def gave_identifier(tracker: Tracker) -> bool:
    """The latest message filled an identifier of the person (a NIK, a card number)."""
    fresh = since_latest_user(tracker)
    return any(fresh.get(slot) is not None for slot in ("nik", "bpjs_number", "kk_number", "nisn"))


def date_with_identifier(tracker: Tracker, text: str) -> dt.date | None:
    """A date written in the message that gave the person's identifier (the identifiers' own
    spans blanked, so no date is read out of a NIK). A correction ("eh salah, NIK saya …")
    carries no date: the date is then asked again."""
    if text.startswith("/") or not gave_identifier(tracker):
        return None
    for entity in tracker.latest_message.get("entities") or []:
        start, end = entity.get("start"), entity.get("end")
        if entity.get("entity") in IDENTIFIER_ENTITIES and isinstance(start, int) and isinstance(end, int):
            text = text[:start] + " " * (end - start) + text[end:]
    return parse_birth_date(text)
