"""Personas: typical citizens picked from the seed, for docs, demos and end-to-end tests.

A persona is a named finder that returns the first fitting citizen (deterministic) as a
JSON-ready dict with at least `nik`, `birth_date` and `name`, plus what the persona needs
(a BPJS card number, a NISN, a plate...). Seed modules register theirs with `@persona`;
the package (`simulators.seed.sample`) imports them all before it looks one up.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from simulators.seed.population import Citizen, Population, own_phone, registered_phone

Finder = Callable[[Population], dict[str, Any] | None]
PERSONAS: dict[str, tuple[str, Finder]] = {}


def persona(name: str, description: str) -> Callable[[Finder], Finder]:
    """Register a finder under `name` (with a one-line English description)."""

    def register(finder: Finder) -> Finder:
        PERSONAS[name] = (description, finder)
        return finder

    return register


def identity(citizen: Citizen) -> dict[str, Any]:
    """The persona fields every persona has."""
    return {
        "nik": citizen.nik,
        "birth_date": citizen.birth_date.isoformat(),
        "name": citizen.name,
        "sex": citizen.sex,
        "kk_number": citizen.kk_number,
        "phone": own_phone(citizen),  # registered with Dukcapil (none under 17)
        # Where an OTP for this NIK goes: the citizen's own number, or a KK member's.
        "otp_phone": found[0] if (found := registered_phone(citizen)) else None,
        "village_code": citizen.address.village_code,
        "regency": citizen.address.regency,
        "province": citizen.address.province,
    }


@persona("adult", "an adult head of family with a valid NIK")
def _adult(pop: Population) -> dict[str, Any] | None:
    return next(
        (identity(c) for c in pop.citizens if c.relationship == "Kepala Keluarga" and 25 <= c.age() <= 55),
        None,
    )


@persona(
    "parent_of_young_child", "a parent whose family has a child under 2 (birth certificate, immunisation)"
)
def _parent(pop: Population) -> dict[str, Any] | None:
    for family in pop.families:
        members = pop.members(family)
        child = next((m for m in members if m.relationship == "Anak" and m.age() < 2), None)
        if child is not None:
            return {
                **identity(members[0]),
                "child_nik": child.nik,
                "child_birth_date": child.birth_date.isoformat(),
            }
    return None
