"""The shared dialogue mechanisms of issue 18 section 2, beyond actions/followups.py's own tests:
a follow-up of a follow-up, offers made as a service button, identifiers whose slot only a form
fills, a miss that carries data, unclear replies in a form, identifiers refused or not known, a
question typed where an answer was expected, and a birth date given with the NIK."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

import actions.asn  # noqa: F401  (the answers and validators re-run in-process)
import actions.satudata  # noqa: F401
from actions.asides import answer_in_passing, is_question
from actions.corrections import corrected_value, correction_in
from actions.fallback import ActionHandleMiss
from actions.followups import ActionContinue
from actions.gateway import use_gateway
from actions.identity_dates import date_with_identifier
from actions.offers import ActionAcceptOffer, open_offer
from actions.readers import vehicle_sim
from actions.refusals import identifier_withheld, refusal_kind
from actions.social_info import ActionBansosInfo
from tests.actions.builders import Event, action, session_start, slot, tracker_from_events, user
from tests.actions.flow_helpers import FakeGateway


@pytest.fixture()
def fake() -> Iterator[FakeGateway]:
    fake = FakeGateway()
    use_gateway(fake.client)
    yield fake
    use_gateway(None)


def bot(text: str, buttons: list[dict[str, str]] | None = None) -> Event:
    return {"event": "bot", "text": text, "data": {"buttons": buttons or []}}


def responses(dispatcher: CollectingDispatcher) -> list[str | None]:
    return [message.get("response") for message in dispatcher.messages]


def followups(events: list[dict[str, Any]]) -> list[str]:
    return [event["name"] for event in events if event.get("event") == "followup"]


def slots(events: list[dict[str, Any]]) -> dict[str, Any]:
    return {event["name"]: event["value"] for event in events if event.get("event") == "slot"}


def figure(region: str, year: int) -> dict[str, Any]:
    return {
        "indicator": "unemployment_rate", "label": "Tingkat pengangguran terbuka",
        "region": {"name": region}, "year": year, "value": 3.1, "unit": "persen", "source": "BPS",
    }  # fmt: skip


async def test_a_follow_up_of_a_follow_up_keeps_the_parameter_the_first_one_changed(
    fake: FakeGateway, dispatcher: CollectingDispatcher, domain: DomainDict
) -> None:
    fake.answer(figure("Bali", 2023))
    tracker = tracker_from_events(
        [
            *session_start(),
            user("data_statistics", "pengangguran jawa barat 2024", [("region", "Jawa Barat")]),
            action("statistics_form"),
            slot("region", "Jawa Barat"),
            slot("statistic_indicator", "unemployment_rate"),
            slot("statistics_year", "2024"),
            action("action_statistics"),
            bot("Tingkat pengangguran terbuka — Jawa Barat, 2024: 6,75 persen."),
            action("action_listen"),
            user("inform", "kalau provinsi Bali?", [("region", "Bali")]),
            action("action_continue"),
            slot("statistic_indicator", "unemployment_rate"),
            slot("region", "Bali"),
            slot("statistics_year", "2024"),
            bot("Tingkat pengangguran terbuka — Bali, 2024: 1,79 persen."),
            action("action_listen"),
            user("nlu_fallback", "tahun lalu?"),
        ]
    )

    await ActionHandleMiss().run(dispatcher, tracker, domain)

    assert dict(fake.last.url.params) == {"indicator": "unemployment_rate", "region": "Bali", "year": "2023"}


def test_vehicle_sim_reads_a_class_named_alone() -> None:
    assert vehicle_sim("klo yg c", {}, "") == "C"
    assert vehicle_sim("kalau BII?", {}, "") == "B2"
    assert vehicle_sim("kalau mobil?", {}, "") == "A"
    assert vehicle_sim("kalau tkp?", {}, "") is None


CONTRIBUTION_ANSWERED = [
    *session_start(),
    user("health_bpjs_contribution", "iuran kelas 3 berapa"),
    action("utter_health_bpjs_contribution"),
    bot(
        "Iuran kelas III ...",
        [
            {"title": "Cek tunggakan saya", "payload": "/health_bpjs_status"},
            {"title": "Iuran kelas I", "payload": '/health_bpjs_contribution{"bpjs_class":"1"}'},
        ],
    ),
    action("action_listen"),
]
ASIDE = [
    user("ask_menu", "bayarnya lewat mana"),
    action("action_show_menu"),
    bot("Silakan pilih layanan", [{"title": "Kesehatan (BPJS)", "payload": '/ask_menu{"service":"health"}'}]),
    action("action_listen"),
]


async def test_a_later_yes_accepts_the_one_service_check_a_reply_offered(
    dispatcher: CollectingDispatcher, domain: DomainDict
) -> None:
    tracker = tracker_from_events(
        [*CONTRIBUTION_ANSWERED, *ASIDE, user("affirm", "oke iya cek tunggakan sy")]
    )

    events = await ActionAcceptOffer().run(dispatcher, tracker, domain)

    assert followups(events) == ["bpjs_status_form"]
    assert dispatcher.messages == []


def test_a_button_offer_closes_after_a_few_turns_and_two_checks_are_no_offer() -> None:
    late = tracker_from_events([*CONTRIBUTION_ANSWERED, *ASIDE * 3, user("affirm", "ya")])
    assert open_offer(late) is None
    two = [
        *session_start(),
        user("inform", "1709107108840021"),
        bot(
            "Untuk layanan apa?",
            [
                {"title": "Cek status BPJS", "payload": "/health_bpjs_status"},
                {"title": "Cek penerima bansos", "payload": "/bansos_check"},
            ],
        ),
        action("action_listen"),
        user("affirm", "ya"),
    ]
    assert open_offer(tracker_from_events(two)) is None


async def test_a_participant_number_after_a_casn_answer_continues_the_result_check(
    dispatcher: CollectingDispatcher, domain: DomainDict
) -> None:
    tracker = tracker_from_events(
        [
            *session_start(),
            user("asn_casn_registration", "passing grade skd 2024"),
            action("action_casn_info"),
            slot("casn_topic", "passing_grade"),
            bot("Nilai ambang batas SKD ..."),
            action("action_listen"),
            user("inform", "24112650000000005"),
        ]
    )

    events = await ActionContinue().run(dispatcher, tracker, domain)

    assert followups(events) == ["casn_result_form"]
    assert slots(events) == {"participant_number": "24112650000000005"}


async def test_a_plate_with_no_recent_service_starts_the_only_service_that_takes_it(
    dispatcher: CollectingDispatcher, domain: DomainDict
) -> None:
    tracker = tracker_from_events(
        [
            *session_start(),
            user("office_info", "samsat buka jam berapa"),
            action("utter_office_info"),
            action("action_listen"),
            user("inform", "bl4209r", [("plate_number", "bl4209r")]),
            slot("plate_number", "BL 4209 R"),
        ]
    )

    events = await ActionContinue().run(dispatcher, tracker, domain)

    assert followups(events) == ["vehicle_tax_form"]


async def test_a_case_number_with_no_recent_service_goes_to_the_status_router(
    dispatcher: CollectingDispatcher, domain: DomainDict
) -> None:
    """A miss that carries a case number of any kind: the router answers it (its prefix names
    the service), never "untuk layanan apa?"."""
    tracker = tracker_from_events(
        [
            *session_start(),
            user("nlu_fallback", "kabar casn-2026-000007 gmn", [("ticket_id", "CASN-2026-000007")]),
        ]
    )

    events = await ActionHandleMiss().run(dispatcher, tracker, domain)

    assert followups(events) == ["case_status_form"]
    assert slots(events) == {"ticket_id": "CASN-2026-000007"}


async def test_a_nik_with_no_recent_service_asks_which_service(
    dispatcher: CollectingDispatcher, domain: DomainDict
) -> None:
    tracker = tracker_from_events(
        [
            *session_start(),
            user("inform", "1709107108840021", [("nik", "1709107108840021")]),
            slot("nik", "1709107108840021"),
        ]
    )

    events = await ActionContinue().run(dispatcher, tracker, domain)

    assert followups(events) == []
    assert responses(dispatcher) == ["utter_inform_outside_flow"]


async def test_a_miss_that_carries_a_plate_continues_the_vehicle_tax(
    dispatcher: CollectingDispatcher, domain: DomainDict
) -> None:
    tracker = tracker_from_events(
        [
            *session_start(),
            user("pay_vehicle_tax", "cek pajak motor"),
            action("vehicle_tax_form"),
            action("action_listen"),
            user("nlu_fallback", "maaf salah ketik yg bener BL 4209 R", [("plate_number", "BL 4209 R")]),
            slot("plate_number", "BL 4209 R"),
        ]
    )

    events = await ActionHandleMiss().run(dispatcher, tracker, domain)

    assert followups(events) == ["vehicle_tax_form"]
    assert "utter_miss_not_understood" not in responses(dispatcher)


def _asking(form: str, requested: str, *replies: tuple[str, str]) -> list[Event]:
    """`form` active and asking `requested`, then the citizen's `replies` (intent, text)."""
    events: list[Event] = [
        *session_start(),
        user("health_bpjs_status", "cek status bpjs"),
        action(form),
        {"event": "active_loop", "name": form},
        slot("requested_slot", requested),
        action("action_listen"),
    ]
    for intent, text in replies:
        events += [user(intent, text), action(form), action("action_listen")]
    return events[:-2]  # the latest reply is being handled


