"""The LAPOR! category a complaint's own words name ("dimintai uang di kantor desa": pungli), so
that a complaint that clearly names its subject is not asked the category question.

`infer_category` scores each category offered by LAPOR! by the subject words of `SUBJECTS` found in
the text; bribery and illegal fees decide alone (the place they happened in is not the subject);
otherwise one category must lead, or nothing is inferred and the citizen chooses.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from actions.answers import payload

# Category key (GET /complaints/categories) → words that name the subject, as regex alternatives.
SUBJECTS: dict[str, str] = {
    "pungli": r"pungli|pungutan|dimintai uang|minta(?:in)? uang|minta duit|uang pelicin|pelicin|suap|sogok|"
    r"(?:di)?minta(?:i|in)? (?:bayar|duit)|(?:di)?suruh bayar|(?:padahal|katanya|harusnya) gratis|"
    r"tanpa kuitansi|"
    r"korupsi|calo|minta damai|nyelewengin|menyelewengkan|gratifikasi|motong uang|dipotong|bribe|illegal fee",
    "infrastruktur": r"jalan rusak|jalan berlubang|berlubang|jalan(?:nya)? (?:rusak|longsor)|jembatan|"
    r"lampu jalan|penerangan jalan|drainase|got|gorong|trotoar|longsor|tanggul|dalan rusak|pothole",
    "kesehatan": r"puskesmas|rumah sakit|rsud|\brs\b|dokter|bidan|klinik|posyandu|ambulans|pasien|perawat",
    "pendidikan": r"sekolah|guru|ijazah|rapor|ppdb|spmb|spp|murid|siswa|kampus|seragam",
    "kependudukan": r"ktp|\bkk\b|kartu keluarga|akta|akte|dukcapil|capil|surat pindah|kia\b|blanko",
    "bantuan_sosial": r"bansos|\bpkh\b|bpnt|\bblt\b|bantuan beras|bantuan sosial|sembako",
    "lingkungan": r"sampah|limbah|tercemar|pencemaran|bakar sampah|polusi|bau busuk|sungai kotor",
    "ketertiban_umum": r"parkir liar|pedagang kaki lima|\bpkl\b|satpol|preman|bising|balap liar",
    "transportasi": r"angkot|lampu merah|lampu lalu lintas|traffic light|terminal|dishub|\bodol\b|"
    r"bus\b|halte",
    "kepolisian": r"polisi|polres|polsek|tilang|satpas",
}
DECIDING = "pungli"  # a bribe at the village office is about the bribe
_KEY_WORDS = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class Category:
    key: str
    label: str

    def button(self) -> dict[str, str]:
        return {"title": self.label, "payload": payload("inform", complaint_category=self.key)}


def _key_words(text: str) -> list[str]:
    return _KEY_WORDS.findall(text.lower())


def exact_category(text: str, categories: list[Category]) -> Category | None:
    """The category whose key or label `text` is, as typed."""
    wanted = " ".join(_key_words(text))
    for category in categories:
        if wanted in (" ".join(_key_words(category.key)), " ".join(_key_words(category.label))):
            return category
    return None


def match_category(text: str, categories: list[Category]) -> Category | None:
    """The category the citizen means: its key or label as typed, else the only category
    sharing the most words (of three letters or more) with `text`."""
    exact = exact_category(text, categories)
    if exact is not None:
        return exact
    words = {word for word in _key_words(text) if len(word) >= 3}
    scores = [
        (len(words & {w for w in _key_words(f"{c.key} {c.label}") if len(w) >= 3}), c) for c in categories
    ]
    best = max((score for score, _ in scores), default=0)
    matches = [category for score, category in scores if score == best]
    return matches[0] if best > 0 and len(matches) == 1 else None


def infer_category(text: str, offered: Iterable[str]) -> str | None:
    """The key of the one category (among `offered`) that `text` names, or None."""
    lowered = " ".join(text.lower().split())
    keys = [key for key in offered if key in SUBJECTS]
    scores = {key: len(re.findall(rf"\b(?:{SUBJECTS[key]})", lowered)) for key in keys}
    if scores.get(DECIDING):
        return DECIDING
    ranked = sorted(scores.items(), key=lambda item: item[1], reverse=True)
    if not ranked or ranked[0][1] == 0 or (len(ranked) > 1 and ranked[1][1] == ranked[0][1]):
        return None
    return ranked[0][0]
