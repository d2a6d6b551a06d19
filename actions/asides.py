"""A question asked in the middle of any form, answered there, and help for a citizen stuck on
a question (issue 18, section 2).

Every form's validation action (actions/conversation.py `FormValidationAction`) ends with
`answer_in_passing()`: when the citizen's message filled nothing and its intent has an answer of
its own (`utter_<intent>`), the answer is given and the form's question asked again, never taken
as the slot's value nor refused as one. The intents data/rules/ already answers in passing
(`RULE_ASIDES`, the interruption rule of each form) are left to those rules; this covers the
others, including knowledge intents added later, without a rule per form.

`offer_help_when_stuck()`: the second unclear reply in a row to the same question (the form's
validation refused it) also offers a person and cancelling, as buttons.
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.answers import (
    CANCEL_INTENT,
    GENERAL_ASIDE_INTENTS,
    HANDOFF_INTENTS,
    SERVICE_ASIDE_INTENTS,
    word_pattern,
)
from actions.continuation import FORMS
from actions.history import being_activated
from actions.journey_steps import step_response

STUCK_BUTTONS = [
    {"title": "Bicara dengan petugas", "payload": "/request_human"},
    {"title": "Batal", "payload": "/cancel"},
]
ANSWERS = frozenset({"inform", "nlu_fallback"})  # intents of a reply meant as an answer
# Replies that answer nothing but are no other question either ("ya gitu deh", "ga ngerti"):
# they count as unclear replies to the question asked.
UNCLEAR = ANSWERS | frozenset({"affirm", "deny", "out_of_scope"})
RULE_ASIDES = GENERAL_ASIDE_INTENTS | SERVICE_ASIDE_INTENTS
# Answers to the form's own question, small talk the rules handle, and channel payloads.
NOT_ASIDES = frozenset(
    {"inform", "nlu_fallback", "out_of_scope", "affirm", "deny", "greet", "goodbye", "thanks", "ask_menu",
     "identity_verified", "share_contact", "share_location", CANCEL_INTENT}
) | HANDOFF_INTENTS  # fmt: skip


def aside_response(tracker: Tracker, domain: DomainDict, form: str) -> str | None:
    """The response that answers the latest message in passing, if it is such a question."""
    intent = (tracker.latest_message.get("intent") or {}).get("name")
    if not intent or intent in NOT_ASIDES or intent in RULE_ASIDES:
        return None
    if str(tracker.latest_message.get("text") or "").startswith("/"):
        return None  # a button of an earlier message: the rules decide
    response = f"utter_{intent}"
    if response not in domain.get("responses", {}) or being_activated(tracker, form):
        return None
    return response


def answer_in_passing(
    form: str,
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    domain: DomainDict,
    events: list[dict[str, Any]],
    said_before: int,
) -> list[dict[str, Any]]:
    """`events` of the form's validation, with the answer to a question asked in passing when
    the message filled nothing and the validation said nothing (`said_before`: the messages
    dispatched before it ran). The requested slot set to None keeps the form running, so it asks
    its question again instead of being rejected."""
    requested = tracker.get_slot("requested_slot")
    if not requested:
        return events
    text = str(tracker.latest_message.get("text") or "")
    filled = [
        event
        for event in events
        if event.get("event") == "slot"
        and event.get("name") != "requested_slot"
        and event.get("value") is not None
    ]
    if is_question(text) and not being_activated(tracker, form):
        asked = _question_instead(form, str(requested), dispatcher, tracker, domain, filled, said_before)
        if asked is not None:
            return [*[e for e in events if e not in filled], *asked]
    if len(dispatcher.messages) != said_before:
        offer_help_when_stuck(form, dispatcher, tracker, events)
        return events
    response = None if filled else aside_response(tracker, domain, form)
    if response is None:
        return events
    dispatcher.utter_message(response=response)
    return [*events, SlotSet(str(requested), None)]


FREE_TEXT_CONFIDENCE = 0.6  # an intent this sure makes a question typed as free text an aside
# A message asking something rather than answering: a question mark, or a question word.
_QUESTION = re.compile(
    r"\?|\b(?:apa(?:kah)?|gimana|bagaimana|gmn|gmana|kenapa|knp|mengapa|kapan|kpn|di\s*mana|dmn|mana|"
    r"berapa|brp|siapa|bisakah|bolehkah)\b",
    re.IGNORECASE,
)


def is_question(text: str) -> bool:
    """The message asks something ("nomor peserta itu liatnya dimana ya?", "berapa lama?")."""
    return not text.startswith("/") and bool(_QUESTION.search(text))


def _question_instead(
    form: str,
    requested: str,
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    domain: DomainDict,
    filled: list[dict[str, Any]],
    said_before: int,
) -> list[dict[str, Any]] | None:
    """A question asked where the form's answer was expected is never its answer nor an error:
    the validation's refusal is withdrawn and the question answered (its intent's own answer,
    else help on what is asked: `utter_help_<slot>`); the form then asks again. Free text
    (a complaint's description) that reads as a question with an answer of its own is answered
    too. A reply with digits was meant as an answer: its refusal stands. None: not such a case."""
    text = str(tracker.latest_message.get("text") or "")
    response = _answer_for(tracker, domain)
    refused = len(dispatcher.messages) != said_before and not filled
    free_text = bool(filled) and all(
        event.get("name") == requested and _is_text_of(event.get("value"), text) for event in filled
    )
    if free_text and response is not None and _confident_elsewhere(tracker, form):
        pass
    elif refused and not any(char.isdigit() for char in text):
        response = response or _help_for(requested, domain)
    else:
        return None
    del dispatcher.messages[said_before:]
    dispatcher.utter_message(response=response)
    return [SlotSet(requested, None)]


def _confident_elsewhere(tracker: Tracker, form: str) -> bool:
    """The NLU is sure the message is another question than the one that started the form (a
    complaint's description may well ask "kenapa jalannya belum diperbaiki?")."""
    intent = tracker.latest_message.get("intent") or {}
    name = str(intent.get("name") or "")
    own = {key for key, value in FORMS.items() if value == form} | {_opening_intent(tracker, form)}
    return float(intent.get("confidence") or 0) >= FREE_TEXT_CONFIDENCE and name not in own


def _opening_intent(tracker: Tracker, form: str) -> str | None:
    """The intent of the message that started `form` (a complaint: complaint_submit)."""
    opening, found = None, None
    for event in tracker.events:
        if event.get("event") == "user":
            opening = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
        elif event.get("event") == "active_loop" and event.get("name") == form:
            found = opening  # its latest start counts
    return found


def _answer_for(tracker: Tracker, domain: DomainDict) -> str | None:
    """The response that answers the latest message's intent, if it has one of its own, else
    the journey step the question names."""
    intent = (tracker.latest_message.get("intent") or {}).get("name")
    if not intent or intent in NOT_ASIDES:
        return None
    response = f"utter_{intent}"
    return response if response in domain.get("responses", {}) else step_asked(tracker, domain)


def step_asked(tracker: Tracker, domain: DomainDict) -> str | None:
    """The response of the journey step a question names ("imunisasi bcg umur berapa?" asked
    while the immunisation record asks for a NIK): of the journey under way, else of the one
    journey with such a step (actions/journey_steps.py)."""
    text = str(tracker.latest_message.get("text") or "")
    if not is_question(text):
        return None
    response = step_response(text, tracker.get_slot("journey"))
    return response if response in domain.get("responses", {}) else None


def _help_for(slot: str, domain: DomainDict) -> str:
    """Help on the value asked for (where to find it), or a general word on answering first."""
    response = f"utter_help_{slot}"
    return response if response in domain.get("responses", {}) else "utter_aside_unanswered"


# How citizens name the value a form asks for, by its slot: "nik itu yang mana?" asks where to
# find the value, whatever the NLU made of it.
VALUE_NAMES = {
    "nik": word_pattern("nik", r"nomor\s+induk\s+kependudukan"),
    "nisn": word_pattern("nisn", r"nomor\s+induk\s+siswa"),
    "kk_number": word_pattern(r"(?:nomor|no\.?)\s*kk", r"nomor\s+kartu\s+keluarga"),
    "bpjs_number": word_pattern(r"(?:nomor|no\.?)\s*(?:kartu|bpjs|kis|jkn)", r"nomor\s+kartu\s+bpjs"),
    "participant_number": word_pattern(r"(?:nomor|no\.?)\s*peserta"),
    "plate_number": word_pattern(r"pl?at\w*", "pelat", "nopol", r"nomor\s+polisi"),
    "ticket_id": word_pattern("tiket", r"nomor\s+(?:permohonan|pengaduan|laporan)"),
}


def help_asked(tracker: Tracker, domain: DomainDict) -> str | None:
    """`utter_help_<slot>` when the latest message asks about the value the form asks for
    ("nisn itu liatnya di mana?"), else None."""
    requested = str(tracker.get_slot("requested_slot") or "")
    text = str(tracker.latest_message.get("text") or "")
    names = VALUE_NAMES.get(requested)
    if not tracker.active_loop_name or names is None or not is_question(text) or not names.search(text):
        return None
    response = f"utter_help_{requested}"
    return response if response in domain.get("responses", {}) else None


def _is_text_of(value: Any, text: str) -> bool:
    """`value` is the message's own text (a free-text answer), not a value read out of it."""
    return isinstance(value, str) and len(value) >= 0.6 * len(text.strip()) and value.strip() in text


def unclear_replies(tracker: Tracker, form: str) -> int:
    """How many replies in a row, up to the latest message, answered the question `form` asks
    now (messages meant as answers, while that same slot was requested)."""
    active, requested = None, None
    states: list[tuple[Any, Any, Any]] = []
    for event in tracker.events:
        kind = event.get("event")
        if kind in ("session_started", "restart"):
            states.clear()
        elif kind == "active_loop":
            active = event.get("name")
        elif kind == "slot" and event.get("name") == "requested_slot":
            requested = event.get("value")
        elif kind == "user":
            states.append(
                (active, requested, ((event.get("parse_data") or {}).get("intent") or {}).get("name"))
            )
    current = tracker.get_slot("requested_slot")
    count = 0
    for loop, slot, intent in reversed(states):
        if loop != form or slot != current or intent not in UNCLEAR:
            break
        count += 1
    return count


def offer_help_when_stuck(
    form: str, dispatcher: CollectingDispatcher, tracker: Tracker, events: list[dict[str, Any]]
) -> None:
    """After the validation refused the reply (it said why and the slot stays empty): from the
    second unclear reply in a row on, a person and cancelling are offered as buttons."""
    requested = tracker.get_slot("requested_slot")
    filled = any(
        event.get("event") == "slot" and event.get("name") == requested and event.get("value") is not None
        for event in events
    )
    if not filled and unclear_replies(tracker, form) >= 2:
        dispatcher.utter_message(response="utter_stuck_offer", buttons=STUCK_BUTTONS)
