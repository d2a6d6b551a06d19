"""docs/facts.md is the registry's audit: regenerated here, it must be identical (`make facts`)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from knowledge import facts
from knowledge.audit import as_of_in, main, months_before, render
from tests.knowledge.test_registry import GOOD, UNVERIFIED, registry

DOCS = Path(__file__).parents[2] / "docs" / "facts.md"


def test_docs_facts_md_is_the_registrys_audit():
    written = DOCS.read_text(encoding="utf-8")
    assert written == render(facts, as_of_in(written)), "docs/facts.md is out of date: run `make facts`"


def test_every_fact_is_in_the_audit_with_its_source():
    text = render(facts, dt.date(2026, 12, 7))
    for fact in facts:
        assert f"`{fact.id}`" in text
        if fact.source:
            assert fact.source.url in text


def test_old_checks_unverified_and_ended_facts_are_listed(tmp_path):
    old = GOOD.replace("checked: 2026-12-07", "checked: 2025-12-06\n    valid_until: 2026-01-31")
    loaded = registry(tmp_path, old + UNVERIFIED)
    text = render(loaded, dt.date(2026, 12, 7))
    assert "## Checks older than 12 months (1)" in text and "- `demo.fee`: checked 2025-12-06" in text
    assert "## Unverified facts (1)" in text and "Confirm at: Care Center BPJS Kesehatan 165." in text
    assert "## Facts without a source (1)" in text and "- `demo.days`" in text
    assert "## Facts no longer valid (1)" in text
    # Checked exactly twelve months before: not yet stale.
    assert "## Checks older than 12 months (0)" in render(loaded, dt.date(2026, 12, 6))


def test_months_before():
    assert months_before(dt.date(2026, 12, 7), 12) == dt.date(2025, 12, 7)
    assert months_before(dt.date(2024, 2, 29), 12) == dt.date(2023, 2, 28)
    assert months_before(dt.date(2026, 3, 31), 1) == dt.date(2026, 2, 28)


def test_the_command_line_writes_the_audit(capsys):
    assert main(["--as-of", "2026-12-07"]) == 0
    assert capsys.readouterr().out == render(facts, dt.date(2026, 12, 7))
