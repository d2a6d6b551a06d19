"""Calendar dates as citizens type them: 17-08-1990, 17/8/1990, 17 Agustus 1990, 17 agt 1990.

Month names come from the CLDR data in Babel (Indonesian locale); a few older or informal
spellings are added. Two-digit years are read as the most recent past year.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cache

from babel.dates import get_month_names

_INFORMAL_MONTHS = {"agt": 8, "agust": 8, "pebruari": 2, "peb": 2, "nopember": 11, "nop": 11, "sept": 9}


@cache
def _months() -> dict[str, int]:
    months = dict(_INFORMAL_MONTHS)
    for width in ("wide", "abbreviated"):
        for number, name in get_month_names(width, locale="id").items():
            months[name.lower().rstrip(".")] = number
    return months


@cache
def _pattern() -> re.Pattern[str]:
    names = "|".join(sorted(map(re.escape, _months()), key=len, reverse=True))
    return re.compile(
        rf"\b(?P<d>\d{{1,2}})(?:(?P<sep>[-/.])(?P<m>\d{{1,2}})(?P=sep)|\s+(?P<name>{names})\.?\s+)"
        rf"(?P<y>\d{{4}}|\d{{2}})\b",
        re.IGNORECASE,
    )


@dataclass(frozen=True)
class DateMention:
    start: int
    end: int
    date: dt.date


def _year(text: str, today: dt.date) -> int:
    if len(text) == 4:
        return int(text)
    year = 2000 + int(text)
    return year if year <= today.year else year - 100


def find_dates(text: str, today: dt.date | None = None) -> list[DateMention]:
    """Every real calendar date in `text` (an impossible one like 31-02-2000 is skipped)."""
    today = today or dt.date.today()
    found = []
    for match in _pattern().finditer(text):
        month = int(match["m"]) if match["m"] else _months()[match["name"].lower()]
        try:
            date = dt.date(_year(match["y"], today), month, int(match["d"]))
        except ValueError:
            continue
        found.append(DateMention(match.start(), match.end(), date))
    return found
