"""The base of every form's validation action (`validate_<form>`): rasa-sdk's, run in its
conversation, with what every form shares: a question asked in passing that no rule answers is
answered and the form asks again (actions/asides.py); the same question asked again without its
parameter keeps the last answer's (actions/followups.py); an identifier refused or not known is
no wrong value (actions/refusals.py); an earlier answer may be corrected (actions/corrections.py)."""

from __future__ import annotations

from typing import Any

import rasa_sdk.forms
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.asides import answer_in_passing
from actions.conversation import Action
from actions.corrections import corrected_value
from actions.followups import carry_over
from actions.refusals import identifier_withheld


class FormValidationAction(Action, rasa_sdk.forms.FormValidationAction):
    """rasa-sdk's FormValidationAction, run in its conversation; a question asked in passing
    that no rule answers is answered here, and the form asks again (actions/asides.py); the same
    question asked again without its parameter keeps the last answer's (actions/followups.py)."""

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        said_before = len(dispatcher.messages)
        withheld = identifier_withheld(self.form_name(), dispatcher, tracker, domain)
        if withheld is None:
            corrected = await corrected_value(
                self.domain_slots(domain),
                lambda slot: getattr(self, f"validate_{slot}", None),
                dispatcher,
                tracker,
                domain,
            )
            withheld = (
                None if corrected is None else [SlotSet(slot, value) for slot, value in corrected.items()]
            )
        if withheld is not None:
            tracker.add_slots(withheld)
            asked = await self.next_requested_slot(dispatcher, tracker, domain)
            return [*withheld, asked] if asked else withheld
        events = await super().run(dispatcher, tracker, domain)
        events = carry_over(self.form_name(), tracker, events)
        return answer_in_passing(self.form_name(), dispatcher, tracker, domain, events, said_before)
