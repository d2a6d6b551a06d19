"""Every kind of case number opens its own status answer: one router over the case numbers
the assistant and the call center give out.

- `case_status_form` asks the number (`ticket_id`) when the message had none; the status
  questions of every service that arrive with a case number come here too (data/rules/
  case_status.yml), whatever the NLU took them for ("status TKT-2026-000004" is no billing).
- `action_case_status` dispatches by prefix (`follow_case`):
  LPR- (and a 7-digit lapor.go.id tracking number): the complaint's LAPOR! status;
  ADM-, SKCK-: the case's status and history (`GET /cases/{n}`);
  BIL-: the billing behind the case (`GET /payments/billings/{code}`): paid, unpaid, expired;
  TKT-: the call-center ticket or callback (`GET /tickets/{n}`) and when an officer follows up.
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.answers import aside_intents, entity_value, typed_answer
from actions.case_replies import case_reply, follow_complaint
from actions.conversation import Action
from actions.form_validation import FormValidationAction
from actions.gateway import gateway
from actions.lookups import Failure, lookup
from actions.menu import MAIN_MENU_BUTTON, OFFICE_BUTTON, Button
from actions.payments import BILLING_FAILURE, billing_status
from bot.identifiers import normalize_ticket

SlotValues = dict[str, Any]

HUMAN_BUTTON: Button = {"title": "Bicara dengan petugas", "payload": "/request_human"}
OTHER_NUMBER_BUTTON: Button = {"title": "Cek nomor lain", "payload": "/case_status"}
# Who answers for each kind of case when its service cannot be reached.
CASE_FAILURES = {
    "ADM": Failure(
        "Dukcapil",
        "tanyakan langsung ke Dinas Dukcapil tempat Anda mengajukan.",
        not_found="utter_case_not_found",
        buttons=(OTHER_NUMBER_BUTTON, MAIN_MENU_BUTTON),
    ),
    "SKCK": Failure(
        "SKCK Online (Polri)",
        "pantau permohonan di skck.polri.go.id atau tanyakan ke Polres tempat Anda mengajukan.",
        not_found="utter_case_not_found",
        buttons=(OTHER_NUMBER_BUTTON, MAIN_MENU_BUTTON),
    ),
    "CASN": Failure(
        "SSCASN BKN",
        "lihat pengumuman terbaru di akun SSCASN Anda (sscasn.bkn.go.id).",
        not_found="utter_case_not_found",
        buttons=(OTHER_NUMBER_BUTTON, MAIN_MENU_BUTTON),
    ),
    "BIL": Failure(
        "SIMPONI (kode billing PNBP)",
        "cek status pembayaran pada bukti bayar atau aplikasi instansi pemberi layanan.",
        not_found="utter_case_not_found",
        buttons=(OTHER_NUMBER_BUTTON, MAIN_MENU_BUTTON),
    ),
}
TICKET_FAILURE = Failure(
    "layanan petugas",
    "tunggu balasan petugas di percakapan ini, atau pilih Bicara dengan petugas.",
    not_found="utter_case_not_found",
    buttons=(OTHER_NUMBER_BUTTON, MAIN_MENU_BUTTON),
)
# Each ticket status has `utter_ticket_status_<status>` (api/callcenter/service.py CONTACT_LABELS).
TICKET_STATUSES = frozenset({"ticket", "callback", "in_progress", "closed"})
_TRACKING_NUMBER = re.compile(r"#?\d{7}")


def case_number(value: Any) -> str | None:
    """A case number ("tkt-2026-000004" → "TKT-2026-000004") or a LAPOR! tracking number."""
    if value is None:
        return None
    text = str(value).strip()
    if _TRACKING_NUMBER.fullmatch(text):
        return text.lstrip("#")
    return normalize_ticket(text)


async def follow_ticket(dispatcher: CollectingDispatcher, number: str) -> list[EventType]:
    """A call-center ticket or callback: its status and when an officer follows it up."""
    found = await lookup(dispatcher, gateway().get(f"/tickets/{number}"), TICKET_FAILURE, case_number=number)
    if found.failed:
        return [SlotSet("ticket_id", None)] if found.not_found else []
    ticket = found.data
    status = str(ticket.get("status"))
    response = f"utter_ticket_status_{status if status in TICKET_STATUSES else 'unknown'}"
    buttons = [HUMAN_BUTTON, MAIN_MENU_BUTTON] if status == "closed" else [MAIN_MENU_BUTTON]
    dispatcher.utter_message(
        response=response,
        case_number=number,
        status_label=str(ticket.get("status_label") or status).lower(),
        hours=str(ticket.get("hours") or "jam layanan"),
        now=" Saat ini jam layanan sedang berlangsung."
        if ticket.get("open_now")
        else (" Saat ini di luar jam layanan; petugas menindaklanjutinya pada jam layanan berikutnya."),
        buttons=buttons,
    )
    return []


async def follow_billing_case(dispatcher: CollectingDispatcher, number: str) -> list[EventType]:
    """A billing followed by its case number: the billing code behind it, paid or not."""
    case = gateway().get(f"/cases/{number}")
    found = await lookup(dispatcher, case, CASE_FAILURES["BIL"], case_number=number)
    if found.failed:
        return [SlotSet("ticket_id", None)] if found.not_found else []
    code = (found.data.get("summary") or {}).get("billing_code")
    if not code:
        dispatcher.utter_message(text=case_reply(found.data), buttons=[MAIN_MENU_BUTTON])
        return []
    billing = await lookup(
        dispatcher, gateway().get(f"/payments/billings/{code}"), BILLING_FAILURE, code=code
    )
    if billing.failed:
        return []
    response, values, buttons = billing_status(billing.data)
    dispatcher.utter_message(response=response, buttons=buttons, **values)
    return [SlotSet("billing_code", str(code))]


async def follow_case(dispatcher: CollectingDispatcher, number: str) -> list[EventType]:
    """The status answer of `number`'s kind of case."""
    prefix = number.split("-", 1)[0]
    if prefix == "LPR" or number.isdigit():
        return await follow_complaint(dispatcher, number)
    if prefix == "TKT":
        return await follow_ticket(dispatcher, number)
    if prefix == "BIL":
        return await follow_billing_case(dispatcher, number)
    failure = CASE_FAILURES.get(prefix, CASE_FAILURES["ADM"])
    found = await lookup(dispatcher, gateway().get(f"/cases/{number}"), failure, case_number=number)
    if found.failed:
        return [SlotSet("ticket_id", None)] if found.not_found else []
    dispatcher.utter_message(text=case_reply(found.data), buttons=[OFFICE_BUTTON, MAIN_MENU_BUTTON])
    return []


