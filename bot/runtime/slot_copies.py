"""A slot's shallow copy without `copy.copy`'s generic path.

Rasa 3.6 copies every slot of the domain (`copy.copy(slot)`, 65 here) whenever it makes a
tracker: on reading one, for each `past_states` (a copy replayed event by event), for each action
it runs (`tracker.copy()`), for a form's temporary tracker. `copy.copy` of a plain object goes
through `__reduce_ex__` and `copyreg`, and these copies were 7% of the Rasa server's busy time
after round 9's change (bench/findings.md). `Slot.__copy__` here makes the same shallow copy
directly: a new instance of the slot's class whose attributes are the same objects (Slot and its
subclasses keep their state in `__dict__`, with no `__slots__`, `__getstate__` or `__reduce__`
of their own; checked at install, else nothing is installed).
"""

from __future__ import annotations

import logging
from typing import Any

from rasa.shared.core import slots

logger = logging.getLogger(__name__)

_CUSTOM = ("__slots__", "__getstate__", "__setstate__", "__reduce__", "__reduce_ex__", "__copy__")


def shallow_copy(self: slots.Slot) -> slots.Slot:
    """What `copy.copy(self)` returns: the same class, the same attribute objects."""
    cls = self.__class__
    new: Any = cls.__new__(cls)
    new.__dict__.update(self.__dict__)
    return new  # type: ignore[no-any-return]


def _plain(cls: type) -> bool:
    """Whether `cls` and its bases up to `Slot` leave copying to `object`'s defaults."""
    for klass in cls.__mro__:
        if klass is object:
            break
        if klass.__module__.startswith("abc") or klass.__name__ == "ABC":
            continue
        if any(name in vars(klass) and vars(klass)[name] is not shallow_copy for name in _CUSTOM):
            return False
    subclasses: list[type] = cls.__subclasses__()
    return all(_plain(sub) for sub in subclasses)


def install() -> None:
    if slots.Slot.__dict__.get("__copy__") is shallow_copy:
        return
    if not _plain(slots.Slot):
        logger.warning("A Rasa slot class defines its own copying: slots are copied by copy.copy.")
        return
    slots.Slot.__copy__ = shallow_copy  # type: ignore[attr-defined]
