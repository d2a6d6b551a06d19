"""Adapter of SIMPONI (Kementerian Keuangan): PNBP tariffs and billing codes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from api.ministries.base import (
    Conflict,
    InvalidInput,
    MinistryAdapter,
    MinistryUnavailable,
    NotFound,
    ServiceError,
)

# SIMPONI's billing statuses → ours.
STATUSES = {"BELUM_BAYAR": "belum_dibayar", "SUDAH_BAYAR": "lunas", "KEDALUWARSA": "kedaluwarsa"}


@dataclass(frozen=True)
class Tariff:
    service: str
    label: str
    amount: int
    legal_basis: str


@dataclass(frozen=True)
class Billing:
    """A payment code, as SIMPONI or the Samsat reports it."""

    code: str
    description: str
    amount: int
    status: str  # belum_dibayar | lunas | kedaluwarsa
    issued_at: datetime
    expires_at: datetime
    paid_at: datetime | None
    ntpn: str | None
    legal_basis: str | None


class SimponiAdapter(MinistryAdapter):
    key = "simponi"
    name = "SIMPONI Kementerian Keuangan"

    async def tariffs(self) -> list[Tariff]:
        body = await self._request("GET", "/api/tarif")
        try:
            return [
                Tariff(
                    str(item["kode_tarif"]), str(item["uraian"]), int(item["tarif"]), str(item["dasar_hukum"])
                )
                for item in body["data"]
            ]
        except (KeyError, TypeError, ValueError):
            raise MinistryUnavailable(self.name) from None

    async def create_billing(self, service: str, nik: str) -> Billing:
        body = await self._request("POST", "/api/billing", json={"kode_tarif": service, "nik": nik})
        return self._billing(body)

    async def billing(self, code: str) -> Billing:
        return self._billing(await self._request("GET", f"/api/billing/{code}"))

    async def pay(self, code: str) -> Billing:
        """The bank's confirmation (simulated payment)."""
        return self._billing(await self._request("POST", f"/api/billing/{code}/bayar"))

    def _billing(self, body: Any) -> Billing:
        try:
            data = body["data"]
            paid_at = data.get("tgl_bayar")
            return Billing(
                code=str(data["kode_billing"]),
                description=str(data["uraian"]),
                amount=int(data["jumlah"]),
                status=STATUSES[str(data["status"])],
                issued_at=datetime.fromisoformat(data["tgl_billing"]),
                expires_at=datetime.fromisoformat(data["tgl_kedaluwarsa"]),
                paid_at=datetime.fromisoformat(paid_at) if paid_at else None,
                ntpn=data.get("ntpn"),
                legal_basis=data.get("dasar_hukum"),
            )
        except (KeyError, TypeError, ValueError):
            raise MinistryUnavailable(self.name) from None

    def _error_for(self, status_code: int, body: Any) -> ServiceError:
        code = str(body.get("status")) if isinstance(body, dict) else ""
        if code == "14":
            return NotFound("Kode billing tidak ditemukan. Mohon periksa kembali 15 digit kodenya.")
        if code == "31":
            return Conflict("Kode billing ini sudah lunas dibayar.")
        if code == "32":
            return Conflict("Kode billing ini sudah kedaluwarsa. Silakan buat kode billing baru.")
        if code == "12":
            return InvalidInput("Jenis layanan PNBP tidak dikenal.")
        return super()._error_for(status_code, body)
