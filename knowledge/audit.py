"""The fact audit: docs/facts.md, generated from the registry (`make facts`).

    python -m knowledge.audit --as-of 2026-12-07 > docs/facts.md

Every fact with its value, legal basis, source, check date and confidence; first the facts
that need attention at the as-of date: checks older than `STALE_AFTER_MONTHS`, unverified
facts (what is uncertain, where a citizen confirms), facts without a source, and facts whose
validity has ended. tests/knowledge/test_audit.py regenerates the file with the as-of date
written in it and compares, so the file cannot drift from the registry.
"""

from __future__ import annotations

import argparse
import calendar
import datetime as dt
import sys
from collections.abc import Iterable
from pathlib import Path

from knowledge.registry import FACTS_DIR, Fact, Registry, Source

STALE_AFTER_MONTHS = 12
AS_OF_LINE = "As of: "


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day `months` earlier (the month's last day when it has fewer days)."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    return dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def stale(registry: Registry, as_of: dt.date) -> list[Fact]:
    """Facts last checked more than STALE_AFTER_MONTHS before `as_of`."""
    limit = months_before(as_of, STALE_AFTER_MONTHS)
    return [fact for fact in registry if fact.checked < limit]


def expired(registry: Registry, as_of: dt.date) -> list[Fact]:
    return [fact for fact in registry if fact.valid_until is not None and fact.valid_until < as_of]


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ").strip()


def _link(source: Source | None) -> str:
    if source is None:
        return "none"
    return f"{source.kind}: [{_cell(source.title)}]({source.url})"


def _period(fact: Fact) -> str:
    start = fact.valid_from.isoformat() if fact.valid_from else "?"
    end = fact.valid_until.isoformat() if fact.valid_until else "now"
    return f"{start} – {end}"


def _value(fact: Fact) -> str:
    return f"{fact.value_text} per {fact.per}" if fact.per else fact.value_text


def _list(title: str, facts: Iterable[Fact], describe: str, empty: str) -> list[str]:
    facts = list(facts)
    lines = [f"## {title} ({len(facts)})", "", describe, ""]
    if not facts:
        return [*lines, empty, ""]
    return lines


def render(registry: Registry, as_of: dt.date) -> str:
    facts = list(registry)
    confirmed = sum(fact.confirmed for fact in facts)
    lines = [
        "# Fact audit",
        "",
        "Generated from the fact registry (knowledge/facts/*.yml) by `make facts`",
        "(`python -m knowledge.audit --as-of YYYY-MM-DD`); do not edit by hand.",
        "",
        f"{AS_OF_LINE}{as_of.isoformat()}",
        "",
        f"{len(facts)} facts: {confirmed} confirmed, {len(facts) - confirmed} unverified.",
        "",
    ]

    old = stale(registry, as_of)
    lines += _list(
        f"Checks older than {STALE_AFTER_MONTHS} months",
        old,
        f"Checked before {months_before(as_of, STALE_AFTER_MONTHS)}: check each against its source.",
        "None.",
    )
    lines += [f"- `{fact.id}`: checked {fact.checked.isoformat()}" for fact in old] + ([""] if old else [])

    unverified = [fact for fact in facts if not fact.confirmed]
    lines += _list(
        "Unverified facts",
        unverified,
        "The assistant states these with a caveat and where to confirm them.",
        "None.",
    )
    lines += [
        f"- `{fact.id}` ({_cell(_value(fact))}): {_cell(fact.uncertain)} "
        f"Confirm at: {_cell(fact.confirm_at)}."
        for fact in unverified
    ] + ([""] if unverified else [])

    unsourced = [fact for fact in facts if fact.source is None]
    lines += _list("Facts without a source", unsourced, "Each is unverified; find a source.", "None.")
    lines += [f"- `{fact.id}`" for fact in unsourced] + ([""] if unsourced else [])

    ended = expired(registry, as_of)
    lines += _list("Facts no longer valid", ended, "Their validity ended before the as-of date.", "None.")
    lines += [f"- `{fact.id}`: valid until {fact.valid_until}" for fact in ended] + ([""] if ended else [])

    for service in sorted({fact.service for fact in facts}):
        lines += [
            f"## {service}",
            "",
            "| fact | value | legal basis | source | checked | valid | confidence |",
            "|---|---|---|---|---|---|---|",
        ]
        for fact in facts:
            if fact.service != service:
                continue
            source = _link(fact.source)
            if fact.secondary_source:
                source += f"; also {_link(fact.secondary_source)}"
            basis = fact.legal_basis.text if fact.legal_basis else "none"
            lines.append(
                f"| `{fact.id}`: {_cell(fact.statement)} | {_cell(_value(fact))} | {_cell(basis)} | {source} "
                f"| {fact.checked.isoformat()} | {_period(fact)} | {fact.confidence} |"
            )
        lines.append("")
    return "\n".join(lines)


def as_of_in(text: str) -> dt.date:
    """The as-of date written in a generated audit."""
    for line in text.splitlines():
        if line.startswith(AS_OF_LINE):
            return dt.date.fromisoformat(line[len(AS_OF_LINE) :].strip())
    raise ValueError("no 'As of:' line")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--as-of", type=dt.date.fromisoformat, default=dt.date.today(), help="YYYY-MM-DD")
    parser.add_argument("--facts-dir", type=Path, default=FACTS_DIR)
    args = parser.parse_args(argv)
    sys.stdout.write(render(Registry.load(args.facts_dir), args.as_of))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
