"""Simulated SSCASN (Badan Kepegawaian Negara): the CPNS 2024 selection.

The selection's public facts come from the fact registry (`knowledge/facts/asn.yml`): the
requirements' age limits and their basis, and the SKD passing grades; the schedule is the one BKN
announced (updated after registration was extended to 10 September 2024). The participants are
simulated (`simulators.seed.casn`).

API shape:
- `GET /sscasn/v1/informasi` → `{"tahun", "persyaratan": [..], "jadwal": [{"tahapan", "mulai",
  "selesai"}], "dasar_hukum"}`
- `POST /sscasn/v1/hasil` `{"no_peserta", "tgl_lahir"}` → `{"status": 200, "data": {"nama",
  "jabatan", "instansi", "skd": {"twk", "tiu", "tkp"}, "ambang_batas": {"twk", "tiu", "tkp"},
  "skb": {"nilai"} | null, "nilai_akhir" | null, "keterangan": "L" | "TL" | "P"}}`;
  404 `{"status": 404, "message": "Nomor peserta tidak ditemukan"}`, 403 on a birth date
  that does not match. Before the SKD results are announced `skd` is null; before the final
  announcement `skb` is null and `keterangan` "P".
- `GET /sscasn/v1/pengumuman/{no_peserta}` → `{"status": 200, "data": {"pengumuman": [{"tahap",
  "status", "tanggal"}]}}`: the announcements published so far that name the participant
  (public lists by participant number: no name, no scores), oldest first; 404 as above.

Lifecycle on the simulated clock: the administration results and the SKD results are
announced on the first day of their announcement stages in the schedule (at
`ANNOUNCED_AT` WIB); the final results `FINAL_AFTER_SKB` after the SKB stage ends (a
simulation parameter: the schedule stored in the fact registry stops at the SKB).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict

from knowledge import facts
from simulators.base import WIB, SimulatorContext, create_simulator
from simulators.seed.casn import ADMINISTRATION, FINAL, PASSING_GRADES, SKD, YEAR, Participant, participants

KEY = "bkn"
LEGAL_BASIS = (
    f"{facts.get('casn.asn_law').basis} tentang ASN; {facts.get('casn.age.cpns_max').basis}; "
    f"{facts.get('casn.skd.passing_grade.2024').basis} (nilai ambang batas SKD)"
)

REQUIREMENTS = (
    "Warga Negara Indonesia.",
    f"Berusia paling rendah {facts.get('casn.age.cpns_min').text} dan paling tinggi "
    f"{facts.get('casn.age.cpns_max').text} pada saat melamar; untuk jabatan tertentu paling tinggi "
    f"{facts.get('casn.age.cpns_max_certain_positions').text}.",
    "Tidak pernah dipidana berdasarkan putusan pengadilan yang berkekuatan hukum tetap dengan pidana "
    f"penjara minimal {facts.get('casn.requirement.prison_years').text}.",
    "Tidak pernah diberhentikan dengan hormat tidak atas permintaan sendiri atau tidak dengan hormat "
    "sebagai PNS, PPPK, prajurit TNI, anggota Polri, atau pegawai swasta.",
    "Tidak berkedudukan sebagai calon PNS, PNS, prajurit TNI, atau anggota Polri.",
    "Tidak menjadi anggota atau pengurus partai politik atau terlibat politik praktis.",
    "Memiliki kualifikasi pendidikan sesuai persyaratan jabatan yang dilamar.",
    "Sehat jasmani dan rohani sesuai persyaratan jabatan.",
    "Bersedia ditempatkan di seluruh wilayah NKRI atau negara lain yang ditentukan instansi pemerintah.",
)
# As announced by BKN for CPNS 2024 (after registration was extended): stage label → (fact, entry).
_STAGES = (
    ("Pendaftaran", "casn.schedule.2024", "pendaftaran"),
    ("Seleksi administrasi", "casn.schedule.2024", "seleksi_administrasi"),
    ("Pengumuman hasil seleksi administrasi", "casn.schedule.2024", "pengumuman_administrasi"),
    ("Pelaksanaan SKD", "casn.schedule.2024", "skd"),
    ("Pengumuman hasil SKD", "casn.schedule.2024_final_stages", "pengumuman_skd"),
    ("Pelaksanaan SKB non-CAT", "casn.schedule.2024_final_stages", "skb"),
)
SCHEDULE: tuple[tuple[str, date, date], ...] = tuple(
    (label, facts.get(fact_id).value_of(entry, "mulai"), facts.get(fact_id).value_of(entry, "selesai"))
    for label, fact_id, entry in _STAGES
)


ANNOUNCED_AT = time(10, 0)
FINAL_AFTER_SKB = timedelta(days=14)
_STAGE_DATES = {stage: start for stage, start, _ in SCHEDULE}
ANNOUNCEMENTS: tuple[tuple[str, datetime], ...] = (
    (
        ADMINISTRATION,
        datetime.combine(_STAGE_DATES["Pengumuman hasil seleksi administrasi"], ANNOUNCED_AT, WIB),
    ),
    (SKD, datetime.combine(_STAGE_DATES["Pengumuman hasil SKD"], ANNOUNCED_AT, WIB)),
    (FINAL, datetime.combine(SCHEDULE[-1][2] + FINAL_AFTER_SKB, ANNOUNCED_AT, WIB)),
)


def announced(participant: Participant, now: datetime) -> list[tuple[str, str, datetime]]:
    """The announcements naming the participant by `now`: (stage, status, when). Someone
    who failed the SKD is named by no later announcement."""
    found: list[tuple[str, str, datetime]] = []
    for stage, at in ANNOUNCEMENTS:
        if at > now or (found and found[-1][1] == "tidak_lulus"):
            break
        found.append((stage, participant.status_after(stage), at))
    return found


class ResultRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")

    no_peserta: str
    tgl_lahir: date


def _error(status: int, message: str) -> dict[str, Any]:
    return {"status": status, "message": message}


def build(context: SimulatorContext) -> FastAPI:
    app = create_simulator(KEY, "SSCASN BKN", context, error_body=_error)

    @app.get("/sscasn/v1/informasi")
    async def information() -> dict[str, Any]:
        return {
            "tahun": YEAR,
            "persyaratan": list(REQUIREMENTS),
            "jadwal": [
                {"tahapan": stage, "mulai": start.isoformat(), "selesai": end.isoformat()}
                for stage, start, end in SCHEDULE
            ],  # fmt: skip
            "dasar_hukum": LEGAL_BASIS,
        }

    @app.post("/sscasn/v1/hasil", response_model=None)
    async def result(request: ResultRequest) -> dict[str, Any] | JSONResponse:
        participant = participants().get(request.no_peserta)
        if participant is None:
            return JSONResponse(_error(404, "Nomor peserta tidak ditemukan"), status_code=404)
        if participant.citizen.birth_date != request.tgl_lahir:
            return JSONResponse(_error(403, "Tanggal lahir tidak sesuai"), status_code=403)
        stages = {stage for stage, _, _ in announced(participant, context.clock.now())}
        final = FINAL in stages or (SKD in stages and not participant.passed_skd)
        return {
            "status": 200,
            "data": {
                "nama": participant.citizen.name,
                "nik": participant.citizen.nik,
                "jabatan": participant.position,
                "instansi": participant.agency,
                "skd": participant.skd if SKD in stages else None,
                "ambang_batas": PASSING_GRADES,
                "skb": {"nilai": participant.skb} if participant.skb is not None and final else None,
                "nilai_akhir": participant.final_score if final else None,
                "keterangan": participant.result if final else "P",
            },
        }

    @app.get("/sscasn/v1/pengumuman/{number}", response_model=None)
    async def announcements(number: str) -> dict[str, Any] | JSONResponse:
        participant = participants().get(number)
        if participant is None:
            return JSONResponse(_error(404, "Nomor peserta tidak ditemukan"), status_code=404)
        listed = [
            {"tahap": stage, "status": status, "tanggal": at.isoformat()}
            for stage, status, at in announced(participant, context.clock.now())
        ]
        return {"status": 200, "data": {"pengumuman": listed}}

    return app
