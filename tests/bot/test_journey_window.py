"""A journey longer than the window a turn reads (bot/tracker_window.py): the steps done stay
done, because their services are recorded in slots as they run (actions/journey_progress.py),
not inferred from the events the turn still reads."""

import uuid
from pathlib import Path
from typing import Any

from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, Event, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.journey_progress import ActionRecordJourneyServices
from actions.journey_steps import JOURNEYS_BY_KEY, done_steps, services_run
from actions.journeys import ActionJourney
from bot.tracker_store import SQLTrackerStore
from tests.bot.test_stores import open_store  # noqa: F401 (fixture: SQLite, and PostgreSQL when it runs)

DOMAIN = Domain.load(Path(__file__).parents[2] / "domain")
SMALL = {"window_turns": 2, "window_visible_actions": 3, "window_max_turns": 6, "window_slack": 2}


def sdk_tracker(tracker: DialogueStateTracker) -> Tracker:
    """The tracker as the action server receives it."""
    return Tracker.from_dict(tracker.current_state(EventVerbosity.ALL))


async def run_action(action: Any, tracker: DialogueStateTracker) -> tuple[list[Event], CollectingDispatcher]:
    """Runs a custom action on `tracker` as Rasa would: its events, as Rasa events."""
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, sdk_tracker(tracker), DOMAIN.as_dict())
    return [Event.from_parameters(event) for event in events], dispatcher


async def play_turn(
    store: SQLTrackerStore,
    sender: str,
    at: float,
    message: UserUttered,
    answer: list[Event],
) -> DialogueStateTracker:
    """One turn as Rasa plays it on the window it reads: the message, the slot mappings (the
    recorder among them), the answer, a listen; then saved."""
    tracker = await store.retrieve(sender)
    assert tracker is not None
    tracker.update(message)
    recorded, _ = await run_action(ActionRecordJourneyServices(), tracker)
    for event in [*recorded, *answer, ActionExecuted("action_listen", timestamp=at + 0.9)]:
        tracker.update(event)
    await store.save(tracker)
    return tracker


async def test_a_service_run_before_the_window_still_marks_its_step(open_store):  # noqa: F811
    store = open_store(lambda domain, **kw: SQLTrackerStore(domain, **kw, **SMALL))
    store.domain = DOMAIN
    sender = f"test-{uuid.uuid4()}"
    start = 1_700_000_000.0
    tracker = DialogueStateTracker(sender, DOMAIN.slots)
    tracker.update(ActionExecuted("action_session_start", timestamp=start))
    tracker.update(ActionExecuted("action_listen", timestamp=start))
    await store.save(tracker)

    def said(text: str, intent: str, at: float, **entities: str) -> UserUttered:
        parsed = [{"entity": name, "value": value} for name, value in entities.items()]
        return UserUttered(text, {"name": intent, "confidence": 0.9}, parsed, timestamp=at)

    at = start + 10
    opened = [
        ActionExecuted("action_journey", timestamp=at + 0.1),
        SlotSet("journey", "birth", timestamp=at + 0.2),
    ]
    await play_turn(store, sender, at, said("anak saya baru lahir", "journey_life_event", at), opened)
    at += 10
    await play_turn(
        store,
        sender,
        at,
        said("/id_document_requirements", "id_document_requirements", at, document_type="birth_certificate"),
        [
            SlotSet("document_type", "birth_certificate", timestamp=at + 0.1),
            ActionExecuted("action_document_requirements", timestamp=at + 0.2),
            BotUttered("Syarat akta kelahiran ...", timestamp=at + 0.3),
            SlotSet("document_type", None, timestamp=at + 0.4),
        ],
    )
    for number in range(20):  # other questions, far more turns than the window holds
        at += 10
        await play_turn(store, sender, at, said(f"iuran bpjs {number}", "health_bpjs_contribution", at),
                        [ActionExecuted("utter_greet", timestamp=at + 0.1)])  # fmt: skip

    at += 10
    tracker = await store.retrieve(sender)
    assert tracker is not None
    tracker.update(said("terus apa lagi yang harus diurus?", "journey_life_event", at))
    windowed = [event.as_dict() for event in tracker.events]
    assert not any(event.get("name") == "action_document_requirements" for event in windowed)
    assert done_steps(JOURNEYS_BY_KEY["birth"], services_run(windowed), []) == set()  # the window lost it

    _, dispatcher = await run_action(ActionJourney(), tracker)

    checklist = "\n".join(str(message.get("text") or "") for message in dispatcher.messages)
    assert "✅ 1. Akta kelahiran (selesai)" in checklist
    assert "✅ 2." not in checklist  # the KK is still to do
    recorded = ["action_document_requirements:document_type=birth_certificate"]
    assert tracker.get_slot("journey_services") == recorded
