"""actions/followups.py: follow-ups that change one parameter of the last answer, data typed
outside a form, and offers accepted a turn later (issue 18, section 2)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

import actions.police  # noqa: F401  (the answers and validators re-run in-process)
import actions.satudata  # noqa: F401
from actions.fallback import ActionHandleMiss
from actions.followups import ActionContinue
from actions.gateway import use_gateway
from actions.offers import ActionAcceptOffer, open_offer
from tests.actions.builders import Event, action, session_start, slot, tracker_from_events, user
from tests.actions.flow_helpers import FakeGateway, payloads, texts


@pytest.fixture()
def fake() -> Iterator[FakeGateway]:
    fake = FakeGateway()
    use_gateway(fake.client)
    yield fake
    use_gateway(None)


def bot(text: str, buttons: list[dict[str, str]] | None = None) -> Event:
    return {"event": "bot", "text": text, "data": {"buttons": buttons or []}}


def slot_events(events: list[dict[str, Any]]) -> dict[str, Any]:
    return {event["name"]: event["value"] for event in events if event.get("event") == "slot"}


def followups(events: list[dict[str, Any]]) -> list[str]:
    return [event["name"] for event in events if event.get("event") == "followup"]


def figure(region: str, year: int) -> dict[str, Any]:
    return {
        "indicator": "unemployment_rate", "label": "Tingkat pengangguran terbuka",
        "region": {"name": region}, "year": year, "value": 6.75, "unit": "persen", "source": "BPS",
    }  # fmt: skip


STATISTIC_ANSWERED = [
    *session_start(),
    user("data_statistics", "tingkat pengangguran jawa barat 2024", [("region", "Jawa Barat")]),
    slot("region", "Jawa Barat"),
    action("statistics_form"),
    slot("statistic_indicator", "unemployment_rate"),
    slot("statistics_year", "2024"),
    action("action_statistics"),
    bot("Tingkat pengangguran terbuka — Jawa Barat, 2024: 6,75 persen.\nSumber: BPS, data tahun 2024."),
    slot("statistics_year", None),
    action("action_listen"),
]


async def test_kalau_provinsi_bali_reruns_the_statistic_with_the_rest_carried_over(
    fake: FakeGateway, dispatcher: CollectingDispatcher, domain: DomainDict
) -> None:
    fake.answer(figure("Bali", 2024))
    tracker = tracker_from_events(
        [
            *STATISTIC_ANSWERED,
            user("inform", "kalau provinsi Bali?", [("region", "Bali")]),
            slot("region", "Bali"),
        ]
    )

    events = await ActionContinue().run(dispatcher, tracker, domain)

    assert dict(fake.last.url.params) == {"indicator": "unemployment_rate", "region": "Bali", "year": "2024"}
    assert "Bali" in texts(dispatcher)
    assert followups(events) == []  # answered in this turn, not left to the policies


async def test_tahun_lalu_moves_the_year_of_the_answer_shown(
    fake: FakeGateway, dispatcher: CollectingDispatcher, domain: DomainDict
) -> None:
    fake.answer(figure("Jawa Barat", 2023))
    tracker = tracker_from_events([*STATISTIC_ANSWERED, user("nlu_fallback", "tahun lalu?")])

    await ActionHandleMiss().run(dispatcher, tracker, domain)

    assert dict(fake.last.url.params) == {
        "indicator": "unemployment_rate",
        "region": "Jawa Barat",
        "year": "2023",
    }


async def test_an_unknown_new_value_is_refused_by_the_forms_validator(
    fake: FakeGateway, dispatcher: CollectingDispatcher, domain: DomainDict
) -> None:
    tracker = tracker_from_events(
        [
            *STATISTIC_ANSWERED,
            user("inform", "kalau Narnia?", [("region", "Narnia")]),
            slot("region", "Narnia"),
        ]
    )

    events = await ActionContinue().run(dispatcher, tracker, domain)

    assert fake.requests == []
    assert slot_events(events)["region"] is None
    assert [message["response"] for message in dispatcher.messages] == ["utter_unknown_statistics_region"]


SIM_A_ANSWERED = [
    *session_start(),
    user("police_sim_fee", "biaya sim A berapa", [("sim_class", "A")]),
    slot("sim_class", "A"),
    action("sim_fee_form"),
    action("action_sim_fee"),
    bot("Biaya SIM A ..."),
    slot("sim_class", None),
    action("action_listen"),
]
FEES = {"items": [{"service": "sim_c_new", "amount": 100000}, {"service": "sim_a_new", "amount": 120000}]}


@pytest.mark.parametrize(
    ("message", "extracted"),
    [
        (user("inform", "kalau SIM C?", [("sim_class", "C")]), [slot("sim_class", "C")]),
        (user("nlu_fallback", "kalau motor?"), []),  # the vehicle names the class
    ],
)
async def test_a_sim_fee_follow_up_answers_the_other_class(
    fake: FakeGateway,
    dispatcher: CollectingDispatcher,
    domain: DomainDict,
    message: Event,
    extracted: list[Event],
) -> None:
    fake.answer(FEES)
    tracker = tracker_from_events([*SIM_A_ANSWERED, message, *extracted])
    run = (
        ActionContinue().run
        if message["parse_data"]["intent"]["name"] == "inform"
        else ActionHandleMiss().run
    )

    events = await run(dispatcher, tracker, domain)

    assert fake.last.url.path == "/api/v1/police/fees"
    assert "SIM C" in texts(dispatcher)
    assert slot_events(events)["sim_class"] is None  # the fee answer forgets the class again


CONTRIBUTION = [
    *session_start(),
    user("health_bpjs_contribution", "berapa iuran bpjs kelas 1"),
    action("utter_health_bpjs_contribution"),
    bot("Iuran BPJS Kesehatan ...", [{"title": "Cek tunggakan saya", "payload": "/health_bpjs_status"}]),
    action("action_listen"),
]


async def test_kalau_kelas_2_answers_the_contribution_again(
    dispatcher: CollectingDispatcher, domain: DomainDict
) -> None:
    tracker = tracker_from_events([*CONTRIBUTION, user("inform", "kalau kelas 2?")])

    await ActionContinue().run(dispatcher, tracker, domain)

    assert [message["response"] for message in dispatcher.messages] == ["utter_health_bpjs_contribution"]


async def test_a_follow_up_long_after_the_answer_is_not_one(
    dispatcher: CollectingDispatcher, domain: DomainDict
) -> None:
    later = [user("greet", "halo"), action("utter_greet"), action("action_listen")] * 4
    tracker = tracker_from_events([*CONTRIBUTION, *later, user("inform", "kalau kelas 2?")])

    await ActionContinue().run(dispatcher, tracker, domain)

    assert [message["response"] for message in dispatcher.messages] == ["utter_inform_outside_flow"]


NIK = "3174015708900003"


async def test_a_nik_typed_instead_of_the_offered_button_continues_that_service(
    dispatcher: CollectingDispatcher, domain: DomainDict
) -> None:
    tracker = tracker_from_events([*CONTRIBUTION, user("inform", NIK, [("nik", NIK)]), slot("nik", NIK)])

    events = await ActionContinue().run(dispatcher, tracker, domain)

    assert followups(events) == ["bpjs_status_form"]
    assert dispatcher.messages == []


async def test_a_date_continues_the_recent_service_as_its_birth_date(
    dispatcher: CollectingDispatcher, domain: DomainDict
) -> None:
    tracker = tracker_from_events(
        [
            *session_start(),
            user("asn_selection_result", "cek hasil casn"),
            action("casn_result_form"),
            action("action_listen"),
            user("cancel", "batal"),
            action("action_cancel_flow"),
            action("action_listen"),
            user("inform", "17-08-1990", [("date", "1990-08-17")]),
            slot("date", "1990-08-17"),
        ]
    )

    events = await ActionContinue().run(dispatcher, tracker, domain)

    assert slot_events(events) == {"birth_date": "1990-08-17"}
    assert followups(events) == ["casn_result_form"]


async def test_with_no_recent_service_the_services_that_take_the_value_are_offered(
    dispatcher: CollectingDispatcher, domain: DomainDict
) -> None:
    tracker = tracker_from_events([*session_start(), user("inform", NIK, [("nik", NIK)]), slot("nik", NIK)])

    events = await ActionContinue().run(dispatcher, tracker, domain)

    assert events == []
    [message] = dispatcher.messages
    assert message["response"] == "utter_inform_outside_flow"
    assert {"/health_bpjs_status", "/bansos_check", "/police_sim_renewal"} <= set(payloads(dispatcher))
    assert len(message["buttons"]) > 2  # a real choice, not a lone menu button


async def test_a_refused_identifier_is_not_asked_about(
    dispatcher: CollectingDispatcher, domain: DomainDict
) -> None:
    tracker = tracker_from_events(
        [
            *session_start(),
            user("inform", "1234567890123456", [("nik", "1234567890123456")]),
            slot("nik", None),
        ]
    )

    assert await ActionContinue().run(dispatcher, tracker, domain) == []
    assert dispatcher.messages == []  # action_validate_slot_mappings already said what is wrong


TAX_OFFERED = [
    *session_start(),
    user("pay_vehicle_tax", "pajak motor B 1234 XYZ"),
    action("action_vehicle_tax"),
    slot("tax_billing_offered", True),
    action("action_listen"),
]


def test_an_offer_stays_open_for_a_turn_answered_otherwise() -> None:
    aside = [
        user("office_info", "samsat buka jam berapa"),
        action("utter_office_info"),
        action("action_listen"),
    ]
    tracker = tracker_from_events([*TAX_OFFERED, *aside, user("affirm", "ya")])
    assert open_offer(tracker) == "action_vehicle_tax_billing"


def test_an_offer_closes_after_a_few_turns_or_once_withdrawn() -> None:
    aside = [
        user("office_info", "samsat buka jam berapa"),
        action("utter_office_info"),
        action("action_listen"),
    ]
    assert open_offer(tracker_from_events([*TAX_OFFERED, *aside * 3, user("affirm", "ya")])) is None
    withdrawn = [*TAX_OFFERED, slot("tax_billing_offered", None), user("affirm", "ya")]
    assert open_offer(tracker_from_events(withdrawn)) is None


async def test_a_yes_with_no_open_offer_is_the_bare_yes(
    dispatcher: CollectingDispatcher, domain: DomainDict
) -> None:
    tracker = tracker_from_events([*session_start(), user("affirm", "ya")])

    assert await ActionAcceptOffer().run(dispatcher, tracker, domain) == []
    assert [message["response"] for message in dispatcher.messages] == ["utter_affirm"]


async def test_kalau_smp_asks_the_admission_routes_of_the_other_level(
    fake: FakeGateway, dispatcher: CollectingDispatcher, domain: DomainDict
) -> None:
    import actions.spmb  # noqa: F401  (its answer and validator re-run in-process)

    fake.error(404, "not_found", "Belum ada jadwal.")  # the request is what this test checks
    answered = [
        *session_start(),
        user("edu_school_admission", "jalur spmb sd apa aja"),
        action("spmb_form"),
        slot("school_level", "sd"),
        action("action_spmb"),
        bot("Jalur SPMB SD ..."),
        slot("school_level", None),
        action("action_listen"),
    ]
    tracker = tracker_from_events([*answered, user("inform", "kalau SMP?")])

    await ActionContinue().run(dispatcher, tracker, domain)

    assert fake.last.url.path == "/api/v1/education/spmb"
    assert dict(fake.last.url.params) == {"level": "smp"}


async def test_the_same_question_again_without_its_parameter_keeps_the_last_answers(
    dispatcher: CollectingDispatcher, domain: DomainDict
) -> None:
    from actions.documents import ValidateDocumentRequirementsForm

    answered = [
        *session_start(),
        user("id_document_requirements", "akta kelahiran anak harus diurus paling lambat kapan?"),
        action("document_requirements_form"),
        slot("document_type", "birth_certificate"),
        action("action_document_requirements"),
        bot("Syarat akta kelahiran ..."),
        slot("document_type", None),
        action("action_listen"),
    ]
    again = tracker_from_events(
        [
            *answered,
            user("id_document_requirements", "syaratnya apa aja?"),
            action("document_requirements_form"),
        ]
    )  # as Rasa validates when the form starts: not active yet

    events = await ValidateDocumentRequirementsForm().run(dispatcher, again, domain)

    assert slot_events(events)["document_type"] == "birth_certificate"
    fresh = tracker_from_events([*session_start(), user("id_document_requirements", "syaratnya apa aja?")])
    assert (
        slot_events(await ValidateDocumentRequirementsForm().run(dispatcher, fresh, domain)).get(
            "document_type"
        )
        is None
    )


async def test_tahun_lalu_read_as_a_new_statistics_question_keeps_the_rest(
    dispatcher: CollectingDispatcher, domain: DomainDict
) -> None:
    from actions.satudata import ValidateStatisticsForm

    def starting(text: str) -> Any:
        """The form's run for the message that starts it (its activation after the message)."""
        started = [user("data_statistics", text), {"event": "active_loop", "name": "statistics_form"}]
        tracker = tracker_from_events([*STATISTIC_ANSWERED, *started, action("statistics_form")])
        tracker.active_loop = {"name": "statistics_form"}
        return tracker

    async def after(text: str) -> dict[str, Any]:
        """The slots once the form's validation ran for `text`: the tracker's, then its events."""
        tracker = starting(text)
        events = await ValidateStatisticsForm().run(dispatcher, tracker, domain)
        return {**tracker.slots, **slot_events(events)}

    values = await after("tahun lalu?")
    assert (values["statistic_indicator"], values["region"], values["statistics_year"]) == (
        "unemployment_rate", "Jawa Barat", "2023",
    )  # fmt: skip
    values = await after("statistik dong")
    assert values["statistic_indicator"] is None  # a new question without details starts afresh
