"""Life events as journeys (issue 18, section 4): the checklist, the next step, a step done.

- `action_journey` (intent `journey_life_event`): the journey told in the message ("anak saya baru
  lahir"), a button's `life_event`, or the one under way; its checklist with the done steps
  marked, and a button per open step that starts its service here.
- `action_journey_next_step` (`journey_next_step`, "langkah berikutnya apa?"): the first step not
  done, or the step a button named (`journey_step`) or the message asks about ("pensiun janda
  syaratnya apa?", of the journey under way, else of the one journey with such a step), with
  "Sudah selesai".
- `action_journey_step_done` (`journey_step_done`, or "sudah"/"ya"/"belum" after a step): marks
  the step named in the message, by a button, or shown last, then shows the next step; to a "ya"
  or "belum" it offers the shown step's buttons again instead.

Slots: `journey` (the journey under way), `journey_done` (steps the citizen said are done, as
"<journey>.<step>"), `journey_step` (the step shown last). A step is also done when its service
ran in this conversation, however far back: `journey_services`, recorded on every message
(actions/journey_progress.py). Without a journey, each asks which life event, with a button per
journey.
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.answers import entity_value, latest_intent, payload, phrase
from actions.conversation import Action
from actions.journey_progress import services_done
from actions.journey_steps import (
    JOURNEYS,
    JOURNEYS_BY_KEY,
    Journey,
    Step,
    done_steps,
    find_journey,
    find_step,
)
from actions.menu import MAIN_MENU_BUTTON, Button

# A reply to the step shown: "sudah", "udah beres" mark it; "ya", "belum", "belum selesai" do not.
DONE_WORDS = frozenset({"sudah", "udah", "sdh", "udh", "dah", "beres", "selesai", "kelar", "done", "rampung"})
NOT_WORDS = frozenset({"belum", "blm", "tidak", "gak", "ga", "nggak", "ngga", "enggak", "bukan", "not"})
# "sudah" alone reads as goodbye ("sudah, makasih"); right after a step it is a reply, unless it
# thanks or takes leave.
REPLY_INTENTS = frozenset({"affirm", "deny", "goodbye"})
LEAVE_WORDS = frozenset({"cukup", "makasih", "terima", "trims", "thanks", "bye", "dadah", "jumpa"})
DONE_MARK = "✅"
OPEN_MARK = "▫️"
NEXT_BUTTON: Button = {"title": "Langkah berikutnya", "payload": "/journey_next_step"}


def message_text(tracker: Tracker) -> str:
    text = str(tracker.latest_message.get("text") or "")
    return "" if text.startswith("/") else text


def says_done(text: str) -> bool:
    """'sudah', 'udah beres' -> True; 'ya', 'belum', 'belum selesai' -> False."""
    words = set(re.findall(r"[a-z]+", text.lower()))
    return bool(words & DONE_WORDS) and not words & NOT_WORDS


def said_done(tracker: Tracker) -> list[str]:
    return list(tracker.get_slot("journey_done") or [])


def journey_of(tracker: Tracker, *, text_first: bool) -> Journey | None:
    """The journey a message is about: a button's `life_event`, then the life event told in the
    text and the journey under way (in that order when `text_first`, else the other way)."""
    chosen = JOURNEYS_BY_KEY.get(entity_value(tracker, "life_event") or "")
    if chosen:
        return chosen
    told = find_journey(message_text(tracker))
    current = JOURNEYS_BY_KEY.get(tracker.get_slot("journey") or "")
    return (told or current) if text_first else (current or told)


def ask_journey(dispatcher: CollectingDispatcher) -> list[EventType]:
    dispatcher.utter_message(response="utter_journey_ask", buttons=[journey.button() for journey in JOURNEYS])
    return []


def step_buttons(journey: Journey, step: Step) -> list[Button]:
    """Start the step's service (or read it, when no service here covers it), or mark it done."""
    done: Button = {"title": "Sudah selesai", "payload": payload("journey_step_done", journey_step=step.key)}
    checklist: Button = {
        "title": "Lihat daftar",
        "payload": payload("journey_life_event", life_event=journey.key),
    }
    return [*([step.start] if step.start else []), done, checklist]


def checklist(domain: DomainDict, journey: Journey, done: set[str]) -> str:
    """The journey's steps, numbered; a done step is marked and not explained again. Each step's
    text starts with what it is ("Akta kelahiran di Dinas Dukcapil: ...")."""
    lines = [phrase(domain, f"utter_journey_{journey.key}")]
    for number, step in enumerate(journey.steps, 1):
        if step.key in done:
            lines.append(f"{DONE_MARK} {number}. {step.title} (selesai)")
        else:
            lines.append(f"{OPEN_MARK} {number}. {phrase(domain, f'utter_journey_{journey.key}_{step.key}')}")
    if len(done) < len(journey.steps):
        lines.append(phrase(domain, "utter_journey_footer"))
    return "\n\n".join(lines)


