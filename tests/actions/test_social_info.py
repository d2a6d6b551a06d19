"""Social-assistance questions by topic and programme (actions/social_info.py), and what the
recipient check answers of its opening message (actions/social.py)."""

from __future__ import annotations

import pytest
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import social, social_info, social_search
from knowledge import facts
from tests.actions.builders import tracker_from_events, user
from tests.actions.flow_helpers import form_tracker, payloads, texts

NIK = "3273014102900001"


async def run(dispatcher: CollectingDispatcher, domain: DomainDict, message: dict, **slots: str) -> list:
    tracker = tracker_from_events([message], slots)
    return await social_info.ActionBansosInfo().run(dispatcher, tracker, domain)


async def test_a_pkh_component_is_answered_first(
    dispatcher: CollectingDispatcher, domain: DomainDict
) -> None:
    message = user("bansos_info", "bapak saya 75 tahun, pkh lansia dapat berapa setahun?")

    events = await run(dispatcher, domain, message)

    said = texts(dispatcher)
    lansia = facts.get("pkh.component_amounts").text_of("lansia")
    assert said.startswith(f"Komponen lanjut usia: {lansia}")
    assert "UU 13/2011" in said
    assert SlotSet("bansos_topic", "amount") in events and SlotSet("bansos_programme", "pkh") in events


async def test_a_follow_up_changes_the_programme(
    dispatcher: CollectingDispatcher, domain: DomainDict
) -> None:
    await run(
        dispatcher, domain, user("inform", "kalau bpnt?"), bansos_topic="amount", bansos_programme="pkh"
    )

    said = texts(dispatcher)
    assert facts.get("bpnt.monthly_amount").text in said  # with the registry's caveat: unverified
    assert "belum dapat kami pastikan" in said


@pytest.mark.parametrize(
    ("text", "response"),
    [
        ("bpnt sekarang per bulan dapat berapa", "utter_bansos_amount_bpnt"),
        ("apa itu dtsen", "utter_bansos_info_dtsen"),
        ("jadwal pencairan pkh tahun ini", "utter_bansos_info_schedule"),
        ("kenapa bansos bisa dicoret", "utter_bansos_info_not_received"),
        ("siapa yang berhak dapat pkh", "utter_bansos_info_eligibility"),
        ("berapa bantuannya", "utter_bansos_amount_which"),
        ("info bansos", "utter_bansos_info_topics"),
    ],
)
async def test_topics(dispatcher: CollectingDispatcher, domain: DomainDict, text: str, response: str) -> None:
    await run(dispatcher, domain, user("bansos_info", text))

    assert dispatcher.messages[0]["response"] == response
    assert payloads(dispatcher)  # a next step is offered


async def test_the_check_answers_when_it_is_paid_before_asking_how_to_search(
    dispatcher: CollectingDispatcher, domain: DomainDict
) -> None:
    tracker = form_tracker(
        "bansos_check_form", None, user("bansos_check", "pkh tahap 4 kapan cair ya"), activating=True
    )

    events = await social.ValidateBansosCheckForm().run(dispatcher, tracker, domain)

    assert [message["response"] for message in dispatcher.messages] == ["utter_bansos_info_schedule"]
    assert not dispatcher.messages[0]["buttons"]  # the method question brings its buttons
    assert facts.get("pkh.disbursement_stages").text in texts(dispatcher)
    assert events[-1] == SlotSet("requested_slot", "bansos_method")


async def test_a_plain_check_request_is_not_answered_aside(
    dispatcher: CollectingDispatcher, domain: DomainDict
) -> None:
    tracker = form_tracker("bansos_check_form", None, user("bansos_check", "cek bansos"), activating=True)

    await social.ValidateBansosCheckForm().run(dispatcher, tracker, domain)

    assert dispatcher.messages == []


async def test_a_nik_typed_for_the_method_chooses_the_nik(
    dispatcher: CollectingDispatcher, domain: DomainDict
) -> None:
    tracker = form_tracker(
        "bansos_check_form",
        "bansos_method",
        user("inform", NIK, [("nik", NIK)]),
        extracted={"nik": NIK},
        candidates={"bansos_method": NIK},
    )

    events = await social.ValidateBansosCheckForm().run(dispatcher, tracker, domain)

    assert SlotSet("bansos_method", "nik") in events
    assert dispatcher.messages == []


@pytest.mark.parametrize(
    ("text", "given"),
    [
        (
            "cek bansos warga kecamatan cibiru atas nama asep saepudin",
            {
                "bansos_province": "32",
                "bansos_regency": "32.73",
                "bansos_district": "32.73.25",
                "bansos_name": "asep saepudin",
            },
        ),
        (
            "cek bansos kabupaten bogor, nama Siti Aminah.",
            {"bansos_province": "32", "bansos_regency": "32.01", "bansos_name": "Siti Aminah"},
        ),
        ("cek bansos pakai nama", {}),
    ],
)
def test_what_an_opening_message_gives_for_a_search_by_name(text: str, given: dict) -> None:
    assert social_search.given_for_name_search(text) == given


async def test_the_search_by_name_asks_only_what_the_opening_message_left_out(
    dispatcher: CollectingDispatcher, domain: DomainDict
) -> None:
    text = "cek bansos warga kecamatan cibiru atas nama asep saepudin"
    tracker = form_tracker("bansos_check_form", None, user("bansos_check", text), activating=True)

    events = await social.ValidateBansosCheckForm().run(dispatcher, tracker, domain)

    assert (
        SlotSet("bansos_district", "32.73.25") in events and SlotSet("bansos_name", "asep saepudin") in events
    )
    assert events[-1] == SlotSet("requested_slot", "bansos_village")


async def test_a_region_typed_for_the_method_starts_a_search_by_name(
    dispatcher: CollectingDispatcher, domain: DomainDict
) -> None:
    tracker = form_tracker(
        "bansos_check_form",
        "bansos_method",
        user("inform", "kabupaten bogor"),
        candidates={"bansos_method": "kabupaten bogor"},
    )

    events = await social.ValidateBansosCheckForm().run(dispatcher, tracker, domain)

    assert SlotSet("bansos_method", "name") in events and SlotSet("bansos_regency", "32.01") in events
    assert dispatcher.messages == []


@pytest.mark.parametrize(
    ("text", "method"),
    [
        ("saya mau cek bansos tapi tidak mau kasih NIK", "name"),
        ("cek bansos tanpa nik bisa?", "name"),
        ("gak punya ktp, cek pakai apa", "name"),
        ("pakai NIK saja", "nik"),
        ("nik ktp saya", "nik"),
    ],
)
def test_a_refused_nik_means_a_search_by_name(text: str, method: str) -> None:
    assert social_search.method_in_text(text) == method
