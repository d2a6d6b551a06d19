"""A turn's checks over the bot's replies: texts case-insensitive with whitespace collapsed,
button titles, and the fallback texts (read from domain/, so a reworded fallback is still found)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from tests.conversations.model import Expect

DOMAIN_DIR = Path(__file__).resolve().parents[2] / "domain"
# The responses that say the assistant did not understand, or does not know where data belongs.
FALLBACK_RESPONSES = (
    "utter_miss_not_understood",
    "utter_miss_out_of_scope",
    "utter_miss_repeated",
    "utter_inform_outside_flow",
)
FALLBACK_PHRASES = ("belum saya pahami",)  # any response saying these is a fallback
# What a citizen must never read: a response placeholder left unfilled ("{fact.sim.validity}",
# "{name}"), a Python/JSON structure or a missing value printed as is (as tests/e2e checks).
RAW_TEXT = re.compile(r"\{[a-z_][a-z0-9_.]*\}|\{['\"]|\[['\"{]|\bNone\b|\bnull\b")
_SENTENCE = re.compile(r"[^.?!]+[.?!]?")
_SPACE = re.compile(r"\s+")


def normal(text: str) -> str:
    """Lower case, whitespace (also non-breaking) collapsed."""
    return _SPACE.sub(" ", text.replace("\u00a0", " ")).strip().lower()


@cache
def fallback_markers() -> tuple[str, ...]:
    """A distinctive sentence of each fallback response (before any `{slot}`), normalised."""
    markers: set[str] = set()
    for path in sorted(DOMAIN_DIR.glob("*.yml")):
        responses = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("responses") or {}
        for name, variants in responses.items():
            for variant in variants or []:
                text = normal(str(variant.get("text") or "")).split("{")[0]
                if name in FALLBACK_RESPONSES or any(phrase in text for phrase in FALLBACK_PHRASES):
                    sentences = [s.strip() for s in _SENTENCE.findall(text) if len(s.strip()) >= 20]
                    if sentences:
                        markers.add(sentences[0])
    return tuple(sorted(markers))


def reply_text(replies: list[dict[str, Any]]) -> str:
    """What the citizen reads of the replies: texts, captions, list rows."""
    parts: list[str] = []
    for reply in replies:
        parts += [str(reply[key]) for key in ("text", "caption") if reply.get(key)]
        for section in reply.get("sections") or []:
            parts += [str(section.get("title") or "")]
            rows = section.get("rows") or []
            parts += [f"{row.get('title', '')} {row.get('description') or ''}" for row in rows]
    return "\n".join(part for part in parts if part)


def choices(replies: list[dict[str, Any]]) -> dict[str, str]:
    """The titles the citizen can click (buttons and list rows) → payload."""
    found: dict[str, str] = {}
    for reply in replies:
        for button in reply.get("buttons") or []:
            found.setdefault(button["title"], button["payload"])
        for section in reply.get("sections") or []:
            for row in section.get("rows") or []:
                found.setdefault(row["title"], row["payload"])
    return found


def find_choice(title: str, offered: dict[str, str]) -> str | None:
    """The offered title matching `title` (case and spacing aside)."""
    for offered_title in offered:
        if normal(offered_title) == normal(title):
            return offered_title
    return None


@dataclass(frozen=True)
class Failure:
    check: str  # a check of Expect, or click (no such button), reply (none came), raw_text
    expected: str
    got: str


def failures(
    expect: Expect, text: str, buttons: Iterable[str], resolve: Callable[[str], str]
) -> list[Failure]:
    """The checks of `expect` that the replies (`text`, `buttons`) break."""
    said = normal(text)
    if raw := RAW_TEXT.search(text):
        return [Failure("raw_text", "no unfilled placeholder or raw data", f"{raw[0]!r} in: {text}")]
    titles = [normal(title) for title in buttons]
    found: list[Failure] = []
    if expect.contains_any:
        wanted = [resolve(item) for item in expect.contains_any]
        if not any(normal(item) in said for item in wanted):
            found.append(Failure("contains_any", f"one of {wanted}", text))
    if expect.contains_all:
        missing = [item for item in map(resolve, expect.contains_all) if normal(item) not in said]
        if missing:
            found.append(Failure("contains_all", f"all of {missing}", text))
    if expect.not_contains:
        present = [item for item in map(resolve, expect.not_contains) if normal(item) in said]
        if present:
            found.append(Failure("not_contains", f"none of {present}", text))
    if expect.buttons_include:
        absent = [item for item in map(resolve, expect.buttons_include) if normal(item) not in titles]
        if absent:
            found.append(Failure("buttons_include", f"buttons {absent}", f"buttons {list(buttons)}"))
    if expect.no_fallback:
        hit = [marker for marker in fallback_markers() if marker in said]
        if hit:
            found.append(Failure("no_fallback", "no fallback reply", text))
    return found
