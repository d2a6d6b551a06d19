"""Browsing and searching Indonesia's administrative regions (Kemendagri codes)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from api import regions
from api.ministries.base import InvalidInput, NotFound

router = APIRouter(prefix="/regions", tags=["regions"])


class RegionOut(BaseModel):
    code: str
    name: str
    level: regions.Level


class RegionList(BaseModel):
    items: list[RegionOut]


def _out(found: list[regions.Region]) -> RegionList:
    return RegionList(items=[RegionOut(code=r.code, name=r.name, level=r.level) for r in found])


@router.get("")
async def list_regions(parent: Annotated[str | None, Query(max_length=20)] = None) -> RegionList:
    """The 38 provinces, or the direct children of `parent` (a region code)."""
    if parent is None:
        return _out(regions.children())
    region = regions.get(parent)
    if region is None:
        if not regions.is_code(parent):
            raise InvalidInput("Kode wilayah tidak valid. Contoh: 32, 32.73, 32.73.01.")
        raise NotFound("Kode wilayah tidak ditemukan.")
    return _out(regions.children(region.code))


@router.get("/search")
async def search_regions(
    q: Annotated[str, Query(min_length=2, max_length=100)],
    level: regions.Level | None = None,
    parent: Annotated[str | None, Query(max_length=20)] = None,
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
) -> RegionList:
    """Regions by typed name ("kab bandung", "Kota Depok", "jabar"), best match first."""
    if parent is not None and regions.get(parent) is None:
        raise InvalidInput("Kode wilayah induk tidak valid.")
    return _out(regions.search(q, level=level, parent=parent, limit=limit))
