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

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.answers import CANCEL_INTENT, GENERAL_ASIDE_INTENTS, HANDOFF_INTENTS, SERVICE_ASIDE_INTENTS
from actions.history import being_activated

STUCK_BUTTONS = [
    {"title": "Bicara dengan petugas", "payload": "/request_human"},
    {"title": "Batal", "payload": "/cancel"},
]
ANSWERS = frozenset({"inform", "nlu_fallback"})  # intents of a reply meant as an answer
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
    if len(dispatcher.messages) != said_before:
        offer_help_when_stuck(form, dispatcher, tracker, events)
        return events
    filled = any(
        event.get("event") == "slot"
        and event.get("name") != "requested_slot"
        and event.get("value") is not None
        for event in events
    )
    response = None if filled else aside_response(tracker, domain, form)
    if response is None:
        return events
    dispatcher.utter_message(response=response)
    return [*events, SlotSet(str(requested), None)]


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
        if loop != form or slot != current or intent not in ANSWERS:
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