async def test_the_second_unclear_reply_in_a_form_offers_a_person_and_cancelling(
    dispatcher: CollectingDispatcher, domain: DomainDict
) -> None:
    events = _asking("bpjs_status_form", "nik", ("affirm", "hmm bentar"), ("nlu_fallback", "eh gmn ya"))
    tracker = tracker_from_events(events, active_loop="bpjs_status_form")

    await ActionHandleMiss().run(dispatcher, tracker, domain)

    assert responses(dispatcher) == ["utter_stuck_offer"]
    assert [button["title"] for button in dispatcher.messages[0]["buttons"]] == [
        "Bicara dengan petugas",
        "Batal",
    ]


async def test_the_first_unclear_reply_in_a_form_is_no_stuck_offer(
    dispatcher: CollectingDispatcher, domain: DomainDict
) -> None:
    tracker = tracker_from_events(
        _asking("bpjs_status_form", "nik", ("nlu_fallback", "eh gmn ya")), active_loop="bpjs_status_form"
    )

    await ActionHandleMiss().run(dispatcher, tracker, domain)

    assert "utter_stuck_offer" not in responses(dispatcher)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("ga mau kasih nik ah takut disalahgunakan", "refused"),
        ("ga usah pake nik deh, gamau", "refused"),
        ("lupa nomor pesertanya", "unknown"),
        ("gatau dimana", "unknown"),
        ("hmm bentar", None),
        ("3273 gak tau sisanya", None),  # digits: an attempt at the number
    ],
)
def test_refusal_kind(text: str, kind: str | None) -> None:
    assert refusal_kind(text) == kind


