"""Vehicles over the seed population, as the Samsat registers them.

Adults own motorcycles (more so in better-off households) and, from the sixth welfare decile
up, cars. Plates carry the area letters of the owner's regency (`api.plates`). The NJKB
(the tax base) follows the model's price new and its age. The annual tax falls due on a
fixed day each year; as of `REFERENCE_DATE` four in five vehicles are paid up (next due
within the coming year), the rest overdue by up to 20 months.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from typing import Any

from api.plates import area_letters, format_plate, plate_key
from simulators.seed.personas import identity, persona
from simulators.seed.population import (
    REFERENCE_DATE,
    SEED,
    Citizen,
    Population,
    citizen_by_nik,
    population,
)

MOTORCYCLE, CAR = "motor", "mobil"


@dataclass(frozen=True)
class Model:
    kind: str  # MOTORCYCLE | CAR
    brand: str
    name: str
    price: int  # new, on the road, rupiah (approximate market prices)


MODELS: tuple[Model, ...] = (
    Model(MOTORCYCLE, "Honda", "BeAT", 18_500_000), Model(MOTORCYCLE, "Honda", "Vario 125", 23_500_000),
    Model(MOTORCYCLE, "Honda", "Scoopy", 22_500_000), Model(MOTORCYCLE, "Honda", "Supra X 125", 19_500_000),
    Model(MOTORCYCLE, "Honda", "PCX 160", 33_000_000), Model(MOTORCYCLE, "Yamaha", "NMAX", 31_500_000),
    Model(MOTORCYCLE, "Yamaha", "Mio M3", 17_000_000), Model(MOTORCYCLE, "Yamaha", "Aerox", 28_000_000),
    Model(MOTORCYCLE, "Suzuki", "Nex II", 17_500_000), Model(MOTORCYCLE, "Kawasaki", "W175", 33_000_000),
    Model(CAR, "Toyota", "Avanza", 245_000_000), Model(CAR, "Daihatsu", "Xenia", 230_000_000),
    Model(CAR, "Toyota", "Kijang Innova", 380_000_000), Model(CAR, "Honda", "Brio", 175_000_000),
    Model(CAR, "Mitsubishi", "Xpander", 270_000_000), Model(CAR, "Suzuki", "Ertiga", 240_000_000),
    Model(CAR, "Toyota", "Calya", 160_000_000), Model(CAR, "Daihatsu", "Sigra", 150_000_000),
    Model(CAR, "Toyota", "Rush", 280_000_000), Model(CAR, "Honda", "HR-V", 360_000_000),
)  # fmt: skip


@dataclass(frozen=True)
class Vehicle:
    plate: str  # "B 1234 XYZ"
    owner_nik: str
    model: Model
    year: int
    region_code: str  # regency of registration, dotted
    region: str  # "Kota Bandung, Jawa Barat"
    njkb: int
    due_date: date  # the first unpaid annual due date


def _njkb(model: Model, year: int) -> int:
    """About three quarters of the price new, less 0.08 of it a year of age, at least 0.35 of it."""
    age = max(0, REFERENCE_DATE.year - year)
    factor = max(0.35, 1 - 0.08 * age)
    return round(model.price * 0.75 * factor / 1000) * 1000


def _plate(rng: random.Random, citizen: Citizen, used: set[str]) -> str:
    letters = area_letters(citizen.address.regency_code)
    while True:
        number = str(rng.randint(1, 9999))
        suffix = "".join(rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(rng.choice((1, 2, 2, 3, 3, 3))))
        plate = format_plate(letters, number, suffix)
        if plate not in used:
            used.add(plate)
            return plate


def _vehicle(rng: random.Random, citizen: Citizen, kind: str, used: set[str]) -> Vehicle:
    model = rng.choice([m for m in MODELS if m.kind == kind])
    year = rng.randint(max(2008, citizen.birth_date.year + 18), REFERENCE_DATE.year)
    if rng.random() < 0.8:  # paid up: the next due date lies within the coming year
        due = REFERENCE_DATE + timedelta(days=rng.randint(1, 365))
    else:  # overdue by up to 20 months
        due = REFERENCE_DATE - timedelta(days=rng.randint(1, 600))
    address = citizen.address
    return Vehicle(
        plate=_plate(rng, citizen, used),
        owner_nik=citizen.nik,
        model=model,
        year=year,
        region_code=address.regency_code,
        region=f"{address.regency}, {address.province}",
        njkb=_njkb(model, year),
        due_date=due,
    )


@cache
def vehicles() -> dict[str, Vehicle]:
    """The seeded vehicles by plate key (`B1234XYZ`)."""
    rng = random.Random(f"{SEED}:vehicles")
    used: set[str] = set()
    found: dict[str, Vehicle] = {}
    for citizen in population().citizens:
        if citizen.age() < 18:
            continue
        if rng.random() < 0.35 + 0.03 * citizen.decile:
            vehicle = _vehicle(rng, citizen, MOTORCYCLE, used)
            found[plate_key(vehicle.plate)] = vehicle
        if rng.random() < max(0.0, 0.09 * (citizen.decile - 5)):
            vehicle = _vehicle(rng, citizen, CAR, used)
            found[plate_key(vehicle.plate)] = vehicle
    return found


def _owner(vehicle: Vehicle) -> dict[str, Any]:
    citizen = citizen_by_nik(vehicle.owner_nik)
    assert citizen is not None
    model = f"{vehicle.model.brand} {vehicle.model.name}"
    return {
        **identity(citizen),
        "plate": vehicle.plate,
        "vehicle": model,
        "due_date": vehicle.due_date.isoformat(),
    }


@persona("vehicle_owner", "a vehicle owner whose annual tax is paid up (next due in 2–12 months)")
def _paid_up(pop: Population) -> dict[str, Any] | None:
    soon = REFERENCE_DATE + timedelta(days=60)
    return next((_owner(v) for v in vehicles().values() if v.due_date > soon), None)


@persona("vehicle_owner_overdue", "a vehicle owner whose annual tax is overdue (late fines)")
def _overdue(pop: Population) -> dict[str, Any] | None:
    return next((_owner(v) for v in vehicles().values() if v.due_date < REFERENCE_DATE), None)
