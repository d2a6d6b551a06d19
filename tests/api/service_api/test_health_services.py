"""Health service routes: BPJS Kesehatan membership and rates, facilities, immunisations."""

from __future__ import annotations

import httpx
import pytest

from simulators.seed import citizen_by_nik, health, sample

pytestmark = pytest.mark.asyncio

MEMBERSHIP = "/api/v1/health/bpjs/membership"


async def test_active_membership_by_nik(client: httpx.AsyncClient) -> None:
    persona = sample("bpjs_active")
    response = await client.post(
        MEMBERSHIP, json={"nik": persona["nik"], "birth_date": persona["birth_date"]}
    )
    assert response.status_code == 200
    body = response.json()
    seeded = health.memberships()[persona["nik"]]
    assert body["card_number"] == "*" * 9 + seeded.card_number[-4:]  # masked
    assert body["status"] == "aktif" and body["segment"] == "PBPU"
    assert body["class"] == seeded.bpjs_class
    assert body["monthly_contribution"] == health.RATES[seeded.bpjs_class]
    assert body["arrears"] == {"months": 0, "amount": 0}
    assert body["facility"]["name"].lower() == seeded.facility.name.lower()
    assert "*" in body["name"] or " " not in persona["name"]
    assert body["legal_basis"] == "Perpres 64/2020 Pasal 34"


async def test_inactive_membership_by_card_number_shows_arrears(client: httpx.AsyncClient) -> None:
    persona = sample("bpjs_inactive_arrears")
    response = await client.post(
        MEMBERSHIP, json={"card_number": persona["card_number"], "birth_date": persona["birth_date"]}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "nonaktif"
    assert 1 <= body["arrears"]["months"] <= 24
    member_pays = 35_000 if body["class"] == 3 else body["monthly_contribution"]
    assert body["arrears"]["amount"] == body["arrears"]["months"] * member_pays


async def test_pbi_member_is_class_three(client: httpx.AsyncClient) -> None:
    persona = sample("bpjs_pbi")
    body = (
        await client.post(MEMBERSHIP, json={"nik": persona["nik"], "birth_date": persona["birth_date"]})
    ).json()
    assert (body["segment"], body["class"]) == ("PBI", 3)


async def test_membership_with_the_wrong_birth_date_is_403(client: httpx.AsyncClient) -> None:
    persona = sample("bpjs_active")
    response = await client.post(
        MEMBERSHIP, json={"card_number": persona["card_number"], "birth_date": "1950-01-01"}
    )
    assert response.status_code == 403
    # By card number: a wrong birth date answers as an unknown or foreign card would.
    assert response.json()["code"] == "identity_unverified"


async def test_citizen_without_membership_is_404(client: httpx.AsyncClient) -> None:
    persona = sample("bpjs_none")
    response = await client.post(
        MEMBERSHIP, json={"nik": persona["nik"], "birth_date": persona["birth_date"]}
    )
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@pytest.mark.parametrize(
    "body",
    [
        {"birth_date": "1990-01-01"},
        {"nik": "3273011508950001", "card_number": "0001234567890", "birth_date": "1995-08-15"},
        {"card_number": "12345", "birth_date": "1995-08-15"},
        {"nik": "3273011508950001", "birth_date": "1995-13-01"},
    ],
)
async def test_malformed_membership_query_is_422(client: httpx.AsyncClient, body: dict[str, str]) -> None:
    response = await client.post(MEMBERSHIP, json=body)
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_input"


async def test_rates_name_their_legal_basis_and_the_class_iii_split(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/health/bpjs/rates")
    assert response.status_code == 200
    body = response.json()
    assert body["legal_basis"] == "Perpres 64/2020 Pasal 34"
    rates = {rate["class"]: rate for rate in body["rates"]}
    assert {c: r["amount"] for c, r in rates.items()} == {1: 150_000, 2: 100_000, 3: 42_000}
    assert (rates[3]["member_pays"], rates[3]["government_pays"]) == (35_000, 7_000)
    assert "Rp35.000" in rates[3]["note"] and "Rp7.000" in rates[3]["note"] and rates[1]["note"] is None


async def test_facilities_by_typed_regency_name_with_paging(client: httpx.AsyncClient) -> None:
    first = await client.get("/api/v1/health/facilities", params={"region": "Kota Bandung", "limit": 5})
    assert first.status_code == 200
    body = first.json()
    assert body["region"] == {"code": "32.73", "name": "Kota Bandung"}
    assert body["total"] >= 30 and len(body["items"]) == 5  # 30 districts, each with a puskesmas
    second = (
        await client.get(
            "/api/v1/health/facilities", params={"region": "kota bandung", "offset": 5, "limit": 5}
        )
    ).json()
    assert second["total"] == body["total"]
    assert not {i["name"] for i in second["items"]} & {i["name"] for i in body["items"]}
    item = body["items"][0]
    assert set(item) == {"name", "type", "address", "hours", "phone", "bpjs_partner"}
    assert item["phone"].startswith("(022)")


async def test_facilities_by_district_code_and_type(client: httpx.AsyncClient) -> None:
    response = await client.get(
        "/api/v1/health/facilities", params={"region": "32.73.01", "type": "puskesmas"}
    )
    body = response.json()
    assert body["region"]["name"] == "Sukasari"
    assert body["items"] and all(i["type"] == "puskesmas" and i["bpjs_partner"] for i in body["items"])
    assert body["items"][0]["name"] == "Puskesmas Sukasari"
    assert "Kec. Sukasari" in body["items"][0]["address"]


async def test_facilities_are_the_same_on_every_call(client: httpx.AsyncClient) -> None:
    params = {"region": "kabupaten gayo lues", "limit": 50}
    first = (await client.get("/api/v1/health/facilities", params=params)).json()
    second = (await client.get("/api/v1/health/facilities", params=params)).json()
    assert first == second and first["total"] > 0


async def test_unknown_region_is_404_and_bad_type_422(client: httpx.AsyncClient) -> None:
    missing = await client.get("/api/v1/health/facilities", params={"region": "Kota Atlantis"})
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"
    bad = await client.get("/api/v1/health/facilities", params={"region": "bandung", "type": "apotek"})
    assert bad.status_code == 422
    no_region = await client.get("/api/v1/health/facilities")
    assert no_region.status_code == 422


async def test_immunization_records(client: httpx.AsyncClient) -> None:
    persona = sample("child_immunized")
    response = await client.post(
        "/api/v1/health/immunizations", json={"nik": persona["nik"], "birth_date": persona["birth_date"]}
    )
    assert response.status_code == 200
    body = response.json()
    citizen = citizen_by_nik(persona["nik"])
    assert citizen is not None
    assert body["name"].split()[0] == citizen.name.upper().split()[0]
    records = body["records"]
    assert len(records) >= 5 and records[0]["vaccine"].startswith("Hepatitis B")
    assert records[0]["date"] == persona["birth_date"]  # HB-0 within 24 hours of birth
    assert [r["date"] for r in records] == sorted(r["date"] for r in records)


async def test_immunizations_with_the_wrong_birth_date_is_403(client: httpx.AsyncClient) -> None:
    persona = sample("child_immunized")
    response = await client.post(
        "/api/v1/health/immunizations", json={"nik": persona["nik"], "birth_date": "2001-01-01"}
    )
    assert response.status_code == 403


async def test_immunizations_for_an_unknown_nik_is_404(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/health/immunizations", json={"nik": "3273011508950999", "birth_date": "1995-08-15"}
    )
    assert response.status_code == 404
