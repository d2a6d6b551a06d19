"""The status of a case followed by its number: `application_status_form` (`ticket_id`, e.g.
ADM-2026-000123) → `action_application_status`: `GET /cases/{n}`, its status, what it is about
and its latest history. Any kind of case: population applications, complaints, SKCK, billings.
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.answers import aside_intents, entity_value, typed_answer
from actions.applications import SERVICE, STATUS_BUTTON
from actions.case_replies import case_reply
from actions.case_status import follow_case
from actions.conversation import Action
from actions.form_validation import FormValidationAction
from actions.gateway import gateway
from actions.lookups import Failure, lookup
from actions.menu import MAIN_MENU_BUTTON, OFFICE_BUTTON
from bot.identifiers import CASE_PREFIXES, normalize_ticket

SlotValues = dict[str, Any]

STATUS_FAILURE = Failure(
    SERVICE,
    "tanyakan langsung ke Dinas Dukcapil tempat Anda mengajukan.",
    not_found="utter_ticket_not_found",
    buttons=(STATUS_BUTTON, MAIN_MENU_BUTTON),
)


class ValidateApplicationStatusForm(FormValidationAction):
    """The case number (the `ticket_id` entity: ADM-2026-000123)."""

    aside = aside_intents("id_application_status")

    def name(self) -> str:
        return "validate_application_status_form"

    async def extract_ticket_id(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        if entity_value(tracker, "ticket_id"):
            return {}
        text = typed_answer(tracker, "ticket_id", self.aside)
        if text is None:
            return {}
        ticket = typed_ticket(text)
        if ticket is None:
            dispatcher.utter_message(response="utter_invalid_ticket")
        return {"ticket_id": ticket}

    async def validate_ticket_id(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        if value is None:
            return {"ticket_id": None}
        ticket = normalize_ticket(str(value))
        if ticket is None:
            dispatcher.utter_message(response="utter_invalid_ticket")
        return {"ticket_id": ticket}


# A case number as typed when the entity extractor missed it: "adm 2026 000123",
# "ADM/2026/000123", "nomornya adm-2026-000123 ya".
_TYPED_TICKET = re.compile(
    rf"\b({'|'.join(CASE_PREFIXES)})\s*[-_/.\s]\s*(20\d\d)\s*[-_/.\s]\s*(\d{{5,6}})\b", re.I
)


def typed_ticket(text: str) -> str | None:
    """The case number in a typed answer, written the way we print it, or None."""
    match = _TYPED_TICKET.search(text)
    return normalize_ticket("-".join(match.groups())) if match else None


class ActionApplicationStatus(Action):
    """The status and history of a case followed by its number."""

    def name(self) -> str:
        return "action_application_status"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        ticket = tracker.get_slot("ticket_id")
        if not ticket:
            return []
        if not str(ticket).startswith("ADM-"):  # another kind's own status answer
            return await follow_case(dispatcher, str(ticket))
        case = await lookup(dispatcher, gateway().get(f"/cases/{ticket}"), STATUS_FAILURE, ticket=ticket)
        if case.failed:
            return [SlotSet("ticket_id", None)] if case.not_found else []
        dispatcher.utter_message(text=case_reply(case.data), buttons=[OFFICE_BUTTON, MAIN_MENU_BUTTON])
        return []
