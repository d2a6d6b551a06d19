"""Simulated Satu Data Indonesia: BPS statistics and the data.go.id catalogue.

The figures are real: `knowledge/statistics/bps.csv` (the fact registry's statistics) holds
published BPS figures, each row with the BPS release it comes from, where the value was read
and whether it is confirmed. A figure that was not found is simply absent; nothing is
interpolated. The catalogue (`data/satudata_datasets.csv`) is a simulated sample shaped like
data.go.id entries: every entry is marked `contoh` (an example, not a real data set).

Two API shapes, as the real services have them:
- BPS-like `GET /v1/data/{indicator}/{domain}` → `{"status": "OK", "data-availability":
  "available" | "list-not-available", "data": [{"tahun", "periode", "nilai", "publikasi",
  "tautan", "terverifikasi", ...}]}`
  (`domain` is the two-digit province code, `0000` for Indonesia).
- CKAN-like `GET /api/3/action/package_search?q=&rows=` → `{"success": true,
  "result": {"count", "results": [{"title", "organization": {"title"}, "url",
  "resources": [{"format"}], "metadata_modified", "contoh"}]}}`.
"""

from __future__ import annotations

import csv
import math
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Query
from fastapi.responses import JSONResponse

from knowledge.statistics import INDICATORS, Figure, figures_for
from simulators.base import SimulatorContext, create_simulator

DATA_DIR = Path(__file__).parent / "data"
NATIONAL_DOMAIN = "0000"
MONTHS = (
    "Januari", "Februari", "Maret", "April", "Mei", "Juni",
    "Juli", "Agustus", "September", "Oktober", "November", "Desember",
)  # fmt: skip


@dataclass(frozen=True)
class Dataset:
    title: str
    organization: str
    url: str
    formats: tuple[str, ...]
    updated: str
    keywords: str
    example: bool  # a simulated entry, not a real data.go.id data set


@cache
def datasets() -> tuple[Dataset, ...]:
    with (DATA_DIR / "satudata_datasets.csv").open(encoding="utf-8", newline="") as handle:
        return tuple(
            Dataset(
                title=row["title"],
                organization=row["organization"],
                url=row["url"],
                formats=tuple(row["formats"].split("|")),
                updated=row["updated"],
                keywords=row["keywords"],
                example=row["example"] == "ya",
            )
            for row in csv.DictReader(handle)
        )


_WORD = re.compile(r"[a-z0-9]+")
# Words that carry no meaning in a search ("data jumlah penduduk di jawa barat").
_STOPWORDS = frozenset(
    [
        "data",
        "dan",
        "di",
        "ke",
        "dari",
        "yang",
        "untuk",
        "per",
        "menurut",
        "tentang",
        "tahun",
        "the",
        "of",
        "and",
        "in",
        "on",
        "tabel",
        "dataset",
        "berapa",
        "ada",
        "mau",
        "cari",
        "carikan",
        "minta",
        "tolong",
        "saya",
    ]
)


def _words(text: str) -> list[str]:
    return [word for word in _WORD.findall(text.lower()) if word not in _STOPWORDS]


def _fields(dataset: Dataset) -> tuple[tuple[list[str], float], ...]:
    return (
        (_words(dataset.title), 3.0),
        (_words(dataset.keywords), 2.0),
        (_words(dataset.organization), 1.0),
    )


def _matches(word: str, candidates: list[str]) -> float:
    """1 when the word is there, 0.5 when it only starts or sits in a longer word ("miskin" in
    "kemiskinan"), else 0."""
    if word in candidates:
        return 1.0
    return 0.5 if len(word) >= 4 and any(word in candidate for candidate in candidates) else 0.0


@cache
def _document_frequency(word: str) -> int:
    return sum(1 for dataset in datasets() if any(_matches(word, f) for f, _ in _fields(dataset)))


def _score(dataset: Dataset, words: list[str]) -> float:
    """For each query word, its best field (title 3, keywords 2, organisation 1) times how
    rare the word is in the catalogue (idf), so "kemiskinan provinsi" ranks poverty data sets
    above every other provincial table."""
    total = len(datasets())
    score = 0.0
    for word in words:
        best = max(weight * _matches(word, field_words) for field_words, weight in _fields(dataset))
        if best:
            score += best * math.log(1 + total / _document_frequency(word))
    return score


def search_datasets(query: str) -> list[Dataset]:
    """Datasets matching `query`, best first; ties go to the most recently updated. An empty
    query lists everything, newest first."""
    words = _words(query)
    if not words:
        return sorted(datasets(), key=lambda d: d.updated, reverse=True)
    scored = [(score, dataset) for dataset in datasets() if (score := _score(dataset, words)) > 0]
    scored.sort(key=lambda pair: (pair[0], pair[1].updated), reverse=True)
    return [dataset for _, dataset in scored]


def publication(figure: Figure) -> str:
    """The release's title and date: "Profil Kemiskinan ... (rilis 5 Agustus 2026)"."""
    released = figure.release_date
    if released is None:
        return figure.release_title
    return f"{figure.release_title} (rilis {released.day} {MONTHS[released.month - 1]} {released.year})"


def _figure_json(figure: Figure) -> dict[str, Any]:
    return {
        "tahun": figure.year,
        "periode": figure.period or None,
        "nilai": figure.value,
        "satuan": figure.unit,
        "wilayah": figure.region_name,
        "sumber": "Badan Pusat Statistik (BPS)",
        "publikasi": publication(figure),
        "tautan": figure.url,
        "terverifikasi": figure.confirmed,
    }


def build(context: SimulatorContext) -> FastAPI:
    app = create_simulator("satudata", "Satu Data Indonesia", context, error_body=_error)

    @app.get("/v1/data/{indicator}/{domain}")
    async def statistic(indicator: str, domain: str) -> JSONResponse:
        if indicator not in INDICATORS:
            return JSONResponse(_error(400, "Unknown indicator"), status_code=400)
        region_code = "00" if domain == NATIONAL_DOMAIN else domain
        rows = figures_for(indicator, region_code)
        return JSONResponse(
            {
                "status": "OK",
                "data-availability": "available" if rows else "list-not-available",
                "data": [_figure_json(figure) for figure in rows],
            }
        )

    @app.get("/api/3/action/package_search")
    async def package_search(q: str = "", rows: int = Query(default=10, ge=1, le=100)) -> JSONResponse:
        found = search_datasets(q)
        return JSONResponse(
            {
                "success": True,
                "result": {
                    "count": len(found),
                    "results": [
                        {
                            "title": dataset.title,
                            "organization": {"title": dataset.organization},
                            "url": dataset.url,
                            "resources": [{"format": fmt.upper()} for fmt in dataset.formats],
                            "metadata_modified": f"{dataset.updated}T00:00:00",
                            "contoh": dataset.example,
                        }
                        for dataset in found[:rows]
                    ],
                },
            }
        )

    return app


def _error(status: int, message: str) -> dict[str, Any]:
    return {"status": "Error", "code": status, "message": message}
