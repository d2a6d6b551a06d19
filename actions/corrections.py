"""A value given earlier in a form, corrected while the form asks something else (issue 18,
section 2): "eh lokasinya salah, yang bener Jl. Melati No. 5" while the description is asked.

The message must say that something was wrong ("salah", "ralat", "koreksi", "bukan") and name
the earlier answer by its label (`LABELS`); the new value is what follows "yang bener",
"harusnya", "seharusnya" or a colon. The form's own validator checks it, the citizen is told
what changed, and the form asks its question again. Identifiers are corrected by their entity
(actions/validation.py), dates by the identity step.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

Validator = Callable[[Any, CollectingDispatcher, Tracker, DomainDict], Awaitable[dict[str, Any]]]

# Free-text answers a citizen may correct later: the slot → (how the citizen names it, how the
# bot names it back).
LABELS: Mapping[str, tuple[re.Pattern[str], str]] = {
    "complaint_location": (re.compile(r"\b(?:lokasi|alamat|tempat)\w*", re.IGNORECASE), "lokasi"),
    "complaint_description": (
        re.compile(r"\b(?:uraian|cerita|kronologi|deskripsi|keterangan)\w*", re.IGNORECASE),
        "uraian",
    ),
}
_WRONG = re.compile(r"\b(?:salah|ralat|koreksi|keliru|bukan|maksud\w*)\b", re.IGNORECASE)
_NEW_VALUE = re.compile(
    r"(?:\b(?:yang|yg)\s+(?:benar|bener|betul)\b|\b(?:seharusnya|harusnya|mestinya|semestinya)\b|:)\s*(?:nya\b|adalah\b)?[\s,.:]*(?P<value>.+)$",
    re.IGNORECASE,
)


def correction_in(text: str, slots: list[str]) -> tuple[str, str] | None:
    """(slot, new value) when `text` corrects one of `slots` by its label; else None."""
    if not _WRONG.search(text):
        return None
    found = _NEW_VALUE.search(text)
    value = found.group("value").strip(" .,") if found else ""
    if found is None or not value:
        return None
    named = [slot for slot in slots if slot in LABELS and LABELS[slot][0].search(text[: found.start()])]
    return (named[0], value) if len(named) == 1 else None


async def corrected_value(
    form_slots: list[str],
    validator: Callable[[str], Validator | None],
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    domain: DomainDict,
) -> dict[str, Any] | None:
    """The slots set by a correction of an earlier answer of the form (after saying so), or
    None when the latest message is none. `validator(slot)`: the form's validate_<slot>."""
    requested = tracker.get_slot("requested_slot")
    text = str(tracker.latest_message.get("text") or "")
    earlier = [slot for slot in form_slots if slot != requested and tracker.get_slot(slot) is not None]
    found = correction_in(text, earlier) if not text.startswith("/") else None
    if found is None:
        return None
    slot, value = found
    check = validator(slot)
    checked = await check(value, dispatcher, tracker, domain) if check else {slot: value}
    if checked.get(slot) is None:
        return {}  # the validator said what is wrong; the earlier value stays
    dispatcher.utter_message(
        response="utter_value_corrected", label=LABELS[slot][1], value=str(checked[slot])
    )
    return checked
