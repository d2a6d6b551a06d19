"""Reading the conversation so far, for the mechanisms every service shares (actions/followups.py).

- `session_events()`: the events of the current session (after the last start or restart).
- `since_latest_user()`: the slots set after the latest user message (by extraction and its
  validation), with their final values.
- `being_activated()`: the form runs for the message that starts it.
- `value_before_latest_user()`: a slot's value before the latest user message.
- `slots_before()`: the slots as they were when an event happened (replayed from the events).
- `recent_intents()`: the services the citizen asked for or was just offered, most recent first.
- `about_someone_else()`: the message speaks of another person ("ibu saya", "anak saya").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from rasa_sdk import Tracker

Event = dict[str, Any]
_START = ("session_started", "restart")
# Another person than the citizen: a relative named as "ibu saya", "anak sy", "suami",
# "istri saya", "orang tua saya"...
_RELATIVE = (
    r"ibu|bu|mama|mamah|mami|ibunda|emak|ayah|bapak|bapa|papa|papah|abah|bunda|anak|putra|putri|suami|"
    r"istri|isteri|adik|adek|kakak|kakek|nenek|mertua|orang\s*tua|ortu|keponakan|cucu|saudara|paman|bibi|tante|om"
)
_SOMEONE_ELSE = re.compile(
    rf"\b(?:{_RELATIVE})\s+(?:saya|sy|aku|ku|gue|gw|kami)\b|\b(?:{_RELATIVE})ku\b|\b(?:suami|istri|isteri|ortu)\b",
    re.IGNORECASE,
)


def session_events(tracker: Tracker) -> list[Event]:
    """The events since the current session started (or the conversation was restarted)."""
    events = list(tracker.events)
    for index in range(len(events) - 1, -1, -1):
        if events[index].get("event") in _START:
            return events[index + 1 :]
    return events


def since_latest_user(tracker: Tracker) -> dict[str, Any]:
    """The slots set after the latest user message, each with its last value."""
    found: dict[str, Any] = {}
    for event in reversed(tracker.events):
        kind = event.get("event")
        if kind == "user":
            break
        if kind == "slot" and event.get("name") not in found:
            found[str(event.get("name"))] = event.get("value")
    return found


def slots_before(events: Sequence[Event], index: int) -> dict[str, Any]:
    """The slot values set by `events[:index]`."""
    values: dict[str, Any] = {}
    for event in events[:index]:
        kind = event.get("event")
        if kind == "slot":
            values[str(event.get("name"))] = event.get("value")
        elif kind in ("reset_slots", "restart"):
            values.clear()
    return values


def value_before_latest_user(tracker: Tracker, slot: str) -> Any:
    """The value `slot` had before the latest user message (its last SlotSet before it)."""
    seen_user = False
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            seen_user = True
        elif seen_user and event.get("event") == "slot" and event.get("name") == slot:
            return event.get("value")
        elif seen_user and event.get("event") in ("reset_slots", *_START):
            return None
    return None


def being_activated(tracker: Tracker, form: str) -> bool:
    """True while `form` runs for the message that starts it: Rasa validates the slots filled
    before the form with a tracker where the form is not active yet; after that, the form's
    activation is the last event of its kind since the latest user message."""
    if tracker.active_loop_name != form:
        return True
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return False
        if event.get("event") == "active_loop" and event.get("name") == form:
            return True
    return False


def user_turns_after(events: Sequence[Event], index: int) -> int:
    """How many user messages came after `events[index]`."""
    return sum(1 for event in events[index + 1 :] if event.get("event") == "user")


def payload_intent(payload: Any) -> str | None:
    """The intent of a button payload ("/health_bpjs_status", "/inform{...}")."""
    text = str(payload or "")
    if not text.startswith("/"):
        return None
    return text[1:].split("{", 1)[0] or None


def offered_intents(events: Iterable[Event]) -> list[str]:
    """The intents of the buttons of the bot's messages in `events`, in order."""
    found: list[str] = []
    for event in events:
        if event.get("event") != "bot":
            continue
        for button in (event.get("data") or {}).get("buttons") or []:
            intent = payload_intent(button.get("payload"))
            if intent:
                found.append(intent)
    return found


def recent_intents(tracker: Tracker) -> list[str]:
    """The intents of this session, most recent first: those the bot offered with buttons since
    the citizen's previous message, then those the citizen's messages (and buttons) had."""
    events = session_events(tracker)
    users = [index for index, event in enumerate(events) if event.get("event") == "user"]
    offer_start = users[-2] if len(users) >= 2 else 0
    ordered = list(reversed(offered_intents(events[offer_start:])))
    for index in reversed(users):
        intent = ((events[index].get("parse_data") or {}).get("intent") or {}).get("name")
        if intent:
            ordered.append(str(intent))
    return list(dict.fromkeys(ordered))


def about_someone_else(text: str) -> bool:
    """True when `text` is about another person: "kartu bpjs ibu saya", "anak sy", "suami"."""
    return bool(_SOMEONE_ELSE.search(text or ""))
