"""Following a LAPOR! complaint: `complaint_status_form` asks the case number (`ticket_id`:
"LPR-2026-00042", or the 7-digit tracking number of a report filed on lapor.go.id);
`action_complaint_status` says where the complaint is in the LAPOR! lifecycle and what happens
next (`GET /complaints/{case_number}`). Filing one is in actions/complaints.py.
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.answers import aside_intents, entity_value, typed_answer
from actions.case_replies import follow_complaint
from actions.case_status import follow_case, more_numbers
from actions.conversation import Action
from actions.form_validation import FormValidationAction
from actions.lapor_topics import answer as answer_lapor_topic
from actions.lapor_topics import opening_topic as lapor_topic
from bot.identifiers import normalize_ticket

SlotValues = dict[str, Any]

_TRACKING_NUMBER = re.compile(r"(?<!\d)#?(\d{7})(?!\d)")


class ValidateComplaintStatusForm(FormValidationAction):
    """Checks the case number asked by `complaint_status_form`."""

    aside = aside_intents("complaint_status")

    def name(self) -> str:
        return "validate_complaint_status_form"

    async def required_slots(
        self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[str]:
        if lapor_topic(tracker, self.form_name()):
            return []  # "kalau tidak ditindaklanjuti, ke mana?": answered, no case number asked
        return domain_slots

    async def extract_ticket_id(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        """A typed answer in which the NLU found no case number: a lapor.go.id tracking
        number (7 digits), or the format to use."""
        if entity_value(tracker, "ticket_id"):
            return {}
        text = typed_answer(tracker, "ticket_id", self.aside)
        if text is None:
            return {}
        tracking = _TRACKING_NUMBER.search(text)
        if tracking:
            return {"ticket_id": tracking[1]}
        dispatcher.utter_message(response="utter_invalid_complaint_number")
        return {"ticket_id": None}

    async def validate_ticket_id(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        if value and _TRACKING_NUMBER.fullmatch(str(value)):
            return {"ticket_id": str(value).lstrip("#")}
        case_number = normalize_ticket(str(value)) if value else None
        if case_number is None:
            return {"ticket_id": None}
        if not case_number.startswith("LPR-"):
            # A case number of another service: followed (action_complaint_status routes it by
            # its prefix) if the citizen just sent it; one kept from earlier is not asked about.
            mentioned = {normalize_ticket(str(v)) for v in tracker.get_latest_entity_values("ticket_id")}
            return {"ticket_id": case_number if case_number in mentioned else None}
        return {"ticket_id": case_number}


class ActionComplaintStatus(Action):
    """Says where a complaint stands and what happens next; another service's case number
    given instead gets its own status answer (actions/case_status.py)."""

    def name(self) -> str:
        return "action_complaint_status"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        topic = lapor_topic(tracker, "complaint_status_form")
        if topic:  # a question about LAPOR! itself opened the form
            return answer_lapor_topic(dispatcher, tracker, topic, domain)
        case_number = tracker.get_slot("ticket_id")
        if not case_number:
            return []
        if str(case_number).startswith("LPR-") or _TRACKING_NUMBER.fullmatch(str(case_number)):
            events = await follow_complaint(dispatcher, str(case_number))
        else:
            events = await follow_case(dispatcher, str(case_number))
        for other in more_numbers(tracker, str(case_number)):  # every number the message gave
            events += await follow_case(dispatcher, other)
        return events
