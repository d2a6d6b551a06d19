"""The window of a conversation that a Rasa turn reads: the latest user turns, after a snapshot
of the state before them.

Every turn Rasa replays the whole session (sessions last 60 minutes), features every past state
for each policy, sends the action server every event and diffs the tracker to save it: a turn
costs more the longer the conversation (rasa#6334). bot/tracker_store.py therefore keeps, next
to the events, a snapshot of the state at a window start, and a turn reads the snapshot and the
events from there on. The snapshot is itself events, as Rasa writes them at a session start:

    action_session_start, session_started, slot... (every slot that was set), active_loop,
    loop flags, pause

so the tracker Rasa builds from snapshot and window has the slots, the active form and the
latest turns of the full tracker. What differs is what lies further back than the window:

- the policies: TED and memoization read the last `max_history` (5) states of the turns they
  do not hide, the RulePolicy its rules' length (at most 6 states here); the window keeps at
  least `turns` user turns and `visible_actions` actions the policies do not hide, and grows
  up to `max_turns` to find them. It never starts inside a form: there Rasa's `applied_events`
  folds the form's turns back to the form's previous run, so the policies' states reach back
  to the turn that started the form (a form longer than `max_turns` keeps the window from
  moving until it ends);
- the actions: reading `tracker.events`, they see the window as the session (the snapshot's
  `session_started` starts it), so what they look up across the session reaches back `turns`
  user turns at least.

A window starts at the `action_listen` before a user message, never inside a turn, and moves
forward once it holds `slack` user turns more than it needs, so the snapshot is rewritten every
`slack` turns rather than on every one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from rasa.shared.core.constants import ACTION_LISTEN_NAME, ACTION_SESSION_START_NAME
from rasa.shared.core.events import (
    ActionExecuted,
    ActionExecutionRejected,
    ActiveLoop,
    ConversationPaused,
    Event,
    LoopInterrupted,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.slots import Slot
from rasa.shared.core.trackers import DialogueStateTracker


@dataclass(frozen=True)
class WindowSize:
    """How much of a conversation a turn reads (endpoints.yml: `window_turns`, ...)."""

    turns: int = 10  # user turns the window keeps at least
    visible_actions: int = 12  # actions the policies do not hide (hide_rule_turn), at least
    max_turns: int = 50  # ... but never more user turns than this to find them
    slack: int = 5  # user turns the window may grow by before it moves

    def __post_init__(self) -> None:
        if not 1 <= self.turns <= self.max_turns or self.visible_actions < 0 or self.slack < 1:
            raise ValueError(
                f"a window needs 1 <= turns <= max_turns, visible_actions >= 0, slack >= 1: {self}"
            )


def window_start(events: Sequence[Event], size: WindowSize, current: int = 0) -> int | None:
    """The index of the new window start in `events` (a tracker's, whose window now starts at
    `current`), or None while the window should stay where it is: the latest `action_listen`
    before a user message, outside a form, with at least `size.turns` user turns and
    `size.visible_actions` visible actions from there to the end (up to `size.max_turns` user
    turns), if that leaves `size.slack` user turns behind since `current`."""
    in_loop = _in_loop(events)
    users = visible = 0
    found: int | None = None
    for index in range(len(events) - 2, current - 1, -1):
        event = events[index]
        if (
            isinstance(event, ActionExecuted)
            and not event.hide_rule_turn
            and event.action_name != ACTION_LISTEN_NAME
        ):
            visible += 1
        if not isinstance(events[index + 1], UserUttered):
            continue
        users += 1
        if users > size.max_turns:
            break
        enough = users >= size.turns and (visible >= size.visible_actions or users == size.max_turns)
        if enough and _is_listen(event) and not in_loop[index]:
            found = index
            break
    if found is None:
        return None
    behind = sum(1 for event in events[current:found] if isinstance(event, UserUttered))
    return found if behind >= size.slack else None


def _in_loop(events: Sequence[Event]) -> list[bool]:
    """For each event, whether a form (loop) is active just before it. Inside a form Rasa's
    `applied_events` folds the form's turns back to its previous run, so the policies read back
    to the form's start: a window never starts there."""
    active = False
    flags = []
    for event in events:
        flags.append(active)
        if isinstance(event, ActiveLoop):
            active = event.name is not None
        elif isinstance(event, (SessionStarted, Restarted)):
            active = False
    return flags


def _is_listen(event: Event) -> bool:
    return isinstance(event, ActionExecuted) and event.action_name == ACTION_LISTEN_NAME


def snapshot(tracker: DialogueStateTracker, timestamp: float) -> list[dict[str, Any]]:
    """Events that rebuild `tracker`'s state (slots, active loop and its flags, pause) on a new
    tracker, as dicts; their time is `timestamp`."""
    events: list[Event] = [
        ActionExecuted(ACTION_SESSION_START_NAME, timestamp=timestamp),
        SessionStarted(timestamp=timestamp),
    ]
    events += [
        SlotSet(slot.name, slot.value, timestamp=timestamp) for slot in _set_slots(tracker.slots.values())
    ]
    loop = tracker.active_loop
    if loop is not None and loop.name:
        events.append(ActiveLoop(loop.name, timestamp=timestamp))
        if loop.is_interrupted:
            events.append(LoopInterrupted(True, timestamp=timestamp))
        if loop.rejected:
            events.append(ActionExecutionRejected(loop.name, timestamp=timestamp))
    if tracker.is_paused():
        events.append(ConversationPaused(timestamp=timestamp))
    return [event.as_dict() for event in events]


def _set_slots(slots: Any) -> list[Slot]:
    return [slot for slot in slots if slot.has_been_set]


def state_before(tracker: DialogueStateTracker, index: int, slots: Sequence[Slot]) -> DialogueStateTracker:
    """The tracker as it was before `tracker.events[index]` (its events replayed up to there)."""
    events = list(tracker.events)[:index]
    return DialogueStateTracker.from_events(tracker.sender_id, events, slots)
