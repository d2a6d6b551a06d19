"""What every guided flow (Rasa form) shares: answers to a question asked mid-form, typed
answers to button questions, and cancelling. The identity step of the forms that show personal
data is `IdentityFormValidation` in actions/identity_form.py.

- `identity_mismatch()` words a refused identity pair, or hands the conversation to an officer
  when the previous run of the same form was refused too.
- `action_answer_aside`: mid-form, the citizen asks something else; this answers with the
  intent's `utter_<intent>` response, and the form's rule then runs the form again, which
  repeats its question.
- `action_cancel_flow`: "batal", "gak jadi": stop the active form and say what next.
- `fresh_answer()`: whether the latest user message is still unanswered (a form's extraction
  must not read the question answered by `action_answer_aside` as the form's answer).
- `typed_choice()`, `typed_yes_no()`: read a typed answer to a question asked with buttons: the
  choice's words, or the data a choice leads to (a NIK typed for "NIK atau nama?").
- `is_answer()`, `just_activated()`: whether the latest message answers a form's question (intent
  `inform`, or not understood), and whether it is the message that opened the form.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.answers import entity_value, latest_intent, read_yes_no, typed_answer
from actions.conversation import Action
from actions.handoff import signal_handoff
from actions.history import since_latest_user
from actions.menu import MAIN_MENU_BUTTON, Button

SlotValues = dict[str, Any]


# Set to the form's name when the gateway refuses its identity pair: read back from the events
# (refused_before), as a mark on that run of the form.
MISMATCH_SLOT = "identity_mismatch_form"

# Intents of a message that answers the form's question. Any other intent may be a question
# asked aside: an extract_ method then returns {} so that the form is rejected and the
# interruption rules answer it (a value returned, even None, keeps the form going instead).
ANSWER_INTENTS = frozenset({"inform", "nlu_fallback"})


def is_answer(tracker: Tracker) -> bool:
    """The latest message was classified as an answer (`inform`) or was not understood."""
    return (tracker.latest_message.get("intent") or {}).get("name") in ANSWER_INTENTS


def just_activated(tracker: Tracker, form: str) -> bool:
    """True while `form` runs for the message that activated it."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return False
        if event.get("event") == "active_loop" and event.get("name") == form:
            return True
    return False


def latest_form(tracker: Tracker) -> str | None:
    """The form activated last in this session: for a submit action, the form that just ended."""
    for event in reversed(tracker.events):
        if event.get("event") in ("session_started", "restart"):
            return None
        if event.get("event") == "active_loop" and event.get("name"):
            return str(event["name"])
    return None


def refused_before(tracker: Tracker, form: str) -> bool:
    """True when the previous run of `form` in this session ended in an identity mismatch: its
    mark (MISMATCH_SLOT set to `form`) lies between the form's previous activation and its latest.
    A run in between that was not refused (verified, cancelled) breaks the row."""
    activations = 0
    marked = False
    for event in reversed(tracker.events):
        kind = event.get("event")
        if kind in ("session_started", "restart"):
            return False  # also skips the mark carried over into a new session
        if kind == "active_loop" and event.get("name") == form:
            activations += 1
            if activations == 2:
                return marked
        elif activations == 1 and kind == "slot" and event.get("name") == MISMATCH_SLOT:
            marked = marked or event.get("value") == form
    return False


def identity_mismatch(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    *,
    refusal: str = "utter_identity_mismatch",
    buttons: Sequence[Button] = (MAIN_MENU_BUTTON,),
    forget: Sequence[str] = ("nik", "birth_date"),
) -> list[EventType]:
    """The gateway refused the identity pair (`identity_mismatch`): forget it, so the next attempt
    asks again, and refuse politely (the response `refusal`). The second refusal in a row in the
    same form hands the conversation to an officer instead (reason `escalation`). Submit actions
    call this after their form has ended, so no form is left active."""
    events: list[EventType] = [SlotSet(slot, None) for slot in forget]
    form = latest_form(tracker)
    if form and refused_before(tracker, form):
        dispatcher.utter_message(response="utter_identity_unverified")
        signal_handoff(dispatcher, tracker, "escalation", form=form)
        return [*events, SlotSet(MISMATCH_SLOT, None)]  # after the officer, a new row starts
    dispatcher.utter_message(response=refusal, buttons=list(buttons))
    return [*events, SlotSet(MISMATCH_SLOT, form)] if form else events