def test_a_refused_nik_in_cek_bansos_switches_to_the_search_by_name(
    dispatcher: CollectingDispatcher, domain: DomainDict
) -> None:
    events = _asking("bansos_check_form", "nik", ("deny", "ga usah pake nik deh"))
    tracker = tracker_from_events(events, active_loop="bansos_check_form")

    withheld = identifier_withheld("bansos_check_form", dispatcher, tracker, domain)

    assert withheld is not None and slots(withheld) == {"bansos_method": "name", "nik": None}
    assert responses(dispatcher) == ["utter_identifier_refused_alternative"]


def test_a_refused_or_unknown_nik_elsewhere_says_why_or_where_and_asks_again(
    dispatcher: CollectingDispatcher, domain: DomainDict
) -> None:
    refused = tracker_from_events(
        _asking("bpjs_status_form", "nik", ("deny", "ga mau kasih nik")), active_loop="bpjs_status_form"
    )
    assert slots(identifier_withheld("bpjs_status_form", dispatcher, refused, domain) or []) == {"nik": None}
    unknown = tracker_from_events(
        _asking("bpjs_status_form", "nik", ("inform", "lupa nik saya")), active_loop="bpjs_status_form"
    )
    assert identifier_withheld("bpjs_status_form", dispatcher, unknown, domain) is not None
    assert responses(dispatcher) == ["utter_identifier_refused", "utter_help_nik"]
    attempt = tracker_from_events(
        _asking("bpjs_status_form", "nik", ("inform", "3273 lupa sisanya")), active_loop="bpjs_status_form"
    )
    assert identifier_withheld("bpjs_status_form", dispatcher, attempt, domain) is None


