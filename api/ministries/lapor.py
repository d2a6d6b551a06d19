"""Adapter of LAPOR! (SP4N): categories, filing a report, following it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from api.ministries.base import InvalidInput, MinistryAdapter, MinistryUnavailable, NotFound, ServiceError

# LAPOR!'s statuses → ours.
STATUSES = {
    "Belum Terverifikasi": "diterima",
    "Terverifikasi": "terverifikasi",
    "Didisposisikan": "diteruskan",
    "Ditindaklanjuti": "ditindaklanjuti",
    "Selesai": "selesai",
    "Bukan Kewenangan": "bukan_kewenangan",
    "Diarsipkan": "diarsipkan",
}


@dataclass(frozen=True)
class Category:
    key: str
    label: str


@dataclass(frozen=True)
class Report:
    tracking_id: str
    category: str
    status: str
    agency: str | None
    filed_at: datetime
    history: list[tuple[str, datetime]]

    def reached_at(self, status: str) -> datetime | None:
        return next((at for reached, at in self.history if reached == status), None)


class LaporAdapter(MinistryAdapter):
    key = "lapor"
    name = "LAPOR!"

    async def categories(self) -> list[Category]:
        body = await self._request("GET", "/api/v1/kategori")
        try:
            return [Category(str(item["id"]), str(item["nama"])) for item in body["data"]]
        except (KeyError, TypeError):
            raise MinistryUnavailable(self.name) from None

    async def file(self, category: str, description: str, location: str, nik: str | None) -> Report:
        payload: dict[str, Any] = {"kategori_id": category, "isi": description, "lokasi": location}
        if nik is not None:
            payload["nik"] = nik
        return self._report(await self._request("POST", "/api/v1/laporan", json=payload))

    async def report(self, tracking_id: str) -> Report:
        return self._report(await self._request("GET", f"/api/v1/laporan/{tracking_id}"))

    def _report(self, body: Any) -> Report:
        try:
            data = body["data"]
            return Report(
                tracking_id=str(data["tracking_id"]),
                category=str(data["kategori_id"]),
                status=STATUSES[str(data["status"])],
                agency=data.get("instansi"),
                filed_at=datetime.fromisoformat(data["tanggal"]),
                history=[
                    (STATUSES[str(step["status"])], datetime.fromisoformat(step["waktu"]))
                    for step in data["riwayat"]
                ],
            )
        except (KeyError, TypeError, ValueError):
            raise MinistryUnavailable(self.name) from None

    def _error_for(self, status_code: int, body: Any) -> ServiceError:
        if status_code == 404:
            return NotFound("Laporan dengan nomor itu tidak ditemukan. Mohon periksa kembali nomornya.")
        if status_code == 422:
            return InvalidInput("Kategori laporan tidak dikenal.")
        return super()._error_for(status_code, body)
