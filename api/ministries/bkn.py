"""Adapter of SSCASN (Badan Kepegawaian Negara): the CASN selection and a participant's results."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from api.ministries.base import IdentityMismatch, MinistryAdapter, MinistryUnavailable, NotFound, ServiceError

RESULTS = {"L": "lulus", "TL": "tidak_lulus", "P": "proses"}
SKD_PARTS = {"twk": "SKD - Tes Wawasan Kebangsaan (TWK)", "tiu": "SKD - Tes Intelegensia Umum (TIU)",
             "tkp": "SKD - Tes Karakteristik Pribadi (TKP)"}  # fmt: skip


@dataclass(frozen=True)
class Selection:
    year: int
    requirements: list[str]
    schedule: list[tuple[str, date, date]]
    legal_basis: str


@dataclass(frozen=True)
class Stage:
    stage: str
    score: float | None
    passing_grade: float | None
    passed: bool | None


@dataclass(frozen=True)
class SelectionResult:
    name: str
    nik: str | None  # the participant's: checked against the verified citizen
    position: str
    agency: str
    stages: list[Stage]
    final: str  # lulus | tidak_lulus | proses


@dataclass(frozen=True)
class Announcement:
    """A published announcement naming the participant: its stage and the participant's
    status in it (lulus_administrasi, lulus_skd, lulus, tidak_lulus)."""

    stage: str
    status: str
    at: datetime


class BknAdapter(MinistryAdapter):
    key = "bkn"
    name = "SSCASN BKN"

    async def selection(self) -> Selection:
        body = await self._request("GET", "/sscasn/v1/informasi")
        try:
            return Selection(
                year=int(body["tahun"]),
                requirements=[str(item) for item in body["persyaratan"]],
                schedule=[
                    (
                        str(item["tahapan"]),
                        date.fromisoformat(item["mulai"]),
                        date.fromisoformat(item["selesai"]),
                    )
                    for item in body["jadwal"]
                ],
                legal_basis=str(body["dasar_hukum"]),
            )
        except (KeyError, TypeError, ValueError):
            raise MinistryUnavailable(self.name) from None

    async def result(self, participant_number: str, birth_date: date) -> SelectionResult:
        body = await self._request(
            "POST",
            "/sscasn/v1/hasil",
            json={"no_peserta": participant_number, "tgl_lahir": birth_date.isoformat()},
        )
        try:
            data = body["data"]
            final = RESULTS[str(data["keterangan"])]
            skd = data.get("skd")  # None before the SKD results are announced
            stages = [
                Stage(
                    label,
                    skd[part],
                    data["ambang_batas"][part],
                    skd[part] >= data["ambang_batas"][part],
                )  # fmt: skip
                for part, label in SKD_PARTS.items()
                if skd is not None
            ]
            skb = data.get("skb")
            if skb is not None:
                stages.append(Stage("SKB - Seleksi Kompetensi Bidang", skb["nilai"], None,
                                    None if final == "proses" else final == "lulus"))  # fmt: skip
            return SelectionResult(
                str(data["nama"]),
                str(data["nik"]) if data.get("nik") else None,
                str(data["jabatan"]),
                str(data["instansi"]),
                stages,
                final,
            )
        except (KeyError, TypeError, ValueError):
            raise MinistryUnavailable(self.name) from None

    async def announcements(self, participant_number: str) -> list[Announcement]:
        """The announcements published so far that name the participant, oldest first."""
        body = await self._request("GET", f"/sscasn/v1/pengumuman/{participant_number}")
        try:
            return [
                Announcement(str(item["tahap"]), str(item["status"]), datetime.fromisoformat(item["tanggal"]))
                for item in body["data"]["pengumuman"]
            ]
        except (KeyError, TypeError, ValueError):
            raise MinistryUnavailable(self.name) from None

    def _error_for(self, status_code: int, body: Any) -> ServiceError:
        if status_code == 404:
            return NotFound("Nomor peserta tidak ditemukan. Mohon periksa kembali nomor peserta Anda.")
        if status_code == 403:
            return IdentityMismatch(
                "Data tidak cocok: tanggal lahir tidak sesuai dengan nomor peserta. Mohon periksa kembali."
            )
        return super()._error_for(status_code, body)
