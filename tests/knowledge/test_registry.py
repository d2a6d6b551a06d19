"""knowledge/registry.py: loading validates every fact file; facts render in Indonesian."""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

import pytest

from knowledge import FACTS_DIR, FactError, Registry, facts, render_value

SOURCE = 'source: {kind: official, url: "https://example.go.id/a", title: Demo, quote: Rp150.000}'
GOOD = f"""\
  - id: demo.fee
    statement: A demo fee.
    value: 150000
    unit: IDR
    per: orang per bulan
    legal_basis: {{short: Perpres, instrument: Peraturan Presiden, number: "64", year: 2020,
                  article: Pasal 34}}
    {SOURCE}
    checked: 2026-12-07
    confidence: confirmed
"""
UNVERIFIED = """\
  - id: demo.days
    statement: A demo deadline.
    value: 24
    unit: months
    legal_basis: null
    source: null
    checked: 2026-12-07
    confidence: unverified
    uncertain: No source states it.
    confirm_at: Care Center BPJS Kesehatan 165
"""


def registry(tmp_path: Path, facts_yaml: str, service: str = "health") -> Registry:
    (tmp_path / f"{service}.yml").write_text(f"service: {service}\nfacts:\n{facts_yaml}")
    return Registry.load(tmp_path)


def test_the_shipped_registry_loads_and_every_fact_renders():
    loaded = Registry.load(FACTS_DIR)
    assert len(loaded) == len(facts) > 0
    for fact in loaded:
        assert fact.text and fact.basis, fact.id
        assert fact.confirmed or (fact.uncertain and fact.confirm_at), fact.id
        assert fact.source or not fact.confirmed, fact.id


def test_a_fact_renders_value_basis_and_table_entries(tmp_path):
    loaded = registry(tmp_path, GOOD)
    fee = loaded.get("demo.fee")
    assert (fee.value, fee.text, fee.value_text) == (150000, "Rp150.000 per orang per bulan", "Rp150.000")
    assert fee.basis == "Perpres 64/2020 Pasal 34"
    assert fee.checked == dt.date(2026, 12, 7) and fee.confirmed and fee.number == 150000
    assert loaded.template_values() == {
        "fact.demo.fee": "Rp150.000 per orang per bulan",
        "basis.demo.fee": "Perpres 64/2020 Pasal 34",
    }
    with pytest.raises(KeyError):
        loaded.get("demo.missing")


def test_an_unverified_fact_says_where_to_confirm_it(tmp_path):
    fact = registry(tmp_path, UNVERIFIED).get("demo.days")
    assert fact.text == "24 bulan (belum dapat kami pastikan; silakan cek ke Care Center BPJS Kesehatan 165)"
    assert fact.basis == ""
    text = registry(tmp_path, UNVERIFIED.replace("value: 24\n    unit: months", "value: abc\n    unit: text"))
    with pytest.raises(TypeError):
        _ = text.get("demo.days").number


def test_a_table_gives_each_entry(tmp_path):
    table = GOOD.replace("value: 150000", "value: {motorcycle: 32000, car: {sedan: 140000}}")
    loaded = registry(tmp_path, table)
    fact = loaded.get("demo.fee")
    assert fact.text_of("car", "sedan") == "Rp140.000 per orang per bulan"
    assert fact.value_of("motorcycle") == 32000
    values = loaded.template_values()
    assert values["fact.demo.fee.motorcycle"] == "Rp32.000 per orang per bulan"
    assert values["fact.demo.fee.car.sedan"] == "Rp140.000 per orang per bulan"
    with pytest.raises(KeyError):
        fact.text_of("bus")


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        (150000, "IDR", "Rp150.000"),
        (1250000.5, "IDR", "Rp1.250.000,5"),
        (8.07, "percent", "8,07%"),
        (25, "percent", "25%"),
        (14, "days", "14 hari"),
        (5, "working_days", "5 hari kerja"),
        (12, "months", "12 bulan"),
        (2, "years", "2 tahun"),
        (284400000, "count", "284.400.000"),
        (75.02, "count", "75,02"),
        ("Mobile JKN", "text", "Mobile JKN"),
        (dt.date(2023, 3, 1), "date", "1 Maret 2023"),
        ([18, 35], "years", "18 tahun, 35 tahun"),
    ],
)
def test_values_render_in_indonesian(value, unit, text):
    assert render_value(value, unit) == text


BROKEN = {
    "unknown unit": ("unit: IDR", "unit: rupiah"),
    "unknown key": ("unit: IDR", "unit: IDR\n    amount: 1"),
    "missing source key": (f"    {SOURCE}\n", ""),
    "confirmed without source": (SOURCE, "source: null"),
    "bad source kind": ("kind: official", "kind: blog"),
    "bad url": ('url: "https://example.go.id/a"', "url: example.go.id"),
    "bad id": ("id: demo.fee", "id: Demo Fee"),
    "undotted id": ("id: demo.fee", "id: demo"),
    "number not quoted": ('number: "64"', "number: 64"),
    "no date": ("checked: 2026-12-07", "checked: soon"),
    "text for IDR": ("value: 150000", "value: seratus"),
    "bad confidence": ("confidence: confirmed", "confidence: likely"),
    "per with per": ("per: orang per bulan", "per: per orang per bulan"),
    "basis without instrument": ("instrument: Peraturan Presiden, ", ""),
    "valid_until before valid_from": (
        "checked: 2026-12-07",
        "checked: 2026-12-07\n    valid_from: 2021-01-01\n    valid_until: 2020-01-01",
    ),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_loading_fails_loudly_on_a_broken_fact(tmp_path, case):
    old, new = BROKEN[case]
    assert old in GOOD
    with pytest.raises(FactError, match=r"health\.yml: fact"):
        registry(tmp_path, GOOD.replace(old, new))


@pytest.mark.parametrize("missing", ["uncertain", "confirm_at"])
def test_an_unverified_fact_needs_what_is_uncertain_and_where_to_confirm(tmp_path, missing):
    text = "\n".join(line for line in UNVERIFIED.splitlines() if not line.strip().startswith(missing)) + "\n"
    with pytest.raises(FactError, match=missing):
        registry(tmp_path, text)


def test_ids_are_unique_across_files(tmp_path):
    (tmp_path / "police.yml").write_text(f"service: police\nfacts:\n{GOOD}")
    with pytest.raises(FactError, match="demo.fee"):
        registry(tmp_path, GOOD)


def test_a_table_entry_cannot_collide_with_a_fact(tmp_path):
    table = GOOD.replace("value: 150000", "value: {days: 3}")
    with pytest.raises(FactError, match="collides"):
        registry(tmp_path, table + UNVERIFIED.replace("demo.days", "demo.fee.days"))


def test_the_file_names_its_service(tmp_path):
    (tmp_path / "health.yml").write_text(f"service: police\nfacts:\n{GOOD}")
    with pytest.raises(FactError, match="service"):
        Registry.load(tmp_path)
    (tmp_path / "health.yml").write_text(textwrap.dedent("service: health\nfacts: {}\n"))
    with pytest.raises(FactError, match="list"):
        Registry.load(tmp_path)
