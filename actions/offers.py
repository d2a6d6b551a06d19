"""An offer the citizen answers with something else stays open (issue 18, section 2).

`action_accept_offer` answers a "ya" to an offer made one or two turns earlier, even when the
citizen said something else in between: a flag of `OFFERS`, or the one service check a reply
offered as a button ("Cek tunggakan saya" after the contribution, typed "iya cek"). With no
offer open, a "ya" gets the general answer to a bare yes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, FollowupAction
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.continuation import FORMS
from actions.conversation import Action
from actions.followups import answer_again
from actions.history import payload_intent, session_events, user_turns_after

OFFER_TURNS = 2  # "ya" accepts an offer made at most this many messages ago
# Offers a later "ya" accepts: the slot the offering action sets to true → what accepting runs.
OFFERS: Mapping[str, str] = {
    "tax_billing_offered": "action_vehicle_tax_billing",
    "application_offered": "population_application_form",
}


def open_offer(tracker: Tracker) -> str | None:
    """What accepting the latest offer runs, if one is still open: made in the last few
    messages and neither accepted nor withdrawn since. An offer is a flag of `OFFERS`, or a
    service check offered as the one service button of a reply ("Cek tunggakan saya")."""
    events = session_events(tracker)
    for index in range(len(events) - 1, -1, -1):
        event = events[index]
        if user_turns_after(events, index) > OFFER_TURNS:
            return None
        if event.get("event") == "slot" and event.get("name") in OFFERS:
            if event.get("value") is not True:
                return None
            return OFFERS[str(event["name"])] if tracker.get_slot(str(event["name"])) is True else None
        if event.get("event") == "bot":
            offered = offered_check(event)
            if offered is not None:
                return offered
    return None


def offered_check(event: Mapping[str, Any]) -> str | None:
    """The form of the one service check a bot message offers with its buttons, if exactly one."""
    buttons = (event.get("data") or {}).get("buttons") or []
    intents = [payload_intent(button.get("payload")) for button in buttons]
    forms = {FORMS[intent] for intent in intents if intent is not None and intent in FORMS}
    return forms.pop() if len(forms) == 1 else None


class ActionAcceptOffer(Action):
    """A "ya" that is not the immediate answer to an offer: the offer made a turn or two ago
    is accepted; with none open, the general answer to a bare yes."""

    def name(self) -> str:
        return "action_accept_offer"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        # In a form, a "ya" answers the form's own question, not an offer made before it.
        accept = None if tracker.active_loop_name else open_offer(tracker)
        if accept is None:
            dispatcher.utter_message(response="utter_affirm")
            return []
        if accept in (domain.get("forms") or {}):
            return [FollowupAction(accept)]
        return await answer_again(dispatcher, tracker, domain, accept)
