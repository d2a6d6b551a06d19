"""Indonesian working days: Monday to Friday, except national holidays.

Service deadlines in Indonesian regulations count working days (hari kerja), e.g. LAPOR!'s
3 working days to verify a report and 5 to plan its follow-up. National holidays come from
the maintained `holidays` package (calendar `ID`); collective leave days (cuti bersama) are
not in it and are not skipped.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache

import holidays


@cache
def _national_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("ID", years=year))


def is_national_holiday(day: date) -> bool:
    return day in _national_holidays(day.year)


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and not is_national_holiday(day)


def add_working_days(start: date, days: int) -> date:
    """The date `days` working days after `start` (the start day itself is not counted).

    `add_working_days(friday, 1)` is the next Monday (or later, past holidays)."""
    if days < 0:
        raise ValueError("days must be >= 0")
    current = start
    remaining = days
    while remaining:
        current += timedelta(days=1)
        if is_working_day(current):
            remaining -= 1
    return current


def working_days_between(start: date, end: date) -> int:
    """Working days after `start` up to and including `end` (0 when `end <= start`)."""
    count = 0
    current = start
    while current < end:
        current += timedelta(days=1)
        if is_working_day(current):
            count += 1
    return count
