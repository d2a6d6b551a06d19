"""The fact registry (issue 17): every fee, rate, deadline and figure the assistant states, with its source.

knowledge/facts/<service>.yml holds the facts, one file per service. Loading validates every
file (schema, required fields, an `unverified` fact's `uncertain` and `confirm_at`, unique ids)
and raises FactError at the first problem, so a broken file stops whoever imports it.

A Fact renders its value in Indonesian (`.text`: "Rp150.000", "8,07%", "14 hari") and its legal
basis (`.basis`: "Perpres 64/2020 Pasal 34"). Rasa responses use `{fact.<id>}` and `{basis.<id>}`
(bot/nlg.py fills them from `Registry.template_values`); for a table (a map value) each entry is
also `{fact.<id>.<key>}`. Depends only on PyYAML and the standard library: both runtimes import it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

FACTS_DIR = Path(__file__).parent / "facts"
SERVICES = frozenset(
    {"health", "education", "social", "identity", "satudata", "payments", "complaints", "asn", "police"}
    # offices: the hours of any office; journeys: facts of the life events not in a service's file
    | {"general", "offices", "journeys"}
)
UNITS = frozenset({"IDR", "percent", "days", "working_days", "months", "years", "count", "text", "date"})
CONFIDENCE = frozenset({"confirmed", "unverified"})
SOURCE_KINDS = frozenset({"official", "mirror", "secondary"})
ID = re.compile(r"[a-z0-9_]+(\.[a-z0-9_]+)+")
MONTHS = (
    "Januari", "Februari", "Maret", "April", "Mei", "Juni",
    "Juli", "Agustus", "September", "Oktober", "November", "Desember",
)  # fmt: skip
CAVEAT = "(belum dapat kami pastikan; silakan cek ke {confirm_at})"

Scalar = int | float | str | dt.date
Value = Scalar | list[Any] | dict[str, Any]

FACT_KEYS = frozenset(
    {
        "id", "statement", "value", "unit", "per", "legal_basis", "source", "secondary_source",
        "checked", "valid_from", "valid_until", "confidence", "uncertain", "confirm_at", "note",
    }
)  # fmt: skip
REQUIRED_FACT_KEYS = frozenset(
    {"id", "statement", "value", "unit", "legal_basis", "source", "checked", "confidence"}
)
BASIS_KEYS = frozenset({"short", "instrument", "number", "year", "article"})
SOURCE_KEYS = frozenset({"kind", "url", "title", "quote"})


class FactError(ValueError):
    """A fact file breaks the registry's schema."""


@dataclass(frozen=True)
class LegalBasis:
    short: str  # "Perpres"
    instrument: str  # "Peraturan Presiden"
    number: str | None  # "64"; None for an unnumbered guideline
    year: int | None
    article: str | None  # "Pasal 34"

    @property
    def text(self) -> str:
        """'Perpres 64/2020 Pasal 34'."""
        if self.number and self.year:
            cite = f"{self.short} {self.number}/{self.year}"
        elif self.year:
            cite = f"{self.short} {self.year}"
        else:
            cite = self.short
        return f"{cite} {self.article}" if self.article else cite


@dataclass(frozen=True)
class Source:
    kind: str  # official | mirror | secondary
    url: str
    title: str
    quote: str | None = None


@dataclass(frozen=True)
class Fact:
    id: str
    service: str
    statement: str
    value: Any  # raw, as in the file: a Value (number, text, date, list or map); `.number` when numeric
    unit: str
    checked: dt.date
    confidence: str
    legal_basis: LegalBasis | None = None
    source: Source | None = None
    secondary_source: Source | None = None
    per: str | None = None
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None
    uncertain: str | None = None
    confirm_at: str | None = None
    note: str | None = None

    @property
    def confirmed(self) -> bool:
        return self.confidence == "confirmed"

    @property
    def number(self) -> int | float:
        """The value of a numeric fact (an amount, rate, count), for code that computes with it."""
        if isinstance(self.value, bool) or not isinstance(self.value, (int, float)):
            raise TypeError(f"{self.id} is not a number: {self.value!r}")
        return self.value

    @property
    def value_text(self) -> str:
        """The value alone in Indonesian, without `per` or the caveat: 'Rp150.000'."""
        return render_value(self.value, self.unit)

    @property
    def text(self) -> str:
        """What a citizen reads: 'Rp150.000 per orang per bulan', plus a caveat when unverified."""
        return self._with_caveat(self._with_per(self.value_text))

    def text_of(self, *keys: str) -> str:
        """One entry of a table, rendered like `.text`: fact.text_of("motorcycle")."""
        value: Any = self.value
        for key in keys:
            if not isinstance(value, Mapping) or key not in value:
                raise KeyError(f"{self.id} has no entry {'.'.join(keys)}")
            value = value[key]
        return self._with_caveat(self._with_per(render_value(value, self.unit)))

    def value_of(self, *keys: str) -> Any:
        """The raw value of one entry of a table."""
        value: Any = self.value
        for key in keys:
            if not isinstance(value, Mapping) or key not in value:
                raise KeyError(f"{self.id} has no entry {'.'.join(keys)}")
            value = value[key]
        return value

    @property
    def basis(self) -> str:
        """'Perpres 64/2020 Pasal 34'; for a fact without a legal basis, its source's title."""
        if self.legal_basis:
            return self.legal_basis.text
        return self.source.title if self.source else ""

    def _with_per(self, text: str) -> str:
        return f"{text} per {self.per}" if self.per else text

    def _with_caveat(self, text: str) -> str:
        if self.confirmed:
            return text
        return f"{text} {CAVEAT.format(confirm_at=self.confirm_at)}"

    def entries(self) -> Iterator[tuple[str, str]]:
        """('<id>.<key>', rendered text) for each scalar entry of a table, recursively."""

        def walk(prefix: str, value: Any) -> Iterator[tuple[str, str]]:
            if isinstance(value, Mapping):
                for key, item in value.items():
                    yield from walk(f"{prefix}.{key}", item)
            else:
                yield prefix, self._with_caveat(self._with_per(render_value(value, self.unit)))

        if isinstance(self.value, Mapping):
            for key, item in self.value.items():
                yield from walk(f"{self.id}.{key}", item)