def test_a_question_where_a_number_was_expected_is_helped_not_refused(
    dispatcher: CollectingDispatcher, domain: DomainDict
) -> None:
    events = _asking(
        "casn_result_form", "participant_number", ("inform", "nomor peserta itu liatnya dimana ya?")
    )
    tracker = tracker_from_events(
        events, slots={"requested_slot": "participant_number"}, active_loop="casn_result_form"
    )
    dispatcher.utter_message(response="utter_invalid_participant_number")  # what the validation said

    result = answer_in_passing("casn_result_form", dispatcher, tracker, domain, [], said_before=0)

    assert responses(dispatcher) == ["utter_help_participant_number"]
    assert slots(result) == {"participant_number": None}


def test_a_refusal_of_a_mistyped_number_stands(dispatcher: CollectingDispatcher, domain: DomainDict) -> None:
    events = _asking("casn_result_form", "participant_number", ("inform", "2411265 apa ini cukup?"))
    tracker = tracker_from_events(
        events, slots={"requested_slot": "participant_number"}, active_loop="casn_result_form"
    )
    dispatcher.utter_message(response="utter_invalid_participant_number")

    answer_in_passing("casn_result_form", dispatcher, tracker, domain, [], said_before=0)

    assert responses(dispatcher) == ["utter_invalid_participant_number"]


def test_is_question() -> None:
    assert is_question("laporannya bakal diproses brp lama?")
    assert is_question("nomor peserta itu liatnya dimana ya")
    assert not is_question("Jl. Melati No. 5, Depok")


def test_a_birth_date_given_with_the_nik_is_read_and_the_nik_is_no_date() -> None:
    text = "bpjs saya aktif gak? nik 1709107108840021 tgl lahir 31/08/1984"
    start = text.index("1709")
    message = user("health_bpjs_status", text)
    message["parse_data"]["entities"] = [
        {"entity": "nik", "value": "1709107108840021", "start": start, "end": start + 16}
    ]
    tracker = tracker_from_events([*session_start(), message, slot("nik", "1709107108840021")])
    assert date_with_identifier(tracker, text) == dt.date(1984, 8, 31)

    only_nik = "cek bpjs nik 1709107108840021"
    message = user("health_bpjs_status", only_nik)
    message["parse_data"]["entities"] = [
        {"entity": "nik", "value": "1709107108840021", "start": 13, "end": 29}
    ]
    tracker = tracker_from_events([*session_start(), message, slot("nik", "1709107108840021")])
    assert date_with_identifier(tracker, only_nik) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "eh lokasinya salah, yang bener Jl. Melati No. 5 Depok",
            ("complaint_location", "Jl. Melati No. 5 Depok"),
        ),
        ("ralat alamat: Jl. Kenanga 3", ("complaint_location", "Jl. Kenanga 3")),
        ("Lubangnya dalam sekali, belum ada perbaikan di lokasi itu", None),  # no correction
        ("eh salah, yang bener kemarin sore", None),  # names no earlier answer
    ],
)
def test_correction_in(text: str, expected: tuple[str, str] | None) -> None:
    assert correction_in(text, ["complaint_location", "complaint_category"]) == expected


async def test_an_earlier_answer_corrected_mid_form_is_replaced_and_said(
    dispatcher: CollectingDispatcher, domain: DomainDict
) -> None:
    events = _asking(
        "complaint_form", "complaint_description", ("inform", "eh lokasinya salah, yg bener Jl. Melati 5")
    )
    tracker = tracker_from_events(
        events,
        slots={"complaint_location": "Jl. Mawar", "complaint_category": "infrastruktur"},
        active_loop="complaint_form",
    )

    corrected = await corrected_value(
        ["complaint_category", "complaint_location", "complaint_description"],
        lambda slot: None,
        dispatcher,
        tracker,
        domain,
    )

    assert corrected == {"complaint_location": "Jl. Melati 5"}
    assert responses(dispatcher) == ["utter_value_corrected"]


