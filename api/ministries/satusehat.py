"""Adapter of SATUSEHAT (Kemenkes): immunisation records over FHIR R4."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from api.ministries.base import IdentityMismatch, MinistryAdapter, MinistryUnavailable, NotFound, ServiceError

# FHIR identifier system of the NIK.
NIK_SYSTEM = "https://fhir.kemkes.go.id/id/nik"


@dataclass(frozen=True)
class ImmunizationRecord:
    vaccine: str
    dose: int
    date: date
    facility: str


@dataclass(frozen=True)
class ImmunizationHistory:
    name: str  # full: mask before showing
    records: list[ImmunizationRecord]


class SatuSehatAdapter(MinistryAdapter):
    key = "satusehat"
    name = "SATUSEHAT"

    async def immunizations(self, nik: str, birth_date: date) -> ImmunizationHistory:
        bundle = await self._request(
            "GET",
            "/fhir-r4/v1/Immunization",
            params={
                "patient.identifier": f"{NIK_SYSTEM}|{nik}",
                "patient.birthdate": birth_date.isoformat(),
            },
        )
        try:
            resources = [entry["resource"] for entry in bundle["entry"]]
            patient = next(r for r in resources if r["resourceType"] == "Patient")
            records = [
                ImmunizationRecord(
                    vaccine=str(r["vaccineCode"]["coding"][0]["display"]),
                    dose=int(r["protocolApplied"][0]["doseNumberPositiveInt"]),
                    date=date.fromisoformat(str(r["occurrenceDateTime"])[:10]),
                    facility=str(r.get("location", {}).get("display", "")),
                )
                for r in resources
                if r["resourceType"] == "Immunization" and r.get("status") == "completed"
            ]
            return ImmunizationHistory(str(patient["name"][0]["text"]), sorted(records, key=lambda r: r.date))
        except (KeyError, IndexError, StopIteration, TypeError, ValueError):
            raise MinistryUnavailable(self.name) from None

    def _error_for(self, status_code: int, body: Any) -> ServiceError:
        if status_code == 404:
            return NotFound("Data Anda belum tercatat di SATUSEHAT. Mohon periksa kembali NIK Anda.")
        if status_code == 403:
            return IdentityMismatch()
        return super()._error_for(status_code, body)
