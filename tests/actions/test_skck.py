"""SKCK: information, then the application (actions/skck.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from rasa_sdk.events import ActiveLoop, SlotSet

from actions import skck
from actions.flows import ActionCancelFlow
from actions.gateway import use_gateway
from actions.skck import ActionAskSkckConfirmed, ActionSkckApply, ValidateSkckForm
from tests.actions.builders import user
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


async def validate_skck(dispatcher, domain, requested, message, **kwargs) -> dict[str, object]:
    tracker = form_tracker("skck_form", requested, message, **kwargs)
    return slot_events(await ValidateSkckForm().run(dispatcher, tracker, domain))


async def test_no_to_apply_ends_the_form_after_the_information(dispatcher, domain) -> None:
    slots = await validate_skck(
        dispatcher, domain, "skck_apply", user("deny", "tidak"), candidates={"skck_apply": False}
    )

    assert slots == {"skck_apply": False, "requested_slot": None}


async def test_apply_is_asked_again_whenever_the_form_starts(dispatcher, domain) -> None:
    slots = await validate_skck(
        dispatcher,
        domain,
        None,
        user("police_skck", "bikin skck"),
        activating=True,
        slots={**HOLDER, "skck_apply": True, "skck_confirmed": True},
        candidates={**HOLDER, "skck_apply": True, "skck_confirmed": True},
    )

    assert slots["skck_apply"] is None and slots["skck_confirmed"] is None
    assert slots["nik"] == NIK  # the identifiers given earlier stay usable


async def test_cancelling_an_application_keeps_nik_and_birth_date(dispatcher, domain) -> None:
    tracker = submit_tracker({**APPLICATION, "skck_confirmed": None}, user("cancel", "gak jadi"))
    tracker.active_loop = {"name": "skck_form"}

    events = await ActionCancelFlow().run(dispatcher, tracker, domain)

    assert events == [
        ActiveLoop(None),
        SlotSet("requested_slot", None),
        SlotSet("skck_apply", None),
        SlotSet("skck_purpose", None),
    ]


async def test_yes_to_apply_goes_on_to_the_nik(dispatcher, domain) -> None:
    slots = await validate_skck(dispatcher, domain, "skck_apply", user("inform", "iya mau bikin"))

    assert slots["skck_apply"] is True
    assert "requested_slot" not in slots  # Rasa asks the next slot of the domain's list


async def test_an_unclear_answer_to_apply_is_asked_again(dispatcher, domain) -> None:
    slots = await validate_skck(dispatcher, domain, "skck_apply", user("inform", "hmm"))

    assert slots["skck_apply"] is None
    assert texts(dispatcher) == wording("utter_skck_apply_yes_or_no")


@pytest.mark.parametrize(
    ("text", "expected", "problem"),
    [
        ("melamar   kerja", "melamar kerja", None),
        ("pendaftaran CPNS/PPPK", "pendaftaran CPNS/PPPK", None),
        ("x", None, wording("utter_skck_short_purpose")),
        ("qwrtz", None, wording("utter_skck_short_purpose")),
        ("kerja " * 30, None, wording("utter_skck_long_purpose")),
    ],
)
async def test_the_purpose_must_be_short_and_readable(dispatcher, domain, text, expected, problem) -> None:
    slots = await validate_skck(dispatcher, domain, "skck_purpose", user("inform", text), slots=HOLDER)

    assert slots["skck_purpose"] == expected
    assert (texts(dispatcher) or None) == problem


async def test_a_purpose_button_is_taken_as_it_is(dispatcher, domain) -> None:
    message = user(
        "inform",
        '/inform{"skck_purpose":"pendaftaran TNI/Polri"}',
        [("skck_purpose", "pendaftaran TNI/Polri")],
    )

    slots = await validate_skck(
        dispatcher,
        domain,
        "skck_purpose",
        message,
        candidates={"skck_purpose": "pendaftaran TNI/Polri"},
        slots=HOLDER,
    )

    assert slots["skck_purpose"] == "pendaftaran TNI/Polri"


async def test_the_summary_masks_the_nik(dispatcher, domain) -> None:
    await ActionAskSkckConfirmed().run(
        dispatcher, submit_tracker({**HOLDER, "skck_purpose": "melamar pekerjaan"}), domain
    )

    text = texts(dispatcher)
    assert "• NIK: 3273********0001" in text and NIK not in text
    assert "• Keperluan: melamar pekerjaan" in text
    assert payloads(dispatcher) == ["/affirm", "/deny"]


APPLICATION = {**HOLDER, "skck_apply": True, "skck_purpose": "melamar pekerjaan", "skck_confirmed": True}
CREATED = {
    "case_number": "SKCK-2026-000123",
    "billing": {
        "billing_code": "820260000012345",
        "amount": 30000,
        "expires_at": "2026-03-01T12:00:00+07:00",
    },
    "valid_months": 6,
    "next_steps": [
        "Bayar PNBP dengan kode billing.",
        "Datang ke Polres untuk sidik jari dan pengambilan SKCK.",
    ],
    "legal_basis": "PP 76/2020 Lampiran",
}
FORGOTTEN = [SlotSet(slot, None) for slot in skck.SKCK_SLOTS]


async def test_a_confirmed_application_gives_case_number_and_billing_code(fake, dispatcher, domain) -> None:
    fake.answer(CREATED, status=201)

    events = await ActionSkckApply().run(dispatcher, submit_tracker(APPLICATION), domain)

    assert fake.last.url.path == "/api/v1/police/skck"
    assert fake.last_json() == {"nik": NIK, "birth_date": "1990-02-01", "purpose": "melamar pekerjaan"}
    text = texts(dispatcher)
    assert "SKCK-2026-000123" in text
    assert (
        "Kode billing PNBP SKCK: 820260000012345, sebesar Rp30.000 (PP 76/2020 Lampiran); bayar sebelum "
        "1 Maret 2026 pukul 12.00 WIB." in text
    )
    assert text.endswith(
        "1. Bayar PNBP dengan kode billing.\n2. Datang ke Polres untuk sidik jari dan pengambilan SKCK.\n"
        "3. SKCK berlaku 6 bulan sejak diterbitkan."
    )
    assert '/pay_billing_status{"billing_code":"820260000012345"}' in payloads(dispatcher)
    assert events == [
        *FORGOTTEN,
        SlotSet("ticket_id", "SKCK-2026-000123"),
        SlotSet("billing_code", "820260000012345"),
    ]


def test_the_validity_is_not_repeated_when_a_step_gives_it(domain) -> None:
    steps = ["Bayar PNBP.", "SKCK berlaku 6 bulan sejak diterbitkan, simpan baik-baik."]

    text = wording("utter_skck_created", **skck.skck_created({**CREATED, "next_steps": steps}, domain))

    assert text.count("6 bulan") == 1


@pytest.mark.parametrize(
    ("slots", "expected"),
    [
        ({**APPLICATION, "skck_apply": False}, wording("utter_skck_not_applied")),
        ({**APPLICATION, "skck_confirmed": False}, wording("utter_skck_not_sent")),
    ],
)
async def test_no_application_is_sent_without_a_yes(fake, dispatcher, domain, slots, expected) -> None:
    events = await ActionSkckApply().run(dispatcher, submit_tracker(slots), domain)

    assert fake.requests == []
    assert texts(dispatcher) == expected
    assert events == FORGOTTEN


async def test_an_application_for_someone_else_is_refused(fake, dispatcher, domain) -> None:
    fake.error(403, "identity_mismatch", "Tanggal lahir tidak sesuai.")

    events = await ActionSkckApply().run(dispatcher, submit_tracker(APPLICATION), domain)

    assert texts(dispatcher) == IDENTITY_MISMATCH
    assert events == [SlotSet("nik", None), SlotSet("birth_date", None), *FORGOTTEN]


async def test_an_application_with_an_unknown_nik_is_said(fake, dispatcher, domain) -> None:
    fake.error(404, "not_found", "Data tidak ditemukan.")

    events = await ActionSkckApply().run(dispatcher, submit_tracker(APPLICATION), domain)

    assert texts(dispatcher) == wording("utter_skck_citizen_not_found", nik="3273********0001")
    # the NIK with its factor (actions/lookups.py), and the application's answers
    assert slot_events(events) == {"nik": None, "birth_date": None, **slot_events(FORGOTTEN)}


@pytest.mark.parametrize("failure", UNAVAILABLE)
async def test_skck_down_apologises_and_keeps_the_purpose(fake, dispatcher, domain, failure) -> None:
    failure(fake)

    events = await ActionSkckApply().run(dispatcher, submit_tracker(APPLICATION), domain)

    assert texts(dispatcher).startswith("Mohon maaf, layanan SKCK Polri sedang tidak dapat dihubungi")
    assert "Polres/Polsek" in texts(dispatcher)
    assert "/police_skck" in payloads(dispatcher)
    assert events == [SlotSet("skck_apply", None), SlotSet("skck_confirmed", None)]


@pytest.mark.parametrize(
    ("text", "purpose"),
    [
        ("bikin skck buat lamar kerja", "melamar pekerjaan"),
        ("skck untuk daftar cpns", "pendaftaran CPNS/PPPK"),
        ("skck buat kerja di luar negeri", "keperluan ke luar negeri"),
        ("syarat bikin skck", None),
    ],
)
def test_the_purpose_named_in_the_request_is_taken(text: str, purpose: str | None) -> None:
    from actions.skck import named_purpose

    assert named_purpose(text) == purpose


def test_the_purpose_of_the_opening_message_fills_its_slot(dispatcher, domain) -> None:
    import asyncio

    from actions.skck import ValidateSkckForm

    tracker = form_tracker(
        "skck_form", None, user("police_skck", "mau bikin skck buat daftar cpns"), activating=True
    )
    extracted = asyncio.run(ValidateSkckForm().extract_skck_purpose(dispatcher, tracker, domain))
    assert extracted == {"skck_purpose": "pendaftaran CPNS/PPPK"}
