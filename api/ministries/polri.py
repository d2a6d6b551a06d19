"""Adapter of SKCK online (Baintelkam Polri): registering an SKCK request, following it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from api.ministries.base import IdentityMismatch, MinistryAdapter, MinistryUnavailable, NotFound, ServiceError

# SKCK online's registration statuses → ours.
STATUSES = {
    "TERDAFTAR": "terdaftar",
    "DIPROSES": "diproses",
    "SIAP_DIAMBIL": "siap_diambil",
    "KEDALUWARSA": "kedaluwarsa",
}


@dataclass(frozen=True)
class SkckRegistration:
    number: str
    registered_at: datetime
    police_station: str
    valid_months: int
    registration_valid_until: datetime


class PolriAdapter(MinistryAdapter):
    key = "polri"
    name = "SKCK Online Polri"

    async def register_skck(self, nik: str, birth_date: date, purpose: str) -> SkckRegistration:
        body = await self._request(
            "POST",
            "/skck/v1/pendaftaran",
            json={"nik": nik, "tanggal_lahir": birth_date.isoformat(), "keperluan": purpose},
        )
        try:
            data = body["data"]
            return SkckRegistration(
                number=str(data["nomor_pendaftaran"]),
                registered_at=datetime.fromisoformat(data["tanggal"]),
                police_station=str(data["polres"]),
                valid_months=int(data["berlaku_bulan"]),
                registration_valid_until=datetime.fromisoformat(data["berlaku_sampai_pendaftaran"]),
            )
        except (KeyError, TypeError, ValueError):
            raise MinistryUnavailable(self.name) from None

    async def history(self, number: str) -> list[tuple[str, datetime]]:
        body = await self._request("GET", f"/skck/v1/pendaftaran/{number}")
        try:
            return [
                (STATUSES[str(step["status"])], datetime.fromisoformat(step["waktu"]))
                for step in body["data"]["riwayat"]
            ]
        except (KeyError, TypeError, ValueError):
            raise MinistryUnavailable(self.name) from None

    def _error_for(self, status_code: int, body: Any) -> ServiceError:
        if status_code == 404:
            return NotFound("NIK tidak ditemukan. Mohon periksa kembali NIK Anda.")
        if status_code == 403:
            return IdentityMismatch()
        return super()._error_for(status_code, body)
