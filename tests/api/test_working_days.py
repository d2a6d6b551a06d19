"""Working-day arithmetic: weekends and Indonesian national holidays are skipped."""

from __future__ import annotations

from datetime import date

import pytest

from api.working_days import add_working_days, is_working_day, working_days_between


def test_weekends_are_not_working_days() -> None:
    assert is_working_day(date(2026, 11, 27))  # Friday
    assert not is_working_day(date(2026, 11, 28))  # Saturday
    assert not is_working_day(date(2026, 11, 29))  # Sunday


def test_national_holidays_are_not_working_days() -> None:
    assert not is_working_day(date(2026, 8, 17))  # Independence Day, a Monday
    assert not is_working_day(date(2026, 12, 25))  # Christmas, a Friday
    assert not is_working_day(date(2025, 3, 31))  # Eid al-Fitr 1446 H, a Monday


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        (date(2026, 11, 23), 3, date(2026, 11, 26)),  # Monday + 3 = Thursday
        (date(2026, 11, 26), 3, date(2026, 12, 1)),  # Thursday + 3 skips the weekend
        (date(2026, 11, 28), 1, date(2026, 11, 30)),  # from a Saturday: Monday
        (date(2026, 8, 14), 1, date(2026, 8, 18)),  # Friday + 1 skips the weekend and 17 August
        (date(2026, 12, 24), 1, date(2026, 12, 28)),  # Thursday + 1 skips Christmas and the weekend
        (date(2026, 12, 24), 5, date(2027, 1, 4)),  # ... and New Year's Day
        (date(2026, 11, 23), 0, date(2026, 11, 23)),
    ],
)
def test_add_working_days(start: date, days: int, expected: date) -> None:
    assert add_working_days(start, days) == expected


def test_add_working_days_refuses_negative_counts() -> None:
    with pytest.raises(ValueError):
        add_working_days(date(2026, 11, 23), -1)


def test_working_days_between_is_the_inverse_of_adding() -> None:
    start = date(2026, 12, 17)
    for days in range(0, 15):
        assert working_days_between(start, add_working_days(start, days)) == days
    assert working_days_between(date(2026, 12, 1), date(2026, 11, 1)) == 0
