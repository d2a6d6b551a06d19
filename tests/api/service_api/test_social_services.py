"""Social assistance service routes: recipients by NIK and the public search."""

from __future__ import annotations

import httpx
import pytest

from simulators.seed import citizen_by_nik, sample

pytestmark = pytest.mark.asyncio


async def test_recipient_by_nik_lists_programmes_and_periods(client: httpx.AsyncClient) -> None:
    persona = sample("bansos_pkh")
    response = await client.post(
        "/api/v1/social/recipients/by-nik", json={"nik": persona["nik"], "birth_date": persona["birth_date"]}
    )
    assert response.status_code == 200
    body = response.json()
    citizen = citizen_by_nik(persona["nik"])
    assert citizen is not None
    assert body["region"]["village"] == citizen.address.village
    programmes = {p["programme"] for p in body["programmes"]}
    assert "PKH" in programmes and len(programmes) >= 2
    pkh = [p for p in body["programmes"] if p["programme"] == "PKH"]
    assert pkh[0]["period"].startswith("Tahap 1") and all(p["amount"] > 0 for p in pkh)
    assert {p["status"] for p in pkh} <= {"sudah_salur", "proses"}


async def test_non_recipient_gets_an_empty_list(client: httpx.AsyncClient) -> None:
    persona = sample("bansos_none")
    body = (
        await client.post(
            "/api/v1/social/recipients/by-nik",
            json={"nik": persona["nik"], "birth_date": persona["birth_date"]},
        )
    ).json()
    assert body["programmes"] == []


async def test_by_nik_errors(client: httpx.AsyncClient) -> None:
    persona = sample("bansos_pkh")
    mismatch = await client.post(
        "/api/v1/social/recipients/by-nik", json={"nik": persona["nik"], "birth_date": "1999-09-09"}
    )
    assert mismatch.status_code == 403
    unknown = await client.post(
        "/api/v1/social/recipients/by-nik", json={"nik": "3273011508950999", "birth_date": "1995-08-15"}
    )
    assert unknown.status_code == 404
    malformed = await client.post(
        "/api/v1/social/recipients/by-nik", json={"nik": "abc", "birth_date": "1995-08-15"}
    )
    assert malformed.status_code == 422


async def test_public_search_by_name_in_a_village_masks_names(client: httpx.AsyncClient) -> None:
    persona = sample("bansos_pkh")
    citizen = citizen_by_nik(persona["nik"])
    assert citizen is not None
    query = citizen.name.split()[0].lower()
    response = await client.get(
        "/api/v1/social/recipients", params={"name": query, "village": citizen.address.village_code}
    )
    assert response.status_code == 200
    items = response.json()["items"]
    assert items and all(query.upper() in item["name"] for item in items)
    for item in items:
        assert all(set(word[1:]) <= {"*"} for word in item["name"].split()[1:])
        assert item["programmes"]


async def test_public_search_elsewhere_finds_nobody(client: httpx.AsyncClient) -> None:
    response = await client.get(
        "/api/v1/social/recipients", params={"name": "siti", "village": "32.73.01.1001"}
    )
    assert response.status_code == 200 and response.json() == {"items": []}


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"name": "si", "village": "32.73.01.1001"}, 422),
        ({"name": "siti", "village": "32.73.01"}, 422),
        ({"name": "siti", "village": "xx.xx.xx.xxxx"}, 422),
        ({"name": "siti", "village": "32.73.01.9999"}, 404),
    ],
)
async def test_public_search_input_errors(
    client: httpx.AsyncClient, params: dict[str, str], status: int
) -> None:
    assert (await client.get("/api/v1/social/recipients", params=params)).status_code == status
