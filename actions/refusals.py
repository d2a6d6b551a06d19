"""An identifier the citizen will not or cannot give, in any form (issue 18, section 2).

Asked for a NIK, a NISN, a participant number or a plate, a citizen may refuse ("gak mau kasih
NIK") or not know it ("lupa nomor pesertanya"). Neither is a wrong value: no validation error,
no fallback. A refusal gets why the identifier is needed and what else there is (the form's own
alternative, e.g. Cek Bansos by name and region, or a person); not knowing it gets where to find
it (`utter_help_<slot>`). Both offer a person and cancelling, and the form asks again.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.asides import STUCK_BUTTONS
from actions.history import being_activated

# The identifier slots a form may ask for, and how each is named to the citizen.
IDENTIFIER_NAMES: Mapping[str, str] = {
    "nik": "NIK",
    "nisn": "NISN",
    "participant_number": "nomor peserta",
    "bpjs_number": "nomor kartu BPJS",
    "kk_number": "nomor KK",
    "plate_number": "nomor polisi",
    "ticket_id": "nomor tiket",
}
# What a form offers instead of a refused identifier: the slots it sets.
ALTERNATIVES: Mapping[tuple[str, str], Mapping[str, Any]] = {
    ("bansos_check_form", "nik"): {"bansos_method": "name", "nik": None},
}
_NEG = r"(?:tidak|tdk|gak|ga|gk|g|nggak|ngga|enggak|engga|ndak|nda)"
_REFUSED = re.compile(
    rf"\b{_NEG}\s*(?:mau|mo|usah|perlu|bersedia|berani|pengen|ingin)\b|\b(?:gamau|gamao|gausah|ogah|enggan|males|malas)\b"
    r"|\btanpa\s+(?:nik|ktp|nomor|nisn)\b|\bjangan\s+(?:minta|pakai|pake)\b",
    re.IGNORECASE,
)
_UNKNOWN = re.compile(
    rf"\b(?:lupa|hilang|ilang|gatau|gatahu|gaingat|gainget)\b|\b{_NEG}\s*(?:tau|tahu|ingat|inget|punya|hafal|apal|ada)\b"
    r"|\bbelum\s+(?:punya|ada|tahu|tau)\b",
    re.IGNORECASE,
)


def refusal_kind(text: str) -> str | None:
    """ "refused", "unknown" or None for a reply to an identifier question (one with digits
    is an attempt at the identifier, never a refusal)."""
    if not text or text.startswith("/") or any(char.isdigit() for char in text):
        return None
    if _REFUSED.search(text):
        return "refused"
    if _UNKNOWN.search(text):
        return "unknown"
    return None


def identifier_withheld(
    form: str, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
) -> list[dict[str, Any]] | None:
    """The events of a refused or unknown identifier while `form` asks for it, after saying
    what now; None when the latest message is no such reply."""
    requested = tracker.get_slot("requested_slot")
    if requested not in IDENTIFIER_NAMES or being_activated(tracker, form):
        return None
    kind = refusal_kind(str(tracker.latest_message.get("text") or ""))
    if kind is None:
        return None
    alternative = ALTERNATIVES.get((form, str(requested)))
    if kind == "refused" and alternative is not None:
        dispatcher.utter_message(
            response="utter_identifier_refused_alternative", identifier=IDENTIFIER_NAMES[requested]
        )
        return [SlotSet(slot, value) for slot, value in alternative.items()]
    help_response = f"utter_help_{requested}"
    if kind == "unknown" and help_response in domain.get("responses", {}):
        dispatcher.utter_message(response=help_response, buttons=STUCK_BUTTONS)
    else:
        dispatcher.utter_message(
            response="utter_identifier_refused", identifier=IDENTIFIER_NAMES[requested], buttons=STUCK_BUTTONS
        )
    return [SlotSet(str(requested), None)]
