"""Satu Data Indonesia: published BPS figures only (figure_unavailable otherwise), and the
data-set catalogue search."""

from __future__ import annotations

from collections import Counter

import httpx

from api import regions
from knowledge.statistics import PERIOD_ORDER, UNITS, Figure, figures
from simulators.satudata import datasets
from tests.api.support import GatewayFactory

API = "/api/v1"


def test_every_figure_names_its_bps_release_and_where_it_was_read() -> None:
    rows = figures()
    assert len(rows) >= 200
    keys = Counter((row.indicator, row.region_code, row.year, row.period) for row in rows)
    assert max(keys.values()) == 1, "a figure appears twice"
    for row in rows:
        assert row.unit == UNITS[row.indicator]
        assert row.release_title and row.source_url.startswith(("https://", "http://"))
        assert row.period in PERIOD_ORDER
        assert 2022 <= row.year <= 2026
        if row.confirmed and row.source_kind == "secondary":
            assert "agree" in row.note, "a confirmed secondary figure names its second report"
        if row.region_code == "00":
            assert row.region_name == "Indonesia"
        else:
            region = regions.get(row.region_code)
            assert region is not None and region.level is regions.Level.PROVINCE
        if row.indicator == "population":
            assert 500 < row.value < 300_000
        else:
            assert 0 < row.value < 100


def test_the_secondary_ipm_2024_list_is_gone() -> None:
    """Issue 17: the province IPM 2024 rows came from a non-BPS list (DKI 83,08, DIY 81,55,
    Kepri 77,97); none of its rows is shipped."""
    assert not [row for row in figures() if "mu4.co.id" in row.source_url]
    ipm_2024 = {
        row.region_code: row.value for row in figures() if row.indicator == "hdi" and row.year == 2024
    }
    assert ipm_2024.get("31") == 84.15 and ipm_2024.get("21") == 79.89
    assert "34" not in ipm_2024


def test_indonesia_has_the_newest_rounds() -> None:
    national = {(r.indicator, r.year, r.period): r for r in figures() if r.region_code == "00"}
    for key in (
        ("poverty_rate", 2025, "Maret"),
        ("poverty_rate", 2025, "September"),
        ("poverty_rate", 2026, "Maret"),
        ("unemployment_rate", 2025, "Agustus"),
        ("unemployment_rate", 2026, "Februari"),
        ("hdi", 2025, ""),
        ("population", 2025, ""),
    ):
        assert key in national, key
    for indicator in UNITS:
        for year in (2022, 2023, 2024):
            assert any(k[:2] == (indicator, year) for k in national), (indicator, year)
    assert national[("poverty_rate", 2026, "Maret")].release_url.startswith("https://www.bps.go.id/")


async def test_a_province_figure(client: httpx.AsyncClient) -> None:
    response = await client.get(
        f"{API}/statistics", params={"indicator": "population", "region": "Jawa Barat"}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["region"] == {"code": "32", "name": "Jawa Barat"}
    assert (body["year"], body["value"], body["unit"]) == (2024, 50345.2, "ribu jiwa")
    assert body["source"] == "Badan Pusat Statistik (BPS)" and "2024" in body["published"]
    assert body["url"].startswith("https://www.bps.go.id/") and body["verified"] is True
    by_code = await client.get(
        f"{API}/statistics", params={"indicator": "population", "region": "32", "year": 2024}
    )
    assert by_code.json()["value"] == 50345.2


async def test_the_latest_period_of_a_year(client: httpx.AsyncClient) -> None:
    latest = (await client.get(f"{API}/statistics", params={"indicator": "poverty_rate"})).json()
    assert (latest["region"]["name"], latest["year"], latest["period"], latest["value"]) == (
        "Indonesia", 2026, "Maret", 8.07
    )  # fmt: skip
    assert latest["published"].endswith("(rilis 5 Agustus 2026)") and latest["verified"] is True
    september = (
        await client.get(f"{API}/statistics", params={"indicator": "poverty_rate", "year": 2025})
    ).json()
    assert (september["period"], september["value"]) == ("September", 8.25)
    tpt = (
        await client.get(f"{API}/statistics", params={"indicator": "unemployment_rate", "year": 2026})
    ).json()
    assert (tpt["period"], tpt["value"]) == ("Mei", 4.65)
    hdi = (await client.get(f"{API}/statistics", params={"indicator": "hdi", "region": "indonesia"})).json()
    assert (hdi["year"], hdi["value"], hdi["label"]) == (2025, 75.9, "Indeks Pembangunan Manusia (IPM)")


def newest(indicator: str, region_code: str) -> Figure:
    """The figure the service answers without a year: the newest round of that region."""
    rows = [f for f in figures() if f.indicator == indicator and f.region_code == region_code]
    return max(rows, key=lambda f: (f.year, PERIOD_ORDER[f.period]))


async def test_a_figure_from_one_report_is_not_verified(client: httpx.AsyncClient) -> None:
    # A province whose newest IPM rests on one report (knowledge/statistics/bps.csv).
    provinces = {
        f.region_code: f.region_name for f in figures() if f.indicator == "hdi" and f.region_code != "00"
    }
    unverified = [code for code in provinces if not newest("hdi", code).confirmed]
    assert unverified, "bps.csv has no province whose newest IPM is unverified: pick another check"
    figure = newest("hdi", unverified[0])
    body = (
        await client.get(f"{API}/statistics", params={"indicator": "hdi", "region": provinces[unverified[0]]})
    ).json()
    assert (body["year"], body["value"], body["verified"]) == (figure.year, figure.value, False)
    assert body["url"].startswith("https://")


async def test_figure_unavailable_lists_the_years_there_are(client: httpx.AsyncClient) -> None:
    years = sorted({f.year for f in figures() if f.indicator == "hdi" and f.region_code == "31"})
    missing = min(years) - 1
    response = await client.get(
        f"{API}/statistics", params={"indicator": "hdi", "region": "DKI Jakarta", "year": missing}
    )
    assert response.status_code == 404
    body = response.json()
    assert body["code"] == "figure_unavailable" and body["available_years"] == years
    assert str(years[-1]) in body["detail"]
    # A province with no figure at all for an indicator (bps.csv's README lists them).
    named = {f.region_code: f.region_name for f in figures() if f.region_code != "00"}
    absent = [
        (indicator, name)
        for indicator in ("population", "unemployment_rate", "hdi")
        for code, name in named.items()
        if not any(f.indicator == indicator and f.region_code == code for f in figures())
    ]
    assert absent, "every province has every indicator: check the no-figure answer another way"
    indicator, region = absent[0]
    none_at_all = await client.get(f"{API}/statistics", params={"indicator": indicator, "region": region})
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
    assert top["example"] is True  # the simulated catalogue marks every entry as an example
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
