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

from actions.answers import aside_intents, entity_value, rupiah, tanggal, typed_answer, waktu
from actions.applications import KK_REASON_TITLES, SERVICE, STATUS_BUTTON
from actions.conversation import Action
from actions.form_validation import FormValidationAction
from actions.gateway import gateway
from actions.lookups import Failure, lookup
from actions.menu import MAIN_MENU_BUTTON, OFFICE_BUTTON
from bot.identifiers import normalize_ticket

SlotValues = dict[str, Any]

CASE_NOUNS = {
    "population_application": "Permohonan",
    "complaint": "Pengaduan",
    "skck": "Permohonan SKCK",
    "billing": "Tagihan",
    "contact_request": "Tiket layanan petugas",
}
STATUS_FAILURE = Failure(
    SERVICE,
    "tanyakan langsung ke Dinas Dukcapil tempat Anda mengajukan.",
    not_found="utter_ticket_not_found",
    buttons=(STATUS_BUTTON, MAIN_MENU_BUTTON),
)
HISTORY_LINES = 5


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
_TYPED_TICKET = re.compile(r"\b(lpr|adm|skck|bil|tkt)\s*[-_/.\s]\s*(20\d\d)\s*[-_/.\s]\s*(\d{5,6})\b", re.I)


def typed_ticket(text: str) -> str | None:
    """The case number in a typed answer, written the way we print it, or None."""
    match = _TYPED_TICKET.search(text)
    return normalize_ticket("-".join(match.groups())) if match else None


def summary_text(summary: Any) -> str:
    """What the case is about, from the gateway's `summary` (a dict whose fields depend on the
    kind of case): "Perubahan Kartu Keluarga (perubahan data)", "Kategori: Kesehatan", ..."""
    if not isinstance(summary, dict):
        return str(summary or "")
    if summary.get("label"):  # population application: type, label, reason of a KK change
        reason = KK_REASON_TITLES.get(str(summary.get("reason")))
        return f"{summary['label']} ({reason.lower()})" if reason else str(summary["label"])
    if summary.get("category_label"):  # complaint
        return f"Kategori: {summary['category_label']}"
    if summary.get("purpose"):  # SKCK
        station = f"; diambil di {summary['police_station']}" if summary.get("police_station") else ""
        return f"Keperluan: {summary['purpose']}{station}"
    if summary.get("description"):  # billing
        return f"{summary['description']}: {rupiah(summary.get('amount'))}"
    return ""


def case_reply(case: dict[str, Any]) -> str:
    noun = CASE_NOUNS.get(str(case.get("kind")), "Permohonan")
    lines = [f"{noun} {case.get('case_number')}: {case.get('status_label') or case.get('status')}."]
    summary = summary_text(case.get("summary"))
    if summary:
        lines.append(summary)
    lines.append(
        f"Diajukan {tanggal(case.get('created_at'))}; terakhir diperbarui {waktu(case.get('updated_at'))}."
    )
    history = (case.get("history") or [])[-HISTORY_LINES:]
    if history:
        lines.append(
            "\nRiwayat:\n" + "\n".join(f"• {tanggal(h.get('at'))}: {h.get('status_label')}" for h in history)
        )
    return "\n".join(lines)


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
            from actions.case_status import follow_case  # the router imports this module

            return await follow_case(dispatcher, str(ticket))
        case = await lookup(dispatcher, gateway().get(f"/cases/{ticket}"), STATUS_FAILURE, ticket=ticket)
        if case.failed:
            return [SlotSet("ticket_id", None)] if case.not_found else []
        dispatcher.utter_message(text=case_reply(case.data), buttons=[OFFICE_BUTTON, MAIN_MENU_BUTTON])
        return []
