"""action_handle_miss: the first miss shows the menu, a second in a row hands over to a person."""

from __future__ import annotations

import pytest
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.fallback import ActionHandleMiss, is_repeated_miss
from actions.menu import service_buttons
from tests.actions.builders import action, bot, load_tracker, session_start, tracker_from_events, user
from tests.actions.flow_helpers import said, wording

OUT_OF_SCOPE_TEXT = wording("utter_miss_out_of_scope")
NOT_UNDERSTOOD_TEXT = wording("utter_miss_not_understood")
REPEATED_MISS_TEXT = wording("utter_miss_repeated")

MISS_REPLY = [action("action_handle_miss"), bot("Maaf …"), action("action_listen")]


def handoff_signals(dispatcher: CollectingDispatcher) -> list[dict]:
    return [message["custom"] for message in dispatcher.messages if message.get("custom")]


@pytest.mark.asyncio
async def test_first_miss_shows_the_menu_without_a_person(
    dispatcher: CollectingDispatcher, domain: DomainDict
) -> None:
    events = await ActionHandleMiss().run(dispatcher, load_tracker("first_miss"), domain)

    assert events == []
    [message] = dispatcher.messages
    assert said(message) == OUT_OF_SCOPE_TEXT
    assert message["buttons"] == service_buttons()
    assert handoff_signals(dispatcher) == []


@pytest.mark.asyncio
async def test_second_miss_in_a_row_hands_over_to_a_person(
    dispatcher: CollectingDispatcher, domain: DomainDict
) -> None:
    events = await ActionHandleMiss().run(dispatcher, load_tracker("second_miss"), domain)

    assert events == []
    text, signal = dispatcher.messages
    assert said(text) == REPEATED_MISS_TEXT
    assert not text["buttons"]
    assert signal["custom"] == {"type": "handoff", "reason": "repeated_miss", "service": None}


@pytest.mark.asyncio
async def test_second_miss_names_the_service_the_citizen_was_dealing_with(
    dispatcher: CollectingDispatcher, domain: DomainDict
) -> None:
    tracker = tracker_from_events(
        [
            *session_start(),
            user("asn_casn_registration", "kapan pendaftaran cpns dibuka"),
            action("action_casn_info"),
            action("action_listen"),
            user("out_of_scope"),
            *MISS_REPLY,
            user("nlu_fallback", "xyz qwe"),
        ]
    )

    await ActionHandleMiss().run(dispatcher, tracker, domain)

    assert handoff_signals(dispatcher) == [{"type": "handoff", "reason": "repeated_miss", "service": "asn"}]


@pytest.mark.asyncio
async def test_first_nlu_fallback_says_it_did_not_understand(
    dispatcher: CollectingDispatcher, domain: DomainDict
) -> None:
    tracker = tracker_from_events([*session_start(), user("nlu_fallback", "xyz qwe")])

    await ActionHandleMiss().run(dispatcher, tracker, domain)

    assert said(dispatcher.messages[0]) == NOT_UNDERSTOOD_TEXT
    assert handoff_signals(dispatcher) == []


@pytest.mark.asyncio
async def test_as_the_core_fallback_it_forgets_the_message_so_the_dialogue_does_not_loop(
    dispatcher: CollectingDispatcher, domain: DomainDict
) -> None:
    tracker = tracker_from_events([*session_start(), user("inform", "kelas 2")])

    events = await ActionHandleMiss().run(dispatcher, tracker, domain)

    assert said(dispatcher.messages[0]) == NOT_UNDERSTOOD_TEXT
    assert events == [{"event": "rewind", "timestamp": None}]


@pytest.mark.parametrize(
    ("events", "repeated"),
    [
        # A miss, an understood message, a miss: not in a row.
        (
            [
                user("out_of_scope"),
                *MISS_REPLY,
                user("greet"),
                action("utter_greet"),
                action("action_listen"),
                user("out_of_scope"),
            ],
            False,
        ),
        # Two misses of either kind in a row.
        ([user("nlu_fallback"), *MISS_REPLY, user("out_of_scope")], True),
        ([user("out_of_scope"), *MISS_REPLY, user("out_of_scope")], True),
        # A miss in the previous session does not count.
        ([user("out_of_scope"), *MISS_REPLY, *session_start(), user("nlu_fallback")], False),
        # A rewound (reverted) message is not the previous message.
        ([user("out_of_scope"), *MISS_REPLY, user("greet"), {"event": "rewind"}, user("nlu_fallback")], True),
        (
            [
                user("greet"),
                action("utter_greet"),
                user("out_of_scope"),
                {"event": "rewind"},
                user("nlu_fallback"),
            ],
            False,
        ),
        # Only one message.
        ([user("nlu_fallback")], False),
    ],
)
def test_repeated_miss_is_read_from_the_events(events: list[dict], repeated: bool) -> None:
    assert is_repeated_miss(events) is repeated


@pytest.mark.asyncio
async def test_third_miss_in_a_row_still_hands_over(
    dispatcher: CollectingDispatcher, domain: DomainDict
) -> None:
    tracker = tracker_from_events(
        [user("out_of_scope"), *MISS_REPLY, user("nlu_fallback"), *MISS_REPLY, user("nlu_fallback")]
    )

    await ActionHandleMiss().run(dispatcher, tracker, domain)

    assert [signal["reason"] for signal in handoff_signals(dispatcher)] == ["repeated_miss"]


@pytest.mark.asyncio
async def test_a_miss_after_the_hand_back_is_a_first_miss_again(
    dispatcher: CollectingDispatcher, domain: DomainDict
) -> None:
    tracker = tracker_from_events(
        [
            user("out_of_scope"),
            *MISS_REPLY,
            user("nlu_fallback"),
            *MISS_REPLY,
            user("handoff_returned"),
            action("action_resume_after_handoff"),
            action("action_listen"),
            user("out_of_scope"),
        ]
    )

    await ActionHandleMiss().run(dispatcher, tracker, domain)

    assert said(dispatcher.messages[0]) == OUT_OF_SCOPE_TEXT
    assert handoff_signals(dispatcher) == []
