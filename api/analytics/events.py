"""One Rasa event, as its pika broker publishes it, to an analytics row without identifiers.

What is kept: the event's type (from an allow-list), the intent of a user event, the name of an
action or form, the channel, the time, and an HMAC of the sender id under a secret salt (it
groups a conversation's events and opens nothing). What is never kept: the sender id, any text
(the citizen's or the bot's), entities, slot values, metadata. Events of other types (slots,
entities, featurisation, reminders...) are skipped: their values may be personal data.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

# Event type → where its name is (None: the type alone is kept).
KEPT_TYPES: dict[str, str | None] = {
    "user": "intent",
    "action": "name",
    "bot": None,
    "session_started": None,
    "restart": None,
    "active_loop": "name",
    "action_execution_rejected": "name",
}
# A name not in the domain (a citizen can type "/anything" as an intent) is stored as this.
OTHER = "other"
# Rasa's own intents and actions, which the domain does not list.
RASA_NAMES = frozenset({
    "action_listen", "action_restart", "action_session_start", "action_default_fallback",
    "action_deactivate_loop", "action_revert_fallback_events", "action_default_ask_affirmation",
    "action_default_ask_rephrase", "action_two_stage_fallback", "action_unlikely_intent",
    "action_back", "action_extract_slots", "nlu_fallback", "restart", "back", "out_of_scope",
    "session_start",
})  # fmt: skip
_CHANNEL = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
DOMAIN_DIR = Path(__file__).resolve().parents[2] / "domain"


def domain_names(folder: Path = DOMAIN_DIR) -> frozenset[str]:
    """Every intent, action, form and response the domain files name, and Rasa's own."""
    names: set[str] = set(RASA_NAMES)
    for path in sorted(folder.rglob("*.yml")):
        part = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for key in ("intents", "actions", "forms", "responses"):
            names.update(_keys(part.get(key) or ()))
    return frozenset(names)


def _keys(items: Iterable[Any] | dict[str, Any]) -> Iterable[str]:
    for item in items:
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):  # `- intent_name: {use_entities: ...}`
            yield from (key for key in item if isinstance(key, str))


@dataclass(frozen=True)
class Row:
    event_key: str
    conversation_hash: str
    event_type: str
    name: str | None
    channel: str | None
    at: datetime

    def as_dict(self) -> dict[str, Any]:
        return {
            "event_key": self.event_key, "conversation_hash": self.conversation_hash,
            "event_type": self.event_type, "name": self.name, "channel": self.channel, "at": self.at,
        }  # fmt: skip


def conversation_hash(salt: bytes, sender_id: str) -> str:
    return hmac.new(salt, sender_id.encode(), hashlib.sha256).hexdigest()


def to_row(body: bytes, salt: bytes, names: frozenset[str]) -> Row | None:
    """The row for one broker message, or None (not an event, a type not kept, no sender).
    A name outside `names` (see `domain_names`) is stored as `OTHER`."""
    try:
        event = json.loads(body)
    except (UnicodeDecodeError, ValueError):
        return None
    if not isinstance(event, dict):
        return None
    kind, sender = event.get("event"), event.get("sender_id")
    if kind not in KEPT_TYPES or not isinstance(sender, str) or not sender:
        return None
    return Row(
        event_key=hashlib.sha256(body).hexdigest(),
        conversation_hash=conversation_hash(salt, sender),
        event_type=kind,
        name=_name(event, KEPT_TYPES[kind], names),
        channel=_safe(event.get("input_channel"), _CHANNEL),
        at=_time(event.get("timestamp")),
    )


def _name(event: dict[str, Any], where: str | None, names: frozenset[str]) -> str | None:
    if where is None:
        return None
    value = event.get(where)
    if where == "intent":
        parse = event.get("parse_data")
        intent = parse.get("intent") if isinstance(parse, dict) else None
        value = intent.get("name") if isinstance(intent, dict) else None
    if value is None:
        return None
    return value if isinstance(value, str) and value in names else OTHER


def _safe(value: object, pattern: re.Pattern[str]) -> str | None:
    return value if isinstance(value, str) and pattern.match(value) else None


def _time(value: object) -> datetime:
    if isinstance(value, int | float) and 0 < value < 32_503_680_000:  # before the year 3000
        return datetime.fromtimestamp(value, UTC)
    return datetime.now(UTC)