def render_number(value: int | float) -> str:
    """1234567 -> '1.234.567'; 8.07 -> '8,07'; 2.50 -> '2,5' (Indonesian separators)."""
    if isinstance(value, float) and not value.is_integer():
        whole, _, decimals = f"{value:.6f}".rstrip("0").partition(".")
        return f"{int(whole):,}".replace(",", ".") + "," + decimals
    return f"{int(value):,}".replace(",", ".")


def render_date(value: dt.date) -> str:
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def render_value(value: Any, unit: str) -> str:
    """A value in Indonesian for its unit. Lists join with ', ', maps as 'key: value; ...'."""
    if isinstance(value, Mapping):
        return "; ".join(f"{key}: {render_value(item, unit)}" for key, item in value.items())
    if isinstance(value, list):
        return ", ".join(render_value(item, unit) for item in value)
    if unit == "text":
        if not isinstance(value, str):
            raise FactError(f"a text value must be a string, not {value!r}")
        return value
    if unit == "date":
        if not isinstance(value, dt.date):
            raise FactError(f"a date value must be a date (YYYY-MM-DD), not {value!r}")
        return render_date(value)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise FactError(f"a {unit} value must be a number, not {value!r}")
    number = render_number(value)
    if unit == "IDR":
        return f"Rp{number}"
    if unit == "percent":
        return f"{number}%"
    suffix = {"days": "hari", "working_days": "hari kerja", "months": "bulan", "years": "tahun"}.get(unit, "")
    return f"{number} {suffix}".rstrip()


class Registry:
    """All facts by id. `facts.get(id)` -> Fact; KeyError for an unknown id."""

    def __init__(self, facts: Mapping[str, Fact]) -> None:
        self._facts = dict(facts)
        self._template_values = self._build_template_values()

    @classmethod
    def load(cls, directory: Path = FACTS_DIR) -> Registry:
        facts: dict[str, Fact] = {}
        for path in sorted(directory.glob("*.yml")):
            for fact in load_file(path):
                if fact.id in facts:
                    raise FactError(f"{path.name}: fact {fact.id} is also in {facts[fact.id].service}.yml")
                facts[fact.id] = fact
        return cls(facts)

    def get(self, fact_id: str) -> Fact:
        try:
            return self._facts[fact_id]
        except KeyError:
            raise KeyError(f"unknown fact {fact_id!r} (knowledge/facts/)") from None

    def __contains__(self, fact_id: object) -> bool:
        return fact_id in self._facts

    def __iter__(self) -> Iterator[Fact]:
        return iter(sorted(self._facts.values(), key=lambda fact: fact.id))

    def __len__(self) -> int:
        return len(self._facts)

    def template_values(self) -> dict[str, str]:
        """{'fact.<id>': text, 'fact.<id>.<key>': entry text, 'basis.<id>': basis} for responses."""
        return dict(self._template_values)

    def _build_template_values(self) -> dict[str, str]:
        values: dict[str, str] = {}
        for fact in self:
            values[f"basis.{fact.id}"] = fact.basis
            values[f"fact.{fact.id}"] = fact.text
            for entry_id, text in fact.entries():
                name = f"fact.{entry_id}"
                if name in values or entry_id in self._facts:
                    raise FactError(f"table entry {entry_id} collides with another fact id")
                values[name] = text
        return values


