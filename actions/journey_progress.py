"""Journey progress kept in slots, not inferred from the events a turn reads (issue 18: "the
journey remembers which steps are done in the conversation").

A turn reads only a window of the conversation (bot/tracker_window.py): a service run twenty
turns ago is no longer among `tracker.events`. So the services that complete a journey step are
recorded as they run, in the slot `journey_services` (keys of `journey_steps.MARKER_KEYS`):

- `action_record_journey_services` is the slot's custom mapping, run while each user message is
  read; it adds the markers of the actions (custom actions and responses alike) among the events
  the turn reads, which always hold the previous turns.
- `services_done` is what the journey actions read: the slot, plus the markers of this turn's
  events, which the recorder has not seen yet.

The steps the citizen said are done are kept in `journey_done` by actions/journeys.py.
"""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.conversation import Action
from actions.journey_steps import MARKER_KEYS, services_run

SERVICES_SLOT = "journey_services"


def services_recorded(tracker: Tracker) -> set[str]:
    """The markers kept in the slot; anything that is no marker (any longer) is left out."""
    value = tracker.get_slot(SERVICES_SLOT)
    if not isinstance(value, list):
        return set()
    return {item for item in value if isinstance(item, str)} & MARKER_KEYS


def services_done(tracker: Tracker) -> set[str]:
    """Every marker of a service run in this conversation: recorded, or run in this turn."""
    return services_recorded(tracker) | services_run(tracker.events)


class ActionRecordJourneyServices(Action):
    """Adds the step markers of the services run in the turns read to `journey_services`."""

    def name(self) -> str:
        return "action_record_journey_services"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        recorded = services_recorded(tracker)
        done = recorded | services_run(tracker.events)
        if done == recorded and tracker.get_slot(SERVICES_SLOT) in (None, sorted(recorded)):
            return []
        return [SlotSet(SERVICES_SLOT, sorted(done))]
