"""Adapter of the Samsat (vehicle tax): what a vehicle owes, payment codes, the bank."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from api.ministries.base import Conflict, MinistryAdapter, MinistryUnavailable, NotFound, ServiceError
from api.ministries.simponi import Billing
from api.plates import plate_key

STATUSES = {"BELUM_BAYAR": "belum_dibayar", "LUNAS": "lunas", "KEDALUWARSA": "kedaluwarsa"}


@dataclass(frozen=True)
class VehicleTax:
    plate: str
    vehicle_type: str
    brand: str
    year: int
    region: str
    pkb: int
    swdkllj: int
    fine: int
    total: int
    due_date: date
    overdue_days: int
    years_due: int


class SamsatAdapter(MinistryAdapter):
    key = "samsat"
    name = "Samsat"

    async def vehicle_tax(self, plate: str) -> VehicleTax:
        body = await self._request("GET", f"/api/v1/kendaraan/{plate_key(plate)}")
        try:
            data = body["data"]
            return VehicleTax(
                plate=str(data["nopol"]),
                vehicle_type=str(data["jenis"]),
                brand=f"{data['merk']} {data['tipe']}",
                year=int(data["tahun"]),
                region=str(data["wilayah"]),
                pkb=int(data["pokok_pkb"]),
                swdkllj=int(data["pokok_swdkllj"]),
                fine=int(data["denda_pkb"]) + int(data["denda_swdkllj"]),
                total=int(data["total"]),
                due_date=date.fromisoformat(data["tgl_jatuh_tempo"]),
                overdue_days=int(data["hari_terlambat"]),
                years_due=max(1, int(data["tahun_tertunggak"])),
            )
        except (KeyError, TypeError, ValueError):
            raise MinistryUnavailable(self.name) from None

    async def create_payment_code(self, plate: str) -> Billing:
        return self._billing(await self._request("POST", f"/api/v1/kendaraan/{plate_key(plate)}/kode-bayar"))

    async def billing(self, code: str) -> Billing:
        return self._billing(await self._request("GET", f"/api/v1/kode-bayar/{code}"))

    async def pay(self, code: str) -> Billing:
        """The bank's confirmation (simulated payment)."""
        return self._billing(await self._request("POST", f"/api/v1/kode-bayar/{code}/bayar"))

    def _billing(self, body: Any) -> Billing:
        try:
            data = body["data"]
            paid_at = data.get("tgl_bayar")
            return Billing(
                code=str(data["kode_bayar"]),
                description=str(data["uraian"]),
                amount=int(data["jumlah"]),
                status=STATUSES[str(data["status"])],
                issued_at=datetime.fromisoformat(data["tgl_terbit"]),
                expires_at=datetime.fromisoformat(data["tgl_kedaluwarsa"]),
                paid_at=datetime.fromisoformat(paid_at) if paid_at else None,
                ntpn=data.get("ntpn"),
                legal_basis=None,
            )
        except (KeyError, TypeError, ValueError):
            raise MinistryUnavailable(self.name) from None

    def _error_for(self, status_code: int, body: Any) -> ServiceError:
        message = str(body.get("pesan", "")) if isinstance(body, dict) else ""
        if status_code == 404 and "kendaraan" in message.lower():
            return NotFound("Data kendaraan dengan nomor polisi itu tidak ditemukan di Samsat.")
        if status_code == 404:
            return NotFound("Kode bayar tidak ditemukan. Mohon periksa kembali kodenya.")
        if status_code == 409 and "lunas" in message.lower():
            return Conflict("Kode bayar ini sudah lunas dibayar.")
        if status_code == 409:
            return Conflict("Kode bayar ini sudah kedaluwarsa. Silakan buat kode bayar baru.")
        return super()._error_for(status_code, body)
