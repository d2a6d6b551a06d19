"""Population (Dukcapil) service routes and region lookups."""

from __future__ import annotations

from datetime import date, timedelta

import httpx
import pytest

from simulators.seed import citizen_by_nik, sample

pytestmark = pytest.mark.asyncio

VERIFY = "/api/v1/population/verify"
APPLY = "/api/v1/population/applications"


async def test_verify_returns_masked_name_and_home_region(client: httpx.AsyncClient) -> None:
    persona = sample("adult")
    response = await client.post(VERIFY, json={"nik": persona["nik"], "birth_date": persona["birth_date"]})
    assert response.status_code == 200
    body = response.json()
    citizen = citizen_by_nik(persona["nik"])
    assert citizen is not None
    first, *rest = citizen.name.upper().split()
    assert body["verified"] is True
    assert body["name"].split()[0] == first and all(
        w[1:] == "*" * (len(w) - 1) for w in body["name"].split()[1:]
    )
    assert citizen.name.upper() != body["name"] or not rest
    assert body["region"] == {
        "province": citizen.address.province,
        "regency": citizen.address.regency,
        "district": citizen.address.district,
        "village": citizen.address.village,
    }


async def test_verify_with_the_wrong_birth_date_is_403(client: httpx.AsyncClient) -> None:
    persona = sample("adult")
    wrong = (date.fromisoformat(persona["birth_date"]) + timedelta(days=1)).isoformat()
    response = await client.post(VERIFY, json={"nik": persona["nik"], "birth_date": wrong})
    assert response.status_code == 403
    body = response.json()
    assert (
        body["code"] == "identity_mismatch"
        and persona["name"].split()[0].upper() not in body["detail"].upper()
    )


async def test_verify_unknown_nik_is_404(client: httpx.AsyncClient) -> None:
    response = await client.post(VERIFY, json={"nik": "3273011508950999", "birth_date": "1995-08-15"})
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ({"nik": "12345", "birth_date": "1995-08-15"}, "NIK harus terdiri dari 16 digit angka."),
        (
            {"nik": "3273013208950001", "birth_date": "1995-08-15"},
            "NIK tidak valid: Tanggal lahir di NIK tidak valid.",
        ),
        (
            {"nik": "3273011508950001", "birth_date": "15-08-1995"},
            "Tanggal lahir harus berformat TTTT-BB-HH, misalnya 1990-08-17.",
        ),
        (
            {"nik": "3273011508950001", "birth_date": "2999-01-01"},
            "Tanggal lahir tidak valid. Mohon periksa kembali.",
        ),
        ({"nik": "3273011508950001"}, "Data yang dikirim tidak valid. Mohon periksa kembali."),
    ],
)
async def test_malformed_input_is_422(client: httpx.AsyncClient, body: dict[str, str], detail: str) -> None:
    response = await client.post(VERIFY, json=body)
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_input"
    assert response.json()["detail"] == detail


