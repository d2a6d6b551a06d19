"""SIM renewal and SIM fees (actions/police.py); the police rules."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
import yaml
from rasa_sdk.events import SlotSet

from actions import police
from actions.answers import aside_intents
from actions.gateway import use_gateway
from actions.police import (
    ActionSimFee,
    ActionSimRenewal,
    ValidateSimFeeForm,
    ValidateSimRenewalForm,
)
from tests.actions.builders import ROOT, user
from tests.actions.flow_helpers import (
    UNAVAILABLE,
    FakeGateway,
    form_tracker,
    payloads,
    submit_tracker,
    texts,
    wording,
)

NIK = "3273014102900001"
HOLDER = {"nik": NIK, "birth_date": "1990-02-01"}
TODAY = dt.date.today()

IDENTITY_MISMATCH = wording("utter_identity_mismatch")


def days(n: int) -> str:
    return (TODAY + dt.timedelta(days=n)).isoformat()


@pytest.fixture()
def fake() -> Iterator[FakeGateway]:
    fake = FakeGateway()
    use_gateway(fake.client)
    yield fake
    use_gateway(None)


def slot_events(events: list[dict]) -> dict[str, object]:
    return {event["name"]: event["value"] for event in events if event.get("event") == "slot"}


# --- SIM renewal -----------------------------------------------------------------------------


def licence(sim_class: str, expires_in: int, eligible: bool) -> dict[str, object]:
    return {
        "class": sim_class,
        "number": "************0001",
        "expires_on": days(expires_in),
        "renewal": {"eligible": eligible, "window_opens_on": days(expires_in - 90), "reason": "..."},
    }


async def test_the_renewal_form_asks_nik_then_birth_date(dispatcher, domain) -> None:
    tracker = form_tracker("sim_renewal_form", "nik", user("inform", "12345"))

    events = await ValidateSimRenewalForm().run(dispatcher, tracker, domain)

    assert slot_events(events)["nik"] is None
    assert texts(dispatcher).startswith("NIK yang Anda kirim tidak valid")


async def test_each_licence_says_now_later_or_no_more(fake, dispatcher, domain) -> None:
    fake.answer(
        {
            "name": "BUDI S*******",
            "licences": [licence("C", 30, True), licence("A", 200, False), licence("B1", -5, False)],
        }
    )

    events = await ActionSimRenewal().run(dispatcher, submit_tracker(HOLDER), domain)

    assert fake.last.url.path == "/api/v1/police/sim" and fake.last_json() == HOLDER
    [c, a, b1] = texts(dispatcher).split("\n")[1:4]
    expires = police.tanggal(days(30))
    assert c == f"• SIM C (nomor berakhiran 0001): berlaku sampai {expires}; dapat diperpanjang sekarang."
    assert a == (
        f"• SIM A (nomor berakhiran 0001): berlaku sampai {police.tanggal(days(200))}; perpanjangan baru "
        f"dapat diajukan mulai {police.tanggal(days(110))}."
    )
    assert b1.startswith(
        f"• SIM BI (nomor berakhiran 0001): masa berlakunya sudah habis sejak {police.tanggal(days(-5))}"
    )
    assert "membuat SIM baru di Satpas" in b1 and "dispensasi" in b1
    assert "Perpol 5/2021 Pasal 4" in texts(dispatcher) and "aplikasi SINAR" in texts(dispatcher)
    # The 90-day SINAR window is the app's (one secondary source): said with how to confirm it.
    assert "90 hari (belum dapat kami pastikan; silakan cek ke aplikasi Digital Korlantas" in texts(
        dispatcher
    )
    assert "3–7 hari kerja" not in texts(dispatcher)
    assert events == []


async def test_an_expired_licence_only_points_to_a_new_sim(fake, dispatcher, domain) -> None:
    fake.answer({"name": "BUDI S*******", "licences": [licence("C", -400, False)]})

    await ActionSimRenewal().run(dispatcher, submit_tracker(HOLDER), domain)

    text = texts(dispatcher)
    assert "tidak dapat diperpanjang" in text and "SIM baru" in text
    assert "e-Rikkes" not in text
    assert '/police_sim_fee{"sim_class":"C"}' in payloads(dispatcher)


async def test_no_licence_points_to_the_satpas(fake, dispatcher, domain) -> None:
    fake.answer({"name": "BUDI S*******", "licences": []})

    await ActionSimRenewal().run(dispatcher, submit_tracker(HOLDER), domain)

    assert texts(dispatcher) == wording("utter_sim_no_licences", nik="3273********0001")


async def test_a_birth_date_of_someone_else_shows_no_licence(fake, dispatcher, domain) -> None:
    fake.error(403, "identity_mismatch", "Tanggal lahir tidak sesuai.")

    events = await ActionSimRenewal().run(dispatcher, submit_tracker(HOLDER), domain)

    assert texts(dispatcher) == IDENTITY_MISMATCH
    assert events == [SlotSet("nik", None), SlotSet("birth_date", None)]


async def test_no_sim_for_the_nik_is_said_and_the_nik_forgotten(fake, dispatcher, domain) -> None:
    fake.error(404, "not_found", "Tidak ada SIM terdaftar.")

    events = await ActionSimRenewal().run(dispatcher, submit_tracker(HOLDER), domain)

    assert texts(dispatcher) == wording("utter_sim_not_found", nik="3273********0001")
    assert NIK not in texts(dispatcher)
    assert slot_events(events) == {"nik": None, "birth_date": None}  # with its factor (actions/lookups.py)


@pytest.mark.parametrize("failure", UNAVAILABLE)
async def test_renewal_with_korlantas_down_apologises(fake, dispatcher, domain, failure) -> None:
    failure(fake)

    events = await ActionSimRenewal().run(dispatcher, submit_tracker(HOLDER), domain)

    assert texts(dispatcher).startswith(
        "Mohon maaf, layanan SIM Korlantas Polri sedang tidak dapat dihubungi"
    )
    assert police.SIM_FAILURE.alternative in texts(dispatcher)
    assert events == []


# --- SIM fees --------------------------------------------------------------------------------

FEES = {
    "items": [
        {"service": "sim_a_new", "label": "SIM A baru", "amount": 120000},
        {"service": "sim_a_renewal", "label": "Perpanjangan SIM A", "amount": 80000},
        {"service": "sim_b2_new", "label": "SIM B II baru", "amount": 120000},
        {"service": "sim_b2_renewal", "label": "Perpanjangan SIM B II", "amount": 80000},
        {"service": "sim_c_new", "label": "SIM C baru", "amount": 100000},
        {"service": "sim_c_renewal", "label": "Perpanjangan SIM C", "amount": 75000},
        {"service": "sim_international_new", "label": "SIM Internasional baru", "amount": 250000},
        {"service": "sim_international_renewal", "label": "Perpanjangan SIM Internasional", "amount": 225000},
        {"service": "skck", "label": "SKCK", "amount": 30000},
    ],
    "legal_basis": "PP 76/2020 Lampiran",
}


async def validate_class(dispatcher, domain, message, **kwargs) -> dict[str, object]:
    tracker = form_tracker("sim_fee_form", "sim_class", message, **kwargs)
    return slot_events(await ValidateSimFeeForm().run(dispatcher, tracker, domain))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("c", "C"),
        ("SIM B2 umum", "B2 Umum"),
        ("golongan BII", "B2"),
        ("yang buat motor", "C"),
        ("c1 aja", "C1"),
    ],
)
async def test_a_typed_sim_class_is_read(dispatcher, domain, text, expected) -> None:
    slots = await validate_class(dispatcher, domain, user("inform", text))

    assert slots["sim_class"] == expected
    assert dispatcher.messages == []


async def test_a_class_that_does_not_exist_is_refused_with_buttons(dispatcher, domain) -> None:
    slots = await validate_class(dispatcher, domain, user("inform", "golongan Z"))

    assert slots["sim_class"] is None
    assert texts(dispatcher) == wording("utter_invalid_sim_class")
    assert '/inform{"sim_class":"B1"}' in payloads(dispatcher)


async def test_a_class_button_is_taken_as_it_is(dispatcher, domain) -> None:
    message = user("inform", '/inform{"sim_class":"Internasional"}', [("sim_class", "Internasional")])

    slots = await validate_class(dispatcher, domain, message, candidates={"sim_class": "Internasional"})

    assert slots["sim_class"] == "Internasional"


async def test_a_question_asked_aside_is_not_taken_as_a_class(dispatcher, domain) -> None:
    slots = await validate_class(dispatcher, domain, user("police_skck", "syarat skck apa"))

    assert "sim_class" not in slots
    assert dispatcher.messages == []


@pytest.mark.parametrize(
    ("sim_class", "expected", "absent"),
    [
        (
            "C",
            [
                "Biaya SIM C (PP 76/2020 Lampiran):",
                "• SIM baru: Rp100.000",
                "• Perpanjangan: Rp75.000",
                "aplikasi SINAR",
            ],
            "layanan SIM Internasional",
        ),
        (
            "B2 Umum",
            [
                "Biaya SIM BII Umum (PP 76/2020 Lampiran):",
                "• SIM baru: Rp120.000",
                "• Perpanjangan: Rp80.000",
            ],
            "paspor",
        ),
        ("Internasional", ["• SIM baru: Rp250.000", "• Perpanjangan: Rp225.000", "paspor"], "tes psikologi"),
    ],
)
async def test_fees_of_the_class_with_the_steps(
    fake, dispatcher, domain, sim_class, expected, absent
) -> None:
    fake.answer(FEES)

    events = await ActionSimFee().run(dispatcher, submit_tracker({"sim_class": sim_class}), domain)

    assert fake.last.url.path == "/api/v1/police/fees"
    for part in expected:
        assert part in texts(dispatcher)
    assert absent not in texts(dispatcher)
    assert events == [SlotSet("sim_class", None)]


async def test_a_class_without_a_fee_in_the_list_is_said(fake, dispatcher, domain) -> None:
    fake.answer(FEES)

    await ActionSimFee().run(dispatcher, submit_tracker({"sim_class": "D1"}), domain)

    assert texts(dispatcher) == wording("utter_sim_no_fee", sim_class="DI")


@pytest.mark.parametrize("failure", UNAVAILABLE)
async def test_fees_with_the_service_down_apologise(fake, dispatcher, domain, failure) -> None:
    failure(fake)

    events = await ActionSimFee().run(dispatcher, submit_tracker({"sim_class": "C"}), domain)

    assert texts(dispatcher).startswith("Mohon maaf")
    assert police.FEE_FAILURE.alternative in texts(dispatcher)
    assert events == [SlotSet("sim_class", None)]


# --- rules -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("form", "intent"),
    [
        ("sim_renewal_form", "police_sim_renewal"),
        ("sim_fee_form", "police_sim_fee"),
        ("skck_form", "police_skck"),
    ],
)
def test_interruption_rules_answer_the_intents_the_extractors_leave_alone(form: str, intent: str) -> None:
    rules = yaml.safe_load((ROOT / "data" / "rules" / "police.yml").read_text())["rules"]
    [rule] = [r for r in rules if r.get("condition") == [{"active_loop": form}] and "or" in r["steps"][0]]
    assert {step["intent"] for step in rule["steps"][0]["or"]} == set(aside_intents(intent))


@pytest.mark.parametrize(
    ("text", "inferred"),
    [
        ("berapa biaya bikin sim motor", {"sim_class": "C"}),
        ("tarif sim mobil", {"sim_class": "A"}),
        ("biaya sim", {}),
    ],
)
def test_the_class_is_inferred_from_the_vehicle_in_the_opening_message(text, inferred, dispatcher, domain):
    import asyncio

    tracker = form_tracker("sim_fee_form", None, user("police_sim_fee", text), activating=True)
    assert asyncio.run(ValidateSimFeeForm().extract_sim_class(dispatcher, tracker, domain)) == inferred
