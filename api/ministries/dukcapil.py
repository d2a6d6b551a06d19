"""Adapter of Dukcapil (population data and civil-registration services)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from api.ministries.base import (
    IdentityMismatch,
    InvalidInput,
    MinistryAdapter,
    MinistryUnavailable,
    NotFound,
    ServiceError,
)

# Our application types → Dukcapil's service codes.
SERVICE_CODES = {"kk_change": "PERUBAHAN_KK", "birth_certificate": "AKTA_KELAHIRAN"}


def dukcapil_date(value: date) -> str:
    """Dukcapil's date format: 31-12-1990."""
    return value.strftime("%d-%m-%Y")


def parse_dukcapil_date(value: str) -> date | None:
    try:
        return datetime.strptime(value, "%d-%m-%Y").date()
    except ValueError:
        return None


@dataclass(frozen=True)
class Identity:
    """A verified citizen: full name (mask before showing) and home region codes."""

    name: str
    village_code: str


@dataclass(frozen=True)
class Contact:
    """Where an OTP for a NIK goes: the mobile number registered with Dukcapil (08...), whose
    it is (`owner_nik`: the citizen, or for a member without a number of their own, a member of
    the same KK), and the NIK's KK number (the family rule)."""

    nik: str
    kk_number: str
    phone: str
    owner_nik: str


@dataclass(frozen=True)
class Submitted:
    number: str  # Dukcapil's application number
    status: str  # lower case: diterima
    submitted_at: datetime
    estimated_done_by: date


class DukcapilAdapter(MinistryAdapter):
    key = "dukcapil"
    name = "Dukcapil"

    async def verify(self, nik: str, birth_date: date) -> Identity:
        """The citizen whose NIK and birth date match; `NotFound` or `IdentityMismatch`."""
        body = await self._request(
            "POST", "/dukcapil/get_json/verifikasi", json={"NIK": nik, "TGL_LHR": dukcapil_date(birth_date)}
        )
        row = self._first_row(body)
        return Identity(name=str(row["NAMA_LGKP"]), village_code=str(row["NO_KEL"]))

    async def contact(self, nik: str) -> Contact | None:
        """The registered number of `nik`, or None when Dukcapil knows no number for it (an
        unknown NIK included: the caller must not tell the two apart)."""
        body = await self._request("POST", "/dukcapil/get_json/kontak", json={"NIK": nik})
        try:
            row = body["content"][0]
        except (KeyError, IndexError, TypeError):
            raise MinistryUnavailable(self.name) from None
        if "TIDAK DITEMUKAN" in str(row.get("RESPON", "")).upper():
            return None
        try:
            return Contact(str(row["NIK"]), str(row["NO_KK"]), str(row["NO_HP"]), str(row["NIK_PEMILIK_HP"]))
        except KeyError:
            raise MinistryUnavailable(self.name) from None

    async def submit(
        self, application_type: str, nik: str, birth_date: date, data: dict[str, Any]
    ) -> Submitted:
        body = await self._request(
            "POST",
            "/layanan/permohonan",
            json={
                "NIK": nik,
                "TGL_LHR": dukcapil_date(birth_date),
                "JENIS_LAYANAN": SERVICE_CODES[application_type],
                "DATA": data,
            },
        )
        self._raise_for_respon(body)
        done_by = parse_dukcapil_date(str(body.get("ESTIMASI_SELESAI", "")))
        try:
            submitted_at = datetime.fromisoformat(body["TGL_PERMOHONAN"])
            number = str(body["NO_PERMOHONAN"])
        except (KeyError, TypeError, ValueError):
            raise MinistryUnavailable(self.name) from None
        if done_by is None:
            raise MinistryUnavailable(self.name)
        return Submitted(number, str(body.get("STATUS", "DITERIMA")).lower(), submitted_at, done_by)

    async def history(self, number: str) -> list[tuple[str, datetime]]:
        """The application's statuses (lower case) with when each was reached, oldest first."""
        body = await self._request("GET", f"/layanan/permohonan/{number}")
        try:
            return [
                (str(step["STATUS"]).lower(), datetime.fromisoformat(step["WAKTU"]))
                for step in body["RIWAYAT"]
            ]
        except (KeyError, TypeError, ValueError):
            raise MinistryUnavailable(self.name) from None

    def _first_row(self, body: Any) -> dict[str, Any]:
        try:
            row = body["content"][0]
        except (KeyError, IndexError, TypeError):
            raise MinistryUnavailable(self.name) from None
        if row.get("TGL_LHR") == "Tidak Sesuai":
            raise IdentityMismatch()
        self._raise_for_respon(row)
        if "NAMA_LGKP" not in row:
            raise MinistryUnavailable(self.name)
        return dict(row)

    def _raise_for_respon(self, body: dict[str, Any]) -> None:
        """Dukcapil answers 200 with a `RESPON` text when it refuses."""
        respon = str(body.get("RESPON", "")).upper()
        if not respon or respon == "PERMOHONAN DITERIMA":
            return
        if "TIDAK DITEMUKAN" in respon:
            raise NotFound("NIK tidak ditemukan di data kependudukan. Mohon periksa kembali NIK Anda.")
        if "TIDAK SESUAI" in respon:
            raise IdentityMismatch()
        raise MinistryUnavailable(self.name)

    def _error_for(self, status_code: int, body: Any) -> ServiceError:
        respon = str(body.get("RESPON", "")).upper() if isinstance(body, dict) else ""
        if status_code == 404 and "PERMOHONAN" in respon:
            return NotFound("Nomor permohonan tidak ditemukan.")
        if status_code == 400 and "JENIS LAYANAN" in respon:
            return InvalidInput("Jenis layanan tidak dikenal.")
        return super()._error_for(status_code, body)
