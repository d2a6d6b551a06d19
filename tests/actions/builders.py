"""Tracker builders for the action tests.

Trackers come either from JSON dumps in `trackers/` (made with Rasa's own
`DialogueStateTracker.current_state(EventVerbosity.ALL)`) or from the small event builders
below, and are loaded with `Tracker.from_dict` as the action server does.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from rasa_sdk import Tracker

ROOT = Path(__file__).resolve().parents[2]
TRACKERS = Path(__file__).resolve().parent / "trackers"

Event = dict[str, Any]


def user(intent: str, text: str = "", entities: Iterable[tuple[str, str]] = ()) -> Event:
    """A user message event as Rasa serialises it."""
    parsed = [{"entity": entity, "value": value} for entity, value in entities]
    return {
        "event": "user",
        "text": text or f"/{intent}",
        "parse_data": {
            "intent": {"name": intent, "confidence": 1.0},
            "entities": parsed,
            "text": text or f"/{intent}",
        },
    }


def action(name: str) -> Event:
    return {"event": "action", "name": name}


def bot(text: str) -> Event:
    return {"event": "bot", "text": text}


def slot(name: str, value: Any) -> Event:
    return {"event": "slot", "name": name, "value": value}


def session_start() -> list[Event]:
    return [action("action_session_start"), {"event": "session_started"}, action("action_listen")]


def tracker_from_events(
    events: list[Event],
    slots: dict[str, Any] | None = None,
    *,
    sender_id: str = "test",
    active_loop: str | None = None,
) -> Tracker:
    """A tracker whose latest message is the last user event in `events`; `active_loop`: the
    form active now."""
    users = [event for event in events if event["event"] == "user"]
    latest = users[-1]["parse_data"] if users else {}
    values = dict(slots or {})
    for event in events:
        if event["event"] == "slot":
            values[event["name"]] = event["value"]
    return Tracker.from_dict(
        {
            "sender_id": sender_id,
            "slots": values,
            "latest_message": latest,
            "events": events,
            "paused": False,
            "followup_action": None,
            "active_loop": {"name": active_loop} if active_loop else {},
            "latest_action_name": events[-1].get("name") if events else None,
        }
    )


def load_tracker(name: str) -> Tracker:
    """A tracker from `trackers/<name>.json`."""
    return Tracker.from_dict(json.loads((TRACKERS / f"{name}.json").read_text()))