async def test_kk_change_application_opens_an_adm_case(client: httpx.AsyncClient) -> None:
    persona = sample("adult")
    response = await client.post(
        APPLY,
        json={
            "type": "kk_change",
            "nik": persona["nik"],
            "birth_date": persona["birth_date"],
            "details": {"reason": "tambah_anggota"},
        },
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["case_number"].startswith("ADM-") and body["status"] == "diterima"
    assert body["type"] == "kk_change"
    assert body["legal_basis"] == "UU 24/2013 Pasal 79A"
    assert date.fromisoformat(body["estimated_done_by"]) > date.fromisoformat(body["submitted_at"][:10])
    assert any("akta kelahiran" in step for step in body["next_steps"])
    assert any("gratis" in step for step in body["next_steps"])
    followed = await client.get(f"/api/v1/cases/{body['case_number']}")
    assert followed.status_code == 200 and followed.json()["status"] == "diterima"


async def test_birth_certificate_application_lists_the_documents(client: httpx.AsyncClient) -> None:
    persona = sample("parent_of_young_child")
    born = (date.today() - timedelta(days=10)).isoformat()
    response = await client.post(
        APPLY,
        json={
            "type": "birth_certificate",
            "nik": persona["nik"],
            "birth_date": persona["birth_date"],
            "details": {
                "child_name": "  Putri   Ayu ",
                "child_birth_date": born,
                "place_of_birth": "RSUD Bandung",
            },
        },
    )
    assert response.status_code == 201, response.text
    steps = response.json()["next_steps"]
    assert any("surat keterangan lahir" in step for step in steps)
    assert any("SPTJM kebenaran data kelahiran dengan 2 orang saksi" in step for step in steps)
    assert not any("KTP-el 2 orang saksi" in step or "KTP-el kedua orang tua" in step for step in steps)
    assert not any("60 hari" in step for step in steps)
    summary = (await client.get(f"/api/v1/cases/{response.json()['case_number']}")).json()["summary"]
    assert summary == {"type": "birth_certificate", "label": "Akta Kelahiran"}  # no child's name stored


async def test_late_birth_registration_says_so(client: httpx.AsyncClient) -> None:
    persona = sample("parent_of_young_child")
    response = await client.post(
        APPLY,
        json={
            "type": "birth_certificate",
            "nik": persona["nik"],
            "birth_date": persona["birth_date"],
            "details": {"child_name": "Budi", "child_birth_date": "2024-01-05", "place_of_birth": "Bandung"},
        },
    )
    assert response.status_code == 201
    assert any("60 hari" in step for step in response.json()["next_steps"])


@pytest.mark.parametrize(
    "details",
    [
        {},
        {"reason": "cerai"},
        {"reason": "pindah", "extra": 1},
    ],
)
async def test_kk_change_with_bad_details_is_422(
    client: httpx.AsyncClient, details: dict[str, object]
) -> None:
    persona = sample("adult")
    response = await client.post(
        APPLY,
        json={
            "type": "kk_change",
            "nik": persona["nik"],
            "birth_date": persona["birth_date"],
            "details": details,
        },
    )
    assert response.status_code == 422
    assert response.json()["detail"].startswith("Alasan perubahan KK")


async def test_birth_certificate_for_a_future_birth_is_422(client: httpx.AsyncClient) -> None:
    persona = sample("adult")
    response = await client.post(
        APPLY,
        json={
            "type": "birth_certificate",
            "nik": persona["nik"],
            "birth_date": persona["birth_date"],
            "details": {
                "child_name": "Ani",
                "child_birth_date": (date.today() + timedelta(days=3)).isoformat(),
                "place_of_birth": "Bandung",
            },
        },
    )
    assert response.status_code == 422
    assert response.json()["detail"] == "Tanggal tidak boleh di masa depan."


async def test_unknown_application_type_is_422(client: httpx.AsyncClient) -> None:
    persona = sample("adult")
    response = await client.post(
        APPLY, json={"type": "ktp", "nik": persona["nik"], "birth_date": persona["birth_date"]}
    )
    assert response.status_code == 422


async def test_application_with_the_wrong_birth_date_is_403_and_opens_no_case(
    client: httpx.AsyncClient,
) -> None:
    persona = sample("adult")
    response = await client.post(
        APPLY,
        json={
            "type": "kk_change",
            "nik": persona["nik"],
            "birth_date": "1990-01-01",
            "details": {"reason": "pindah"},
        },
    )
    assert response.status_code == 403
    assert response.json()["code"] == "identity_mismatch"


async def test_provinces_and_children(client: httpx.AsyncClient) -> None:
    provinces = (await client.get("/api/v1/regions")).json()["items"]
    assert len(provinces) == 38
    assert {"code": "32", "name": "Jawa Barat", "level": "province"} in provinces
    districts = (await client.get("/api/v1/regions", params={"parent": "3273"})).json()["items"]
    assert {"code": "32.73.01", "name": "Sukasari", "level": "district"} in districts
    villages = (await client.get("/api/v1/regions", params={"parent": "32.73.01"})).json()["items"]
    assert villages and all(v["level"] == "village" and v["code"].startswith("32.73.01.") for v in villages)


@pytest.mark.parametrize(("parent", "status"), [("99", 404), ("jawa", 422)])
async def test_bad_parent_region(client: httpx.AsyncClient, parent: str, status: int) -> None:
    response = await client.get("/api/v1/regions", params={"parent": parent})
    assert response.status_code == status


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("Kabupaten Bandung", "32.04"),
        ("kota bandung", "32.73"),
        ("KOTA BANDUNG", "32.73"),
        ("Provinsi Jawa Barat", "32"),
        ("jawa barat", "32"),
        ("kab. bogor", "32.01"),
        ("jaksel", "31.74"),
        ("Jakarta Selatan", "31.74"),
        ("kecamatan cibinong", "32.01.01"),
    ],
)
async def test_region_search_understands_typed_names(
    client: httpx.AsyncClient, query: str, first: str
) -> None:
    response = await client.get("/api/v1/regions/search", params={"q": query})
    assert response.status_code == 200
    assert response.json()["items"][0]["code"] == first


async def test_region_search_by_level_and_parent(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/regions/search", params={"q": "bandung", "level": "regency"})
    assert [r["code"] for r in response.json()["items"]][:2] == ["32.04", "32.73"]
    villages = await client.get(
        "/api/v1/regions/search", params={"q": "sukarasa", "level": "village", "parent": "32.73"}
    )
    assert villages.json()["items"] == [{"code": "32.73.01.1001", "name": "Sukarasa", "level": "village"}]
    assert (
        await client.get("/api/v1/regions/search", params={"q": "kota bandung", "level": "province"})
    ).json() == {"items": []}
    assert (await client.get("/api/v1/regions/search", params={"q": "b"})).status_code == 422
    assert (
        await client.get("/api/v1/regions/search", params={"q": "bandung", "level": "desa"})
    ).status_code == 422
