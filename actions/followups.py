"""What a message outside any form continues (issue 18, section 2), shared by every service.

`action_continue` runs for an answer given outside a form (`inform`), and `action_handle_miss`
asks it first for a message not understood. In order:
1. An elliptical follow-up ("kalau kelas 2?", "kalau provinsi Bali?", "tahun lalu?", "kalau SIM
   C?") changes one parameter of the last answer (`ANSWERS`): the answer runs again with the
   other parameters as they were, the new value checked by its form's own validator.
2. An identifier or a date (NIK, card, NISN, plate, case number…) continues the most recent
   service that needs it: the service offered with a button, asked for, or started last
   (`FORMS`). A NIK that replaces another ("eh salah, NIK saya …") has already made
   action_validate_slot_mappings forget the old one's birth date, so the factor is asked again.
   Which service data is for: actions/continuation.py.
3. Otherwise: which service is it for? The recent services, or those that take the value,
   as buttons; the value is kept, so the chosen service does not ask for it again.

`carry_over()` (run by every form's validation, actions/conversation.py): the same question
asked again without its parameter keeps the last answer's, for the answers marked `carry`.

Offers answered later are in actions/offers.py.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import readers
from actions.continuation import continue_service, service_choices, typed_values
from actions.conversation import INSTEAD, Action
from actions.history import (
    being_activated,
    session_events,
    since_latest_user,
    slots_before,
    user_turns_after,
)

Reader = Callable[[str, Mapping[str, Any], str], Any]  # (message, parameters then, answer's text)
FOLLOWUP_TURNS = 3  # a follow-up refers to an answer given at most this many messages ago


@dataclass(frozen=True)
class Answer:
    """An answer that a follow-up can run again: the action (or response) that gives it, the
    form that collects its parameters (whose validator checks a new value), the slots it reads,
    and readers for parameters typed without an entity."""

    action: str
    form: str | None
    params: tuple[str, ...]
    readers: Mapping[str, Reader] = field(default_factory=dict)
    # The same question again without its parameter ("syaratnya apa aja?" right after the
    # birth certificate's deadline) keeps the last answer's parameters (`carry_over`).
    carry: bool = False
    # A slot the answer sets whichever action gave it (a topic answered by a form's submit
    # action): a turn that sets it counts as a run of this answer.
    marker: str | None = None


ANSWERS: tuple[Answer, ...] = (
    Answer("utter_health_bpjs_contribution", None, ("bpjs_class",), {"bpjs_class": readers.bpjs_class}),
    Answer(
        "action_statistics",
        "statistics_form",
        ("statistic_indicator", "region", "statistics_year"),
        {"statistics_year": readers.year},
    ),  # fmt: skip
    Answer("action_sim_fee", "sim_fee_form", ("sim_class",), {"sim_class": readers.vehicle_sim}),
    Answer("action_spmb", "spmb_form", ("school_level",), {"school_level": readers.school_level}),
    Answer(
        "action_pip_status",
        "pip_status_form",
        ("pip_topic", "school_level", "school_grade"),
        {"school_level": readers.school_level},
    ),  # fmt: skip
    Answer(
        "action_road_topic",
        None,
        ("vehicle_kind", "passport_kind"),
        {"vehicle_kind": readers.vehicle_kind, "passport_kind": readers.passport_kind},
        marker="road_topic",
    ),  # fmt: skip
    Answer(
        "action_casn_info",
        None,
        ("casn_topic",),
        {"casn_topic": readers.same_topic("casn_topic")},
        marker="casn_topic",
    ),
    Answer(
        "action_bansos_info",
        None,
        ("bansos_topic",),
        {"bansos_topic": readers.same_topic("bansos_topic")},
        marker="bansos_topic",
    ),
    Answer("action_document_requirements", "document_requirements_form", ("document_type",), carry=True),
)
_ANSWERS_BY_ACTION = {answer.action: answer for answer in ANSWERS}
_ANSWERS_BY_MARKER = {answer.marker: answer for answer in ANSWERS if answer.marker}
_RERUNNERS = frozenset({"action_continue", "action_handle_miss"})  # the actions that call `rerun`


def last_answer(tracker: Tracker) -> tuple[Answer, dict[str, Any], str] | None:
    """The latest answer of `ANSWERS` in the last few messages: with the slots as they were when
    it ran and the text of its reply. A follow-up that ran it again (`rerun`) counts as its
    latest run, so that a follow-up of a follow-up ("kalau Bali?", then "tahun lalu?") keeps
    the parameters the follow-up changed."""
    events = session_events(tracker)
    found: tuple[Answer, int, dict[str, Any], str] | None = None
    for index, event in enumerate(events):
        if event.get("event") != "action":
            continue
        name = str(event.get("name"))
        turn = list(_until_user(events[index + 1 :]))
        reply = " ".join(str(e.get("text") or "") for e in turn if e.get("event") == "bot")
        own = list(_own_events(events[index + 1 :]))
        answer = _ANSWERS_BY_ACTION.get(name) or _marked(own)
        if answer is not None:
            # The parameters it ran with: as they were, and those it set itself (a topic read
            # from the question).
            set_by_it = {
                str(e.get("name")): e.get("value")
                for e in own
                if e.get("event") == "slot" and e.get("name") in answer.params and e.get("value") is not None
            }
            found = (answer, index, {**slots_before(events, index), **set_by_it}, reply)
        elif found is not None and name in _RERUNNERS and reply and _reran(found[0], turn):
            found = (found[0], index, slots_before(events, index + 1 + len(turn)), reply)
    if found is None or user_turns_after(events, found[1]) > FOLLOWUP_TURNS:
        return None
    answer, _, before, reply = found
    return answer, before, reply


def _own_events(events: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """The events an action returned: those up to the next action or user message."""
    for event in events:
        if event.get("event") in ("action", "user"):
            return
        yield event


def _marked(events: Iterable[dict[str, Any]]) -> Answer | None:
    """The answer whose marker slot `events` set."""
    return next(
        (
            _ANSWERS_BY_MARKER[str(e.get("name"))]
            for e in events
            if e.get("event") == "slot" and e.get("name") in _ANSWERS_BY_MARKER and e.get("value") is not None
        ),
        None,
    )


def _reran(answer: Answer, turn: list[dict[str, Any]]) -> bool:
    """The events of an action's turn set the parameters of `answer`, as `rerun` does."""
    return any(e.get("event") == "slot" and e.get("name") in answer.params for e in turn)


