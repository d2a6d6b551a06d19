"""Rule questions of the police and payment services (actions/road_topics.py): which message asks
which question, the forms that end without asking when opened by one, and the answers' values."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from actions import road_topics
from actions.payments import ActionBillingStatus, ValidateBillingStatusForm
from actions.police import ActionSimFee, ActionSimRenewal, ValidateSimFeeForm, ValidateSimRenewalForm
from actions.road_topics import ActionRoadTopic, find_topic, passport_kind, vehicle_kind
from actions.skck import ActionSkckApply, ValidateSkckForm
from actions.vehicle_tax import ActionVehicleTax, ValidateVehicleTaxForm
from knowledge import facts
from tests.actions.builders import action, slot, tracker_from_events, user
from tests.actions.flow_helpers import form_tracker, payloads, texts


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("SIM saya sudah mati 5 bulan, masih bisa diperpanjang?", "sim_expired"),
        ("sim udh lewat 2 bln gmn", "sim_expired"),
        ("lupa perpanjang sim", "sim_expired"),
        ("sim ilang di angkot, ngurusnya gimana", "sim_lost"),
        ("SIM C saya rusak patah", "sim_lost"),
        ("bikin sim baru berapa lama jadinya", "sim_duration"),
        ("perpanjang sim online berapa hari sampai rumah", "sim_duration"),
        ("SIM berlaku berapa tahun?", "sim_validity"),
        ("SKCK berlaku berapa lama? eh maksud saya SIM", "sim_validity"),
        ("skck saya hilang", "skck_lost"),
        ("masa berlaku skck berapa bulan", "skck_validity"),
        ("perpanjang skck syaratnya apa", "skck_validity"),
        ("skck gratis buat mahasiswa?", "skck_waiver"),
        ("SWDKLLJ untuk motor berapa setahun?", "swdkllj"),
        ("Kalau telat bayar pajak kendaraan, bunganya berapa persen per bulan?", "vehicle_tax_late"),
        ("denda pajak motor telat setahun gimana hitungnya", "vehicle_tax_late"),
        ("syarat pajak 5 tahunan mobil", "five_yearly"),
        ("biaya ganti plat nomor motor", "five_yearly"),
        ("bayar pajak motor bisa online?", "samsat_online"),
        ("ke samsat bayar pajak tahunan bawa apa aja", "samsat_bring"),
        ("kode billing saya kadaluarsa gimana", "billing_payment"),
        ("kode billing bayarnya di mana", "billing_payment"),
        ("biaya paspor elektronik berapa", "passport_fee"),
    ],
)
def test_a_rule_question_is_recognised(text: str, topic: str) -> None:
    found = find_topic(text)
    assert found is not None and found.name == topic


@pytest.mark.parametrize(
    "text",
    [
        "SIM saya sebentar lagi habis, bisa diperpanjang online belum ya?",  # a lookup: asks NIK
        "cek masa berlaku SIM saya, NIK 3273 0141 0290 0001",
        "Perpanjang SIM C biayanya berapa?",  # the fee form
        "Syarat bikin SKCK apa saja dan biayanya berapa?",  # the SKCK form's own information
        "Saya mau cek pajak motor saya, sudah telat bayar",  # the citizen's own tax
        "mau bikin skck",
        "/police_sim_renewal",
    ],
)
def test_a_lookup_or_a_form_request_is_no_rule_question(text: str) -> None:
    assert find_topic(text) is None


def test_a_message_with_a_plate_is_never_a_rule_question() -> None:
    assert find_topic("denda pajak B 1234 XYZ telat berapa", identifier=True) is None


def test_parameters_are_read_from_the_words() -> None:
    assert vehicle_kind("kalau mobil?") == "car"
    assert vehicle_kind("motor roda dua") == "motorcycle"
    assert vehicle_kind("kalau truk?") is None
    assert passport_kind("kalau paspor elektronik?") == "electronic"
    assert passport_kind("e-paspor 10 tahun") == "electronic_10y"
    assert passport_kind("yang 10 tahun") == "10y"
    assert passport_kind("biaya paspor") is None


def run(action: Any, dispatcher: Any, tracker: Any, domain: Any) -> list[dict[str, Any]]:
    return asyncio.run(action.run(dispatcher, tracker, domain))


def opened(form: str, text: str, entities: tuple[tuple[str, str], ...] = ()) -> Any:
    """The tracker of a submit action right after `form` opened and ended on `text`."""
    events = [
        action("action_listen"),
        user("police_sim_renewal", text, entities),
        action(form),
        {"event": "active_loop", "name": form},
        slot("requested_slot", None),
        {"event": "active_loop", "name": None},
    ]
    return tracker_from_events(events)


VALIDATIONS = [
    (ValidateSimRenewalForm(), "sim_renewal_form", ["nik", "birth_date"]),
    (ValidateSimFeeForm(), "sim_fee_form", ["sim_class"]),
    (ValidateSkckForm(), "skck_form", ["skck_apply", "nik", "birth_date", "skck_purpose", "skck_confirmed"]),
    (ValidateVehicleTaxForm(), "vehicle_tax_form", ["plate_number"]),
    (ValidateBillingStatusForm(), "billing_status_form", ["billing_code"]),
]


@pytest.mark.parametrize(("validation", "form", "slots"), VALIDATIONS)
def test_a_form_opened_by_a_rule_question_asks_nothing(validation, form, slots, dispatcher, domain) -> None:
    tracker = form_tracker(form, None, user("inform", "sim saya hilang gimana"), activating=True)
    assert asyncio.run(validation.required_slots(slots, dispatcher, tracker, domain)) == []
    plain = form_tracker(form, None, user("inform", "mau cek dong"), activating=True)
    assert asyncio.run(validation.required_slots(slots, dispatcher, plain, domain)) == slots


@pytest.mark.parametrize(("validation", "form", "slots"), VALIDATIONS[:2])
def test_a_rule_question_asked_later_in_the_form_does_not_end_it(validation, form, slots, dispatcher, domain):
    asked = form_tracker(form, slots[0], user("inform", "sim saya hilang gimana"))
    assert asyncio.run(validation.required_slots(slots, dispatcher, asked, domain)) == slots


def test_the_renewal_form_answers_an_expired_sim_instead_of_a_lookup(dispatcher, domain) -> None:
    tracker = opened("sim_renewal_form", "SIM saya sudah mati 5 bulan, masih bisa diperpanjang?")
    events = run(ActionSimRenewal(), dispatcher, tracker, domain)
    said = texts(dispatcher)
    assert "SIM baru" in said and facts.get("sim.fee.new.c").text in said
    assert {"event": "slot", "name": "road_topic", "value": "sim_expired", "timestamp": None} in events
    assert "/police_sim_renewal" in payloads(dispatcher)


def test_the_fee_form_answers_a_lost_sim_at_the_renewal_fee(dispatcher, domain) -> None:
    events = run(ActionSimFee(), dispatcher, opened("sim_fee_form", "biaya ganti sim yang hilang"), domain)
    said = texts(dispatcher)
    assert facts.get("sim.fee.renewal.c").text in said and "surat keterangan kehilangan" in said
    assert any(event.get("name") == "sim_class" and event.get("value") is None for event in events)


def test_the_skck_form_answers_the_waiver(dispatcher, domain) -> None:
    tracker = opened("skck_form", "skck gratis buat mahasiswa?")
    events = run(ActionSkckApply(), dispatcher, tracker, domain)
    assert facts.get("skck.fee_waiver").basis in texts(dispatcher)
    assert any(event.get("name") == "skck_apply" for event in events)


def test_swdkllj_for_the_vehicle_asked_then_the_other_by_a_follow_up(dispatcher, domain) -> None:
    events = run(ActionVehicleTax(), dispatcher, opened("vehicle_tax_form", "SWDKLLJ motor berapa?"), domain)
    motorcycle, car = (facts.get("swdkllj.amount").text_of(key) for key in ("motorcycle", "car"))
    assert motorcycle in texts(dispatcher) and car not in texts(dispatcher)
    # A question asked in passing leaves an open payment-code offer as it was (issue 18).
    assert not any(event.get("name") == "tax_billing_offered" for event in events)
    dispatcher.messages.clear()
    follow_up = tracker_from_events(
        [action("action_listen"), user("inform", "kalau mobil?")], {"road_topic": "swdkllj"}
    )
    run(ActionRoadTopic(), dispatcher, follow_up, domain)
    assert car in texts(dispatcher) and motorcycle not in texts(dispatcher)


def test_five_yearly_fees_come_from_the_registry(dispatcher, domain) -> None:
    tracker = opened("vehicle_tax_form", "biaya ganti plat mobil 5 tahunan")
    run(ActionVehicleTax(), dispatcher, tracker, domain)
    said = texts(dispatcher)
    assert facts.get("stnk.fee").text_of("car") in said and facts.get("tnkb.fee").text_of("car") in said
    assert "Sepeda motor" not in said  # only the vehicle asked about
    assert facts.get("stnk.validity").basis in said


def test_late_tax_states_the_unverified_interest_with_where_to_confirm(dispatcher, domain) -> None:
    text = "Kalau telat bayar pajak kendaraan, bunganya berapa persen per bulan?"
    run(ActionVehicleTax(), dispatcher, opened("vehicle_tax_form", text), domain)
    said = texts(dispatcher)
    assert facts.get("pkb.late_interest.rate").text in said  # with its caveat
    assert facts.get("pkb.late_interest.rate").confirm_at in said
    assert "100% bila terlambat lebih dari 270 hari" in said  # the fine tiers from the registry
    assert "/pay_vehicle_tax" in payloads(dispatcher)


def test_passport_fee_follow_up_keeps_the_question(dispatcher, domain) -> None:
    tracker = tracker_from_events(
        [action("action_listen"), user("inform", "kalau paspor elektronik?")], {"road_topic": "passport_fee"}
    )
    run(ActionRoadTopic(), dispatcher, tracker, domain)
    fee = facts.get("passport.fee")
    assert fee.text_of("electronic_10y") in texts(dispatcher)
    assert "non-elektronik" not in texts(dispatcher)


def test_a_billing_status_form_opened_by_a_question_about_paying(dispatcher, domain) -> None:
    tracker = opened("billing_status_form", "kode billing bayarnya di mana")
    run(ActionBillingStatus(), dispatcher, tracker, domain)
    assert "NTPN" in texts(dispatcher)


def test_every_topic_has_its_response(domain) -> None:
    assert {topic.response for topic in road_topics.TOPICS} <= set(domain["responses"])


def follow_up(text: str, last_response: str, topic: str) -> Any:
    """`vehicle_tax_form` opened by `text` right after the bot said `last_response`."""
    events = [
        action("action_listen"),
        user("pay_vehicle_tax", "SWDKLLJ motor berapa?"),
        {"event": "bot", "text": "…", "metadata": {"utter_action": last_response}},
        action("action_listen"),
        user("pay_vehicle_tax", text),
        action("vehicle_tax_form"),
        {"event": "active_loop", "name": "vehicle_tax_form"},
    ]
    return tracker_from_events(events, {"road_topic": topic})


def test_an_elliptical_follow_up_right_after_a_topic_answer_asks_it_again() -> None:
    topic = road_topics.opening_topic(
        follow_up("kalau mobil?", "utter_topic_swdkllj", "swdkllj"), "vehicle_tax_form"
    )
    assert topic is not None and topic.name == "swdkllj"


@pytest.mark.parametrize(
    ("text", "last_response"),
    [
        ("kalau mobil?", "utter_vehicle_tax"),  # the topic was not the last answer
        ("kalau besok?", "utter_topic_swdkllj"),  # no new vehicle named
        ("kalau mobil saya yang plat nomornya baru diganti kemarin sore gimana?", "utter_topic_swdkllj"),
    ],
)
def test_other_messages_are_no_follow_up(text: str, last_response: str) -> None:
    assert road_topics.opening_topic(follow_up(text, last_response, "swdkllj"), "vehicle_tax_form") is None


def test_a_rule_question_typed_while_the_plate_is_asked_is_answered_not_refused(dispatcher, domain) -> None:
    question = user("pay_vehicle_tax", "dendanya gimana kalau telat bayar pajak?")
    tracker = form_tracker("vehicle_tax_form", "plate_number", question)
    extracted = asyncio.run(ValidateVehicleTaxForm().extract_plate_number(dispatcher, tracker, domain))
    assert extracted == {"plate_number": None}  # the form asks for the plate again
    assert "270 hari" in texts(dispatcher) and "tidak dikenali" not in texts(dispatcher)


def test_a_rule_question_typed_while_the_class_is_asked_is_answered(dispatcher, domain) -> None:
    tracker = form_tracker("sim_fee_form", "sim_class", user("inform", "kalau sim hilang gimana?"))
    extracted = asyncio.run(ValidateSimFeeForm().extract_sim_class(dispatcher, tracker, domain))
    assert extracted == {"sim_class": None}
    assert "kehilangan" in texts(dispatcher)


def test_a_rule_question_typed_while_the_billing_code_is_asked_is_answered(dispatcher, domain) -> None:
    tracker = form_tracker(
        "billing_status_form", "billing_code", user("inform", "kode billing bayarnya di mana?")
    )
    extracted = asyncio.run(ValidateBillingStatusForm().extract_billing_code(dispatcher, tracker, domain))
    assert extracted == {"billing_code": None}
    assert "NTPN" in texts(dispatcher)


def test_a_form_run_again_after_an_aside_is_no_opening(dispatcher, domain) -> None:
    aside = [action("action_answer_aside")]
    tracker = form_tracker(
        "sim_fee_form", None, user("police_skck", "skck hilang gimana"), activating=True, before_form=aside
    )
    assert asyncio.run(ValidateSimFeeForm().required_slots(["sim_class"], dispatcher, tracker, domain)) == [
        "sim_class"
    ]


def test_a_submit_action_run_again_for_a_follow_up_answers_the_topic(dispatcher, domain) -> None:
    from actions.payments import ActionPnbpBilling

    events = [
        action("action_listen"),
        user("pay_create_billing", "biaya paspor berapa"),
        {"event": "bot", "text": "…", "metadata": {"utter_action": "utter_topic_passport_fee"}},
        action("action_listen"),
        user("inform", "kalau paspor elektronik 10 tahun?"),
    ]
    tracker = tracker_from_events(events, {"road_topic": "passport_fee"})
    run(ActionPnbpBilling(), dispatcher, tracker, domain)
    said = texts(dispatcher)
    assert facts.get("passport.fee").text_of("electronic_10y") in said and "5 tahun" not in said
