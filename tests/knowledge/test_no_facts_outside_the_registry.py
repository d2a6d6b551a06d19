"""No Rupiah amount, percentage or regulation number outside the fact registry (issue 17).

domain/, actions/ and simulators/ take every fee, rate and legal basis from knowledge/facts/
(`{fact.<id>}` / `{basis.<id>}` in responses, `knowledge.facts.get(...)` in code), so the bot
and the simulated ministries can never disagree with the registry or with each other.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
SCANNED = ("domain", "actions", "simulators")

RUPIAH = re.compile(r"Rp\s?\d")
PERCENT = re.compile(r"\d+([.,]\d+)?\s?(%|persen)")
REGULATION = re.compile(
    r"\b(?:UU|PP|Perppu|Perpu|Perpres|Keppres|Inpres|Permen\w*|Kepmen\w*|PMK|KMK|Perpol|Perkap|Perka\w*"
    r"|Persesjen\w*|Perdirjen\w*|Perda|Pergub|Perbup|Perwal|Peraturan(?:\s+[A-Z]\w*){1,3})"
    r"(?:\s+[A-Z][A-Za-z]*)?\s*(?:No\.?|Nomor)?\s*\d+[A-Z]?\s*(?:/|\s+Tahun\s+)\s*\d{4}"
    r"|\bNomor\s+\d+\s+Tahun\s+\d{4}"
)
PATTERNS = {"Rupiah amount": RUPIAH, "percentage": PERCENT, "regulation number": REGULATION}

def findings(text: str) -> list[str]:
    """'line N: kind 'match'' for each fact-like string in a file's text."""
    return [
        f"line {number}: {kind} {match.group(0)!r}"
        for number, line in enumerate(text.splitlines(), 1)
        for kind, pattern in PATTERNS.items()
        for match in pattern.finditer(line)
    ]


def scanned_files() -> dict[str, str]:
    files = {}
    for folder in SCANNED:
        for path in sorted((ROOT / folder).rglob("*")):
            if not path.is_file() or "__pycache__" in path.parts:
                continue
            try:
                files[path.relative_to(ROOT).as_posix()] = path.read_text(encoding="utf-8")
            except UnicodeDecodeError:
                continue  # not a text file
    return files


def test_no_fact_outside_the_registry():
    offending = {}
    for name, text in scanned_files().items():
        found = findings(text)
        if found:
            offending[name] = found
    report = "\n".join(f"{name}: {'; '.join(found)}" for name, found in offending.items())
    assert not offending, f"Facts belong in knowledge/facts/ ({{fact.<id>}}, knowledge.facts):\n{report}"


@pytest.mark.parametrize(
    "text",
    [
        "Biaya Rp30.000",
        "biaya Rp 30.000",
        "bunga 1% per bulan",
        "denda 2,5 %",
        "25 persen",
        "(Perpres 63/2022)",
        "PP 76/2020",
        "UU 1/2022",
        "PMK 16/2017",
        "Perpol 12/2021",
        "Permendikbud 10/2020",
        "Permendagri No. 108/2019",
        "Peraturan Presiden Nomor 64 Tahun 2020",
        "Peraturan Pemerintah No 76 Tahun 2020",
        "Nomor 5 Tahun 2021",
        "Perkap 7/2021",
        "Perka BPS 3/2019",
        "PermenPANRB 62/2018",
    ],
)
def test_the_guard_sees_facts(text):
    assert findings(text), text


@pytest.mark.parametrize(
    "text",
    [
        "{fact.bpjs.contribution.class1}",
        "({basis.bpjs.contribution.class1})",
        "NIK 16 digit",
        "tanggal 17-08-2001",
        "width: 100px",
        "Pasal 34",
        "B 1234 XYZ",
        "Rpx",
    ],
)
def test_the_guard_lets_other_text_pass(text):
    assert not findings(text), text
