"""CPNS 2024 participants over the seed population, as SSCASN (BKN) keeps them.

Young adults with at least a senior-high-school education; SKD scores (TWK out of 150 in
steps of 5, TIU out of 175 in steps of 5, TKP 45–225) around typical means; those who pass
every SKD passing grade (fact `casn.skd.passing_grade.2024`) take the SKB (out of 100); the
final score is a weighted sum of SKD and SKB (`SKD_WEIGHT`, `SKB_WEIGHT`). A final score of
70 or more passes, and about one in five below it (formations differ in competition). The
weights and the pass mark are simulation parameters, not stated to citizens.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import cache
from typing import Any

from knowledge import facts
from simulators.seed.personas import identity, persona
from simulators.seed.population import SEED, Citizen, Population, population

YEAR = 2024
_GRADES = facts.get("casn.skd.passing_grade.2024")
PASSING_GRADES: dict[str, int] = {part: int(_GRADES.value_of(part)) for part in ("twk", "tiu", "tkp")}
SKD_WEIGHT, SKB_WEIGHT = 0.4, 0.6
MAX_SCORES = {"twk": 150, "tiu": 175, "tkp": 225}
PARTICIPANTS = 80

# Position → agency: "regency" and "province" mean the participant's own local government.
POSITIONS = (
    ("Guru Ahli Pertama", "regency"),
    ("Perawat Ahli Pertama", "regency"),
    ("Penata Layanan Operasional", "regency"),
    ("Analis Kebijakan Ahli Pertama", "province"),
    ("Statistisi Ahli Pertama", "Badan Pusat Statistik"),
    ("Pranata Komputer Ahli Pertama", "Badan Kepegawaian Negara"),
    ("Penjaga Tahanan", "Kementerian Hukum"),
    ("Analis Perkara Peradilan", "Mahkamah Agung"),
    ("Penyuluh Agama Islam Ahli Pertama", "Kementerian Agama"),
    ("Pemeriksa Pajak Ahli Pertama", "Kementerian Keuangan"),
)


# The announcements a participant's result goes through, and the status each gives them.
ADMINISTRATION, SKD, FINAL = "administrasi", "skd", "akhir"


@dataclass(frozen=True)
class Participant:
    number: str
    citizen: Citizen
    position: str
    agency: str
    skd: dict[str, int]
    skb: int | None
    final_score: float | None
    result: str  # L (lulus), TL (tidak lulus), P (proses)

    @property
    def passed_skd(self) -> bool:
        return all(self.skd[part] >= grade for part, grade in PASSING_GRADES.items())

    def status_after(self, announcement: str) -> str:
        """What the announcement says of this participant: `lulus_administrasi`, `lulus_skd`,
        `lulus` or `tidak_lulus` (everyone simulated passed the administration)."""
        if announcement == ADMINISTRATION:
            return "lulus_administrasi"
        if announcement == SKD:
            return "lulus_skd" if self.passed_skd else "tidak_lulus"
        return "lulus" if self.result == "L" else "tidak_lulus"


def _agency(citizen: Citizen, where: str) -> str:
    if where == "regency":
        return f"Pemerintah {citizen.address.regency}"
    if where == "province":
        return f"Pemerintah Provinsi {citizen.address.province}"
    return where


def _score(rng: random.Random, part: str) -> int:
    mean = {"twk": 85, "tiu": 95, "tkp": 170}[part]
    spread = {"twk": 20, "tiu": 25, "tkp": 14}[part]
    step = 1 if part == "tkp" else 5  # TWK and TIU: 5 points a correct answer
    low = 45 if part == "tkp" else 0
    value = round(rng.gauss(mean, spread) / step) * step
    return max(low, min(MAX_SCORES[part], value))


def _final(skd_total: int, skb: int) -> float:
    """The SKD (scaled to 100) and the SKB, weighted."""
    return round(SKD_WEIGHT * skd_total / sum(MAX_SCORES.values()) * 100 + SKB_WEIGHT * skb, 3)


@cache
def participants() -> dict[str, Participant]:
    """The simulated CPNS 2024 participants by participant number (17 digits)."""
    rng = random.Random(f"{SEED}:casn")
    eligible = [
        citizen for citizen in population().citizens
        if 21 <= YEAR - citizen.birth_date.year <= 35
        and citizen.education in ("SLTA/Sederajat", "Diploma III", "Diploma IV/Strata I", "Strata II")
    ]  # fmt: skip
    chosen = rng.sample(eligible, k=min(PARTICIPANTS, len(eligible)))
    found: dict[str, Participant] = {}
    for serial, citizen in enumerate(chosen, start=1):
        position, where = rng.choice(POSITIONS)
        skd = {part: _score(rng, part) for part in PASSING_GRADES}
        passed = all(skd[part] >= grade for part, grade in PASSING_GRADES.items())
        skb = final = None
        result = "TL"
        if passed:
            skb = max(40, min(100, round(rng.gauss(72, 12))))
            final = _final(sum(skd.values()), skb)
            result = "L" if final >= 70 or rng.random() < 0.2 else "TL"
        number = f"{YEAR % 100}1{rng.randint(1000, 9999)}{serial:010d}"
        found[number] = Participant(
            number, citizen, position, _agency(citizen, where), skd, skb, final, result
        )
    return found


def _persona(result: str) -> dict[str, Any] | None:
    participant = next((p for p in participants().values() if p.result == result), None)
    if participant is None:
        return None
    return {**identity(participant.citizen), "participant_number": participant.number,
            "position": participant.position}  # fmt: skip


@persona("casn_passed", "a CPNS 2024 participant who passed (SKD and SKB)")
def _passed(pop: Population) -> dict[str, Any] | None:
    return _persona("L")


@persona("casn_failed", "a CPNS 2024 participant who did not pass")
def _failed(pop: Population) -> dict[str, Any] | None:
    return _persona("TL")
