"""Online applications to Dukcapil: KK changes and birth certificates (actions/applications.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from rasa_sdk.events import SlotSet

from actions.applications import (
    ActionAskApplicationConfirmed,
    ActionPopulationApplication,
    ValidatePopulationApplicationForm,
    clean_name,
    clean_place,
)
from actions.gateway import use_gateway
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

IDENTITY_MISMATCH = wording("utter_identity_mismatch")

NIK = "3273014102900001"
BORN = "1990-02-01"
TODAY = dt.date.today()


@pytest.fixture()
def fake() -> Iterator[FakeGateway]:
    fake = FakeGateway()
    use_gateway(fake.client)
    yield fake
    use_gateway(None)


def slot_events(events: list[dict]) -> dict[str, object]:
    return {event["name"]: event["value"] for event in events if event.get("event") == "slot"}


# --- Population application --------------------------------------------------------------


async def validate_application(dispatcher, domain, requested, message, **kwargs) -> dict[str, object]:
    tracker = form_tracker("population_application_form", requested, message, **kwargs)
    return slot_events(await ValidatePopulationApplicationForm().run(dispatcher, tracker, domain))


@pytest.mark.parametrize(
    ("kind", "details"),
    [
        ("kk_change", ["kk_change_reason"]),
        ("birth_certificate", ["child_name", "child_birth_date", "place_of_birth"]),
        (None, []),
    ],
)
async def test_only_the_details_of_the_chosen_type_are_asked(dispatcher, domain, kind, details) -> None:
    tracker = form_tracker(
        "population_application_form", None, user("affirm", "ya"), slots={"application_type": kind}
    )

    required = await ValidatePopulationApplicationForm().required_slots([], dispatcher, tracker, domain)

    assert required == ["application_type", "nik", "birth_date", *details, "application_confirmed"]


async def test_typed_choices_are_read(dispatcher, domain) -> None:
    slots = await validate_application(
        dispatcher, domain, "application_type", user("inform", "akta lahir anak")
    )
    assert slots["application_type"] == "birth_certificate"

    slots = await validate_application(
        dispatcher,
        domain,
        "kk_change_reason",
        user("inform", "mau pisah kk karena sudah menikah"),
        slots={"application_type": "kk_change"},
    )
    assert slots["kk_change_reason"] == "pisah_kk"

    slots = await validate_application(
        dispatcher,
        domain,
        "kk_change_reason",
        user("inform", "pokoknya ganti"),
        slots={"application_type": "kk_change"},
    )
    assert slots["kk_change_reason"] is None
    assert "alasan perubahan KK itu belum saya kenali" in texts(dispatcher)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("namanya muhammad rizky pratama kak", "Muhammad Rizky Pratama"),
        ("Nama lengkap: Siti Nur'Aini", "Siti Nur'Aini"),
        ("M. Fauzan", "M. Fauzan"),
        ("budi123", None),
        ("x", None),
    ],
)
def test_child_names(typed, expected) -> None:
    assert clean_name(typed) == expected


async def test_invalid_child_name_is_refused(dispatcher, domain) -> None:
    slots = await validate_application(
        dispatcher,
        domain,
        "child_name",
        user("inform", "0812345"),
        slots={"application_type": "birth_certificate"},
        candidates={"child_name": "0812345"},
    )

    assert slots["child_name"] is None
    assert texts(dispatcher).startswith("Nama anak hanya boleh berisi huruf")


def test_places_of_birth() -> None:
    assert clean_place("lahir di rsud kota bandung") == "Rsud Kota Bandung"
    assert clean_place("Surabaya") == "Surabaya"
    assert clean_place("12345") is None


async def test_child_birth_date_future_late_and_unreadable(dispatcher, domain) -> None:
    birth = {"application_type": "birth_certificate"}
    future = (TODAY + dt.timedelta(days=3)).strftime("%d-%m-%Y")
    slots = await validate_application(
        dispatcher, domain, "child_birth_date", user("inform", future), slots=birth
    )
    assert slots["child_birth_date"] is None
    assert "tidak boleh di masa depan" in texts(dispatcher)

    dispatcher.messages.clear()
    recent = (TODAY - dt.timedelta(days=10)).strftime("%d-%m-%Y")
    slots = await validate_application(
        dispatcher, domain, "child_birth_date", user("inform", recent), slots=birth
    )
    assert slots["child_birth_date"] == (TODAY - dt.timedelta(days=10)).isoformat()
    assert dispatcher.messages == []

    late = (TODAY - dt.timedelta(days=200)).strftime("%d-%m-%Y")
    slots = await validate_application(
        dispatcher, domain, "child_birth_date", user("inform", late), slots=birth
    )
    assert slots["child_birth_date"] == (TODAY - dt.timedelta(days=200)).isoformat()
    assert "lebih dari 60 hari setelah lahir (UU 23/2006 Pasal 27 ayat (1))" in texts(dispatcher)

    dispatcher.messages.clear()
    slots = await validate_application(
        dispatcher, domain, "child_birth_date", user("inform", "kemarin"), slots=birth
    )
    assert slots["child_birth_date"] is None
    assert texts(dispatcher).startswith("Tanggal lahir anak belum dapat saya baca")


async def test_typed_confirmation(dispatcher, domain) -> None:
    kk = {"application_type": "kk_change"}
    slots = await validate_application(
        dispatcher, domain, "application_confirmed", user("inform", "iya kirim"), slots=kk
    )
    assert slots["application_confirmed"] is True

    slots = await validate_application(
        dispatcher, domain, "application_confirmed", user("inform", "hmm"), slots=kk
    )
    assert slots["application_confirmed"] is None
    assert texts(dispatcher).startswith("Mohon jawab “Ya”")


async def test_a_yes_the_nlu_understood_is_left_to_the_intent_mapping(dispatcher, domain) -> None:
    slots = await validate_application(
        dispatcher,
        domain,
        "application_confirmed",
        user("affirm", "mantap"),
        slots={"application_type": "kk_change"},
    )
    assert "application_confirmed" not in slots  # the slot's from_intent mapping fills it
    assert dispatcher.messages == []


async def test_summary_masks_the_nik(dispatcher, domain) -> None:
    slots = {
        "application_type": "birth_certificate",
        "nik": NIK,
        "child_name": "Budi Santoso",
        "child_birth_date": "2026-05-12",
        "place_of_birth": "Bandung",
    }

    await ActionAskApplicationConfirmed().run(dispatcher, submit_tracker(slots), domain)

    text = texts(dispatcher)
    assert "3273********0001" in text and NIK not in text
    assert "• Nama anak: Budi Santoso" in text and "12 Mei 2026" in text
    assert payloads(dispatcher) == ["/affirm", "/deny"]


KK_APPLICATION = {
    "application_type": "kk_change",
    "kk_change_reason": "tambah_anggota",
    "nik": NIK,
    "birth_date": BORN,
    "application_confirmed": True,
    "application_offered": True,
}


def submitted() -> dict[str, object]:
    return {
        "case_number": "ADM-2026-000123",
        "type": "kk_change",
        "status": "diterima",
        "submitted_at": "2026-01-05T09:30:00+07:00",
        "estimated_done_by": "2026-01-12",
        "next_steps": ["Bawa KK asli dan akta kelahiran ke Dinas Dukcapil."],
        "legal_basis": "Perpres 96/2018",
    }


async def test_application_is_sent_as_the_contract_says(fake, dispatcher, domain) -> None:
    fake.answer(submitted(), status=201)

    events = await ActionPopulationApplication().run(dispatcher, submit_tracker(KK_APPLICATION), domain)

    assert fake.last.method == "POST" and fake.last.url.path == "/api/v1/population/applications"
    assert fake.last_json() == {
        "type": "kk_change",
        "nik": NIK,
        "birth_date": BORN,
        "details": {"reason": "tambah_anggota"},
    }
    text = texts(dispatcher)
    assert "Nomor permohonan: ADM-2026-000123" in text
    assert "perkiraan selesai 12 Januari 2026" in text
    assert "• Bawa KK asli dan akta kelahiran ke Dinas Dukcapil." in text
    assert "UU 24/2013 Pasal 79A" in text and "Perpres 96/2018" in text
    assert "/id_application_status" in payloads(dispatcher)
    slots = slot_events(events)
    assert slots["ticket_id"] == "ADM-2026-000123"
    assert slots["kk_change_reason"] is None and slots["application_offered"] is None


async def test_birth_certificate_details(fake, dispatcher, domain) -> None:
    fake.answer({**submitted(), "type": "birth_certificate"}, status=201)
    slots = {
        **KK_APPLICATION,
        "application_type": "birth_certificate",
        "kk_change_reason": None,
        "child_name": "Budi Santoso",
        "child_birth_date": "2026-05-12",
        "place_of_birth": "Bandung",
    }

    await ActionPopulationApplication().run(dispatcher, submit_tracker(slots), domain)

    assert fake.last_json()["details"] == {
        "child_name": "Budi Santoso",
        "child_birth_date": "2026-05-12",
        "place_of_birth": "Bandung",
    }
    assert "Permohonan akta kelahiran Anda sudah diterima" in texts(dispatcher)


async def test_application_with_a_wrong_birth_date_is_refused(fake, dispatcher, domain) -> None:
    fake.error(403, "identity_mismatch", "Tanggal lahir tidak sesuai.")

    events = await ActionPopulationApplication().run(dispatcher, submit_tracker(KK_APPLICATION), domain)

    assert texts(dispatcher) == IDENTITY_MISMATCH
    assert SlotSet("nik", None) in events and SlotSet("birth_date", None) in events


async def test_application_for_an_unknown_nik(fake, dispatcher, domain) -> None:
    fake.error(404, "not_found", "NIK tidak ditemukan.")

    await ActionPopulationApplication().run(dispatcher, submit_tracker(KK_APPLICATION), domain)

    assert texts(dispatcher).startswith("NIK tersebut tidak ditemukan dalam data kependudukan.")


@pytest.mark.parametrize("failure", UNAVAILABLE)
async def test_application_with_dukcapil_down_apologises(fake, dispatcher, domain, failure) -> None:
    failure(fake)

    events = await ActionPopulationApplication().run(dispatcher, submit_tracker(KK_APPLICATION), domain)

    assert texts(dispatcher).startswith("Mohon maaf, layanan Dukcapil sedang tidak dapat dihubungi")
    assert "Dinas Dukcapil kabupaten/kota" in texts(dispatcher)
    assert slot_events(events)["application_type"] is None


async def test_declined_application_is_not_sent(fake, dispatcher, domain) -> None:
    await ActionPopulationApplication().run(
        dispatcher, submit_tracker({**KK_APPLICATION, "application_confirmed": False}), domain
    )

    assert fake.requests == []
    assert texts(dispatcher).startswith("Baik, permohonan tidak saya kirim.")
