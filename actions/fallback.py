"""What the assistant does when it did not understand (`out_of_scope`, `nlu_fallback`).

A message not understood may still be an elliptical follow-up of the last answer ("kalau
mobil?"): `actions.followups.rerun` answers it first; one that carries an identifier ("yg bener
BL 4209 R") is data for a service, continued as `action_continue` does. Otherwise a first miss
explains what the assistant can do and shows the menu; in a form, a question about the value
asked ("nik itu yang mana?") gets help on where to find it, and the second unclear reply in a
row offers a person and cancelling instead. A second miss in a row hands the conversation to an
officer (`signal_handoff`, reason `repeated_miss`). "In a row" is read from the tracker's
events, so no counter slot has to be reset elsewhere.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.answers import user_intents
from actions.asides import STUCK_BUTTONS, help_asked, step_asked, unclear_replies
from actions.continuation import typed_values
from actions.conversation import Action
from actions.followups import ActionContinue, rerun
from actions.handoff import signal_handoff
from actions.menu import service_buttons

MISS_INTENTS = frozenset({"out_of_scope", "nlu_fallback"})


def is_repeated_miss(events: Iterable[dict[str, Any]]) -> bool:
    """True when the user message before the latest one was also a miss."""
    intents = user_intents(events)
    return len(intents) >= 2 and intents[-2] in MISS_INTENTS


class ActionHandleMiss(Action):
    """Answers `out_of_scope` and `nlu_fallback`; hands over to a person on the second miss in a row."""

    def name(self) -> str:
        return "action_handle_miss"

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[dict[str, Any]]:
        intent = ((tracker.latest_message or {}).get("intent") or {}).get("name")
        if intent in MISS_INTENTS and tracker.active_loop_name is None:
            followup = await rerun(dispatcher, tracker, domain)
            if followup is not None:
                return followup
            if typed_values(tracker):  # "yg bener BL 4209 R": data for a service, not a miss
                return await ActionContinue().run(dispatcher, tracker, domain)
        form = tracker.active_loop_name
        answer = help_asked(tracker, domain) or step_asked(tracker, domain)
        if answer:
            # "nik itu yang mana?": where to find the value asked; "pensiun janda gimana?": the
            # journey step it names. In a form, the form asks again.
            dispatcher.utter_message(response=answer)
            return [] if intent in MISS_INTENTS else [UserUtteranceReverted()]
        if form and intent in MISS_INTENTS and unclear_replies(tracker, form) >= 2:
            # Stuck on the form's question: a person or cancelling, as buttons; the form asks again.
            dispatcher.utter_message(response="utter_stuck_offer", buttons=STUCK_BUTTONS)
            return []
        if is_repeated_miss(tracker.events):
            dispatcher.utter_message(response="utter_miss_repeated")
            signal_handoff(dispatcher, tracker, "repeated_miss")
            return []
        response = "utter_miss_out_of_scope" if intent == "out_of_scope" else "utter_miss_not_understood"
        dispatcher.utter_message(response=response, buttons=service_buttons())
        if intent not in MISS_INTENTS:
            # Run as the core fallback (no policy knew what to do next): forget the message,
            # as Rasa's default fallback does, so the dialogue doesn't loop on it.
            return [UserUtteranceReverted()]
        return []
