"""Following a LAPOR! complaint by its number (actions/complaint_status.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from rasa_sdk.events import SlotSet

from actions import case_replies
from actions.complaint_status import ActionComplaintStatus, ValidateComplaintStatusForm
from actions.gateway import use_gateway
from tests.actions.builders import user
from tests.actions.flow_helpers import (
    UNAVAILABLE,
    FakeGateway,
    form_tracker,
    submit_tracker,
    texts,
    wording,
)

CATEGORIES = {
    "items": [
        {"key": "pungli", "label": "Pungutan liar"},
        {"key": "infrastruktur", "label": "Jalan dan infrastruktur"},
        {"key": "pelayanan_publik", "label": "Pelayanan publik"},
    ]
}


@pytest.fixture()
def fake() -> Iterator[FakeGateway]:
    fake = FakeGateway()
    use_gateway(fake.client)
    yield fake
    use_gateway(None)


def slot_events(events: list[dict]) -> dict[str, object]:
    return {event["name"]: event["value"] for event in events if event.get("event") == "slot"}


async def validate_ticket(dispatcher, domain, message, **kwargs) -> dict[str, object]:
    tracker = form_tracker("complaint_status_form", "ticket_id", message, **kwargs)
    return slot_events(await ValidateComplaintStatusForm().run(dispatcher, tracker, domain))


async def test_a_complaint_number_is_accepted(dispatcher, domain) -> None:
    message = user("inform", "lpr-2026-00042", [("ticket_id", "LPR-2026-00042")])

    slots = await validate_ticket(dispatcher, domain, message, candidates={"ticket_id": "LPR-2026-00042"})

    assert slots["ticket_id"] == "LPR-2026-00042"
    assert dispatcher.messages == []


@pytest.mark.parametrize("text", ["4821937", "nomor lapor saya #4821937"])
async def test_a_lapor_tracking_number_is_accepted(dispatcher, domain, text) -> None:
    slots = await validate_ticket(dispatcher, domain, user("inform", text))

    assert slots["ticket_id"] == "4821937"
    assert dispatcher.messages == []


async def test_text_without_a_case_number_gets_the_format(dispatcher, domain) -> None:
    slots = await validate_ticket(dispatcher, domain, user("inform", "nomor saya 12345"))

    assert slots["ticket_id"] is None
    assert texts(dispatcher) == wording("utter_invalid_complaint_number")


async def test_another_services_case_number_just_sent_is_taken_for_its_own_status(dispatcher, domain) -> None:
    message = user("inform", "TKT-2026-000004", [("ticket_id", "TKT-2026-000004")])

    slots = await validate_ticket(dispatcher, domain, message, candidates={"ticket_id": "TKT-2026-000004"})

    assert slots["ticket_id"] == "TKT-2026-000004"
    assert dispatcher.messages == []


async def test_another_services_case_number_kept_from_earlier_is_dropped_silently(dispatcher, domain) -> None:
    tracker = form_tracker(
        "complaint_status_form",
        None,
        user("complaint_status", "status laporan saya"),
        activating=True,
        slots={"ticket_id": "ADM-2026-000123"},
        candidates={"ticket_id": "ADM-2026-000123"},
    )

    slots = slot_events(await ValidateComplaintStatusForm().run(dispatcher, tracker, domain))

    assert slots["ticket_id"] is None
    assert dispatcher.messages == []


def complaint(status: str, **extra: object) -> dict[str, object]:
    return {
        "case_number": "LPR-2026-00042",
        "tracking_id": "4821937",
        "category": "pungli",
        "status": status,
        "status_label": extra.pop("status_label", status.replace("_", " ").title()),
        "agency": extra.pop("agency", None),
        "history": [],
        "verify_by": "2026-03-04",
        "follow_up_by": "2026-03-11",
        "legal_basis": "Perpres 76/2013",
        **extra,
    }


@pytest.mark.parametrize(
    ("status", "agency", "expected"),
    [
        (
            "diterima",
            None,
            "memverifikasi laporan Anda paling lambat 4 Maret 2026 (3 hari kerja, prosedur SP4N-LAPOR!)",
        ),
        (
            "diteruskan",
            "Pemerintah Kota Bandung",
            "paling lambat 11 Maret 2026 (5 hari kerja, prosedur SP4N-LAPOR!)",
        ),
        ("ditindaklanjuti", "Pemerintah Kota Bandung", "sedang menindaklanjuti"),
        ("selesai", "Pemerintah Kota Bandung", "sudah selesai"),
        ("bukan_kewenangan", None, "bukan kewenangan"),
        ("diarsipkan", None, "diarsipkan"),
    ],
)
async def test_the_status_says_what_happens_next(fake, dispatcher, domain, status, agency, expected) -> None:
    fake.route(
        {"/complaints/LPR-2026-00042": complaint(status, agency=agency), "/complaints/categories": CATEGORIES}
    )

    events = await ActionComplaintStatus().run(
        dispatcher, submit_tracker({"ticket_id": "LPR-2026-00042"}), domain
    )

    assert fake.requests[0].url.path == "/api/v1/complaints/LPR-2026-00042"
    text = texts(dispatcher)
    assert text.startswith("Pengaduan LPR-2026-00042 (Pungutan liar): status saat ini ")
    assert expected in text
    assert (f"ditangani {agency}" in text) == bool(agency)
    assert events == []


async def test_a_report_filed_on_lapor_go_id_is_followed_by_its_tracking_number(
    fake, dispatcher, domain
) -> None:
    fake.route(
        {
            "/complaints/4821937": complaint("terverifikasi", case_number=None, follow_up_by=None),
            "/complaints/categories": CATEGORIES,
        }
    )

    await ActionComplaintStatus().run(dispatcher, submit_tracker({"ticket_id": "4821937"}), domain)

    text = texts(dispatcher)
    assert text.startswith(
        "Pengaduan nomor pelacakan 4821937 (Pungutan liar): status saat ini terverifikasi."
    )
    assert "menindaklanjutinya dalam 5 hari kerja (prosedur SP4N-LAPOR!)." in text


async def test_without_categories_the_status_names_the_category_key(fake, dispatcher, domain) -> None:
    fake.answer(complaint("selesai"))  # the categories request gets no items

    await ActionComplaintStatus().run(dispatcher, submit_tracker({"ticket_id": "LPR-2026-00042"}), domain)

    assert texts(dispatcher).startswith("Pengaduan LPR-2026-00042 (pungli): status saat ini selesai.")


async def test_an_unknown_case_number_is_said_and_forgotten(fake, dispatcher, domain) -> None:
    fake.error(404, "not_found", "Kasus tidak ditemukan.")

    events = await ActionComplaintStatus().run(
        dispatcher, submit_tracker({"ticket_id": "LPR-2026-09999"}), domain
    )

    assert texts(dispatcher) == wording("utter_complaint_not_found", case_number="LPR-2026-09999")
    assert events == [SlotSet("ticket_id", None)]


@pytest.mark.parametrize("failure", UNAVAILABLE)
async def test_status_with_lapor_down_apologises(fake, dispatcher, domain, failure) -> None:
    failure(fake)

    events = await ActionComplaintStatus().run(
        dispatcher, submit_tracker({"ticket_id": "LPR-2026-00042"}), domain
    )

    assert (
        texts(dispatcher) == "Mohon maaf, layanan LAPOR! sedang tidak dapat dihubungi, jadi saya belum bisa "
        "memeriksanya sekarang. Silakan coba lagi beberapa saat lagi, atau "
        + case_replies.FOLLOW_FAILURE.alternative
    )
    assert events == []
