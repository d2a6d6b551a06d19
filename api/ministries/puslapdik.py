"""Adapter of Puslapdik (Kemendikdasmen): PIP, KIP Kuliah and the SPMB admission rules."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from api.ministries.base import (
    IdentityMismatch,
    InvalidInput,
    MinistryAdapter,
    MinistryUnavailable,
    NotFound,
    ServiceError,
)

_DISBURSEMENT = {"SUDAH CAIR": "sudah_cair", "PROSES": "proses", "BELUM CAIR": "belum_cair"}


@dataclass(frozen=True)
class PipStatus:
    name: str  # full: mask before showing
    nik: str | None  # the student's: the family rule of the service API
    school: str
    level: str
    grade: int
    recipient: bool
    year: int
    amount: int
    disbursement: str | None
    legal_basis: str


@dataclass(frozen=True)
class KipKuliahInfo:
    requirements: list[str]
    schedule: list[tuple[str, date, date]]
    legal_basis: str


@dataclass(frozen=True)
class KipKuliahRegistration:
    registration_number: str
    status: str
    stage: str
    updated_at: date


@dataclass(frozen=True)
class SpmbRules:
    level: str
    routes: list[tuple[str, str]]
    legal_basis: str


class PuslapdikAdapter(MinistryAdapter):
    key = "puslapdik"
    name = "Puslapdik Kemendikdasmen"

    async def pip(self, nisn: str, birth_date: date) -> PipStatus:
        data = self._data(
            await self._request(
                "POST", "/pip/cek-penerima", json={"nisn": nisn, "tanggal_lahir": birth_date.isoformat()}
            )
        )
        try:
            return PipStatus(
                name=str(data["nama_siswa"]),
                nik=str(data["nik"]) if data.get("nik") else None,
                school=_school_name(str(data["nama_sekolah"])),
                level=str(data["jenjang"]),
                grade=int(data["kelas"]),
                recipient=bool(data["penerima"]),
                year=int(data["tahun"]),
                amount=int(data["nominal"]),
                disbursement=_DISBURSEMENT.get(str(data["status_pencairan"]))
                if data["status_pencairan"]
                else None,
                legal_basis=str(data["dasar_hukum"]),
            )
        except (KeyError, TypeError, ValueError):
            raise MinistryUnavailable(self.name) from None

    async def kip_kuliah(self) -> KipKuliahInfo:
        data = self._data(await self._request("GET", "/kip-kuliah/informasi"))
        try:
            schedule = [
                (str(s["tahap"]), date.fromisoformat(s["mulai"]), date.fromisoformat(s["selesai"]))
                for s in data["jadwal"]
            ]
            return KipKuliahInfo([str(r) for r in data["persyaratan"]], schedule, str(data["dasar_hukum"]))
        except (KeyError, TypeError, ValueError):
            raise MinistryUnavailable(self.name) from None

    async def kip_kuliah_registration(self, nik: str, birth_date: date) -> KipKuliahRegistration:
        data = self._data(
            await self._request(
                "POST", "/kip-kuliah/status", json={"nik": nik, "tanggal_lahir": birth_date.isoformat()}
            )
        )
        try:
            return KipKuliahRegistration(
                str(data["nomor_pendaftaran"]),
                str(data["status"]).lower(),
                str(data["tahap"]),
                date.fromisoformat(data["diperbarui"]),
            )
        except (KeyError, TypeError, ValueError):
            raise MinistryUnavailable(self.name) from None

    async def spmb(self, level: str) -> SpmbRules:
        data = self._data(await self._request("GET", f"/spmb/ketentuan/{level}"))
        try:
            return SpmbRules(
                str(data["jenjang"]).lower(),
                [(str(r["nama"]), str(r["kuota"])) for r in data["jalur"]],
                str(data["dasar_hukum"]),
            )
        except (KeyError, TypeError, ValueError):
            raise MinistryUnavailable(self.name) from None

    def _data(self, body: Any) -> dict[str, Any]:
        if (
            not isinstance(body, dict)
            or body.get("status") is not True
            or not isinstance(body.get("data"), dict)
        ):
            raise MinistryUnavailable(self.name)
        return dict(body["data"])

    def _error_for(self, status_code: int, body: Any) -> ServiceError:
        message = str(body.get("message", "")) if isinstance(body, dict) else ""
        if status_code == 404 and "NISN" in message:
            return NotFound(
                "Data siswa dengan NISN tersebut tidak ditemukan. Mohon periksa kembali NISN Anda."
            )
        if status_code == 404:
            return NotFound("Pendaftaran KIP Kuliah dengan NIK tersebut tidak ditemukan.")
        if status_code == 403:
            return IdentityMismatch()
        if status_code == 400:
            return InvalidInput("Jenjang harus sd, smp, atau sma.")
        return super()._error_for(status_code, body)


def _school_name(value: str) -> str:
    """ "SMP NEGERI 2 COBLONG" → "SMP Negeri 2 Coblong" (level abbreviations stay upper case)."""
    return " ".join(
        word if word in ("SD", "SMP", "SMA", "SMK", "PGRI") else word.title() for word in value.split()
    )
