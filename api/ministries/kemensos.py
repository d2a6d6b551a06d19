"""Adapter of Kemensos Cek Bansos (social assistance recipients, DTSEN)."""

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

_STATUS = {"SUDAH SALUR": "sudah_salur", "PROSES SALUR": "proses", "AKTIF": "aktif", "NONAKTIF": "nonaktif"}


@dataclass(frozen=True)
class Benefit:
    programme: str
    period: str
    status: str
    amount: int


@dataclass(frozen=True)
class Recipient:
    name: str  # full from by-NIK (mask before showing); masked already from the public search
    village_code: str
    benefits: list[Benefit]


class KemensosAdapter(MinistryAdapter):
    key = "kemensos"
    name = "Cek Bansos Kemensos"

    async def by_nik(self, nik: str, birth_date: date) -> Recipient:
        body = await self._request(
            "POST", "/api/penerima/nik", json={"nik": nik, "tgl_lahir": birth_date.isoformat()}
        )
        return self._recipient(self._data(body))

    async def search(self, name: str, village_code: str) -> list[Recipient]:
        body = await self._request("GET", "/api/penerima", params={"nama": name, "kode_desa": village_code})
        data = self._data(body)
        if not isinstance(data, list):
            raise MinistryUnavailable(self.name)
        return [self._recipient(row) for row in data]

    def _data(self, body: Any) -> Any:
        if not isinstance(body, dict) or body.get("status") != "success":
            raise MinistryUnavailable(self.name)
        return body.get("data")

    def _recipient(self, row: Any) -> Recipient:
        try:
            benefits = [
                Benefit(
                    str(b["program"]),
                    str(b["periode"]),
                    _STATUS.get(str(b["status"]), str(b["status"]).lower()),
                    int(b["nominal"]),
                )
                for b in row["bansos"]
            ]
            return Recipient(str(row["nama"]), str(row["kode_desa"]), benefits)
        except (KeyError, TypeError, ValueError):
            raise MinistryUnavailable(self.name) from None

    def _error_for(self, status_code: int, body: Any) -> ServiceError:
        if status_code == 404:
            return NotFound("NIK tidak terdaftar di data Kemensos (DTSEN). Mohon periksa kembali NIK Anda.")
        if status_code == 403:
            return IdentityMismatch()
        if status_code == 400:
            return InvalidInput("Nama minimal 3 huruf dan kode desa/kelurahan wajib diisi.")
        return super()._error_for(status_code, body)