async def test_a_nik_in_a_message_naming_its_service_continues_that_service(
    dispatcher: CollectingDispatcher, domain: DomainDict
) -> None:
    text = "cek masa berlaku sim saya nik 1803224311770016"
    tracker = tracker_from_events(
        [
            *session_start(),
            user("nlu_fallback", text, [("nik", "1803224311770016")]),
            slot("nik", "1803224311770016"),
        ]
    )

    events = await ActionHandleMiss().run(dispatcher, tracker, domain)

    assert followups(events) == ["sim_renewal_form"]


async def test_a_follow_up_only_the_answers_form_reads_starts_that_form_again(
    dispatcher: CollectingDispatcher, domain: DomainDict
) -> None:
    tracker = tracker_from_events(
        [
            *session_start(),
            user("id_document_requirements", "ktp sy ilang, bikin lg gmn"),
            action("document_requirements_form"),
            slot("document_type", "ktp"),
            slot("document_case", "lost"),
            action("action_document_requirements"),
            bot("KTP-el yang hilang ..."),
            action("action_listen"),
            user("inform", "kalau yang rusak?"),
        ]
    )

    events = await ActionContinue().run(dispatcher, tracker, domain)

    assert followups(events) == ["document_requirements_form"]
    long_question = tracker_from_events(
        [*tracker.events[:-1], user("inform", "kalau saya mau tanya hal lain soal pajak motor boleh?")]
    )
    assert followups(await ActionContinue().run(dispatcher, long_question, domain)) == []


STATISTIC_SHOWN = [
    *session_start(),
    user("data_statistics", "ipm jawa timur 2025", [("region", "Jawa Timur")]),
    action("statistics_form"),
    slot("region", "Jawa Timur"),
    slot("statistic_indicator", "unemployment_rate"),
    slot("statistics_year", "2025"),
    action("action_statistics"),
    bot("Tingkat pengangguran terbuka — Jawa Timur, 2025: 4,1 persen."),
    action("action_listen"),
]


async def test_a_follow_up_the_nlu_read_as_another_question_reruns_the_last_answer(
    fake: FakeGateway, dispatcher: CollectingDispatcher, domain: DomainDict
) -> None:
    fake.answer(figure("Jawa Timur", 2024))
    tracker = tracker_from_events([*STATISTIC_SHOWN, user("bansos_info", "tahun sebelumnya berapa")])

    await ActionBansosInfo().run(dispatcher, tracker, domain)

    assert dict(fake.last.url.params) == {
        "indicator": "unemployment_rate",
        "region": "Jawa Timur",
        "year": "2024",
    }


async def test_a_new_question_after_an_answer_is_answered_as_itself(
    fake: FakeGateway, dispatcher: CollectingDispatcher, domain: DomainDict
) -> None:
    tracker = tracker_from_events([*STATISTIC_SHOWN, user("bansos_info", "kalau bpnt sebulan berapa")])

    await ActionBansosInfo().run(dispatcher, tracker, domain)

    assert fake.requests == []
    assert responses(dispatcher) != []


async def test_kalo_lansia_after_a_pkh_amount_answers_that_component(
    dispatcher: CollectingDispatcher, domain: DomainDict
) -> None:
    tracker = tracker_from_events(
        [
            *session_start(),
            user("bansos_info", "pkh ibu hamil dpt brp setahun"),
            action("action_bansos_info"),
            bot("Komponen ibu hamil/nifas: ..."),
            slot("bansos_topic", "amount"),
            slot("bansos_programme", "pkh"),
            action("action_listen"),
            user("nlu_fallback", "kalo lansia"),
        ]
    )

    await ActionHandleMiss().run(dispatcher, tracker, domain)

    assert responses(dispatcher) == ["utter_bansos_amount_pkh"]
    assert "lanjut usia" in str(dispatcher.messages[0].get("asked"))
