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

from simulators.seed.personas import all_personas, persona, sample
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

__all__ = [
    "REFERENCE_DATE",
    "Address",
    "Citizen",
    "Family",
    "Population",
    "all_personas",
    "citizen_by_nik",
    "family_of",
    "persona",
    "population",
    "sample",
]
