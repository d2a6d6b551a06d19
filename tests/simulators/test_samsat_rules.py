"""The Samsat simulator's SWDKLLJ and its late fine follow the fact registry (PMK 16/2017)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from knowledge import facts
from simulators.samsat import SWDKLLJ, assess, swdkllj_late_fine
from simulators.seed.vehicles import CAR, MOTORCYCLE, vehicles


def test_swdkllj_amounts_are_the_registrys() -> None:
    amount = facts.get("swdkllj.amount")
    assert {MOTORCYCLE: amount.value_of("motorcycle"), CAR: amount.value_of("car")} == SWDKLLJ
    assert SWDKLLJ == {MOTORCYCLE: 32_000, CAR: 140_000}


@pytest.mark.parametrize(
    ("days", "motorcycle", "car"),
    [
        (0, 0, 0),
        (1, 8_000, 35_000),  # 25%
        (90, 8_000, 35_000),
        (91, 16_000, 70_000),  # 50%
        (180, 16_000, 70_000),
        (181, 24_000, 100_000),  # 75%: Rp105.000 for a car, capped
        (270, 24_000, 100_000),
        (271, 32_000, 100_000),  # 100%, capped
        (2000, 32_000, 100_000),
    ],
)
def test_the_swdkllj_late_fine_is_progressive_and_capped(days: int, motorcycle: int, car: int) -> None:
    assert swdkllj_late_fine(SWDKLLJ[MOTORCYCLE], days) == motorcycle
    assert swdkllj_late_fine(SWDKLLJ[CAR], days) == car


def test_each_year_due_is_fined_by_its_own_days_late() -> None:
    vehicle = next(v for v in vehicles().values() if v.model.kind == MOTORCYCLE)
    due = date(2025, 1, 10)
    # 400 days after the first due date: that year is 400 days late (100%), the next 35 days (25%).
    owed = assess(vehicle, due, due + timedelta(days=400))
    assert owed.years_due == 2
    assert owed.swdkllj == 2 * 32_000
    assert owed.swdkllj_fine == 32_000 + 8_000
