"""Education data over the seed population: students with NISN, schools and grades (school
year 2026/2027), PIP recipients, and KIP Kuliah registrations of recent graduates.

About three in four school children of the poorest four deciles receive PIP, a few of
deciles 5–6 too. The yearly amount per level comes from the fact registry (`pip.amount.*`):
students in the final grade of their level (6, 9, 12) receive half.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

from knowledge import facts
from simulators.seed.personas import identity, persona
from simulators.seed.population import REFERENCE_DATE, SEED, Citizen, Population, population

SCHOOL_YEAR_START = date(REFERENCE_DATE.year, 7, 13)
# The registry's PIP amounts per school level: {"full": ..., "final_grade": ...} a year.
PIP_FACTS = {"SD": "pip.amount.sd", "SMP": "pip.amount.smp", "SMA": "pip.amount.sma", "SMK": "pip.amount.sma"}
FINAL_GRADES = frozenset({6, 9, 12})
PIP_YEAR = REFERENCE_DATE.year
KIP_KULIAH_YEAR = REFERENCE_DATE.year


@dataclass(frozen=True)
class Student:
    nisn: str
    nik: str
    school: str
    npsn: str
    level: str  # SD | SMP | SMA | SMK
    grade: int  # 1–12
    pip_recipient: bool
    pip_amount: int
    disbursement: str | None  # sudah_cair | proses | belum_cair


@dataclass(frozen=True)
class KipKuliahRegistration:
    nik: str
    nisn: str
    registration_number: str
    status: str  # terdaftar | seleksi | ditetapkan | tidak_lolos
    stage: str
    updated_at: date


def _level(grade: int, rng: random.Random) -> str:
    if grade <= 6:
        return "SD"
    if grade <= 9:
        return "SMP"
    return "SMK" if rng.random() < 0.45 else "SMA"


def pip_amount(level: str, grade: int) -> int:
    """A recipient's yearly PIP: the level's amount, half in the level's final grade."""
    amount = facts.get(PIP_FACTS[level]).value_of("final_grade" if grade in FINAL_GRADES else "full")
    return int(amount)


def _school(rng: random.Random, level: str, citizen: Citizen) -> str:
    area = (
        citizen.address.district
        if level in ("SD", "SMP")
        else (
            citizen.address.regency.removeprefix("Kabupaten ")
            .removeprefix("Kota Administrasi ")
            .removeprefix("Kota ")
        )
    )
    if rng.random() < 0.8:
        return f"{level} Negeri {rng.randint(1, 6 if level == 'SD' else 4)} {area}"
    foundation = rng.choice(("Muhammadiyah", "Islam Terpadu", "Kristen", "PGRI", "Katolik Santo Yosef"))
    return f"{level} {foundation} {area}"


def _nisn(used: set[str], rng: random.Random, citizen: Citizen) -> str:
    while (nisn := f"{citizen.birth_date.year % 1000:03d}{rng.randint(0, 9_999_999):07d}") in used:
        pass
    used.add(nisn)
    return nisn


@cache
def _build() -> tuple[dict[str, Student], dict[str, KipKuliahRegistration]]:
    rng = random.Random(f"{SEED}:pendidikan")
    used: set[str] = set()
    students: dict[str, Student] = {}
    registrations: dict[str, KipKuliahRegistration] = {}
    for citizen in population().citizens:
        age_at_start = citizen.age(SCHOOL_YEAR_START)
        if 7 <= age_at_start <= 18:
            grade = age_at_start - 6
            level = _level(grade, rng)
            recipient = (citizen.decile <= 4 and rng.random() < 0.75) or (
                citizen.decile <= 6 and rng.random() < 0.1
            )
            disbursement = (
                rng.choices(("sudah_cair", "proses", "belum_cair"), weights=(65, 20, 15))[0]
                if recipient
                else None
            )
            students[citizen.nik] = Student(
                nisn=_nisn(used, rng, citizen),
                nik=citizen.nik,
                school=_school(rng, level, citizen),
                npsn=f"{rng.randint(10_000_000, 69_999_999)}",
                level=level,
                grade=grade,
                pip_recipient=recipient,
                pip_amount=pip_amount(level, grade) if recipient else 0,
                disbursement=disbursement,
            )
        elif 19 <= age_at_start <= 21 and citizen.decile <= 6 and rng.random() < 0.6:
            status, stage = rng.choices(
                (
                    ("terdaftar", "Pendaftaran akun"),
                    ("seleksi", "Seleksi masuk perguruan tinggi"),
                    ("ditetapkan", "Penetapan penerima"),
                    ("tidak_lolos", "Seleksi masuk perguruan tinggi"),
                ),
                weights=(20, 25, 40, 15),
            )[0]
            registrations[citizen.nik] = KipKuliahRegistration(
                nik=citizen.nik,
                nisn=_nisn(used, rng, citizen),
                registration_number=f"{KIP_KULIAH_YEAR}{rng.randint(0, 99_999_999):08d}",
                status=status,
                stage=stage,
                updated_at=REFERENCE_DATE - timedelta(days=rng.randint(3, 120)),
            )
    return students, registrations


def students_by_nik() -> dict[str, Student]:
    return _build()[0]


@cache
def students_by_nisn() -> dict[str, Student]:
    return {student.nisn: student for student in students_by_nik().values()}


def kip_kuliah_registrations() -> dict[str, KipKuliahRegistration]:
    """KIP Kuliah registrations by NIK."""
    return _build()[1]


def _student(pop: Population, test: object) -> dict[str, object] | None:
    for citizen in pop.citizens:
        student = students_by_nik().get(citizen.nik)
        if student is not None and test(student):  # type: ignore[operator]
            return {**identity(citizen), "nisn": student.nisn, "level": student.level, "grade": student.grade}
    return None


@persona("pip_recipient", "a school student who receives PIP this year (already paid out)")
def _pip(pop: Population) -> dict[str, object] | None:
    return _student(pop, lambda s: s.pip_recipient and s.disbursement == "sudah_cair")


@persona("student_not_pip", "a school student who does not receive PIP")
def _not_pip(pop: Population) -> dict[str, object] | None:
    return _student(pop, lambda s: not s.pip_recipient)


@persona("kip_kuliah_applicant", "a recent graduate registered for KIP Kuliah")
def _kip(pop: Population) -> dict[str, object] | None:
    for citizen in pop.citizens:
        registration = kip_kuliah_registrations().get(citizen.nik)
        if registration is not None:
            return {
                **identity(citizen),
                "nisn": registration.nisn,
                "registration_number": registration.registration_number,
            }
    return None
