"""The hand-off to an officer (actions/handoff.py): the signal, its service, the return, the
escalation after a second identity mismatch, and the rules and mappings that carry them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import yaml
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import education, health
from actions.answers import HANDOFF_INTENTS
from actions.flows import MISMATCH_SLOT
from actions.gateway import use_gateway
from actions.handoff import (
    TEAMS,
    ActionRequestHuman,
    ActionResumeAfterHandoff,
    handoff_service,
    team_of_intent,
)
from actions.menu import SERVICES, service_buttons
from tests.actions.builders import ROOT, Event, action, bot, session_start, slot, tracker_from_events, user
from tests.actions.flow_helpers import FakeGateway, said, wording

IDENTITY_MISMATCH = wording("utter_identity_mismatch")
IDENTITY_UNVERIFIED = wording("utter_identity_unverified")
RESUMED = "Bapak/Ibu kembali dilayani Asisten Warga."
ANYTHING_ELSE = "Ada lagi yang dapat saya bantu?"

NIK = "3273014102900001"
BORN = "1990-02-01"


def signals(dispatcher: CollectingDispatcher) -> list[dict[str, Any]]:
    return [message["custom"] for message in dispatcher.messages if message.get("custom")]


def form_run(form: str, intent: str, *aside: Event) -> list[Event]:
    """A form's run from the request to its end (its submit action comes next)."""
    return [
        user(intent),
        action(form),
        {"event": "active_loop", "name": form},
        slot("requested_slot", "nik"),
        action("action_listen"),
        *aside,
        user("inform", NIK),
        action(form),
        slot("nik", NIK),
        slot("birth_date", BORN),
        slot("requested_slot", None),
        {"event": "active_loop", "name": None},
    ]


def submitted(submit_action: str, refused: str | None = None, escalated: bool = False) -> list[Event]:
    """The submit action's run: verified, or `refused` (the form marked), or `escalated` to an
    officer (the mark cleared)."""
    events = [action(submit_action)]
    if refused or escalated:
        events += [slot("nik", None), slot("birth_date", None), slot(MISMATCH_SLOT, refused)]
    return [*events, bot("…"), action("action_listen")]


# --- The signal and its service ---------------------------------------------------------------


async def test_a_request_outside_a_flow_sends_only_the_signal(
    dispatcher: CollectingDispatcher, domain: DomainDict
) -> None:
    tracker = tracker_from_events([*session_start(), user("request_human", "mau bicara dengan petugas")])

    events = await ActionRequestHuman().run(dispatcher, tracker, domain)

    assert events == []
    [message] = dispatcher.messages
    assert message["text"] is None
    assert not message["buttons"]
    assert message["custom"] == {"type": "handoff", "reason": "citizen_request", "service": None}


async def test_a_request_in_a_form_names_its_service_and_leaves_the_form_active(
    dispatcher: CollectingDispatcher, domain: DomainDict
) -> None:
    events = [*session_start(), *form_run("skck_form", "police_skck")[:5], user("request_human")]
    tracker = tracker_from_events(events, active_loop="skck_form")

    returned = await ActionRequestHuman().run(dispatcher, tracker, domain)

    assert returned == []  # no ActiveLoop(None): the form waits for the hand-back
    assert signals(dispatcher) == [{"type": "handoff", "reason": "citizen_request", "service": "police"}]


@pytest.mark.parametrize(
    ("events", "active_loop", "service"),
    [
        # The active form wins over a service question asked aside in it.
        (
            [user("health_bpjs_status"), user("police_sim_fee"), user("request_human")],
            "bpjs_status_form",
            "health",
        ),
        # Else the latest service intent, past the general ones.
        ([user("data_statistics"), user("inform"), user("greet"), user("request_human")], None, "satudata"),
        ([user("bansos_check"), user("pay_vehicle_tax"), user("office_info")], None, "payments"),
        # Nothing but general intents.
        ([user("greet"), user("ask_menu"), user("request_human")], None, None),
        # An intent of the previous session does not count.
        ([user("asn_casn_registration"), *session_start(), user("request_human")], None, None),
    ],
)
def test_the_service_comes_from_the_form_else_the_latest_service_intent(
    events: list[Event], active_loop: str | None, service: str | None
) -> None:
    assert handoff_service(tracker_from_events(events, active_loop=active_loop)) == service


