"""Simulated BPJS Kesehatan, in the style of its web services (VClaim/PCare): every answer
is HTTP 200 with `{"metaData": {"code", "message"}, "response": ...}`; `code` "200" is
success, "201" not found, "202" birth date does not match, "400" bad request.

- `POST /peserta/cari` `{nik | noKartu, tglLahir}` → `response.peserta`
- `GET /iuran` → `response.list` of contribution rates per class
- `GET /referensi/faskes?kdWilayah=&jenis=&start=&limit=` → `response.count`, `response.list`
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Query
from pydantic import BaseModel

from knowledge import facts
from simulators.base import SimulatorContext, create_simulator
from simulators.seed import health
from simulators.seed.population import citizen_by_nik

KEY = "bpjs"
_FACILITY_TYPES = {"puskesmas": "PUSKESMAS", "klinik": "KLINIK PRATAMA", "rumah_sakit": "RUMAH SAKIT"}


def _meta(code: str, message: str, response: Any = None) -> dict[str, Any]:
    return {"metaData": {"code": code, "message": message}, "response": response}


def _error_body(status: int, message: str) -> dict[str, Any]:
    return _meta(str(status), message)


class CariPeserta(BaseModel):
    nik: str | None = None
    noKartu: str | None = None
    tglLahir: str


def _peserta(membership: health.Membership) -> dict[str, Any]:
    citizen = citizen_by_nik(membership.nik)
    assert citizen is not None
    facility = membership.facility
    return {
        "noKartu": membership.card_number,
        "nik": membership.nik,
        "nama": citizen.name.upper(),
        "tglLahir": citizen.birth_date.isoformat(),
        "sex": citizen.sex,
        "statusPeserta": {
            "kode": "0" if membership.active else "1",
            "keterangan": "AKTIF" if membership.active else "TIDAK AKTIF",
        },
        "hakKelas": {
            "kode": str(membership.bpjs_class),
            "keterangan": f"KELAS {'I' * membership.bpjs_class}",
        },
        "jenisPeserta": {"kode": membership.segment, "keterangan": membership.segment_label.upper()},
        "provUmum": {
            "kdProvider": facility.code,
            "nmProvider": facility.name.upper(),
            "alamat": facility.address,
        },
        "iuran": {
            "bulanan": membership.monthly_contribution,
            "tunggakanBulan": membership.arrears_months,
            "tunggakanRupiah": membership.arrears_amount,
        },
    }


def _facility(facility: health.Facility) -> dict[str, Any]:
    return {
        "kdProvider": facility.code,
        "nmProvider": facility.name,
        "jenis": _FACILITY_TYPES[facility.type],
        "alamat": facility.address,
        "jamBuka": facility.hours,
        "telp": facility.phone,
        "kerjasamaBpjs": "Y" if facility.bpjs_partner else "T",
    }


def build(context: SimulatorContext) -> FastAPI:
    app = create_simulator(KEY, "BPJS Kesehatan", context, error_body=_error_body)

    @app.post("/peserta/cari")
    async def find_member(body: CariPeserta) -> dict[str, Any]:
        if body.noKartu:
            membership = health.memberships_by_card().get(body.noKartu)
        elif body.nik:
            membership = health.memberships().get(body.nik)
        else:
            return _meta("400", "NIK atau nomor kartu wajib diisi")
        if membership is None:
            return _meta("201", "Peserta Tidak Ditemukan")
        citizen = citizen_by_nik(membership.nik)
        if citizen is None or citizen.birth_date.isoformat() != body.tglLahir:
            return _meta("202", "Tanggal Lahir Tidak Sesuai")
        return _meta("200", "OK", {"peserta": _peserta(membership)})

    @app.get("/iuran")
    async def rates() -> dict[str, Any]:
        rows = [
            {
                "kelas": str(bpjs_class),
                "iuran": amount,
                "dibayarPeserta": health.CLASS_III_MEMBER_SHARE if bpjs_class == 3 else amount,
                "dibayarPemerintah": amount - health.CLASS_III_MEMBER_SHARE if bpjs_class == 3 else 0,
            }
            for bpjs_class, amount in sorted(health.RATES.items())
        ]
        basis = facts.get("bpjs.contribution.class1").basis
        return _meta("200", "OK", {"list": rows, "dasarHukum": basis})

    @app.get("/referensi/faskes")
    async def facilities(
        kdWilayah: str,  # noqa: N803 - the ministry's own parameter names
        jenis: str | None = None,
        start: int = Query(0, ge=0),
        limit: int = Query(10, ge=1, le=100),
    ) -> dict[str, Any]:
        found = health.facilities_in(kdWilayah, jenis)
        return _meta(
            "200", "OK", {"count": len(found), "list": [_facility(f) for f in found[start : start + limit]]}
        )

    return app
