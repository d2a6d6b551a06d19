"""Global slot validation (`action_validate_slot_mappings`) of the citizen's identifiers.

Rasa runs this action after every user message that filled a slot. An implausible NIK, KK,
BPJS card number or NISN is refused with a message saying what is wrong, and the slot stays
empty; a plausible one is stored in its canonical form (digits only). The checks live in
`bot.identifiers`, shared with the NLU side. An identifier that replaces another ("eh salah,
NIK saya …") forgets the factor given for the old one (`FACTORS`: its birth date), so that the
next look-up asks for it again instead of pairing the new NIK with the old date.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.conversation import ValidationAction
from actions.history import value_before_latest_user
from bot import identifiers

Check = Callable[[str], str | None]
SlotValues = dict[str, Any]


@dataclass(frozen=True)
class Identifier:
    """How to check one identifier slot; the response `utter_invalid_<slot>` asks the citizen
    to correct it, its `{reason}` the check's sentence."""

    check: Check
    invalid: str  # the response

    def refuse(self, dispatcher: CollectingDispatcher, problem: str) -> None:
        """Tell the citizen that `check` found `problem`."""
        dispatcher.utter_message(response=self.invalid, reason=_sentence(problem))


IDENTIFIERS: Mapping[str, Identifier] = {
    "nik": Identifier(identifiers.check_nik, "utter_invalid_nik"),
    "kk_number": Identifier(identifiers.check_kk_number, "utter_invalid_kk_number"),
    "bpjs_number": Identifier(identifiers.check_bpjs_number, "utter_invalid_bpjs_number"),
    "nisn": Identifier(identifiers.check_nisn, "utter_invalid_nisn"),
}


# The factor that belongs to an identifier: forgotten when the identifier is replaced.
FACTORS: Mapping[str, tuple[str, ...]] = {
    "nik": ("birth_date",),
    "bpjs_number": ("birth_date",),
    "nisn": ("student_birth_date",),
}


def _sentence(reason: str) -> str:
    reason = reason.strip().rstrip(".")
    return f"{reason}."


class ValidateSlotMappings(ValidationAction):
    """Checks identifier slots whenever an entity fills them, outside any form."""

    def __init__(self, checks: Mapping[str, Identifier] | None = None) -> None:
        self.identifiers = IDENTIFIERS if checks is None else checks

    def name(self) -> str:
        return "action_validate_slot_mappings"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        """Only the slots this action knows how to validate (avoids SDK warnings for others)."""
        return [slot for slot in domain_slots if hasattr(self, f"validate_{slot}")]

    def _identifier(
        self, slot: str, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> SlotValues:
        if value is None:
            return {slot: None}
        text = str(value).strip()
        identifier = self.identifiers[slot]
        problem = identifier.check(text)
        if problem:
            identifier.refuse(dispatcher, problem)
            return {slot: None}
        value = identifiers.digits(text)
        previous = value_before_latest_user(tracker, slot)
        if previous is None or previous == value:
            return {slot: value}
        return {slot: value, **{factor: None for factor in FACTORS.get(slot, ())}}

    async def validate_nik(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        """A NIK: 16 digits with a known region, a real birth date and a serial."""
        return self._identifier("nik", value, dispatcher, tracker)

    async def validate_kk_number(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        """A family card (KK) number: 16 digits with a known province."""
        return self._identifier("kk_number", value, dispatcher, tracker)

    async def validate_bpjs_number(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        """A BPJS Kesehatan card number: 13 digits."""
        return self._identifier("bpjs_number", value, dispatcher, tracker)

    async def validate_nisn(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        """A student number (NISN): 10 digits."""
        return self._identifier("nisn", value, dispatcher, tracker)

    async def validate_plate_number(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        """A vehicle plate, stored as "B 1234 XYZ"."""
        if value is None:
            return {"plate_number": None}
        plate = identifiers.normalize_plate(str(value))
        if plate is None:
            dispatcher.utter_message(response="utter_invalid_plate_number")
        return {"plate_number": plate}

    async def validate_sim_class(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        """A SIM class, stored as in the entity contract ("B1", "C2", "A Umum")."""
        if value is None:
            return {"sim_class": None}
        sim_class = identifiers.normalize_sim_class(str(value))
        if sim_class is None:
            dispatcher.utter_message(response="utter_invalid_sim_class")
        return {"sim_class": sim_class}
