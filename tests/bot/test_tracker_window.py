"""Bounded work per turn (bot/tracker_window.py, bot/tracker_store.py): a turn reads the
snapshot and the window, and sees the slots, the active form, the latest turns and the
policies' states of the whole conversation."""

import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    BotUttered,
    Event,
    SessionStarted,
    SlotSet,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from bot import tracker_window
from bot.tracker_store import SNAPSHOT, SQLTrackerStore
from bot.tracker_window import WindowSize
from tests.bot.test_stores import open_store  # noqa: F401 (fixture: SQLite, and PostgreSQL when it runs)

DOMAIN = Domain.load(Path(__file__).parents[2] / "domain")
SMALL = {"window_turns": 2, "window_visible_actions": 3, "window_max_turns": 6, "window_slack": 2}


def user(text: str, intent: str, at: float) -> UserUttered:
    return UserUttered(text, {"name": intent, "confidence": 0.9}, timestamp=at)


def turn(number: int, at: float) -> list[Event]:
    """One citizen turn of a repeating pattern: a question, a form started, a slot, a miss
    forgotten (a rewind), a cancelled form."""
    form = "bpjs_status_form"
    listen = ActionExecuted("action_listen", timestamp=at + 0.9)
    kind = number % 4
    if kind == 0:
        return [
            user("iuran bpjs", "health_bpjs_contribution", at),
            ActionExecuted("utter_greet", timestamp=at + 0.1),
            BotUttered("Iuran", timestamp=at + 0.2),
            listen,
        ]
    if kind == 1:
        return [
            user("cek bpjs", "health_bpjs_status", at),
            ActionExecuted(form, timestamp=at + 0.1),
            ActiveLoop(form, timestamp=at + 0.2),
            SlotSet("requested_slot", "nik", timestamp=at + 0.3),
            listen,
        ]
    if kind == 2:
        return [
            user("3201012345670001", "inform", at),
            SlotSet("nik", f"32010123456700{number:02d}"[-16:], timestamp=at),
            ActionExecuted("action_handle_miss", timestamp=at + 0.1),
            UserUtteranceReverted(timestamp=at + 0.2),
            listen,
        ]
    return [
        user("batal", "cancel", at),
        ActionExecuted(form, timestamp=at + 0.1),
        ActiveLoop(None, timestamp=at + 0.2),
        SlotSet("requested_slot", None, timestamp=at + 0.3),
        listen,
    ]


def same_state(windowed: DialogueStateTracker, full: DialogueStateTracker) -> None:
    assert windowed.current_slot_values() == full.current_slot_values()
    assert windowed.active_loop_name == full.active_loop_name
    assert windowed.latest_message.text == full.latest_message.text
    assert windowed.latest_action_name == full.latest_action_name
    for rule_only in (False, True):
        assert (
            windowed.past_states(DOMAIN, ignore_rule_only_turns=rule_only)[-4:]
            == full.past_states(DOMAIN, ignore_rule_only_turns=rule_only)[-4:]
        )


async def test_a_long_conversation_reads_a_window_with_the_whole_state(open_store):  # noqa: F811
    store = open_store(lambda domain, **kw: SQLTrackerStore(domain, **kw, **SMALL))
    store.domain = DOMAIN
    sender = f"test-{uuid.uuid4()}"
    full = DialogueStateTracker(sender, DOMAIN.slots)
    start = 1_700_000_000.0
    for event in [ActionExecuted("action_session_start", timestamp=start), SessionStarted(timestamp=start),
                  ActionExecuted("action_listen", timestamp=start)]:  # fmt: skip
        full.update(event)
    await store.save(DialogueStateTracker.from_events(sender, list(full.events), DOMAIN.slots))
    lengths = []
    for number in range(40):
        tracker = await store.retrieve(sender)
        assert tracker is not None
        same_state(tracker, full)
        lengths.append(len(tracker.events))
        for event in turn(number, start + 10 * (number + 1)):
            tracker.update(event)
            full.update(event)
        same_state(tracker, full)
        await store.save(tracker)
    assert max(lengths[-20:]) <= 40 < len(full.events)  # bounded, however long the conversation
    with store.engine.connect() as connection:
        table = store.SQLEvent.__table__
        kinds = (
            connection.execute(sa.select(table.c.type_name).where(table.c.sender_id == sender))
            .scalars()
            .all()
        )
    assert kinds.count(SNAPSHOT) == 1  # moved, not piled up
    assert len(kinds) - 1 == len(full.events)  # every event stored once
    everything = await store.retrieve_full_tracker(sender)
    assert everything is not None and [e.as_dict() for e in everything.events] == [
        e.as_dict() for e in full.events
    ]


