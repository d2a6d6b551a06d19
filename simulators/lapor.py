"""Simulated LAPOR! (SP4N, KemenPANRB): categories, filing a report, following it.

A report moves through LAPOR!'s stages in working days (`api.working_days`: weekends and
national holidays skipped), within LAPOR!'s published deadlines (facts `lapor.*_working_days`):
  Belum Terverifikasi → Terverifikasi (within `VERIFY_WORKING_DAYS`) → Didisposisikan to the
  agency (the same day) → Ditindaklanjuti (within `FOLLOW_UP_WORKING_DAYS` more) → Selesai (2 to
  `CLOSE_WORKING_DAYS` working days later);
or, at verification, Bukan Kewenangan (about 1 in 12) or Diarsipkan (about 1 in 25).
Each report's path is decided by its tracking id, and its stage is computed from the
clock, so a report progresses as time passes (tests move `Clock.offset`).

`SEEDED_REPORTS` reports filed elsewhere (on lapor.go.id) exist from the start, filed 0–45
days before today, so every stage is on show at any date.

API shape:
- `GET /api/v1/kategori` → `{"data": [{"id", "nama"}]}`
- `POST /api/v1/laporan` `{"kategori_id", "isi", "lokasi", "nik"?}` → 201 `{"data": report}`
- `GET /api/v1/laporan/{tracking_id}` → `{"data": report}`; 404 `{"error": "Laporan tidak ditemukan"}`
where report = `{"tracking_id", "kategori_id", "status", "instansi", "tanggal", "riwayat":
[{"status", "waktu"}]}`, statuses as LAPOR! shows them.
"""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from api.working_days import add_working_days
from knowledge import facts
from simulators.base import WIB, SimulatorContext, create_simulator
from simulators.seed.population import SEED
from simulators.store import DuplicateKey

KEY = "lapor"
SEEDED_REPORTS = 40
VERIFY_WORKING_DAYS = int(facts.get("lapor.verify_working_days").number)
FOLLOW_UP_WORKING_DAYS = int(facts.get("lapor.follow_up_working_days").number)
CLOSE_WORKING_DAYS = int(facts.get("lapor.auto_close_working_days").number)
SEEDED_MAX_AGE_DAYS = 45

# Category id → (name, agency the report is passed to).
CATEGORIES: dict[str, tuple[str, str]] = {
    "infrastruktur": ("Infrastruktur dan Jalan", "Dinas Pekerjaan Umum dan Penataan Ruang"),
    "kesehatan": ("Kesehatan", "Dinas Kesehatan"),
    "pendidikan": ("Pendidikan", "Dinas Pendidikan"),
    "kependudukan": ("Administrasi Kependudukan", "Dinas Kependudukan dan Pencatatan Sipil"),
    "bantuan_sosial": ("Bantuan Sosial", "Dinas Sosial"),
    "lingkungan": ("Lingkungan Hidup dan Kebersihan", "Dinas Lingkungan Hidup"),
    "ketertiban_umum": ("Ketertiban Umum", "Satuan Polisi Pamong Praja"),
    "transportasi": ("Transportasi dan Perhubungan", "Dinas Perhubungan"),
    "pelayanan_publik": ("Kualitas Pelayanan Publik", "Ombudsman Republik Indonesia"),
    "pungli": ("Pungutan Liar dan Korupsi", "Inspektorat Daerah"),
    "kepolisian": ("Kepolisian dan Keamanan", "Kepolisian Negara Republik Indonesia"),
    "lainnya": ("Topik Lainnya", "Kementerian Pendayagunaan Aparatur Negara dan Reformasi Birokrasi"),
}

RECEIVED = "Belum Terverifikasi"
VERIFIED = "Terverifikasi"
DISPOSED = "Didisposisikan"
FOLLOWED_UP = "Ditindaklanjuti"
DONE = "Selesai"
NOT_OUR_AUTHORITY = "Bukan Kewenangan"
ARCHIVED = "Diarsipkan"


@dataclass(frozen=True)
class Step:
    status: str
    at: datetime


def _office_time(day: date, rng: random.Random) -> datetime:
    return datetime.combine(day, time(8, 0), WIB) + timedelta(minutes=rng.randint(0, 8 * 60))


