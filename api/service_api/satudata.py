"""Satu Data Indonesia: official BPS figures by province and year, and the data.go.id
catalogue. Only published figures are answered; a missing one is `404 figure_unavailable`
with the years that are available, never an estimate."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel

from api import regions
from api.ministries.base import InvalidInput, NotFound
from api.ministries.registry import adapter
from api.ministries.satudata import Figure, SatuDataAdapter

router = APIRouter(tags=["satu-data"])
SatuData = Annotated[SatuDataAdapter, Depends(adapter(SatuDataAdapter))]

NATIONAL = ("indonesia", "nasional", "00", "0000")
NATIONAL_CODE = "00"


class Indicator(StrEnum):
    POPULATION = "population"
    POVERTY_RATE = "poverty_rate"
    UNEMPLOYMENT_RATE = "unemployment_rate"
    HDI = "hdi"


LABELS = {
    Indicator.POPULATION: "Jumlah penduduk (proyeksi pertengahan tahun)",
    Indicator.POVERTY_RATE: "Persentase penduduk miskin (P0)",
    Indicator.UNEMPLOYMENT_RATE: "Tingkat pengangguran terbuka (TPT)",
    Indicator.HDI: "Indeks Pembangunan Manusia (IPM)",
}


class RegionOut(BaseModel):
    code: str
    name: str


class StatisticOut(BaseModel):
    indicator: Indicator
    label: str
    region: RegionOut
    year: int
    period: str | None
    value: float
    unit: str
    source: str
    published: str
    url: str | None = None
    verified: bool = True


class DatasetOut(BaseModel):
    title: str
    organization: str
    url: str
    formats: list[str]
    updated: str
    example: bool = False


class DatasetsOut(BaseModel):
    total: int
    items: list[DatasetOut]


def _province(region: str) -> tuple[str | None, str]:
    """(province code or None for Indonesia, display name) for a typed name or code."""
    text = region.strip()
    if text.lower() in NATIONAL:
        return None, "Indonesia"
    found = regions.resolve(text)
    if found is None:
        raise InvalidInput("Nama provinsi tidak dikenal. Contoh: Jawa Barat, DKI Jakarta, atau indonesia.")
    if found.level is not regions.Level.PROVINCE:
        province = regions.path(found.code)[regions.Level.PROVINCE]
        raise InvalidInput(
            f"Angka Satu Data tersedia per provinsi. {found.name} berada di Provinsi {province.name}; "
            "silakan tanyakan untuk provinsi tersebut."
        )
    return found.code, found.name


def _latest_of_year(figures: list[Figure], year: int | None) -> Figure | None:
    """The figure of `year` (its latest period, e.g. September over March), or the latest
    figure of all when no year is asked."""
    candidates = figures if year is None else [figure for figure in figures if figure.year == year]
    return candidates[-1] if candidates else None


@router.get("/statistics")
async def statistics(
    satudata: SatuData,
    indicator: Annotated[Indicator, Query(description="population | poverty_rate | unemployment_rate | hdi")],
    region: Annotated[
        str, Query(min_length=1, max_length=100, description="Nama/kode provinsi, atau `indonesia`")
    ] = "indonesia",
    year: Annotated[int | None, Query(ge=1900, le=2100, description="Tahun; kosong = terbaru")] = None,
) -> StatisticOut:
    """One official figure: the indicator for a province (or Indonesia) in a year."""
    code, name = _province(region)
    figures = await satudata.figures(indicator.value, code)
    figure = _latest_of_year(figures, year)
    if figure is None:
        years = sorted({f.year for f in figures})
        where = "Indonesia" if code is None else f"Provinsi {name}"
        asked = f" tahun {year}" if year is not None else ""
        available = f" Tahun yang tersedia: {', '.join(map(str, years))}." if years else ""
        raise NotFound(
            f"Belum ada angka {LABELS[indicator]} yang dipublikasikan untuk {where}{asked}.{available}",
            code="figure_unavailable",
            extra={"available_years": years},
        )
    return StatisticOut(
        indicator=indicator,
        label=LABELS[indicator],
        region=RegionOut(code=code or NATIONAL_CODE, name=name),
        year=figure.year,
        period=figure.period,
        value=figure.value,
        unit=figure.unit,
        source=figure.source,
        published=figure.publication,
        url=figure.url,
        verified=figure.verified,
    )


@router.get("/datasets")
async def datasets(
    satudata: SatuData,
    q: Annotated[str, Query(max_length=200, description="Kata kunci")] = "",
    limit: Annotated[int, Query(ge=1, le=20)] = 5,
) -> DatasetsOut:
    """Data sets of the data.go.id catalogue matching the words, best first."""
    total, items = await satudata.search_datasets(q.strip(), limit)
    return DatasetsOut(total=total, items=[DatasetOut(**item.__dict__) for item in items])
