"""Social assistance over the seed population (DTSEN deciles): who receives PKH, BPNT
(Program Sembako), PBI-JK and BLT Dana Desa, per period of the seed year.

Household programmes are paid to one family member (the wife when there is one, as PKH
does, else the head); PBI-JK is per person and matches the BPJS seed. Only the poorest
four deciles receive household programmes. Amounts, the elderly age and the cap on PKH
components come from the fact registry (knowledge/facts/social.yml).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date
from functools import cache

import simulators.seed.education as education
import simulators.seed.health as health
from knowledge import facts
from simulators.seed.personas import identity, persona
from simulators.seed.population import REFERENCE_DATE, SEED, Citizen, Family, Population, population

YEAR = REFERENCE_DATE.year
QUARTERS = (
    (f"Tahap 1 (Januari–Maret {YEAR})", date(YEAR, 1, 1), date(YEAR, 3, 31)),
    (f"Tahap 2 (April–Juni {YEAR})", date(YEAR, 4, 1), date(YEAR, 6, 30)),
    (f"Tahap 3 (Juli–September {YEAR})", date(YEAR, 7, 1), date(YEAR, 9, 30)),
    (f"Tahap 4 (Oktober–Desember {YEAR})", date(YEAR, 10, 1), date(YEAR, 12, 31)),
)
MONTHS_PER_QUARTER = 3


def whole_number(fact_id: str) -> int:
    """A registry fact whose value is a whole number (an amount, an age, a count)."""
    value = facts.get(fact_id).value
    if not isinstance(value, int):
        raise TypeError(f"{fact_id} is not a whole number")
    return value


# The registry's PKH component (a student's level: SMK counts as SMA).
PKH_COMPONENT_OF_LEVEL = {"SD": "sd", "SMP": "smp", "SMA": "sma", "SMK": "sma"}
PBI_MONTHLY = health.RATES[3]


def pkh_component(name: str) -> int:
    """A PKH component's amount per year (pkh.component_amounts)."""
    return int(facts.get("pkh.component_amounts").value_of(name))


def per_quarter(fact_id: str) -> int:
    """A monthly amount of the registry, paid per quarter (BPNT, BLT Dana Desa)."""
    return whole_number(fact_id) * MONTHS_PER_QUARTER


@dataclass(frozen=True)
class Benefit:
    programme: str  # PKH | BPNT | PBI-JK | BLT-DD
    period: str
    status: str  # sudah_salur | proses | aktif | nonaktif
    amount: int


def _pkh_per_quarter(members: list[Citizen]) -> int:
    components: list[int] = []
    students = education.students_by_nik()
    elderly_age = whole_number("pkh.elderly_age")
    for member in members:
        if member.age() < 6:
            components.append(pkh_component("anak_usia_dini"))
        elif member.nik in students:
            components.append(pkh_component(PKH_COMPONENT_OF_LEVEL[students[member.nik].level]))
        elif member.age() >= elderly_age:
            components.append(pkh_component("lansia"))
    most = whole_number("pkh.max_components")
    return sum(sorted(components, reverse=True)[:most]) // 4


def _quarters(rng: random.Random, programme: str, amount: int) -> list[Benefit]:
    benefits = []
    for label, start, end in QUARTERS:
        if start > REFERENCE_DATE:
            break
        status = "proses" if end >= REFERENCE_DATE else ("sudah_salur" if rng.random() < 0.95 else "proses")
        benefits.append(Benefit(programme, label, status, amount))
    return benefits


def _recipient(members: list[Citizen]) -> Citizen:
    return next((m for m in members if m.relationship == "Istri"), members[0])


@cache
def benefits_by_nik() -> dict[str, tuple[Benefit, ...]]:
    """Every citizen's benefits this year (an empty tuple: not a recipient)."""
    rng = random.Random(f"{SEED}:bansos")
    pop = population()
    found: dict[str, list[Benefit]] = {citizen.nik: [] for citizen in pop.citizens}
    memberships = health.memberships()
    for family in pop.families:
        members = pop.members(family)
        recipient = _recipient(members)
        if family.decile <= 4:
            pkh = _pkh_per_quarter(members)
            receives_pkh = pkh > 0 and family.decile <= 3 and rng.random() < 0.7
            if receives_pkh:
                found[recipient.nik] += _quarters(rng, "PKH", pkh)
            if rng.random() < 0.6:
                found[recipient.nik] += _quarters(rng, "BPNT", per_quarter("bpnt.monthly_amount"))
            village_is_desa = family.address.village_code.split(".")[3].startswith("2")
            if not receives_pkh and village_is_desa and family.decile <= 2 and rng.random() < 0.35:
                found[recipient.nik] += _quarters(rng, "BLT-DD", per_quarter("blt_dana_desa.monthly_amount"))
        for member in members:
            membership = memberships.get(member.nik)
            if membership is not None and membership.segment == "PBI":
                status = "aktif" if membership.active else "nonaktif"
                found[member.nik].append(Benefit("PBI-JK", f"Januari–Desember {YEAR}", status, PBI_MONTHLY))
    return {nik: tuple(benefits) for nik, benefits in found.items()}


def recipients_in_village(village_code: str) -> list[tuple[Citizen, tuple[Benefit, ...]]]:
    """Recipients registered in a village, in seed order."""
    benefits = benefits_by_nik()
    return [
        (citizen, benefits[citizen.nik])
        for citizen in population().citizens
        if citizen.address.village_code == village_code and benefits[citizen.nik]
    ]


def _family(pop: Population, nik: str) -> Family:
    return pop.by_kk[pop.by_nik[nik].kk_number]


@persona("bansos_pkh", "the PKH recipient of a poor family (also BPNT or PBI-JK)")
def _pkh(pop: Population) -> dict[str, object] | None:
    for citizen in pop.citizens:
        programmes = {b.programme for b in benefits_by_nik()[citizen.nik]}
        if "PKH" in programmes and len(programmes) >= 2:
            return {**identity(citizen), "programmes": sorted(programmes)}
    return None


@persona("bansos_none", "an adult of a well-off family who receives no social assistance")
def _none(pop: Population) -> dict[str, object] | None:
    for citizen in pop.citizens:
        if citizen.age() >= 18 and citizen.decile >= 8 and not benefits_by_nik()[citizen.nik]:
            return identity(citizen)
    return None