def test_every_form_belongs_to_the_team_of_its_domain_file() -> None:
    for team in TEAMS:
        assert (ROOT / "domain" / f"{team.key}.yml").exists(), team.key
        declared = yaml.safe_load((ROOT / "domain" / f"{team.key}.yml").read_text()).get("forms") or {}
        assert set(team.forms) == set(declared), team.key


def test_every_service_intent_has_a_team() -> None:
    assert {team.service for team in TEAMS} == {service.key for service in SERVICES}
    for service in SERVICES:
        for topic in service.topics:
            assert team_of_intent(topic.intent), topic.intent
    assert team_of_intent("data_dataset_search") == "satudata"
    assert team_of_intent("request_human") is None


# --- Back from the officer --------------------------------------------------------------------


async def test_back_in_a_form_only_says_so_and_the_form_asks_again(
    dispatcher: CollectingDispatcher, domain: DomainDict
) -> None:
    tracker = tracker_from_events(
        [*session_start(), user("handoff_returned")], active_loop="bpjs_status_form"
    )

    events = await ActionResumeAfterHandoff().run(dispatcher, tracker, domain)

    assert events == []
    [message] = dispatcher.messages
    assert said(message) == RESUMED
    assert not message["buttons"]


async def test_back_outside_a_form_offers_the_menu(
    dispatcher: CollectingDispatcher, domain: DomainDict
) -> None:
    tracker = tracker_from_events([*session_start(), user("handoff_returned")])

    await ActionResumeAfterHandoff().run(dispatcher, tracker, domain)

    [message] = dispatcher.messages
    assert said(message) == f"{RESUMED} {ANYTHING_ELSE}"
    assert message["buttons"] == service_buttons()


# --- Escalation: the identity refused twice in a row in the same form -------------------------


@pytest.fixture()
def refusing() -> Iterator[FakeGateway]:
    gateway = FakeGateway()
    gateway.error(403, "identity_mismatch", "Tanggal lahir tidak sesuai.")
    use_gateway(gateway.client)
    yield gateway
    use_gateway(None)


async def check_bpjs(dispatcher: CollectingDispatcher, domain: DomainDict, events: list[Event]) -> list:
    return await health.ActionBpjsStatus().run(dispatcher, tracker_from_events(events), domain)


async def test_a_first_refusal_asks_to_check_and_marks_the_form(
    refusing: FakeGateway, dispatcher: CollectingDispatcher, domain: DomainDict
) -> None:
    events = await check_bpjs(
        dispatcher, domain, [*session_start(), *form_run("bpjs_status_form", "health_bpjs_status")]
    )

    assert said(dispatcher.messages[0]) == IDENTITY_MISMATCH
    assert signals(dispatcher) == []
    assert events == [
        SlotSet("nik", None),
        SlotSet("birth_date", None),
        SlotSet(MISMATCH_SLOT, "bpjs_status_form"),
    ]


async def test_a_second_refusal_in_a_row_hands_over_to_an_officer(
    refusing: FakeGateway, dispatcher: CollectingDispatcher, domain: DomainDict
) -> None:
    history = [
        *session_start(),
        *form_run("bpjs_status_form", "health_bpjs_status"),
        *submitted("action_bpjs_status", refused="bpjs_status_form"),
        # The second run, with a question about SIM fees asked aside in it.
        *form_run(
            "bpjs_status_form", "health_bpjs_status", user("police_sim_fee"), action("action_answer_aside")
        ),
    ]

    events = await check_bpjs(dispatcher, domain, history)

    text, signal = dispatcher.messages
    assert said(text) == IDENTITY_UNVERIFIED
    assert signal["custom"] == {"type": "handoff", "reason": "escalation", "service": "health"}
    # The form has ended; the pair is forgotten as on any refusal, and the row starts afresh.
    assert events == [SlotSet("nik", None), SlotSet("birth_date", None), SlotSet(MISMATCH_SLOT, None)]


