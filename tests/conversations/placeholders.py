"""Placeholders in the conversation files, resolved before a message is sent or a check is made.

- `{persona.<field>}`: a field of the seed persona (`python -m simulators.seed --sample NAME`),
  with optional formats: a strftime pattern for dates (`%d-%m-%Y`; `%B`/`%b` give Indonesian
  month names), `id-long` (`27 Februari 1977`, as the replies write dates), `masked` (as the
  gateway shows an identifier or a name: see MASKING), `spaced` (digits in groups of 4),
  `compact` (without spaces), `upper`, `lower`; several formats chain: `{persona.plate:lower:compact}`.
- `{otp}`: the last code the simulated SMS provider sent to the persona's `otp_phone`.
- `{fact.<id>}`: the registry's value text (`knowledge.facts`), also of a table entry
  (`{fact.passport.fee.electronic_5y}`); `{basis.<id>}`: the fact's legal basis.
- `{{` and `}}` are a literal brace.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from typing import Any

from api.identifiers import mask_name
from api.privacy.shapes import digits, mask
from knowledge import Fact, facts, render_value

_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([^{}]*)\}")
MONTHS = (
    "Januari", "Februari", "Maret", "April", "Mei", "Juni",
    "Juli", "Agustus", "September", "Oktober", "November", "Desember",
)  # fmt: skip
SHORT_MONTHS = ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des")


class PlaceholderError(ValueError):
    pass


def masked(value: str) -> str:
    """What the gateway shows of `value` (api/privacy/shapes.py `mask`, api/identifiers.py
    `mask_name`): a 16-digit NIK or KK as its first and last 4 digits around 8 stars
    (3273********0001); any other number (BPJS card, NISN, CASN number, phone) as stars and its
    last 4 digits (*********6592); a name as its first word and initials (BUDI S******)."""
    number = digits(value)
    if not number:
        return mask_name(value)
    return mask("nik" if len(number) == 16 else "other", number)


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        raise PlaceholderError(f"{value!r} is not a date") from None


def _strftime(value: str, pattern: str) -> str:
    day = _date(value)
    pattern = pattern.replace("%B", MONTHS[day.month - 1]).replace("%b", SHORT_MONTHS[day.month - 1])
    return day.strftime(pattern)


def _spaced(value: str) -> str:
    number = digits(value)
    return " ".join(number[i : i + 4] for i in range(0, len(number), 4))


FORMATS: dict[str, Callable[[str], str]] = {
    "masked": masked,
    "spaced": _spaced,
    "compact": lambda value: "".join(value.split()),
    "upper": str.upper,
    "lower": str.lower,
    "id-long": lambda value: f"{_date(value).day} {MONTHS[_date(value).month - 1]} {_date(value).year}",
}


def formatted(value: str, spec: str) -> str:
    if "%" in spec:
        return _strftime(value, spec)
    for name in spec.split(":"):
        if name not in FORMATS:
            raise PlaceholderError(f"unknown format {name!r} (known: {', '.join(FORMATS)}, strftime)")
        value = FORMATS[name](value)
    return value


def fact_value(fact_id: str, *, basis: bool = False) -> str:
    """The registry's value text of a fact or of one entry of a table fact; or its basis."""
    parts = fact_id.split(".")
    for cut in range(len(parts), 0, -1):
        name = ".".join(parts[:cut])
        if name in facts:
            fact: Fact = facts.get(name)
            if basis:
                if cut != len(parts):
                    break
                return fact.basis
            keys = parts[cut:]
            if not keys:
                return fact.value_text
            try:
                return render_value(fact.value_of(*keys), fact.unit)
            except KeyError as error:
                raise PlaceholderError(str(error)) from None
    raise PlaceholderError(f"unknown fact {fact_id!r} (knowledge/facts/)")


def resolve(template: str, persona: Mapping[str, Any] | None, otp: Callable[[], str] | None = None) -> str:
    """`template` with its placeholders replaced; `otp` is called only when `{otp}` appears."""

    def replace(match: re.Match[str]) -> str:
        if match.group(0) == "{{":
            return "{"
        if match.group(0) == "}}":
            return "}"
        return _value(match.group(1), persona, otp)

    return _PLACEHOLDER.sub(replace, template)


def _value(body: str, persona: Mapping[str, Any] | None, otp: Callable[[], str] | None) -> str:
    name, _, spec = body.partition(":")
    kind, _, path = name.partition(".")
    if kind == "otp" and not path and not spec:
        if persona is None or not persona.get("otp_phone"):
            raise PlaceholderError("{otp} needs a persona with an otp_phone")
        if otp is None:
            return "000000"  # validation only: the code is read when the turn is played
        return otp()
    if kind in ("fact", "basis") and path and not spec:
        return fact_value(path, basis=kind == "basis")
    if kind == "persona" and path:
        if persona is None:
            raise PlaceholderError(f"{{{body}}} needs a persona")
        value = persona.get(path)
        if value is None or isinstance(value, (list, dict)):
            raise PlaceholderError(f"persona {persona.get('persona')} has no text field {path!r}")
        return formatted(str(value), spec) if spec else str(value)
    raise PlaceholderError(f"unknown placeholder {{{body}}}")


def problems(templates: list[str], persona: Mapping[str, Any] | None) -> list[str]:
    """What would not resolve in `templates` (without sending anything)."""
    found = []
    for template in templates:
        if "{" in _PLACEHOLDER.sub("", template) or "}" in _PLACEHOLDER.sub("", template):
            found.append(f"{template!r}: a lone brace (write {{{{ or }}}} for a literal one)")
            continue
        try:
            resolve(template, persona)
        except PlaceholderError as error:
            found.append(f"{template!r}: {error}")
    return found
