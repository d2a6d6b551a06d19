"""Adapter of Satu Data Indonesia: BPS statistics and the data.go.id catalogue."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from api.ministries.base import InvalidInput, MinistryAdapter, MinistryUnavailable, ServiceError

# BPS's domain code of national figures (a province is its two-digit code).
NATIONAL_DOMAIN = "0000"


@dataclass(frozen=True)
class Figure:
    year: int
    period: str | None
    value: float
    unit: str
    source: str
    publication: str
    url: str | None = None  # the BPS release, or where the figure was read
    verified: bool = True  # False: one secondary report only (the assistant says so)


@dataclass(frozen=True)
class Dataset:
    title: str
    organization: str
    url: str
    formats: list[str]
    updated: str
    example: bool = False  # marked by the catalogue as an example, not a real data set


class SatuDataAdapter(MinistryAdapter):
    key = "satudata"
    name = "Satu Data Indonesia"

    async def figures(self, indicator: str, province_code: str | None) -> list[Figure]:
        """Every published figure of `indicator` for a province (None: Indonesia), oldest first."""
        domain = province_code or NATIONAL_DOMAIN
        body = await self._request("GET", f"/v1/data/{indicator}/{domain}")
        try:
            if body["data-availability"] != "available":
                return []
            return [
                Figure(
                    int(row["tahun"]),
                    row.get("periode"),
                    float(row["nilai"]),
                    str(row["satuan"]),
                    str(row["sumber"]),
                    str(row["publikasi"]),
                    str(row["tautan"]) if row.get("tautan") else None,
                    bool(row.get("terverifikasi", True)),
                )  # fmt: skip
                for row in body["data"]
            ]
        except (KeyError, TypeError, ValueError):
            raise MinistryUnavailable(self.name) from None

    async def search_datasets(self, query: str, limit: int) -> tuple[int, list[Dataset]]:
        body = await self._request("GET", "/api/3/action/package_search", params={"q": query, "rows": limit})
        try:
            result = body["result"]
            items = [
                Dataset(
                    title=str(item["title"]),
                    organization=str(item["organization"]["title"]),
                    url=str(item["url"]),
                    formats=[str(resource["format"]) for resource in item["resources"]],
                    updated=str(item["metadata_modified"])[:10],
                    example=bool(item.get("contoh", False)),
                )
                for item in result["results"]
            ]
            return int(result["count"]), items
        except (KeyError, TypeError, ValueError):
            raise MinistryUnavailable(self.name) from None

    def _error_for(self, status_code: int, body: Any) -> ServiceError:
        if status_code == 400:
            return InvalidInput("Indikator tidak dikenal.")
        return super()._error_for(status_code, body)
