"""action_show_menu and the menu definition in actions/menu.py."""

from __future__ import annotations

import pytest
import yaml
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.menu import MAIN_MENU_BUTTON, SERVICES, ActionShowMenu, find_service
from tests.actions.builders import ROOT, tracker_from_events, user
from tests.actions.flow_helpers import said

EXPECTED_TITLES = [
    "Kesehatan (BPJS)",
    "Pendidikan (PIP/KIP)",
    "Bantuan Sosial",
    "KTP & Dokumen",
    "Data & Statistik",
    "Pembayaran",
    "Pengaduan (LAPOR!)",
    "ASN/CPNS",
    "SIM & SKCK",
]


@pytest.mark.asyncio
async def test_menu_without_service_lists_the_nine_services(
    dispatcher: CollectingDispatcher, domain: DomainDict
) -> None:
    tracker = tracker_from_events([user("ask_menu", "menu")])

    events = await ActionShowMenu().run(dispatcher, tracker, domain)

    assert events == []
    [message] = dispatcher.messages
    assert said(message)
    assert [button["title"] for button in message["buttons"]] == EXPECTED_TITLES
    assert message["buttons"][0]["payload"] == '/ask_menu{"service":"health"}'
    assert message["buttons"][-1]["payload"] == '/ask_menu{"service":"police"}'


@pytest.mark.asyncio
async def test_menu_with_service_lists_its_topics_as_intent_payloads(
    dispatcher: CollectingDispatcher, domain: DomainDict
) -> None:
    tracker = tracker_from_events([user("ask_menu", entities=[("service", "health")])])

    await ActionShowMenu().run(dispatcher, tracker, domain)

    [message] = dispatcher.messages
    assert "Kesehatan (BPJS)" in said(message)
    assert [button["payload"] for button in message["buttons"]] == [
        "/health_bpjs_status",
        "/health_bpjs_contribution",
        "/health_facility_search",
        "/health_immunization_record",
        "/health_bpjs_info",
        "/ask_menu",
    ]
    assert message["buttons"][-1] == MAIN_MENU_BUTTON


@pytest.mark.asyncio
async def test_menu_accepts_an_indonesian_service_name(
    dispatcher: CollectingDispatcher, domain: DomainDict
) -> None:
    tracker = tracker_from_events([user("ask_menu", entities=[("service", " SIM ")])])

    await ActionShowMenu().run(dispatcher, tracker, domain)

    payloads = [button["payload"] for button in dispatcher.messages[0]["buttons"]]
    assert payloads[:3] == ["/police_sim_renewal", "/police_sim_fee", "/police_skck"]


@pytest.mark.asyncio
async def test_unknown_service_falls_back_to_the_main_menu(
    dispatcher: CollectingDispatcher, domain: DomainDict
) -> None:
    tracker = tracker_from_events([user("ask_menu", entities=[("service", "pariwisata")])])

    await ActionShowMenu().run(dispatcher, tracker, domain)

    assert [b["title"] for b in dispatcher.messages[0]["buttons"]] == EXPECTED_TITLES


def test_every_service_intent_is_in_the_menu_once(domain: DomainDict) -> None:
    general = {
        "greet",
        "goodbye",
        "thanks",
        "affirm",
        "deny",
        "ask_menu",
        "request_human",
        "bot_challenge",
        "assistant_info",
        "stop_case_updates",
        "out_of_scope",
        "office_info",
        "inform",
        "cancel",
        "share_contact",
        "share_location",
        "identity_verified",
        "handoff_returned",
        "nlu_fallback",
        "restart",
        "back",
        "session_start",
        # The citizen's rights (domain/privacy.yml): not a service.
        "erase_my_data",
        "who_viewed_my_data",
        # Life events (domain/journeys.yml): journeys across the services, not one service.
        "journey_life_event",
        "journey_next_step",
        "journey_step_done",
    }
    domain_intents = {name if isinstance(name, str) else next(iter(name)) for name in domain["intents"]}
    menu_intents = [topic.intent for service in SERVICES for topic in service.topics]

    assert len(menu_intents) == len(set(menu_intents))
    assert set(menu_intents) == domain_intents - general


def test_every_topic_has_an_answer_and_every_service_key_is_an_entity_value(
    domain: DomainDict,
) -> None:
    assert "service" in domain["entities"]
    for service in SERVICES:
        assert find_service(service.key) is service
        for topic in service.topics:
            assert topic.intent in rule_openings(), f"no rule answers {topic.intent}"


def rule_openings() -> set[str]:
    """The intents that open a rule in data/rules/ (an answer, an action or a form)."""
    openings: set[str] = set()
    for path in (ROOT / "data" / "rules").glob("*.yml"):
        for rule in yaml.safe_load(path.read_text()).get("rules", []):
            if rule.get("condition"):
                continue
            first = rule["steps"][0]
            options = first.get("or", [first])
            openings.update(step["intent"] for step in options if "intent" in step)
    return openings