def fresh_answer(tracker: Tracker, form: str) -> bool:
    """True when the latest user message is what `form` is validating now: no other action
    (e.g. `action_answer_aside`) has run since it. Extractors reading the message's text use
    this, so that the re-run of a form after an aside does not take the aside as an answer."""
    for event in reversed(tracker.events):
        kind = event.get("event")
        if kind == "user":
            return True
        if kind == "action" and event.get("name") not in (form, "action_extract_slots", "action_listen"):
            return False
    return False


def typed_choice(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    slot: str,
    aside: frozenset[str],
    read: Callable[[str], Any],
    *,
    unknown: str,
    buttons: Sequence[Button] = (),
    leads_to: Mapping[str, Any] | None = None,
    **values: Any,
) -> SlotValues:
    """A typed answer to the question for `slot`, asked with buttons: `read` turns the text into
    the slot's value. None read: the response `unknown` (with `buttons`), and the question again.
    `leads_to`: the data a choice leads to, by slot → that choice ({"nik": "nik"}: a NIK typed
    when asked "NIK atau nama?" chooses the NIK). {} when the message is no typed answer: a
    button's entity, another slot asked, an aside."""
    if entity_value(tracker, slot):
        return {}
    text = typed_answer(tracker, slot, aside)
    if text is None:
        return {}
    given = since_latest_user(tracker)
    chosen = next((choice for data, choice in (leads_to or {}).items() if given.get(data) is not None), None)
    if chosen is not None:
        return {slot: chosen}
    value = read(text)
    if value is None:
        dispatcher.utter_message(response=unknown, buttons=list(buttons), **values)
    return {slot: value}


def typed_yes_no(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    slot: str,
    aside: frozenset[str],
    *,
    unknown: str,
    buttons: Sequence[Button],
) -> SlotValues:
    """A typed yes or no ("iya kirim", "gak jadi") to a confirmation; a plain yes/no comes through
    the slot's own `affirm`/`deny` mappings."""
    if latest_intent(tracker) in {"affirm", "deny"}:
        return {}
    return typed_choice(dispatcher, tracker, slot, aside, read_yes_no, unknown=unknown, buttons=buttons)


class ActionAnswerAside(Action):
    """Answer a question asked in the middle of a form; the form then asks again."""

    def name(self) -> str:
        return "action_answer_aside"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        response = f"utter_{intent}"
        if response in domain.get("responses", {}):
            dispatcher.utter_message(response=response)
        else:
            dispatcher.utter_message(response="utter_aside_later")
        return []


def form_own_slots(domain: DomainDict, form: str) -> list[str]:
    """The required slots of `form` that only it fills (a slot mapping conditioned on the form),
    as opposed to the identifiers and the birth date kept for the session."""
    slots = domain.get("slots", {})
    return [
        name
        for name in domain.get("forms", {}).get(form, {}).get("required_slots", [])
        if any(
            condition.get("active_loop") == form
            for mapping in slots.get(name, {}).get("mappings", [])
            for condition in mapping.get("conditions") or []
        )
    ]


class ActionCancelFlow(Action):
    """Stop the active form and forget what it was asking for, and the answers given to it
    (not the identifiers), so that starting it again asks again."""

    def name(self) -> str:
        return "action_cancel_flow"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        dispatcher.utter_message(response="utter_flow_cancelled", buttons=[MAIN_MENU_BUTTON])
        form = tracker.active_loop_name
        answers = [
            SlotSet(slot, None)
            for slot in (form_own_slots(domain, form) if form else [])
            if tracker.get_slot(slot) is not None
        ]
        return [ActiveLoop(None), SlotSet("requested_slot", None), *answers]
