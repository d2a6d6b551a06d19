"""BPS statistics shipped with the assistant (issue 17): every row of `bps.csv` names the BPS
release it comes from (title, date, address where known), where the value was read, and a
confidence. `confirmed`: the value is in a BPS address itself (BPS writes the headline into
the release's address) or two independent reports of the release agree; `unverified`: one
report only, so the assistant says so and points to bps.go.id. Rows that could not be traced
at all are left out (see README.md for the coverage).

Standard library only: the simulators and the gateway's tests import it.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from functools import cache
from pathlib import Path

CSV_PATH = Path(__file__).parent / "bps.csv"
INDICATORS = ("population", "poverty_rate", "unemployment_rate", "hdi")
UNITS = {
    "population": "ribu jiwa",
    "poverty_rate": "persen",
    "unemployment_rate": "persen",
    "hdi": "indeks (0-100)",
}
# Order of the survey rounds within a year: the later one is the year's latest figure.
PERIOD_ORDER = {"": 0, "Februari": 1, "Maret": 2, "Mei": 3, "Agustus": 4, "September": 5, "November": 6}
SOURCE_KINDS = frozenset({"official", "mirror", "secondary"})
CONFIDENCE = frozenset({"confirmed", "unverified"})
NATIONAL_CODE = "00"


class StatisticsError(ValueError):
    """bps.csv breaks its schema."""


@dataclass(frozen=True)
class Figure:
    indicator: str
    region_code: str  # "32"; "00" for Indonesia
    region_name: str
    year: int
    period: str  # "" for a yearly figure, else the survey round ("Maret", "Agustus", ...)
    value: float
    unit: str
    release_title: str
    release_date: dt.date | None
    release_url: str  # the BPS release or table, "" where its address was not found
    source_url: str  # where the value was read
    source_kind: str
    confidence: str
    checked: dt.date
    note: str

    @property
    def confirmed(self) -> bool:
        return self.confidence == "confirmed"

    @property
    def url(self) -> str:
        """The BPS address when known, else where the value was read."""
        return self.release_url or self.source_url


def _date(text: str, row: int, column: str) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise StatisticsError(f"bps.csv row {row}: {column} must be YYYY-MM-DD, not {text!r}") from None


def _figure(row: dict[str, str], number: int) -> Figure:
    def fail(problem: str) -> StatisticsError:
        return StatisticsError(f"bps.csv row {number}: {problem}")

    indicator = row["indicator"]
    if indicator not in INDICATORS:
        raise fail(f"unknown indicator {indicator!r}")
    if row["unit"] != UNITS[indicator]:
        raise fail(f"unit of {indicator} must be {UNITS[indicator]!r}")
    if row["period"] not in PERIOD_ORDER:
        raise fail(f"unknown period {row['period']!r}")
    if row["source_kind"] not in SOURCE_KINDS or row["confidence"] not in CONFIDENCE:
        raise fail("source_kind or confidence is not one of the allowed values")
    for column in ("release_url", "source_url"):
        if row[column] and not row[column].startswith(("https://", "http://")):
            raise fail(f"{column} must be an address")
    if not row["source_url"] or not row["release_title"]:
        raise fail("every figure needs its release title and the address it was read from")
    if row["source_kind"] == "official" and "bps.go.id" not in row["source_url"]:
        raise fail("an official source is a bps.go.id address")
    checked = _date(row["checked"], number, "checked")
    if checked is None:
        raise fail("checked is required")
    try:
        value, year = float(row["value"]), int(row["year"])
    except ValueError:
        raise fail("value and year must be numbers") from None
    return Figure(
        indicator=indicator,
        region_code=row["region_code"],
        region_name=row["region_name"],
        year=year,
        period=row["period"],
        value=value,
        unit=row["unit"],
        release_title=row["release_title"],
        release_date=_date(row["release_date"], number, "release_date"),
        release_url=row["release_url"],
        source_url=row["source_url"],
        source_kind=row["source_kind"],
        confidence=row["confidence"],
        checked=checked,
        note=row["note"],
    )


@cache
def figures() -> tuple[Figure, ...]:
    """Every shipped figure, validated; StatisticsError names the first bad row."""
    with CSV_PATH.open(encoding="utf-8", newline="") as handle:
        rows = tuple(_figure(row, number) for number, row in enumerate(csv.DictReader(handle), start=2))
    seen: set[tuple[str, str, int, str]] = set()
    for figure in rows:
        key = (figure.indicator, figure.region_code, figure.year, figure.period)
        if key in seen:
            raise StatisticsError(f"bps.csv: {key} appears twice")
        seen.add(key)
    return rows


def figures_for(indicator: str, region_code: str) -> list[Figure]:
    """All shipped figures of an indicator for a region ("00": Indonesia), oldest first."""
    found = [f for f in figures() if f.indicator == indicator and f.region_code == region_code]
    return sorted(found, key=lambda f: (f.year, PERIOD_ORDER[f.period]))