def checklist_buttons(journey: Journey, done: set[str]) -> list[Button]:
    """A button per open step: its service, or its details when no service here covers it."""
    buttons: list[Button] = []
    for step in journey.steps:
        if step.key in done:
            continue
        buttons.append(
            step.start
            or {"title": step.title, "payload": payload("journey_next_step", journey_step=step.key)}
        )
    return [*buttons, NEXT_BUTTON] if buttons else [MAIN_MENU_BUTTON]


def show_step(
    dispatcher: CollectingDispatcher, domain: DomainDict, journey: Journey, done: set[str], step: Step | None
) -> list[EventType]:
    """One step in full with its buttons; without `step`, the first step not done."""
    step = step or next((item for item in journey.steps if item.key not in done), None)
    if step is None:
        dispatcher.utter_message(response="utter_journey_all_done", buttons=[MAIN_MENU_BUTTON])
        return [SlotSet("journey_step", None)]
    number = journey.steps.index(step) + 1
    header = phrase(
        domain, "utter_journey_step_header", number=number, total=len(journey.steps), title=step.title
    )
    body = phrase(domain, f"utter_journey_{journey.key}_{step.key}")
    dispatcher.utter_message(text=f"{header}\n{body}", buttons=step_buttons(journey, step))
    return [SlotSet("journey", journey.key), SlotSet("journey_step", step.key)]


class ActionJourney(Action):
    """The checklist of the life event told, with its done steps marked."""

    def name(self) -> str:
        return "action_journey"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        journey = journey_of(tracker, text_first=True)
        if journey is None:
            return ask_journey(dispatcher)
        done = done_steps(journey, services_done(tracker), said_done(tracker))
        dispatcher.utter_message(
            text=checklist(domain, journey, done), buttons=checklist_buttons(journey, done)
        )
        events: list[EventType] = [SlotSet("journey", journey.key), SlotSet("journey_step", None)]
        asked = step_told_with_event(journey, message_text(tracker))
        if asked is not None:  # "ibu penerima pkh meninggal, bansosnya gimana?": that step in full too
            return [*events, *show_step(dispatcher, domain, journey, done, asked)]
        return events


def step_told_with_event(journey: Journey, text: str) -> Step | None:
    """The step of `journey` the message names besides the event itself ("bansosnya", "uang
    dari bpjs ketenagakerjaan"); words of the event ("masuk sd", "kematian") name no step."""
    if text.startswith("/"):
        return None
    event = [match.span() for match in journey.pattern.finditer(text)]
    named = [
        (match.end() - match.start(), -index, step)
        for index, step in enumerate(journey.steps)
        for match in step.pattern.finditer(text)
        if not any(start <= match.start() and match.end() <= end for start, end in event)
    ]
    # The longest name wins: "bpjs ketenagakerjaan" is the JKP, not BPJS Kesehatan.
    return max(named, key=lambda found: found[:2])[2] if named else None


class ActionJourneyNextStep(Action):
    """The step a button named, or the first step not done."""

    def name(self) -> str:
        return "action_journey_next_step"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        text = message_text(tracker)
        journey = journey_of(tracker, text_first=True)
        step = None
        if journey:
            step = journey.step(entity_value(tracker, "journey_step")) or journey.find_step(text)
        if step is None and find_journey(text) is None and (named := find_step(text)):
            # "pensiun janda syaratnya apa?": the step asked, of the one journey that has it
            journey, step = named
        if journey is None:
            return ask_journey(dispatcher)
        done = done_steps(journey, services_done(tracker), said_done(tracker))
        return show_step(dispatcher, domain, journey, done, step)


class ActionJourneyStepDone(Action):
    """Marks the step named (by a button or in the text) or shown last as done, then the next."""

    def name(self) -> str:
        return "action_journey_step_done"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        journey = journey_of(tracker, text_first=False)
        if journey is None:
            return ask_journey(dispatcher)
        shown = journey.step(tracker.get_slot("journey_step"))
        text = message_text(tracker)
        if latest_intent(tracker) == "goodbye" and set(re.findall(r"[a-z]+", text.lower())) & LEAVE_WORDS:
            dispatcher.utter_message(response="utter_goodbye")
            return []
        if latest_intent(tracker) in REPLY_INTENTS and not says_done(text):
            # "ya" or "belum" to the step shown: start it, or mark it once it is done.
            if shown:
                dispatcher.utter_message(
                    response="utter_journey_start_or_done", buttons=step_buttons(journey, shown)
                )
            return []
        step = journey.step(entity_value(tracker, "journey_step")) or journey.find_step(text) or shown
        done = done_steps(journey, services_done(tracker), said_done(tracker))
        if step is None:
            buttons = [
                {"title": item.title, "payload": payload("journey_step_done", journey_step=item.key)}
                for item in journey.steps
                if item.key not in done
            ]
            dispatcher.utter_message(response="utter_journey_which_step", buttons=buttons)
            return [SlotSet("journey", journey.key)]
        marked: list[Any] = sorted({*said_done(tracker), f"{journey.key}.{step.key}"})
        dispatcher.utter_message(response="utter_journey_marked", title=step.title)
        events = show_step(dispatcher, domain, journey, done | {step.key}, None)
        return [SlotSet("journey", journey.key), SlotSet("journey_done", marked), *events]
