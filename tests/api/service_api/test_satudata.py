"""Satu Data Indonesia: published BPS figures only (figure_unavailable otherwise), and the
data-set catalogue search."""

from __future__ import annotations

from collections import Counter

import httpx

from api import regions
from simulators.satudata import PERIOD_ORDER, datasets, figures
from tests.api.support import GatewayFactory

API = "/api/v1"
UNITS = {
    "population": "ribu jiwa",
    "poverty_rate": "persen",
    "unemployment_rate": "persen",
    "hdi": "indeks (0-100)",
}


def test_every_figure_names_its_source_and_publication() -> None:
    rows = figures()
    assert len(rows) >= 150
    keys = Counter((row.indicator, row.region_code, row.year, row.period) for row in rows)
    assert max(keys.values()) == 1, "a figure appears twice"
    for row in rows:
        assert row.unit == UNITS[row.indicator]
        assert row.source == "Badan Pusat Statistik (BPS)"
        assert row.publication and row.reference_url.startswith("https://")
        assert row.period in PERIOD_ORDER
        assert 2022 <= row.year <= 2025
        if row.region_code == "00":
            assert row.region_name == "Indonesia"
        else:
            region = regions.get(row.region_code)
            assert region is not None and region.level is regions.Level.PROVINCE
        if row.indicator == "population":
            assert 500 < row.value < 300_000
        else:
            assert 0 < row.value < 100


def test_indonesia_has_every_indicator_for_2022_to_2024() -> None:
    national = {(row.indicator, row.year) for row in figures() if row.region_code == "00"}
    for indicator in UNITS:
        for year in (2022, 2023, 2024):
            assert (indicator, year) in national, (indicator, year)


async def test_a_province_figure(client: httpx.AsyncClient) -> None:
    response = await client.get(
        f"{API}/statistics", params={"indicator": "population", "region": "Jawa Barat"}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["region"] == {"code": "32", "name": "Jawa Barat"}
    assert (body["year"], body["value"], body["unit"]) == (2024, 50345.2, "ribu jiwa")
    assert body["source"] == "Badan Pusat Statistik (BPS)" and "2024" in body["published"]
    by_code = await client.get(
        f"{API}/statistics", params={"indicator": "population", "region": "32", "year": 2024}
    )
    assert by_code.json()["value"] == 50345.2


async def test_the_latest_period_of_a_year(client: httpx.AsyncClient) -> None:
    latest = (await client.get(f"{API}/statistics", params={"indicator": "poverty_rate"})).json()
    assert (latest["region"]["name"], latest["year"], latest["period"], latest["value"]) == (
        "Indonesia", 2024, "September", 8.57
    )  # fmt: skip
    march = (await client.get(f"{API}/statistics", params={"indicator": "poverty_rate", "year": 2023})).json()
    assert (march["period"], march["value"]) == ("Maret", 9.36)
    hdi = (await client.get(f"{API}/statistics", params={"indicator": "hdi", "region": "indonesia"})).json()
    assert (hdi["year"], hdi["value"], hdi["label"]) == (2024, 75.02, "Indeks Pembangunan Manusia (IPM)")


async def test_figure_unavailable_lists_the_years_there_are(client: httpx.AsyncClient) -> None:
    response = await client.get(
        f"{API}/statistics", params={"indicator": "hdi", "region": "DKI Jakarta", "year": 2022}
    )
    assert response.status_code == 404
    body = response.json()
    assert body["code"] == "figure_unavailable" and body["available_years"] == [2024]
    assert "2024" in body["detail"]
    none_at_all = await client.get(
        f"{API}/statistics", params={"indicator": "poverty_rate", "region": "Riau"}
    )
    assert none_at_all.status_code == 404
    assert none_at_all.json()["code"] == "figure_unavailable" and none_at_all.json()["available_years"] == []


async def test_statistics_input_errors(client: httpx.AsyncClient) -> None:
    unknown = await client.get(f"{API}/statistics", params={"indicator": "gdp"})
    assert unknown.status_code == 422 and unknown.json()["code"] == "invalid_input"
    regency = await client.get(f"{API}/statistics", params={"indicator": "hdi", "region": "Kota Bandung"})
    assert regency.status_code == 422 and "Jawa Barat" in regency.json()["detail"]
    nowhere = await client.get(f"{API}/statistics", params={"indicator": "hdi", "region": "Atlantis"})
    assert nowhere.status_code == 422 and "provinsi" in nowhere.json()["detail"]


async def test_dataset_search_ranks_the_best_match_first(client: httpx.AsyncClient) -> None:
    response = await client.get(f"{API}/datasets", params={"q": "penduduk miskin", "limit": 3})
    assert response.status_code == 200
    body = response.json()
    assert len(body["items"]) == 3 and body["total"] >= 3
    top = body["items"][0]
    assert top["title"] == "Persentase Penduduk Miskin Menurut Provinsi dan Daerah"
    assert top["organization"] == "Badan Pusat Statistik" and "CSV" in top["formats"]
    assert top["url"].startswith("https://data.go.id/dataset/")
    gempa = (await client.get(f"{API}/datasets", params={"q": "gempa"})).json()
    assert gempa["items"][0]["title"] == "Data Gempa Bumi Terkini"
    nothing = (await client.get(f"{API}/datasets", params={"q": "xyzzy"})).json()
    assert nothing == {"total": 0, "items": []}
    everything = (await client.get(f"{API}/datasets")).json()
    assert everything["total"] == len(datasets()) >= 50 and len(everything["items"]) == 5
    too_many = await client.get(f"{API}/datasets", params={"limit": 0})
    assert too_many.status_code == 422


async def test_satudata_timeout(gateway: GatewayFactory) -> None:
    async with gateway(simulated_faults="satudata=timeout", ministry_timeout_seconds=0.3) as (_, client):
        response = await client.get(f"{API}/statistics", params={"indicator": "hdi"})
        assert response.status_code == 504 and response.json()["code"] == "ministry_timeout"
