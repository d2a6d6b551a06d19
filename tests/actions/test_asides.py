"""A question asked in the middle of a form (issue 18, section 2): answered, then the form's
question again; never taken as the slot's value, never refused as one."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.asides import help_asked, step_asked
from actions.education import ValidatePipStatusForm
from actions.fallback import ActionHandleMiss
from actions.flows import typed_choice
from actions.health import ValidateBpjsStatusForm
from tests.actions.builders import slot, tracker_from_events, user
from tests.actions.flow_helpers import form_tracker


def in_form(form: str, requested: str | None, message: dict, **kwargs: Any) -> Tracker:
    """`form_tracker`, with the form active as Rasa sends it once the form runs."""
    tracker = form_tracker(form, requested, message, **kwargs)
    tracker.active_loop = {"name": form}
    return tracker


def slot_events(events: list[dict]) -> dict[str, object]:
    """The slots the validation set; `requested_slot` is not one: Rasa rejects a form whose
    validation set no other slot (rasa/core/actions/forms.py, `some_slots_were_validated`)."""
    return {
        event["name"]: event["value"]
        for event in events
        if event.get("event") == "slot" and event["name"] != "requested_slot"
    }


def responses(dispatcher: CollectingDispatcher) -> list[str]:
    return [message.get("response") or message.get("text") for message in dispatcher.messages]


async def test_a_question_with_digits_is_not_refused_as_an_nisn(
    dispatcher: CollectingDispatcher, domain: DomainDict
) -> None:
    tracker = form_tracker(
        "pip_status_form", "nisn", user("health_bpjs_contribution", "berapa iuran kelas 1?")
    )

    events = await ValidatePipStatusForm().run(dispatcher, tracker, domain)

    assert responses(dispatcher) == []  # no "1 digit" refusal: the aside rule answers it
    assert slot_events(events) == {}  # nothing extracted: the form yields to that rule


async def test_a_question_with_digits_is_not_refused_as_a_nik(
    dispatcher: CollectingDispatcher, domain: DomainDict
) -> None:
    tracker = in_form("bpjs_status_form", "nik", user("police_sim_fee", "biaya sim c 2 berapa"))

    events = await ValidateBpjsStatusForm().run(dispatcher, tracker, domain)

    assert responses(dispatcher) == []
    assert slot_events(events) == {}


async def test_a_question_no_rule_answers_is_answered_and_the_form_asks_again(
    dispatcher: CollectingDispatcher, domain: DomainDict
) -> None:
    tracker = in_form(
        "pip_status_form", "nisn", user("id_ikd_activation", "cara aktivasi ktp digital gimana")
    )

    events = await ValidatePipStatusForm().run(dispatcher, tracker, domain)

    assert responses(dispatcher) == ["utter_id_ikd_activation"]
    assert slot_events(events) == {"nisn": None}  # keeps the form running: it asks for the NISN again


async def test_a_typed_answer_is_still_checked(dispatcher: CollectingDispatcher, domain: DomainDict) -> None:
    tracker = in_form("pip_status_form", "nisn", user("inform", "12345"))

    events = await ValidatePipStatusForm().run(dispatcher, tracker, domain)

    assert responses(dispatcher) == ["utter_invalid_nisn"]
    assert slot_events(events) == {"nisn": None}


async def test_the_message_that_starts_the_form_is_no_aside(
    dispatcher: CollectingDispatcher, domain: DomainDict
) -> None:
    tracker = form_tracker(
        "pip_status_form", None, user("id_ikd_activation", "aktivasi ikd"), activating=True
    )

    await ValidatePipStatusForm().run(dispatcher, tracker, domain)

    assert "utter_id_ikd_activation" not in responses(dispatcher)


def asked_twice(reply: str) -> list[dict]:
    """The PIP form asked for the NISN and got one unclear reply already."""
    return [
        {"event": "active_loop", "name": "pip_status_form"},
        {"event": "slot", "name": "requested_slot", "value": "nisn"},
        {"event": "action", "name": "action_listen"},
        user("inform", reply),
        {"event": "action", "name": "pip_status_form"},
        {"event": "slot", "name": "nisn", "value": None},
    ]


async def test_a_second_unclear_reply_offers_a_person_and_cancelling(
    dispatcher: CollectingDispatcher, domain: DomainDict
) -> None:
    tracker = in_form("pip_status_form", "nisn", user("inform", "123"))
    tracker.events[:0] = asked_twice("12345")

    await ValidatePipStatusForm().run(dispatcher, tracker, domain)

    assert responses(dispatcher) == ["utter_invalid_nisn", "utter_stuck_offer"]
    assert [button["payload"] for button in dispatcher.messages[-1]["buttons"]] == [
        "/request_human",
        "/cancel",
    ]


async def test_a_first_unclear_reply_only_says_what_is_wrong(
    dispatcher: CollectingDispatcher, domain: DomainDict
) -> None:
    tracker = in_form("pip_status_form", "nisn", user("inform", "123"))

    await ValidatePipStatusForm().run(dispatcher, tracker, domain)

    assert responses(dispatcher) == ["utter_invalid_nisn"]


async def test_a_corrected_nik_while_the_birth_date_is_asked_is_not_read_as_a_date(
    dispatcher: CollectingDispatcher, domain: DomainDict
) -> None:
    nik = "1709107108840021"
    message = user("inform", f"eh salah, NIK saya {nik}", [("nik", nik)])
    tracker = in_form(
        "bpjs_status_form",
        "birth_date",
        message,
        extracted={"nik": nik},
        candidates={"nik": nik},
        slots={"nik": "3273014102900001"},
    )

    events = await ValidateBpjsStatusForm().run(dispatcher, tracker, domain)

    assert "utter_invalid_birth_date" not in responses(dispatcher)
    assert slot_events(events).get("nik") == nik


def test_data_typed_for_a_choice_chooses_what_it_leads_to(dispatcher: CollectingDispatcher) -> None:
    nik = "1709107108840021"
    tracker = tracker_from_events(
        [
            slot("requested_slot", "bansos_method"),
            user("inform", nik, [("nik", nik)]),
            slot("nik", nik),
        ]
    )
    chosen = typed_choice(
        dispatcher,
        tracker,
        "bansos_method",
        frozenset(),
        lambda text: None,
        unknown="utter_x",
        leads_to={"nik": "nik"},
    )
    assert chosen == {"bansos_method": "nik"}
    assert dispatcher.messages == []  # no "pilihan itu belum saya pahami"
    unread = typed_choice(
        dispatcher, tracker, "bansos_method", frozenset(), lambda text: None, unknown="utter_x"
    )
    assert unread == {"bansos_method": None}  # without it, the typed NIK is no choice


@pytest.mark.parametrize(
    ("form", "requested", "text", "response"),
    [
        ("bpjs_status_form", "nik", "nik itu yg mana ya? liat dimana", "utter_help_nik"),
        ("pip_status_form", "nisn", "nisn anak saya cari di mana?", "utter_help_nisn"),
        ("vehicle_tax_form", "plate_number", "plat nomornya yang mana maksudnya?", "utter_help_plate_number"),
    ],
)
async def test_a_question_not_understood_about_the_value_asked_gets_help_on_it(
    dispatcher: CollectingDispatcher, domain: DomainDict, form, requested, text, response
) -> None:
    tracker = in_form(form, requested, user("nlu_fallback", text))

    assert await ActionHandleMiss().run(dispatcher, tracker, domain) == []
    assert responses(dispatcher) == [response]


@pytest.mark.parametrize(
    "text",
    ["pip itu cairnya lewat bank apa?", "nik saya 3201", "hmm nik"],  # no question about the value
)
async def test_other_misses_in_a_form_get_no_help_on_the_value(
    dispatcher: CollectingDispatcher, domain: DomainDict, text
) -> None:
    tracker = in_form("pip_status_form", "nisn", user("nlu_fallback", text))
    assert help_asked(tracker, domain) is None
    tracker = in_form("bpjs_status_form", "nik", user("nlu_fallback", text))
    assert help_asked(tracker, domain) is None


async def test_a_question_about_a_journey_step_in_a_form_gets_the_step(
    dispatcher: CollectingDispatcher, domain: DomainDict
) -> None:
    """Asked while the immunisation record waits for a NIK, read by the NLU as a miss."""
    tracker = in_form("immunization_form", "nik", user("nlu_fallback", "imunisasi BCG itu umur berapa?"))

    assert await ActionHandleMiss().run(dispatcher, tracker, domain) == []
    assert responses(dispatcher) == ["utter_journey_birth_immunization"]


async def test_a_step_of_several_journeys_is_the_one_under_way(domain: DomainDict) -> None:
    message = user("nlu_fallback", "kalau bpjs nya gimana?")
    assert step_asked(in_form("bansos_check_form", "nik", message), domain) is None  # birth? death?
    tracker = in_form("bansos_check_form", "nik", message, slots={"journey": "death"})
    assert step_asked(tracker, domain) == "utter_journey_death_bpjs"


@pytest.mark.parametrize("text", ["motor saya pajaknya berapa?", "pip itu cair lewat bank apa?"])
async def test_a_service_word_alone_names_no_journey_step(domain: DomainDict, text: str) -> None:
    """Without a journey under way, "motor" or "pip" name a service, not a step of a journey."""
    assert step_asked(tracker_from_events([user("nlu_fallback", text)]), domain) is None


async def test_the_core_fallback_answers_a_step_and_forgets_the_message(
    dispatcher: CollectingDispatcher, domain: DomainDict
) -> None:
    """No policy knew what to do next (an intent, no miss): the step, then the message reverted."""
    tracker = tracker_from_events([user("edu_pip_status", "pensiun janda itu syaratnya apa?")])

    events = await ActionHandleMiss().run(dispatcher, tracker, domain)

    assert responses(dispatcher) == ["utter_journey_death_taspen"]
    assert events == [{"event": "rewind", "timestamp": None}]
