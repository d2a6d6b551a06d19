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
