"""Who the conversation is about (issue 18, section 2): a correction replaces an identifier and
forgets its factor, a record not found forgets the identifier, and a question about someone
else starts a fresh subject instead of showing the verified citizen's record again."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.gateway import use_gateway
from actions.health import ValidateBpjsStatusForm
from actions.history import about_someone_else
from actions.lookups import Failure, verified_lookup
from actions.validation import ValidateSlotMappings
from tests.actions.builders import action, session_start, slot, tracker_from_events, user
from tests.actions.flow_helpers import FakeGateway, form_tracker, submit_tracker

NIK = "3273014102900001"  # Kota Bandung, born 01-02-1990
OTHER = "3273015507200002"
BORN = "1990-02-01"


@pytest.fixture()
def fake() -> Iterator[FakeGateway]:
    fake = FakeGateway()
    use_gateway(fake.client)
    yield fake
    use_gateway(None)


def slot_events(events: list[dict]) -> dict[str, object]:
    return {event["name"]: event["value"] for event in events if event.get("event") == "slot"}


def nik_typed(nik: str, before: list[dict]) -> object:
    return tracker_from_events(
        [
            *session_start(),
            *before,
            user("inform", f"eh salah, NIK saya {nik}", [("nik", nik)]),
            slot("nik", nik),
        ]
    )


async def test_a_corrected_nik_forgets_the_birth_date_given_for_the_old_one(
    dispatcher: CollectingDispatcher, domain: DomainDict
) -> None:
    earlier = [slot("nik", NIK), slot("birth_date", BORN), action("action_listen")]

    events = await ValidateSlotMappings().run(dispatcher, nik_typed(OTHER, earlier), domain)

    assert slot_events(events) == {"nik": OTHER, "birth_date": None}


async def test_the_same_nik_again_keeps_the_birth_date(
    dispatcher: CollectingDispatcher, domain: DomainDict
) -> None:
    earlier = [slot("nik", NIK), slot("birth_date", BORN), action("action_listen")]

    events = await ValidateSlotMappings().run(dispatcher, nik_typed(NIK, earlier), domain)

    assert slot_events(events) == {"nik": NIK}


async def test_a_record_not_found_forgets_the_identifier_and_its_factor(
    fake: FakeGateway, dispatcher: CollectingDispatcher
) -> None:
    fake.error(404, "not_found", "Data tidak ditemukan.")
    tracker = submit_tracker({"nik": NIK, "birth_date": BORN})

    found = await verified_lookup(
        dispatcher, tracker, "/health/bpjs/membership", {"nik": NIK}, Failure("x", "y")
    )

    assert found.not_found
    assert SlotSet("nik", None) in found.events and SlotSet("birth_date", None) in found.events


@pytest.mark.parametrize(
    "text",
    [
        "kartu bpjs ibu saya tidak aktif, bagaimana cara mengaktifkan lagi?",
        "bpjs anak sy masih aktif ga",
        "mau cek bpjs suami",
        "status bpjs ibuku",
        "orang tua saya belum dapat bansos",
    ],
)
def test_someone_else_is_recognised(text: str) -> None:
    assert about_someone_else(text)


@pytest.mark.parametrize(
    "text", ["bpjs saya masih aktif?", "cek status bpjs", "ibu kota provinsi", "saya mau bayar pajak anaknya"]
)
def test_the_citizen_themself_is_no_one_else(text: str) -> None:
    assert not about_someone_else(text)


VERIFIED = {"nik": NIK, "birth_date": BORN, "verified_for": NIK, "otp_code": "verified"}


async def test_a_form_started_about_someone_else_asks_for_their_nik(
    fake: FakeGateway, dispatcher: CollectingDispatcher, domain: DomainDict
) -> None:
    message = user("health_bpjs_status", "kartu bpjs ibu saya tidak aktif, bagaimana cara mengaktifkan lagi?")
    tracker = form_tracker("bpjs_status_form", None, message, slots=VERIFIED, activating=True)

    events = await ValidateBpjsStatusForm().run(dispatcher, tracker, domain)

    values = slot_events(events)
    assert values["nik"] is None and values["birth_date"] is None
    assert fake.requests == []  # nothing looked up, nothing shown


async def test_the_slots_filled_before_the_form_are_dropped_when_it_starts_about_someone_else(
    fake: FakeGateway, dispatcher: CollectingDispatcher, domain: DomainDict
) -> None:
    """As Rasa validates them on activation: the form not active yet, the kept values appended."""
    message = user("health_bpjs_status", "kartu bpjs ibu saya tidak aktif, bagaimana cara mengaktifkan lagi?")
    tracker = form_tracker(
        "bpjs_status_form", None, message, candidates={"nik": NIK, "birth_date": BORN}, slots=VERIFIED
    )
    tracker.events[:0] = [slot(name, value) for name, value in VERIFIED.items()]  # the earlier turns

    events = await ValidateBpjsStatusForm().run(dispatcher, tracker, domain)

    values = slot_events(events)
    assert values["nik"] is None and values["birth_date"] is None
    assert fake.requests == []


async def test_a_running_form_keeps_its_slots_when_someone_else_is_named(
    fake: FakeGateway, dispatcher: CollectingDispatcher, domain: DomainDict
) -> None:
    message = user("inform", "31-08-1984 tanggal lahir ibu saya", [("date", "1984-08-31")])
    tracker = form_tracker("bpjs_status_form", "birth_date", message, slots={"nik": OTHER})
    tracker.active_loop = {"name": "bpjs_status_form"}

    events = await ValidateBpjsStatusForm().run(dispatcher, tracker, domain)

    assert slot_events(events).get("nik", OTHER) == OTHER
    assert slot_events(events).get("birth_date") == "1984-08-31"


async def test_a_form_started_about_someone_else_keeps_the_nik_given_for_them(
    fake: FakeGateway, dispatcher: CollectingDispatcher, domain: DomainDict
) -> None:
    message = user("health_bpjs_status", f"cek bpjs ibu saya nik {OTHER}", [("nik", OTHER)])
    tracker = form_tracker(
        "bpjs_status_form", None, message, extracted={"nik": OTHER}, slots=VERIFIED, activating=True
    )

    events = await ValidateBpjsStatusForm().run(dispatcher, tracker, domain)

    values = slot_events(events)
    assert values.get("nik", OTHER) == OTHER and values["birth_date"] is None


async def test_the_citizens_own_question_keeps_their_verified_identity(
    fake: FakeGateway, dispatcher: CollectingDispatcher, domain: DomainDict
) -> None:
    message = user("health_bpjs_status", "bpjs saya masih aktif?")
    tracker = form_tracker("bpjs_status_form", None, message, slots=VERIFIED, activating=True)

    events = await ValidateBpjsStatusForm().run(dispatcher, tracker, domain)

    assert "nik" not in slot_events(events) or slot_events(events)["nik"] == NIK