def _until_user(events: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for event in events:
        if event.get("event") == "user":
            return
        yield event


def find_action(name: str) -> Action | None:
    """The loaded action called `name` (a form's validator, an answer), run in-process so that
    the turn stays the one the rules know (a FollowupAction would leave the policies a state
    no rule covers)."""
    pending: list[type] = [Action]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if inspect.isabstract(cls):
            continue
        try:
            action = cls()
        except TypeError:
            continue
        if action.name() == name:
            return action
    return None


async def answer_again(
    dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict, name: str
) -> list[EventType]:
    """Give the answer `name` (a response, or an action run on `tracker` as it is now)."""
    if name.startswith("utter_"):
        dispatcher.utter_message(response=name)
        return []
    action = find_action(name)
    if action is None:
        return [FollowupAction(name)]
    return list(await action.run(dispatcher, tracker, domain))


async def rerun(
    dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict, *, new_value: bool = False
) -> list[EventType] | None:
    """The last answer again with the parameter the latest message changed; None when the
    message is no such follow-up. `new_value`: only when a parameter changes its value."""
    found = last_answer(tracker)
    if found is None:
        return None
    answer, before, reply = found
    text = str(tracker.latest_message.get("text") or "")
    if text.startswith("/") or typed_values(tracker):
        return None  # a button, or an identifier or date: data for a service, not a follow-up
    fresh = since_latest_user(tracker)
    changed = {slot: fresh[slot] for slot in answer.params if fresh.get(slot) is not None}
    for slot, read in answer.readers.items():
        if slot not in changed:
            value = read(text, before, reply)
            if value is not None:
                changed[slot] = value
    if new_value and all(str(value) == str(before.get(slot)) for slot, value in changed.items()):
        return None
    if not changed:
        # A follow-up that names its new value in words only the answer's form reads ("kalau
        # yang rusak?", "kalau untuk anak saya?"): the form starts again on this message.
        if answer.carry and answer.form and readers.is_followup(text):
            return [FollowupAction(answer.form)]
        return None
    validator = find_action(f"validate_{answer.form}") if answer.form else None
    for slot, value in list(changed.items()):
        check = getattr(validator, f"validate_{slot}", None)
        if check is not None:
            changed.update(await check(value, dispatcher, tracker, domain))
    known = domain.get("slots", {})
    values = {slot: before.get(slot) for slot in answer.params} | changed
    events: list[EventType] = [SlotSet(slot, value) for slot, value in values.items() if slot in known]
    if any(changed.get(slot) is None for slot in changed):
        return events  # the validator said what is wrong with the new value
    tracker.slots.update(values)
    return [*events, *await answer_again(dispatcher, tracker, domain, answer.action)]


def carry_over(form: str, tracker: Tracker, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """`events` of `form`'s validation when it starts, with the parameters of the last answer
    it gave in the last few messages that the new message left empty: for a `carry` answer, or
    when a reader finds a new value in the message ("tahun lalu?" read as the form's intent)."""
    found = last_answer(tracker) if being_activated(tracker, form) else None
    if found is None or found[0].form != form:
        return events
    answer, before, reply = found
    text = str(tracker.latest_message.get("text") or "")
    read = {
        slot: read(text, before, reply)
        for slot, read in answer.readers.items()
        if tracker.slots.get(slot) is None
    }
    read = {slot: value for slot, value in read.items() if value is not None}
    if not answer.carry and not read:
        return events  # a new question, not "tahun lalu?" classified as the form's own intent
    kept = {
        slot: before[slot]
        for slot in answer.params
        if tracker.slots.get(slot) is None and before.get(slot) is not None and slot not in read
    }
    return [*events, *(SlotSet(slot, value) for slot, value in {**kept, **read}.items())]


class ActionContinue(Action):
    """A message outside any form: a follow-up, data for a service, or the question which."""

    def name(self) -> str:
        return "action_continue"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        events = await rerun(dispatcher, tracker, domain)
        if events is not None:
            return events
        values = typed_values(tracker)
        if values:
            continued = continue_service(tracker, domain, values)
            if continued is not None:
                return continued
        elif _refused(tracker):
            return []  # action_validate_slot_mappings said what is wrong with it
        dispatcher.utter_message(
            response="utter_inform_outside_flow", buttons=service_choices(tracker, domain, values)
        )
        return []


def _refused(tracker: Tracker) -> bool:
    """An identifier entity in the latest message whose slot validation refused it."""
    fresh = since_latest_user(tracker)
    return any(
        entity.get("entity") in fresh and fresh[str(entity.get("entity"))] is None
        for entity in tracker.latest_message.get("entities") or []
    )


# Actions a follow-up never replaces: the ones that handle follow-ups themselves, forms and the
# conversation's own steps.
_NOT_REPLACED = frozenset(
    {"action_continue", "action_handle_miss", "action_validate_slot_mappings", "action_answer_aside",
     "action_cancel_flow", "action_request_human", "action_resume_after_handoff", "action_accept_offer"}
)  # fmt: skip
_BEFORE_ANSWER = frozenset({"action_listen", "action_extract_slots", "action_validate_slot_mappings"})


async def followup_instead(
    name: str, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
) -> list[EventType] | None:
    """An elliptical follow-up that the NLU read as another question ("tahun sebelumnya berapa"
    read as a bansos question): the last answer again with the new value, instead of the action
    the policies chose. Only for the first answer to a fresh message outside a form, only for a
    message that reads like a follow-up, and only when it gives a parameter a new value."""
    if name in _NOT_REPLACED or name.startswith("validate_") or tracker.active_loop_name:
        return None
    if name in _mapping_actions(domain):
        return None  # a custom slot mapping, run while the message is read: no answer
    if not _fresh_message(tracker) or not readers.is_followup(str(tracker.latest_message.get("text") or "")):
        return None
    return await rerun(dispatcher, tracker, domain, new_value=True)


def _mapping_actions(domain: DomainDict) -> set[str]:
    """The actions the domain's custom slot mappings run."""
    return {
        str(mapping["action"])
        for slot in (domain.get("slots") or {}).values()
        for mapping in slot.get("mappings") or []
        if mapping.get("action")
    }


def _fresh_message(tracker: Tracker) -> bool:
    """No answer has run since the latest user message."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return True
        if event.get("event") == "action" and event.get("name") not in _BEFORE_ANSWER:
            return False
    return False


INSTEAD.append(followup_instead)
