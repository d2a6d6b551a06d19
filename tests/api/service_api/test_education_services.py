"""Education service routes: PIP, KIP Kuliah, SPMB."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import httpx
import pytest

from simulators.seed import education, sample

pytestmark = pytest.mark.asyncio


async def test_pip_recipient(client: httpx.AsyncClient) -> None:
    persona = sample("pip_recipient")
    response = await client.post(
        "/api/v1/education/pip", json={"nisn": persona["nisn"], "birth_date": persona["birth_date"]}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["recipient"] is True and body["disbursement"] == "sudah_cair"
    full = {"SD": 450_000, "SMP": 750_000, "SMA": 1_800_000, "SMK": 1_800_000}[body["level"]]
    assert body["amount"] == (full // 2 if body["grade"] in (6, 9, 12) else full)
    assert body["level"] == persona["level"] and body["grade"] == persona["grade"]
    assert body["school"].startswith(body["level"])
    assert body["legal_basis"] == "Persesjen Kemendikdasmen 10/2025 tentang Juknis PIP"


async def test_final_grades_receive_half_of_pip() -> None:
    """Issue 17: grades 6, 9 and 12 receive Rp225.000 / Rp375.000 / Rp900.000 a year."""
    half = {6: 225_000, 9: 375_000, 12: 900_000}
    full = {"SD": 450_000, "SMP": 750_000, "SMA": 1_800_000, "SMK": 1_800_000}
    recipients = [s for s in education.students_by_nik().values() if s.pip_recipient]
    for student in recipients:
        assert student.pip_amount == half.get(student.grade, full[student.level]), student
    assert {s.grade for s in recipients} >= {6, 9, 12}, "the seed has recipients in every final grade"


async def test_student_without_pip(client: httpx.AsyncClient) -> None:
    persona = sample("student_not_pip")
    body = (
        await client.post(
            "/api/v1/education/pip", json={"nisn": persona["nisn"], "birth_date": persona["birth_date"]}
        )
    ).json()
    assert (body["recipient"], body["amount"], body["disbursement"]) == (False, 0, None)


async def test_pip_mismatch_unknown_and_malformed(client: httpx.AsyncClient) -> None:
    persona = sample("pip_recipient")
    mismatch = await client.post(
        "/api/v1/education/pip", json={"nisn": persona["nisn"], "birth_date": "2000-02-02"}
    )
    assert mismatch.status_code == 403 and mismatch.json()["code"] == "identity_unverified"  # uniform
    unknown = await client.post(
        "/api/v1/education/pip", json={"nisn": "9999999999", "birth_date": "2012-02-02"}
    )
    assert (unknown.status_code, unknown.text) == (mismatch.status_code, mismatch.text)  # no enumeration
    malformed = await client.post(
        "/api/v1/education/pip", json={"nisn": "12345abc", "birth_date": "2012-02-02"}
    )
    assert malformed.status_code == 422
    assert malformed.json()["detail"] == "NISN harus terdiri dari 10 digit angka."


async def test_kip_kuliah_information(client: httpx.AsyncClient) -> None:
    body = (await client.get("/api/v1/education/kip-kuliah")).json()
    assert any("NISN" in r and "NPSN" in r for r in body["requirements"])
    graduates = next(r for r in body["requirements"] if r.startswith("Lulusan"))
    assert "paling lama 2 tahun sebelumnya" in graduates and "lulusan 2024–2026" in graduates
    assert not any("3 tahun" in r for r in body["requirements"])
    # The 2026 schedule in the registry is unverified (press reports only): none is published.
    assert body["schedule"] == []
    assert body["legal_basis"] == ""


async def test_a_confirmed_schedule_is_published(monkeypatch: pytest.MonkeyPatch) -> None:
    from knowledge import Registry, facts
    from simulators import puslapdik

    schedule = facts.get("kipk.schedule.2026")
    confirmed = Registry({**{f.id: f for f in facts}, schedule.id: replace(schedule, confidence="confirmed")})
    monkeypatch.setattr(puslapdik, "facts", confirmed)
    assert puslapdik.kip_kuliah_schedule(2026) == [
        ("Pendaftaran akun KIP Kuliah", date(2026, 2, 3), date(2026, 10, 31))
    ]
    assert puslapdik.kip_kuliah_schedule(2027) == []


async def test_kip_kuliah_registration(client: httpx.AsyncClient) -> None:
    persona = sample("kip_kuliah_applicant")
    response = await client.post(
        "/api/v1/education/kip-kuliah/registration",
        json={"nik": persona["nik"], "birth_date": persona["birth_date"]},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["registration_number"] == persona["registration_number"]
    assert body["status"] in {"terdaftar", "seleksi", "ditetapkan", "tidak_lolos"}
    assert body["stage"] and date.fromisoformat(body["updated_at"])


async def test_kip_kuliah_registration_errors(client: httpx.AsyncClient) -> None:
    persona = sample("kip_kuliah_applicant")
    mismatch = await client.post(
        "/api/v1/education/kip-kuliah/registration", json={"nik": persona["nik"], "birth_date": "1980-01-01"}
    )
    assert mismatch.status_code == 403
    adult = sample("bansos_none")  # never registered
    missing = await client.post(
        "/api/v1/education/kip-kuliah/registration",
        json={"nik": adult["nik"], "birth_date": adult["birth_date"]},
    )
    assert missing.status_code == 404


@pytest.mark.parametrize(
    ("level", "routes"),
    [
        ("sd", {"domisili": "min. 70%", "afirmasi": "min. 15%", "mutasi": "maks. 5%"}),
        (
            "smp",
            {"domisili": "min. 40%", "afirmasi": "min. 20%", "prestasi": "min. 25%", "mutasi": "maks. 5%"},
        ),
        (
            "sma",
            {"domisili": "min. 30%", "afirmasi": "min. 30%", "prestasi": "min. 30%", "mutasi": "maks. 5%"},
        ),
    ],
)
async def test_spmb_quotas(client: httpx.AsyncClient, level: str, routes: dict[str, str]) -> None:
    body = (await client.get("/api/v1/education/spmb", params={"level": level})).json()
    assert body["level"] == level
    assert {r["route"]: r["quota"] for r in body["routes"]} == routes
    assert body["legal_basis"] == "Permendikdasmen 3/2025"  # from the registry (spmb.legal_basis)


async def test_spmb_unknown_level_is_422(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/education/spmb", params={"level": "tk"})
    assert response.status_code == 422 and response.json()["code"] == "invalid_input"
