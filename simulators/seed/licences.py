"""Driving licences (SIM) over the seed population, as Korlantas registers them.

Most adults hold a SIM C, many a SIM A, drivers a B I or B II. A SIM is valid for
`VALID_YEARS` years; as of `REFERENCE_DATE` about one in seven is inside the SINAR renewal window
before its expiry date (renewable online), one in seven has expired, the rest run for years.
Licences issued from 2023 carry the NIK as their number (new format); older ones a 12-digit number.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from typing import Any

from knowledge import facts
from simulators.seed.personas import identity, persona
from simulators.seed.population import REFERENCE_DATE, SEED, Citizen, Population, population

VALID_YEARS = int(facts.get("sim.validity").number)
RENEWAL_WINDOW_DAYS = int(facts.get("sim.sinar.renewal_window").number)
NEW_FORMAT_FROM = date(2023, 1, 1)
_DRIVER_JOBS = frozenset({"Sopir"})


@dataclass(frozen=True)
class Licence:
    sim_class: str  # A, B1, B2, C, C1, C2, D, D1 (B1 = "B I", as the assistant names classes)
    number: str
    expires_on: date


def _expiry(rng: random.Random) -> date:
    roll = rng.random()
    if roll < 0.15:  # within the renewal window as of the reference date
        offset = rng.randint(0, RENEWAL_WINDOW_DAYS)
    elif roll < 0.30:  # expired
        offset = -rng.randint(1, 700)
    else:  # valid for a while
        offset = rng.randint(RENEWAL_WINDOW_DAYS + 1, VALID_YEARS * 365)
    return REFERENCE_DATE + timedelta(days=offset)


def _number(rng: random.Random, citizen: Citizen, expires_on: date) -> str:
    issued = expires_on.replace(year=expires_on.year - VALID_YEARS)
    if issued >= NEW_FORMAT_FROM:
        return citizen.nik
    birth = citizen.birth_date
    return f"{birth.year % 100:02d}{birth.month:02d}{citizen.nik[:4]}{rng.randint(0, 999_999):06d}"


def _classes(rng: random.Random, citizen: Citizen) -> list[str]:
    age = citizen.age()
    classes: list[str] = []
    if age >= 17 and rng.random() < 0.62:
        classes.append("C")
    if age >= 17 and rng.random() < 0.08 + 0.05 * max(0, citizen.decile - 4):
        classes.append("A")
    if age >= 20 and citizen.occupation in _DRIVER_JOBS:
        classes.append("B1" if rng.random() < 0.7 else "B2")
    return classes


@cache
def licences() -> dict[str, tuple[Licence, ...]]:
    """The seeded licences by NIK."""
    rng = random.Random(f"{SEED}:licences")
    found: dict[str, tuple[Licence, ...]] = {}
    for citizen in population().citizens:
        held = []
        for sim_class in _classes(rng, citizen):
            expires_on = _expiry(rng)
            held.append(Licence(sim_class, _number(rng, citizen, expires_on), expires_on))
        if held:
            found[citizen.nik] = tuple(held)
    return found


def _holder(pop: Population, fits: Any) -> dict[str, Any] | None:
    for nik, held in licences().items():
        licence = next((item for item in held if fits(item.expires_on - REFERENCE_DATE)), None)
        if licence is not None:
            return {**identity(pop.by_nik[nik]), "sim_class": licence.sim_class,
                    "expires_on": licence.expires_on.isoformat()}  # fmt: skip
    return None


@persona("sim_renewable", "a SIM holder whose licence expires within the SINAR renewal window")
def _renewable(pop: Population) -> dict[str, Any] | None:
    return _holder(pop, lambda left: timedelta(days=30) <= left <= timedelta(days=RENEWAL_WINDOW_DAYS))


@persona("sim_expired", "a SIM holder whose licence has expired (a new SIM at Satpas)")
def _expired(pop: Population) -> dict[str, Any] | None:
    return _holder(pop, lambda left: left < -timedelta(days=30))


@persona("sim_valid", "a SIM holder whose licence runs for more than a year")
def _valid(pop: Population) -> dict[str, Any] | None:
    return _holder(pop, lambda left: left > timedelta(days=365))
