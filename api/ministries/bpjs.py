"""Adapter of BPJS Kesehatan: membership status, contribution rates, partner facilities."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from api.ministries.base import IdentityMismatch, InvalidInput, MinistryAdapter, MinistryUnavailable, NotFound

SEGMENTS = ("PBI", "PPU", "PBPU", "BP")


@dataclass(frozen=True)
class Membership:
    card_number: str
    nik: str  # the member's: the service API checks it against the verified citizen
    name: str  # full: mask before showing
    active: bool
    bpjs_class: int
    segment: str
    facility_name: str
    facility_address: str
    monthly_contribution: int
    arrears_months: int
    arrears_amount: int


@dataclass(frozen=True)
class Rate:
    bpjs_class: int
    amount: int
    member_pays: int
    government_pays: int


@dataclass(frozen=True)
class Facility:
    name: str
    type: str  # puskesmas | klinik | rumah_sakit
    address: str
    hours: str
    phone: str
    bpjs_partner: bool


_TYPES = {"PUSKESMAS": "puskesmas", "KLINIK PRATAMA": "klinik", "RUMAH SAKIT": "rumah_sakit"}


class BpjsAdapter(MinistryAdapter):
    key = "bpjs"
    name = "BPJS Kesehatan"

    async def membership(
        self, birth_date: date, *, nik: str | None = None, card_number: str | None = None
    ) -> Membership:
        query: dict[str, Any] = {"tglLahir": birth_date.isoformat()}
        query.update({"noKartu": card_number} if card_number else {"nik": nik})
        peserta = self._response(await self._request("POST", "/peserta/cari", json=query))["peserta"]
        try:
            segment = str(peserta["jenisPeserta"]["kode"])
            return Membership(
                card_number=str(peserta["noKartu"]),
                nik=str(peserta["nik"]),
                name=str(peserta["nama"]),
                active=peserta["statusPeserta"]["kode"] == "0",
                bpjs_class=int(peserta["hakKelas"]["kode"]),
                segment=segment if segment in SEGMENTS else "PBPU",
                facility_name=str(peserta["provUmum"]["nmProvider"]).title().replace("Rsud", "RSUD"),
                facility_address=str(peserta["provUmum"]["alamat"]),
                monthly_contribution=int(peserta["iuran"]["bulanan"]),
                arrears_months=int(peserta["iuran"]["tunggakanBulan"]),
                arrears_amount=int(peserta["iuran"]["tunggakanRupiah"]),
            )
        except (KeyError, TypeError, ValueError):
            raise MinistryUnavailable(self.name) from None

    async def rates(self) -> list[Rate]:
        body = self._response(await self._request("GET", "/iuran"))
        try:
            return [
                Rate(
                    int(row["kelas"]),
                    int(row["iuran"]),
                    int(row["dibayarPeserta"]),
                    int(row["dibayarPemerintah"]),
                )
                for row in body["list"]
            ]
        except (KeyError, TypeError, ValueError):
            raise MinistryUnavailable(self.name) from None

    async def facilities(
        self, region_code: str, facility_type: str | None, offset: int, limit: int
    ) -> tuple[int, list[Facility]]:
        params: dict[str, Any] = {"kdWilayah": region_code, "start": offset, "limit": limit}
        if facility_type:
            params["jenis"] = facility_type
        body = self._response(await self._request("GET", "/referensi/faskes", params=params))
        try:
            items = [
                Facility(
                    str(row["nmProvider"]),
                    _TYPES[row["jenis"]],
                    str(row["alamat"]),
                    str(row["jamBuka"]),
                    str(row["telp"]),
                    row["kerjasamaBpjs"] == "Y",
                )
                for row in body["list"]
            ]
            return int(body["count"]), items
        except (KeyError, TypeError, ValueError):
            raise MinistryUnavailable(self.name) from None

    def _response(self, body: Any) -> dict[str, Any]:
        """BPJS answers 200 with `metaData.code`: 200 ok, 201 not found, 202 mismatch."""
        try:
            code = str(body["metaData"]["code"])
        except (KeyError, TypeError):
            raise MinistryUnavailable(self.name) from None
        if code == "200" and isinstance(body.get("response"), dict):
            return dict(body["response"])
        if code == "201":
            raise NotFound(
                "Data peserta BPJS Kesehatan tidak ditemukan. "
                "Mohon periksa kembali NIK atau nomor kartu Anda."
            )
        if code == "202":
            raise IdentityMismatch()
        if code == "400":
            raise InvalidInput()
        raise MinistryUnavailable(self.name)
