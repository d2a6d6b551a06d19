"""Education service routes: PIP, KIP Kuliah, SPMB."""

from __future__ import annotations

from datetime import date

import httpx
import pytest

from simulators.seed import sample

pytestmark = pytest.mark.asyncio


async def test_pip_recipient(client: httpx.AsyncClient) -> None:
    persona = sample("pip_recipient")
    response = await client.post(
        "/api/v1/education/pip", json={"nisn": persona["nisn"], "birth_date": persona["birth_date"]}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["recipient"] is True and body["disbursement"] == "sudah_cair"
    assert (
        body["amount"] == {"SD": 450_000, "SMP": 750_000, "SMA": 1_800_000, "SMK": 1_800_000}[body["level"]]
    )
    assert body["level"] == persona["level"] and body["grade"] == persona["grade"]
    assert body["school"].startswith(body["level"])
    assert body["legal_basis"] == "Permendikbud 10/2020"


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
    assert any("3 tahun" in r for r in body["requirements"])
    assert body["schedule"] and all(
        date.fromisoformat(s["start"]) <= date.fromisoformat(s["end"]) for s in body["schedule"]
    )
    assert body["legal_basis"]


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
    assert body["legal_basis"] == "Permendikdasmen 3/2025"


async def test_spmb_unknown_level_is_422(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/education/spmb", params={"level": "tk"})
    assert response.status_code == 422 and response.json()["code"] == "invalid_input"
