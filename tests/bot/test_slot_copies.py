"""bot/runtime/slot_copies.py: a slot's copy is what `copy.copy` made before, for every slot of
the domain, and a tracker's slots stay its own."""

from __future__ import annotations

import copy
import gc
from pathlib import Path

from rasa.shared.core import slots
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SlotSet
from rasa.shared.core.trackers import DialogueStateTracker

from bot.runtime import slot_copies

DOMAIN = Domain.load(str(Path(__file__).parents[2] / "domain"))


def test_every_slot_is_copied_as_copy_copy_copied_it(monkeypatch):
    monkeypatch.delattr(slots.Slot, "__copy__", raising=False)
    assert slot_copies._plain(slots.Slot)
    before = [copy.copy(slot) for slot in DOMAIN.slots]
    slot_copies.install()
    assert slots.Slot.__dict__["__copy__"] is slot_copies.shallow_copy
    for slot, old in zip(DOMAIN.slots, before, strict=True):
        new = copy.copy(slot)
        assert new is not slot and type(new) is type(old) is type(slot)
        assert new.__dict__.keys() == old.__dict__.keys()
        assert all(new.__dict__[key] is old.__dict__[key] for key in old.__dict__), slot.name


def test_a_trackers_slots_are_its_own():
    slot_copies.install()
    name = DOMAIN.slots[0].name
    first = DialogueStateTracker("a", DOMAIN.slots)
    second = DialogueStateTracker("b", DOMAIN.slots)
    first.update(SlotSet(name, "x"))
    assert first.get_slot(name) == "x"
    assert second.get_slot(name) != "x" and DOMAIN.slots[0].value != "x"


def test_a_slot_class_with_its_own_copying_keeps_copy_copy(monkeypatch):
    class Special(slots.TextSlot):
        def __reduce__(self):  # type: ignore[no-untyped-def]
            return super().__reduce__()

    assert not slot_copies._plain(slots.Slot)
    monkeypatch.delattr(slots.Slot, "__copy__", raising=False)
    slot_copies.install()
    assert "__copy__" not in slots.Slot.__dict__
    del Special
    gc.collect()  # the class leaves Slot.__subclasses__() only when collected
    assert slot_copies._plain(slots.Slot)