async def test_a_session_started_inside_the_window_ends_the_snapshot(open_store):  # noqa: F811
    store = open_store(lambda domain, **kw: SQLTrackerStore(domain, **kw, **SMALL))
    store.domain = DOMAIN
    sender = f"test-{uuid.uuid4()}"
    tracker = DialogueStateTracker(sender, DOMAIN.slots)
    tracker.update(ActionExecuted("action_listen", timestamp=1.0))
    for number in range(12):
        for event in turn(number, 10.0 * (number + 1)):
            tracker.update(event)
    await store.save(tracker)
    tracker = await store.retrieve(sender)
    assert tracker is not None
    tracker.update(user("halo", "greet", 200.0))
    await store.save(tracker)  # the window moves
    tracker = await store.retrieve(sender)
    assert tracker is not None and tracker.events[0].type_name == "action"  # the snapshot's first event
    later = [
        ActionExecuted("action_session_start", timestamp=299.5),
        SessionStarted(timestamp=300.0),
        SlotSet("nik", "3201012345670001", timestamp=300.0),
        ActionExecuted("action_listen", timestamp=300.0),
        user("halo lagi", "greet", 301.0),
    ]
    for event in later:
        tracker.update(event)
    await store.save(tracker)
    again = await store.retrieve(sender)
    assert again is not None
    assert [e.as_dict() for e in again.events] == [e.as_dict() for e in later[1:]]  # as Rasa reads a session


async def test_a_snapshot_whose_window_was_deleted_is_not_used(open_store):  # noqa: F811
    store = open_store(lambda domain, **kw: SQLTrackerStore(domain, **kw, **SMALL))
    store.domain = DOMAIN
    sender = f"test-{uuid.uuid4()}"
    tracker = DialogueStateTracker(sender, DOMAIN.slots)
    tracker.update(ActionExecuted("action_listen", timestamp=1.0))
    for number in range(12):
        for event in turn(number, 10.0 * (number + 1)):
            tracker.update(event)
    await store.save(tracker)
    tracker = await store.retrieve(sender)
    assert tracker is not None
    await store.save(tracker)  # writes a snapshot
    table = store.SQLEvent.__table__
    with store.engine.begin() as connection:  # the gateway's retention: rows older than a time
        connection.execute(sa.delete(table).where(table.c.sender_id == sender, table.c.timestamp < 115.0))
    restored = await store.retrieve(sender)
    assert restored is not None and restored.events[0].timestamp >= 115.0  # the rows left, no snapshot


def test_the_window_starts_at_a_listen_before_a_user_message_and_moves_in_steps():
    events: list[Event] = [ActionExecuted("action_listen")]
    for number in range(8):
        events += turn(0, float(number))
    size = WindowSize(turns=2, visible_actions=0, max_turns=6, slack=3)
    start = tracker_window.window_start(events, size)
    assert start is not None and events[start].action_name == "action_listen"
    assert isinstance(events[start + 1], UserUttered)
    assert sum(isinstance(e, UserUttered) for e in events[start:]) == 2
    assert tracker_window.window_start(events, size, current=start) is None  # no slack behind it yet
    assert tracker_window.window_start(events[:9], size) is None  # too short to move


def test_a_window_needs_sane_sizes():
    with pytest.raises(ValueError):
        WindowSize(turns=0)
    with pytest.raises(ValueError):
        WindowSize(turns=20, max_turns=10)