class ValidateCaseStatusForm(FormValidationAction):
    """The case number of any kind (the `ticket_id` entity), or a LAPOR! tracking number."""

    aside = aside_intents("case_status")

    def name(self) -> str:
        return "validate_case_status_form"

    async def extract_ticket_id(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        if entity_value(tracker, "ticket_id"):
            return {}
        text = typed_answer(tracker, "ticket_id", self.aside)
        if text is None:
            return {}
        tracking = re.search(r"(?<!\d)#?(\d{7})(?!\d)", text)
        if tracking:
            return {"ticket_id": tracking[1]}
        dispatcher.utter_message(response="utter_invalid_case_number")
        return {"ticket_id": None}

    async def validate_ticket_id(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        number = case_number(value)
        if value is not None and number is None:
            dispatcher.utter_message(response="utter_invalid_case_number")
        return {"ticket_id": number}


class ActionCaseStatus(Action):
    """The status of the case whose number the citizen gave, by its kind."""

    def name(self) -> str:
        return "action_case_status"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        number = case_number(entity_value(tracker, "ticket_id") or tracker.get_slot("ticket_id"))
        if number is None:
            return []
        events: list[EventType] = [SlotSet("ticket_id", number), *await follow_case(dispatcher, number)]
        # "cek LPR-2026-00011 sama TKT-2026-000022": every number the message gave is answered.
        for other in more_numbers(tracker, number):
            events += await follow_case(dispatcher, other)
        return events


def more_numbers(tracker: Tracker, first: str) -> list[str]:
    """The other case numbers of the latest message, in order, each once."""
    numbers: list[str] = []
    for value in tracker.get_latest_entity_values("ticket_id"):
        number = case_number(value)
        if number is not None and number != first and number not in numbers:
            numbers.append(number)
    return numbers
