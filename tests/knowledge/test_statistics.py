"""knowledge/statistics: every shipped BPS figure is checked when loaded (issue 17)."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import pytest

import knowledge.statistics as statistics
from knowledge.statistics import StatisticsError, figures, figures_for


@pytest.fixture()
def csv_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    path = tmp_path / "bps.csv"
    monkeypatch.setattr(statistics, "CSV_PATH", path)
    figures.cache_clear()
    yield path
    figures.cache_clear()


ROW = {
    "indicator": "poverty_rate",
    "region_code": "00",
    "region_name": "Indonesia",
    "year": "2026",
    "period": "Maret",
    "value": "8.07",
    "unit": "persen",
    "release_title": "Persentase Penduduk Miskin Maret 2026",
    "release_date": "2026-08-05",
    "release_url": "https://www.bps.go.id/id/pressrelease/2026/08/05/2594/x.html",
    "source_url": "https://www.bps.go.id/id/pressrelease/2026/08/05/2594/x.html",
    "source_kind": "official",
    "confidence": "confirmed",
    "checked": "2026-12-07",
    "note": "",
}


def write(path: Path, *rows: dict[str, str]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, list(ROW))
        writer.writeheader()
        writer.writerows(rows)


def test_the_shipped_file_loads_and_is_ordered_by_round() -> None:
    rows = figures()
    assert rows and all(row.checked and row.release_title and row.url for row in rows)
    national = figures_for("poverty_rate", "00")
    assert [(f.year, f.period) for f in national][-3:] == [
        (2025, "Maret"),
        (2025, "September"),
        (2026, "Maret"),
    ]


def test_a_good_row_loads(csv_file: Path) -> None:
    write(csv_file, ROW)
    (figure,) = figures()
    assert (figure.value, figure.confirmed, figure.url) == (8.07, True, ROW["release_url"])


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"indicator": "gdp"}, "unknown indicator"),
        ({"unit": "ribu jiwa"}, "unit of poverty_rate"),
        ({"period": "Juni"}, "unknown period"),
        ({"confidence": "likely"}, "not one of the allowed values"),
        ({"source_url": ""}, "release title and the address"),
        (
            {"source_url": "https://example.com/x", "release_url": ""},
            "official source is a bps.go.id address",
        ),
        ({"checked": ""}, "checked is required"),
        ({"release_date": "5 Agustus 2026"}, "YYYY-MM-DD"),
        ({"value": "8,07"}, "must be numbers"),
    ],
)
def test_a_bad_row_fails_loudly(csv_file: Path, change: dict[str, str], problem: str) -> None:
    write(csv_file, ROW | change)
    with pytest.raises(StatisticsError, match=problem):
        figures()


def test_a_figure_appears_once(csv_file: Path) -> None:
    write(csv_file, ROW, ROW | {"value": "8.1"})
    with pytest.raises(StatisticsError, match="appears twice"):
        figures()


# --- Coverage of the 38 provinces, and the answer where a province has no figure ---------------

README = Path(statistics.__file__).parent / "README.md"
NEW_PROVINCES = {"93": "Papua Selatan", "94": "Papua Tengah", "95": "Papua Pegunungan"}


def _gaps_in_readme() -> dict[str, set[str]]:
    """The README's coverage section: indicator label -> provinces it says have no figure."""
    gaps: dict[str, set[str]] = {}
    label = ""
    for line in README.read_text(encoding="utf-8").splitlines():
        if line.startswith("* **"):
            label = line.split("**")[1]
        elif line.strip().startswith("No figure at all for:"):
            names = line.split(":", 1)[1].strip().rstrip(".")
            gaps[label] = {name.strip() for name in names.split(",")}
    return gaps


def test_the_readme_names_every_province_without_a_figure() -> None:
    """Every province of bps.csv has each indicator, or the README says it has none."""
    labels = {
        "population": "Population",
        "poverty_rate": "Poverty rate (P0)",
        "unemployment_rate": "Open unemployment (TPT)",
        "hdi": "IPM",
    }
    provinces = {f.region_code: f.region_name for f in figures() if f.region_code != "00"}
    assert len(provinces) == 38
    documented = _gaps_in_readme()
    for indicator, label in labels.items():
        missing = {name for code, name in provinces.items() if not figures_for(indicator, code)}
        assert missing == documented.get(label, set()), label


def test_new_provinces_start_at_their_first_release() -> None:
    """IPM of the provinces formed in 2022 starts in 2023 and says so; nothing is carried back."""
    for code in NEW_PROVINCES:
        rows = figures_for("hdi", code)
        assert rows and min(f.year for f in rows) >= 2023
    papua_tengah = figures_for("hdi", "94")
    assert [f.year for f in papua_tengah] == [2023, 2024, 2025]
    assert "from 2023 on" in papua_tengah[0].note


class _ShippedFigures:
    """The Satu Data adapter's interface, answered from the shipped bps.csv."""

    async def figures(self, indicator: str, province_code: str | None) -> list[statistics.Figure]:
        return figures_for(indicator, province_code or "00")


async def test_a_year_before_the_first_release_is_answered_with_the_years_there_are() -> None:
    from api.ministries.base import NotFound
    from api.service_api.satudata import Indicator
    from api.service_api.satudata import statistics as answer

    with pytest.raises(NotFound) as raised:
        await answer(_ShippedFigures(), Indicator.HDI, "Papua Tengah", 2022)  # type: ignore[arg-type]
    assert raised.value.error_code == "figure_unavailable"
    assert raised.value.extra == {"available_years": [2023, 2024, 2025]}
    assert raised.value.detail == (
        "Belum ada angka Indeks Pembangunan Manusia (IPM) yang dipublikasikan untuk Provinsi "
        "Papua Tengah tahun 2022. Tahun yang tersedia: 2023, 2024, 2025."
    )
    # No figure at all: said plainly, with no years to offer.
    with pytest.raises(NotFound) as none:
        await answer(_ShippedFigures(), Indicator.POPULATION, "Papua Tengah", None)  # type: ignore[arg-type]
    assert none.value.extra == {"available_years": []} and "Tahun yang tersedia" not in none.value.detail
