"""Data typed outside a form (issue 18, section 2: "data outside a form"): which service it is
for. Shared by `action_continue` and `action_handle_miss` (actions/followups.py, fallback.py).

- `typed_values()`: the identifiers and date the latest message gave.
- `continue_service()`: the most recent service that needs them (its own form, else a form of
  the same service), else for a case number the status router, else the only service that
  takes such an identifier, else the one the message names by a word of its title; None when
  it stays open.
- `service_choices()`: the buttons for "Data tersebut untuk layanan apa?".
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.types import DomainDict

from actions.history import recent_intents, since_latest_user
from actions.menu import MAIN_MENU_BUTTON, SERVICES, Button, service_buttons

# The form each service intent starts: a value typed outside a form continues the most recent
# of them that needs it.
FORMS: Mapping[str, str] = {
    "health_bpjs_status": "bpjs_status_form",
    "health_immunization_record": "immunization_form",
    "health_facility_search": "facility_search_form",
    "edu_pip_status": "pip_status_form",
    "edu_kip_kuliah": "kip_kuliah_form",
    "edu_school_admission": "spmb_form",
    "bansos_check": "bansos_check_form",
    "id_document_requirements": "document_requirements_form",
    "id_application_status": "application_status_form",
    "pay_vehicle_tax": "vehicle_tax_form",
    "pay_billing_status": "billing_status_form",
    "pay_create_billing": "pnbp_billing_form",
    "complaint_status": "complaint_status_form",
    "asn_selection_result": "casn_result_form",
    "police_sim_renewal": "sim_renewal_form",
    "police_sim_fee": "sim_fee_form",
    "police_skck": "skck_form",
    "data_statistics": "statistics_form",
}
# Values typed outside a form that a service continues with; a date is the birth date asked next.
IDENTIFIER_SLOTS = (
    "nik", "kk_number", "bpjs_number", "nisn", "participant_number",
    "plate_number", "ticket_id", "billing_code",
)  # fmt: skip
BIRTH_DATE_SLOTS = ("birth_date", "student_birth_date")
CASE_ROUTER = "case_status_form"  # any case number's status (actions/case_status.py)
_PARTICIPANT_NUMBER = re.compile(r"(?<!\d)\d{17}(?!\d)")  # a CASN participant number (no entity)
_TOPIC_TITLES = {topic.intent: topic.title for service in SERVICES for topic in service.topics}


def _form_slots(domain: DomainDict, form: str) -> list[str]:
    return list((domain.get("forms") or {}).get(form, {}).get("required_slots") or [])


def typed_values(tracker: Tracker) -> dict[str, Any]:
    """The identifiers and the date the latest message gave: checked and kept by extraction,
    or, for an identifier whose slot only its form fills (a participant number), its entity."""
    fresh = since_latest_user(tracker)
    values = {slot: fresh[slot] for slot in IDENTIFIER_SLOTS if fresh.get(slot) is not None}
    for entity in tracker.latest_message.get("entities") or []:
        name = str(entity.get("entity"))
        if name in IDENTIFIER_SLOTS and name not in fresh and entity.get("value") is not None:
            values.setdefault(name, entity["value"])
    number = _PARTICIPANT_NUMBER.search(str(tracker.latest_message.get("text") or ""))
    if number and not values:
        values["participant_number"] = number.group(0)  # no entity: read by its own form
    date = fresh.get("date")
    if date is not None:
        values["date"] = date
    return values


def needs(domain: DomainDict, form: str, slot: str) -> str | None:
    """The slot of `form` that takes a value typed as `slot` (a date: the birth date)."""
    required = _form_slots(domain, form)
    if slot == "date":
        return next((name for name in BIRTH_DATE_SLOTS if name in required), None)
    return slot if slot in required else None


def _service_prefix(intent: str) -> str:
    """The service an intent belongs to, by its name's prefix ("asn_casn_info" → "asn")."""
    return intent.split("_", 1)[0]


def _forms_for(intent: str) -> list[str]:
    """The forms a recent intent points to: its own, else those of its service ("passing grade?"
    asked, then a participant number typed: the CASN result check)."""
    own = FORMS.get(intent)
    if own is not None:
        return [own]
    prefix = _service_prefix(intent)
    return [form for other, form in FORMS.items() if _service_prefix(other) == prefix]


def _moved(domain: DomainDict, form: str, values: Mapping[str, Any]) -> list[EventType] | None:
    """`form` continued with `values` when it needs one of them; None when it needs none."""
    targets = {slot: needs(domain, form, slot) for slot in values}
    if not any(targets.values()):
        return None
    moved = [SlotSet(target, values[slot]) for slot, target in targets.items() if target]
    return [*moved, FollowupAction(form)]


def continue_service(
    tracker: Tracker, domain: DomainDict, values: Mapping[str, Any]
) -> list[EventType] | None:
    """The most recent service that needs one of `values`, continued with it; with none recent,
    the only service that takes such an identifier (a plate: the vehicle tax)."""
    forms = domain.get("forms") or {}
    for intent in recent_intents(tracker):
        for form in _forms_for(intent):
            if form in forms:
                continued = _moved(domain, form, values)
                if continued is not None:
                    return continued
    identifiers = {slot: value for slot, value in values.items() if slot != "date"}
    if identifiers.get("ticket_id") is not None and CASE_ROUTER in forms:
        # A case number names its kind by its prefix, and the router answers every kind.
        return _moved(domain, CASE_ROUTER, {"ticket_id": identifiers["ticket_id"]})
    takers = list(
        dict.fromkeys(form for form in FORMS.values() if form in forms and _moved(domain, form, identifiers))
    )
    chosen = takers if len(takers) == 1 else _named_in(str(tracker.latest_message.get("text") or ""), takers)
    return _moved(domain, chosen[0], identifiers) if len(chosen) == 1 else None


_GENERIC_WORDS = frozenset(
    {"cek", "status", "buat", "daftar", "tanya", "seputar", "penerima", "cari", "syarat"}
)


def _named_in(text: str, forms: list[str]) -> list[str]:
    """The `forms` whose service the message names by a word of its topic's title ("cek masa
    berlaku sim saya, nik …": the SIM renewal)."""
    words = set(re.findall(r"[a-z]+", text.lower())) - _GENERIC_WORDS
    titles = {
        form: set(re.findall(r"[a-z]+", title.lower()))
        for intent, title in _TOPIC_TITLES.items()
        if (form := FORMS.get(intent))
    }
    return [form for form in forms if words & titles.get(form, set())]


def service_choices(tracker: Tracker, domain: DomainDict, values: Mapping[str, Any]) -> list[Button]:
    """The services to choose from for `values`: the recent ones that take them, else every
    service that takes them, else the recent services; the menu when none."""
    takes = [intent for intent, form in FORMS.items() if any(needs(domain, form, slot) for slot in values)]
    recent = [intent for intent in recent_intents(tracker) if intent in _TOPIC_TITLES]
    chosen = [intent for intent in recent if intent in takes] or takes or recent
    buttons = [{"title": _TOPIC_TITLES[i], "payload": f"/{i}"} for i in chosen if i in _TOPIC_TITLES][:6]
    return [*buttons, MAIN_MENU_BUTTON] if buttons else service_buttons()
