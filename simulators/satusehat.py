"""Simulated SATUSEHAT (Kemenkes), a FHIR R4 server for immunisation records.

- `GET /fhir-r4/v1/Immunization?patient.identifier=https://fhir.kemkes.go.id/id/nik|<NIK>&patient.birthdate=<YYYY-MM-DD>`
  → a searchset `Bundle` with the `Patient` and its `Immunization` resources.
- Unknown patient: 404 `OperationOutcome` (`not-found`); wrong birth date: 403
  `OperationOutcome` (`forbidden`).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Query
from fastapi.responses import JSONResponse

from simulators.base import SimulatorContext, create_simulator
from simulators.seed import health
from simulators.seed.population import citizen_by_nik

KEY = "satusehat"
NIK_SYSTEM = "https://fhir.kemkes.go.id/id/nik"


def outcome(code: str, diagnostics: str) -> dict[str, Any]:
    return {
        "resourceType": "OperationOutcome",
        "issue": [{"severity": "error", "code": code, "diagnostics": diagnostics}],
    }


def _error_body(status: int, message: str) -> dict[str, Any]:
    return outcome("exception", message)


def build(context: SimulatorContext) -> FastAPI:
    app = create_simulator(KEY, "SATUSEHAT Kemenkes", context, error_body=_error_body)

    @app.get("/fhir-r4/v1/Immunization", response_model=None)
    async def immunizations(
        identifier: str = Query(alias="patient.identifier"), birthdate: str = Query(alias="patient.birthdate")
    ) -> dict[str, Any] | JSONResponse:
        system, _, nik = identifier.partition("|")
        if system != NIK_SYSTEM:
            return JSONResponse(outcome("invalid", "Unsupported identifier system"), status_code=400)
        citizen = citizen_by_nik(nik)
        if citizen is None:
            return JSONResponse(outcome("not-found", "Patient not found"), status_code=404)
        if citizen.birth_date.isoformat() != birthdate:
            return JSONResponse(outcome("forbidden", "Birthdate does not match"), status_code=403)
        patient = {
            "resourceType": "Patient",
            "id": f"P{nik[-8:]}",
            "identifier": [{"system": NIK_SYSTEM, "value": nik}],
            "name": [{"use": "official", "text": citizen.name}],
            "birthDate": birthdate,
        }
        entries: list[dict[str, Any]] = [{"resource": patient, "search": {"mode": "include"}}]
        for index, record in enumerate(health.immunizations(citizen)):
            entries.append(
                {
                    "resource": {
                        "resourceType": "Immunization",
                        "id": f"IMM{nik[-6:]}{index:03d}",
                        "status": "completed",
                        "vaccineCode": {"coding": [{"display": record.vaccine}]},
                        "patient": {"reference": f"Patient/{patient['id']}"},
                        "occurrenceDateTime": record.date.isoformat(),
                        "location": {"display": record.facility},
                        "protocolApplied": [{"doseNumberPositiveInt": record.dose}],
                    },
                    "search": {"mode": "match"},
                }
            )
        return {"resourceType": "Bundle", "type": "searchset", "total": len(entries) - 1, "entry": entries}

    return app