def lifecycle(tracking_id: str, filed_at: datetime) -> list[Step]:
    """Every stage the report will reach, with when: decided by its tracking id."""
    rng = random.Random(f"lapor:{tracking_id}")
    filed_day = filed_at.astimezone(WIB).date()
    steps = [Step(RECEIVED, filed_at)]
    verified_at = _office_time(add_working_days(filed_day, rng.randint(1, VERIFY_WORKING_DAYS)), rng)
    outcome = rng.random()
    if outcome < 1 / 12:
        return [*steps, Step(NOT_OUR_AUTHORITY, verified_at)]
    if outcome < 1 / 12 + 1 / 25:
        return [*steps, Step(ARCHIVED, verified_at)]
    disposed_at = verified_at + timedelta(minutes=rng.randint(10, 90))
    followed_day = add_working_days(disposed_at.date(), rng.randint(1, FOLLOW_UP_WORKING_DAYS))
    followed_at = _office_time(followed_day, rng)
    done_at = _office_time(add_working_days(followed_day, rng.randint(2, CLOSE_WORKING_DAYS)), rng)
    return [*steps, Step(VERIFIED, verified_at), Step(DISPOSED, disposed_at),
            Step(FOLLOWED_UP, followed_at), Step(DONE, done_at)]  # fmt: skip


def reached(tracking_id: str, filed_at: datetime, now: datetime) -> list[Step]:
    """The stages reached by `now` (at least the first)."""
    steps = lifecycle(tracking_id, filed_at)
    return [steps[0], *(step for step in steps[1:] if step.at <= now)]


def seeded_reports(today: date) -> dict[str, dict[str, Any]]:
    """Reports filed elsewhere, the same ids every day, filed 0–45 days before `today`."""
    rng = random.Random(f"{SEED}:lapor")
    reports: dict[str, dict[str, Any]] = {}
    for _ in range(SEEDED_REPORTS):
        tracking_id = str(rng.randint(1_000_000, 9_999_999))
        filed_day = today - timedelta(days=rng.randint(0, SEEDED_MAX_AGE_DAYS))
        filed_at = datetime.combine(filed_day, time(7, 0), WIB) + timedelta(minutes=rng.randint(0, 12 * 60))
        reports[tracking_id] = {"kategori_id": rng.choice(list(CATEGORIES)), "tanggal": filed_at.isoformat()}
    return reports


class ReportRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")

    kategori_id: str
    isi: str = Field(min_length=1, max_length=4000)
    lokasi: str = Field(min_length=1, max_length=300)
    nik: str | None = None


def _error(status: int, message: str) -> dict[str, Any]:
    return {"error": message, "code": status}


def _report_json(tracking_id: str, record: dict[str, Any], now: datetime) -> dict[str, Any]:
    filed_at = datetime.fromisoformat(record["tanggal"])
    steps = reached(tracking_id, filed_at, now)
    statuses = {step.status for step in steps}
    agency = CATEGORIES[record["kategori_id"]][1] if DISPOSED in statuses else None
    return {
        "tracking_id": tracking_id,
        "kategori_id": record["kategori_id"],
        "status": steps[-1].status,
        "instansi": agency,
        "tanggal": filed_at.isoformat(),
        "riwayat": [{"status": step.status, "waktu": step.at.isoformat()} for step in steps],
    }


def build(context: SimulatorContext) -> FastAPI:
    app = create_simulator(KEY, "LAPOR! SP4N", context, error_body=_error)
    store = context.store(KEY)

    @app.get("/api/v1/kategori")
    async def categories() -> dict[str, Any]:
        return {"data": [{"id": key, "nama": name} for key, (name, _) in CATEGORIES.items()]}

    @app.post("/api/v1/laporan", status_code=201, response_model=None)
    async def file(request: ReportRequest) -> dict[str, Any] | JSONResponse:
        if request.kategori_id not in CATEGORIES:
            return JSONResponse(_error(422, "Kategori tidak dikenal"), status_code=422)
        now = context.clock.now()
        record = {"kategori_id": request.kategori_id, "tanggal": now.isoformat()}
        while True:
            tracking_id = str(1_000_000 + secrets.randbelow(9_000_000))
            if tracking_id in seeded_reports(now.astimezone(WIB).date()):
                continue
            try:
                await store.insert("report", tracking_id, record)
                break
            except DuplicateKey:
                continue
        return {"data": _report_json(tracking_id, record, now)}

    @app.get("/api/v1/laporan/{tracking_id}", response_model=None)
    async def report(tracking_id: str) -> dict[str, Any] | JSONResponse:
        now = context.clock.now()
        record = await store.get("report", tracking_id)
        if record is None:
            record = seeded_reports(now.astimezone(WIB).date()).get(tracking_id)
        if record is None:
            return JSONResponse(_error(404, "Laporan tidak ditemukan"), status_code=404)
        return {"data": _report_json(tracking_id, record, now)}

    return app
