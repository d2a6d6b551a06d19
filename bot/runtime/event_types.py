"""Find an event's class by its type name without walking Rasa's class tree every time.

Rasa 3.6's `Event.resolve_by_type` lists every subclass of `Event` (recursively, checking each
for abstract methods) for every event it reads: for each event of a tracker read from the
store, of an action server's answer, of every prior tracker. In a py-spy profile of one long
conversation that walk was 7% of the Rasa server's busy time (bench/findings.md, round 8).
Here a type name found once is remembered; one not found goes to Rasa's own lookup (which
answers the default, None for "topic", or raises), as before.
"""

from __future__ import annotations

from typing import Any

from rasa.shared.core.events import Event

_originals: dict[str, Any] = {}
_found: dict[str, type[Event]] = {}


def resolve_by_type(type_name: str, default: type[Event] | None = None) -> type[Event] | None:
    """`Event.resolve_by_type`, remembering the classes it finds."""
    found = _found.get(type_name)
    if found is None:
        found = _originals["resolve_by_type"](type_name, default)
        if found is None or found is default:
            return found  # "topic", or a default for an unknown name: not a class of that name
        _found[type_name] = found
    return found


def install() -> None:
    _originals.setdefault("resolve_by_type", Event.resolve_by_type)  # Rasa's, also when installed again
    Event.resolve_by_type = staticmethod(resolve_by_type)  # type: ignore[assignment,method-assign]
