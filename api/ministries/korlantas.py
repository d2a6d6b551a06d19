"""Adapter of Korlantas Polri: a citizen's driving licences and their SINAR renewal state."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from api.ministries.base import IdentityMismatch, MinistryAdapter, MinistryUnavailable, NotFound, ServiceError


@dataclass(frozen=True)
class Licence:
    sim_class: str
    number: str
    expires_on: date
    renewal_state: str  # dapat_diperpanjang | belum_waktunya | kedaluwarsa
    window_opens_on: date

    @property
    def eligible(self) -> bool:
        return self.renewal_state == "dapat_diperpanjang"


@dataclass(frozen=True)
class LicenceHolder:
    name: str
    licences: list[Licence]


class KorlantasAdapter(MinistryAdapter):
    key = "korlantas"
    name = "Korlantas Polri"

    async def licences(self, nik: str, birth_date: date) -> LicenceHolder:
        body = await self._request(
            "POST", "/sinar/v1/sim/cek", json={"nik": nik, "tanggal_lahir": birth_date.isoformat()}
        )
        try:
            data = body["data"]
            return LicenceHolder(
                name=str(data["nama"]),
                licences=[
                    Licence(
                        sim_class=str(item["golongan"]),
                        number=str(item["nomor"]),
                        expires_on=date.fromisoformat(item["berlaku_sampai"]),
                        renewal_state=str(item["perpanjangan"]["status"]),
                        window_opens_on=date.fromisoformat(item["perpanjangan"]["dibuka_mulai"]),
                    )
                    for item in data["sim"]
                ],
            )
        except (KeyError, TypeError, ValueError):
            raise MinistryUnavailable(self.name) from None

    def _error_for(self, status_code: int, body: Any) -> ServiceError:
        if status_code == 404:
            return NotFound("Tidak ada SIM yang terdaftar untuk NIK tersebut.")
        if status_code == 403:
            return IdentityMismatch()
        return super()._error_for(status_code, body)