def load_file(path: Path) -> list[Fact]:
    """The facts of one file, validated. FactError names the file and the fact."""
    try:
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=loader)  # noqa: S506 (a safe loader)
    except yaml.YAMLError as error:
        raise FactError(f"{path.name}: not valid YAML: {error}") from error
    if not isinstance(data, dict) or set(data) != {"service", "facts"}:
        raise FactError(f"{path.name}: needs exactly the keys 'service' and 'facts'")
    service = data["service"]
    if service not in SERVICES or path.stem != service:
        raise FactError(f"{path.name}: service must be the file's name and one of {sorted(SERVICES)}")
    if not isinstance(data["facts"], list):
        raise FactError(f"{path.name}: 'facts' must be a list")
    facts = []
    for index, entry in enumerate(data["facts"]):
        label = entry.get("id", f"#{index + 1}") if isinstance(entry, dict) else f"#{index + 1}"
        try:
            facts.append(parse_fact(entry, service))
        except FactError as error:
            raise FactError(f"{path.name}: fact {label}: {error}") from None
    return facts


def parse_fact(entry: Any, service: str) -> Fact:
    if not isinstance(entry, dict):
        raise FactError("must be a mapping")
    unknown = set(entry) - FACT_KEYS
    if unknown:
        raise FactError(f"unknown keys {sorted(unknown)}")
    missing = REQUIRED_FACT_KEYS - set(entry)
    if missing:
        raise FactError(f"missing keys {sorted(missing)}")
    fact_id = entry["id"]
    if not isinstance(fact_id, str) or not ID.fullmatch(fact_id):
        raise FactError("id must be dotted lowercase words, e.g. bpjs.contribution.class1")
    _text(entry, "statement")
    unit = entry["unit"]
    if unit not in UNITS:
        raise FactError(f"unit {unit!r} is not one of {sorted(UNITS)}")
    confidence = entry["confidence"]
    if confidence not in CONFIDENCE:
        raise FactError("confidence must be confirmed or unverified")
    if confidence == "unverified":
        _text(entry, "uncertain")
        _text(entry, "confirm_at")
    per = entry.get("per")
    if per is not None and (not isinstance(per, str) or not per.strip() or per.startswith("per ")):
        raise FactError("per is rendered after 'per ': write 'orang per bulan', not 'per orang per bulan'")
    source = _source(entry["source"], "source")
    if source is None and confidence == "confirmed":
        raise FactError("a confirmed fact needs a source")
    fact = Fact(
        id=fact_id,
        service=service,
        statement=entry["statement"],
        value=entry["value"],
        unit=unit,
        checked=_date(entry, "checked", required=True),  # type: ignore[arg-type]
        confidence=confidence,
        legal_basis=_legal_basis(entry["legal_basis"]),
        source=source,
        secondary_source=_source(entry.get("secondary_source"), "secondary_source"),
        per=per,
        valid_from=_date(entry, "valid_from"),
        valid_until=_date(entry, "valid_until"),
        uncertain=entry.get("uncertain"),
        confirm_at=entry.get("confirm_at"),
        note=entry.get("note"),
    )
    if fact.valid_from and fact.valid_until and fact.valid_until < fact.valid_from:
        raise FactError("valid_until is before valid_from")
    if entry["value"] is None:
        raise FactError("value is missing")
    fact.text  # noqa: B018 (renders every entry: a value of the wrong type fails here)
    list(fact.entries())
    return fact


def _text(entry: Mapping[str, Any], key: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value.strip():
        raise FactError(f"{key} must be a non-empty text")
    return value


def _date(entry: Mapping[str, Any], key: str, *, required: bool = False) -> dt.date | None:
    value = entry.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise FactError(f"{key} must be a date (YYYY-MM-DD)")
    return value


def _legal_basis(data: Any) -> LegalBasis | None:
    if data is None:
        return None
    if not isinstance(data, dict) or set(data) - BASIS_KEYS or not {"short", "instrument"} <= set(data):
        raise FactError(f"legal_basis needs short and instrument, and only {sorted(BASIS_KEYS)}")
    _text(data, "short")
    _text(data, "instrument")
    number, year, article = data.get("number"), data.get("year"), data.get("article")
    if number is not None and not isinstance(number, str):
        raise FactError('legal_basis.number must be quoted text, e.g. number: "64"')
    if year is not None and (not isinstance(year, int) or not 1945 <= year <= 2100):
        raise FactError("legal_basis.year must be a year")
    if number is not None and year is None:
        raise FactError("legal_basis with a number needs its year")
    if article is not None and not isinstance(article, str):
        raise FactError("legal_basis.article must be text, e.g. 'Pasal 34'")
    return LegalBasis(data["short"], data["instrument"], number, year, article)


def _source(data: Any, key: str) -> Source | None:
    if data is None:
        return None
    if not isinstance(data, dict) or set(data) - SOURCE_KEYS or not {"kind", "url", "title"} <= set(data):
        raise FactError(f"{key} needs kind, url and title (and optionally quote)")
    if data["kind"] not in SOURCE_KINDS:
        raise FactError(f"{key}.kind must be one of {sorted(SOURCE_KINDS)}")
    if not isinstance(data["url"], str) or not data["url"].startswith(("https://", "http://")):
        raise FactError(f"{key}.url must be an http(s) address")
    _text(data, "title")
    quote = data.get("quote")
    if quote is not None and not isinstance(quote, str):
        raise FactError(f"{key}.quote must be text")
    return Source(data["kind"], data["url"], data["title"], quote)
