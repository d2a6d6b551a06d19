"""The conversation files (docs: tests/conversations/README.md, issue 18): loaded and validated.

A file is `service: <name>` and `conversations: [...]`; each conversation has an id, classes, an
optional seed persona and turns (`user:` text or `click:` a button title, with optional `expect`).
`load(paths)` returns the conversations or raises `FormatError` listing every problem found.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).parent
CORPUS_DIR = HERE / "corpus"
DEV_DIR = HERE / "dev"

SERVICES = (
    "health", "education", "social", "identity", "satudata", "payments", "complaints", "asn", "police",
    "journeys", "general",
)  # fmt: skip
CLASSES = frozenset(
    """happy_path data_before_question typed_answer_to_buttons value_inferred elliptical_followup
    data_outside_form question_inside_form offer_answered_otherwise correction unclear_reply
    refused_identifier case_number_status someone_else knowledge_breadth population_documents
    office_hours life_event slang_typos two_questions identifier_formats""".split()
)
TEXT_CHECKS = ("contains_any", "contains_all", "not_contains", "buttons_include")
CHECKS = (*TEXT_CHECKS, "no_fallback")
CONTENT_CHECKS = ("contains_any", "contains_all")  # what states a fact in a reply
CHANNELS = ("web",)  # the only channel the public API opens
_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class FormatError(ValueError):
    """One or more conversation files break the format; the message lists every problem."""


@dataclass(frozen=True)
class Expect:
    contains_any: tuple[str, ...] = ()
    contains_all: tuple[str, ...] = ()
    not_contains: tuple[str, ...] = ()
    buttons_include: tuple[str, ...] = ()
    no_fallback: bool = False

    def templates(self) -> Iterable[str]:
        """Every text with placeholders in these checks."""
        for name in TEXT_CHECKS:
            yield from getattr(self, name)


@dataclass(frozen=True)
class Turn:
    user: str | None  # what the citizen types, or
    click: str | None  # the title of a button the previous replies offered
    expect: Expect = field(default_factory=Expect)

    @property
    def template(self) -> str:
        return self.user if self.user is not None else self.click or ""


@dataclass(frozen=True)
class Conversation:
    id: str
    service: str
    classes: tuple[str, ...]
    turns: tuple[Turn, ...]
    persona: str | None = None
    channel: str = "web"
    source: str = ""  # the file it came from


def files(directory: Path) -> list[Path]:
    return sorted(directory.glob("*.yml"))


def load(paths: Iterable[Path], personas: Iterable[str] | None = None) -> list[Conversation]:
    """The conversations of `paths`, validated; ids unique across all of them. `personas`: the
    known persona names (the seed's by default)."""
    if personas is None:
        from simulators.seed import all_personas

        personas = all_personas()
    known = frozenset(personas)
    problems: list[str] = []
    conversations: list[Conversation] = []
    seen: dict[str, str] = {}
    for path in paths:
        for conversation in _load_file(path, known, problems):
            if conversation.id in seen:
                problems.append(f"{path.name}: id {conversation.id} is also in {seen[conversation.id]}")
            seen[conversation.id] = path.name
            conversations.append(conversation)
    if problems:
        raise FormatError("\n".join(problems))
    return conversations


def _load_file(path: Path, personas: frozenset[str], problems: list[str]) -> list[Conversation]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        problems.append(f"{path.name}: not YAML: {error}")
        return []
    if not isinstance(data, dict) or set(data) != {"service", "conversations"}:
        problems.append(f"{path.name}: expected exactly the keys `service` and `conversations`")
        return []
    service = data["service"]
    if service not in SERVICES or path.stem != service:
        problems.append(f"{path.name}: service {service!r} must be one of {SERVICES} and name the file")
        return []
    if not isinstance(data["conversations"], list) or not data["conversations"]:
        problems.append(f"{path.name}: `conversations` must be a non-empty list")
        return []
    found = []
    for index, entry in enumerate(data["conversations"]):
        where = f"{path.name} #{index + 1}"
        conversation = _conversation(entry, service, personas, where, problems)
        if conversation is not None:
            found.append(Conversation(**{**conversation.__dict__, "source": path.name}))
    return found


def _conversation(
    entry: Any, service: str, personas: frozenset[str], where: str, problems: list[str]
) -> Conversation | None:
    if not isinstance(entry, dict):
        problems.append(f"{where}: a conversation must be a mapping")
        return None
    before = len(problems)
    unknown = set(entry) - {"id", "classes", "persona", "channel", "turns"}
    if unknown:
        problems.append(f"{where}: unknown keys {sorted(unknown)}")
    ident = entry.get("id")
    if not isinstance(ident, str) or not _ID.match(ident) or not ident.startswith(f"{service}-"):
        problems.append(f"{where}: id {ident!r} must be kebab-case and start with `{service}-`")
    else:
        where = f"{where} ({ident})"
    classes = entry.get("classes")
    if not isinstance(classes, list) or not classes or not all(isinstance(c, str) for c in classes):
        problems.append(f"{where}: `classes` must be a non-empty list")
        classes = []
    elif bad := sorted(set(classes) - CLASSES):
        problems.append(f"{where}: unknown classes {bad}")
    persona = entry.get("persona")
    if persona is not None and persona not in personas:
        problems.append(f"{where}: unknown persona {persona!r}")
    channel = entry.get("channel", "web")
    if channel not in CHANNELS:
        problems.append(f"{where}: channel {channel!r} must be one of {CHANNELS}")
    raw_turns = entry.get("turns")
    turns: list[Turn] = []
    if not isinstance(raw_turns, list) or not raw_turns:
        problems.append(f"{where}: `turns` must be a non-empty list")
    else:
        for number, raw in enumerate(raw_turns, 1):
            turn = _turn(raw, f"{where} turn {number}", problems)
            if turn is not None:
                turns.append(turn)
        if not any(getattr(turn.expect, name) for turn in turns for name in CONTENT_CHECKS):
            problems.append(f"{where}: no turn checks content (contains_any or contains_all)")
    if len(problems) > before:
        return None
    return Conversation(str(ident), service, tuple(classes), tuple(turns), persona, channel)


def _turn(raw: Any, where: str, problems: list[str]) -> Turn | None:
    if not isinstance(raw, dict) or len({"user", "click"} & set(raw)) != 1:
        problems.append(f"{where}: a turn has exactly one of `user` or `click`")
        return None
    if unknown := set(raw) - {"user", "click", "expect"}:
        problems.append(f"{where}: unknown keys {sorted(unknown)}")
        return None
    text = raw.get("user", raw.get("click"))
    if not isinstance(text, str) or not text.strip():
        problems.append(f"{where}: the message or button title must be a non-empty string")
        return None
    expect = raw.get("expect") or {}
    if not isinstance(expect, dict):
        problems.append(f"{where}: `expect` must be a mapping")
        return None
    if unknown := set(expect) - set(CHECKS):
        problems.append(f"{where}: unknown checks {sorted(unknown)}")
        return None
    checks: dict[str, Any] = {}
    for name in TEXT_CHECKS:
        value = expect.get(name, [])
        if not isinstance(value, list) or not all(isinstance(item, str) and item.strip() for item in value):
            problems.append(f"{where}: `{name}` must be a list of non-empty strings")
            return None
        if name in expect and not value:
            problems.append(f"{where}: `{name}` is empty")
            return None
        checks[name] = tuple(value)
    no_fallback = expect.get("no_fallback", False)
    if not isinstance(no_fallback, bool):
        problems.append(f"{where}: `no_fallback` must be true or false")
        return None
    return Turn(
        user=text if "user" in raw else None,
        click=text if "click" in raw else None,
        expect=Expect(**checks, no_fallback=no_fallback),
    )
