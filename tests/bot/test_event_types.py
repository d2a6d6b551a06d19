"""bot/runtime/event_types.py: the same class for every type name, as Rasa's own lookup."""

from __future__ import annotations

import pytest
from rasa.shared.core.events import Event, UserUttered
from rasa.shared.utils.common import all_subclasses

from bot import runtime
from bot.runtime import event_types


def test_every_event_type_resolves_as_rasa_resolves_it() -> None:
    runtime.install()
    rasas = event_types._originals["resolve_by_type"]
    for cls in all_subclasses(Event):
        assert Event.resolve_by_type(cls.type_name) is rasas(cls.type_name)
        assert Event.resolve_by_type(cls.type_name) is rasas(cls.type_name)  # remembered
    assert Event.resolve_by_type("topic") is None
    assert Event.resolve_by_type("no_such_event", default=UserUttered) is UserUttered
    with pytest.raises(ValueError, match="Unknown event name"):
        Event.resolve_by_type("no_such_event")
    parse = {"intent": {"name": "greet"}, "entities": []}
    event = Event.from_parameters({"event": "user", "text": "halo", "parse_data": parse})
    assert isinstance(event, UserUttered) and event.text == "halo" and event.intent_name == "greet"
