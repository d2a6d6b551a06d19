"""The deterministic seed behind every simulated ministry.

Query API (all cached, all deterministic):

- `population()` → `Population` (`citizens`, `families`, `by_nik`, `by_kk`, `members(family)`)
- `citizen_by_nik(nik)` → `Citizen | None`; `family_of(citizen)` → `Family`
- `sample(persona)` → a JSON-ready dict for a typical citizen (`all_personas()` lists them)
- per ministry, one module each, built from the population with its own fixed-seed
  `random.Random`: `health` (BPJS memberships, facilities, immunisations), `education`
  (students, PIP, KIP Kuliah), `social` (bansos recipients), and the other ministries'
  modules beside them (vehicles, licences, CASN, ...)

`python -m simulators.seed --sample` prints every persona as JSON.
"""

from typing import Any

# Every module that registers personas, imported so that `sample` knows them all.
from simulators.seed import casn, education, health, licences, personas, social, vehicles
from simulators.seed.personas import PERSONAS, persona
from simulators.seed.population import (
    REFERENCE_DATE,
    Address,
    Citizen,
    Family,
    Population,
    citizen_by_nik,
    family_of,
    population,
)


def sample(name: str) -> dict[str, Any]:
    """The persona `name` from the seed; `KeyError` for an unknown name or no fitting citizen."""
    if name not in PERSONAS:
        raise KeyError(f"unknown persona {name!r}; known: {', '.join(sorted(PERSONAS))}")
    found = PERSONAS[name][1](population())
    if found is None:
        raise KeyError(f"no citizen in the seed fits persona {name!r}")
    return {"persona": name, **found}


def all_personas() -> dict[str, str]:
    """Persona names with their descriptions."""
    return {name: description for name, (description, _) in sorted(PERSONAS.items())}


__all__ = [
    "REFERENCE_DATE",
    "Address",
    "Citizen",
    "Family",
    "Population",
    "all_personas",
    "casn",
    "citizen_by_nik",
    "education",
    "family_of",
    "health",
    "licences",
    "persona",
    "personas",
    "population",
    "sample",
    "social",
    "vehicles",
]