@pytest.mark.parametrize(
    "between",
    [
        # The previous run was verified: the refusal before it is not in a row.
        [
            *form_run("bpjs_status_form", "health_bpjs_status"),
            *submitted("action_bpjs_status", refused="bpjs_status_form"),
            *form_run("bpjs_status_form", "health_bpjs_status"),
            *submitted("action_bpjs_status"),
        ],
        # Another form was refused: that is its own row.
        [
            *form_run("immunization_form", "health_immunization_record"),
            *submitted("action_immunization_record", refused="immunization_form"),
        ],
        # A refusal in the previous session, whose mark the new session carries over.
        [
            *form_run("bpjs_status_form", "health_bpjs_status"),
            *submitted("action_bpjs_status", refused="bpjs_status_form"),
            *session_start(),
            slot(MISMATCH_SLOT, "bpjs_status_form"),
        ],
        # After an escalation, the next refusal is a first one again.
        [
            *form_run("bpjs_status_form", "health_bpjs_status"),
            *submitted("action_bpjs_status", refused="bpjs_status_form"),
            *form_run("bpjs_status_form", "health_bpjs_status"),
            *submitted("action_bpjs_status", escalated=True),
        ],
    ],
    ids=["verified-between", "other-form", "previous-session", "after-escalation"],
)
async def test_a_refusal_not_in_a_row_in_the_same_form_is_a_first_one(
    refusing: FakeGateway, dispatcher: CollectingDispatcher, domain: DomainDict, between: list[Event]
) -> None:
    history = [*session_start(), *between, *form_run("bpjs_status_form", "health_bpjs_status")]

    await check_bpjs(dispatcher, domain, history)

    assert said(dispatcher.messages[0]) == IDENTITY_MISMATCH
    assert signals(dispatcher) == []


async def test_a_flow_with_its_own_refusal_escalates_too(refusing: FakeGateway, domain: DomainDict) -> None:
    slots = {"nisn": "0091234567", "student_birth_date": "2010-05-12"}
    run = form_run("pip_status_form", "edu_pip_status")
    history = [*session_start(), *run, *submitted("action_pip_status", refused="pip_status_form"), *run]
    first, second = CollectingDispatcher(), CollectingDispatcher()

    await education.ActionPipStatus().run(first, tracker_from_events([*session_start(), *run], slots), domain)
    events = await education.ActionPipStatus().run(second, tracker_from_events(history, slots), domain)

    assert said(first.messages[0]) == wording("utter_pip_mismatch")
    assert signals(second) == [{"type": "handoff", "reason": "escalation", "service": "education"}]
    assert SlotSet("nisn", None) in events
    assert SlotSet("student_birth_date", None) in events


# --- Rules and mappings -----------------------------------------------------------------------


def rules(file: str) -> list[dict[str, Any]]:
    return yaml.safe_load((ROOT / "data" / "rules" / file).read_text())["rules"]


def test_every_form_has_its_hand_off_rules(domain: DomainDict) -> None:
    """In a form, request_human signals and the form waits (no question repeated); the hand-back
    runs the form again, which asks its question."""
    steps = [(rule.get("condition"), rule["steps"]) for rule in rules("handoff.yml")]
    for form in domain["forms"]:
        condition = [{"active_loop": form}]
        assert (condition, [{"intent": "request_human"}, {"action": "action_request_human"}]) in steps, form
        resume = [
            {"intent": "handoff_returned"},
            {"action": "action_resume_after_handoff"},
            {"action": form},
            {"active_loop": form},
        ]
        assert (condition, resume) in steps, form


def test_no_interruption_rule_answers_a_hand_off_message() -> None:
    for path in (ROOT / "data" / "rules").glob("*.yml"):
        for rule in rules(path.name):
            options = rule["steps"][0].get("or", [rule["steps"][0]])
            if {"action": "action_answer_aside"} in rule["steps"]:
                assert not {step.get("intent") for step in options} & HANDOFF_INTENTS, rule["rule"]


def test_no_free_text_slot_takes_a_hand_off_message(domain: DomainDict) -> None:
    for name, definition in domain["slots"].items():
        for mapping in definition.get("mappings", []):
            if mapping.get("type") == "from_text":
                assert set(mapping.get("not_intent") or []) >= HANDOFF_INTENTS, name
