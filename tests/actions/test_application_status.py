"""The status of a case followed by its number (actions/application_status.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from rasa_sdk.events import SlotSet

from actions.application_status import ActionApplicationStatus, ValidateApplicationStatusForm
from actions.case_replies import summary_text
from actions.gateway import use_gateway
from tests.actions.builders import user
from tests.actions.flow_helpers import (
    UNAVAILABLE,
    FakeGateway,
    form_tracker,
    submit_tracker,
    texts,
)


@pytest.fixture()
def fake() -> Iterator[FakeGateway]:
    fake = FakeGateway()
    use_gateway(fake.client)
    yield fake
    use_gateway(None)


def slot_events(events: list[dict]) -> dict[str, object]:
    return {event["name"]: event["value"] for event in events if event.get("event") == "slot"}


async def validate_status(dispatcher, domain, requested, message, **kwargs) -> dict[str, object]:
    tracker = form_tracker("application_status_form", requested, message, **kwargs)
    return slot_events(await ValidateApplicationStatusForm().run(dispatcher, tracker, domain))


async def test_case_number_is_checked(dispatcher, domain) -> None:
    entity = user("inform", "adm-2026-000123", [("ticket_id", "adm-2026-000123")])
    slots = await validate_status(
        dispatcher,
        domain,
        "ticket_id",
        entity,
        extracted={"ticket_id": "adm-2026-000123"},
        candidates={"ticket_id": "adm-2026-000123"},
    )
    assert slots["ticket_id"] == "ADM-2026-000123"

    slots = await validate_status(dispatcher, domain, "ticket_id", user("inform", "nomornya 12345"))
    assert slots["ticket_id"] is None
    assert texts(dispatcher).startswith("Nomor permohonan belum saya kenali.")


@pytest.mark.parametrize(
    ("text", "ticket"),
    [
        ("adm 2026 000123", "ADM-2026-000123"),
        ("nomornya ADM/2026/000123 ya", "ADM-2026-000123"),
        ("tkt_2026_000004", "TKT-2026-000004"),
        ("adm 2026 12", None),
    ],
)
async def test_a_case_number_typed_loosely_is_read(dispatcher, domain, text, ticket) -> None:
    """The entity extractor misses a number typed with spaces or slashes; the form reads it."""
    slots = await validate_status(dispatcher, domain, "ticket_id", user("inform", text))

    assert slots["ticket_id"] == ticket
    assert ("belum saya kenali" in texts(dispatcher)) is (ticket is None)


def case() -> dict[str, object]:
    return {
        "case_number": "ADM-2026-000123",
        "kind": "population_application",
        "status": "diproses",
        "status_label": "Sedang diproses",
        "created_at": "2026-01-05T09:30:00+07:00",
        "updated_at": "2026-01-06T14:00:00+07:00",
        "summary": {"type": "kk_change", "label": "Perubahan Kartu Keluarga", "reason": "tambah_anggota"},
        "history": [
            {"status": "diterima", "status_label": "Diterima", "at": "2026-01-05T09:30:00+07:00"},
            {"status": "diproses", "status_label": "Sedang diproses", "at": "2026-01-06T14:00:00+07:00"},
        ],
    }


async def test_status_shows_label_and_history(fake, dispatcher, domain) -> None:
    fake.answer(case())

    await ActionApplicationStatus().run(dispatcher, submit_tracker({"ticket_id": "ADM-2026-000123"}), domain)

    assert fake.last.url.path == "/api/v1/cases/ADM-2026-000123"
    text = texts(dispatcher)
    assert text.startswith("Permohonan ADM-2026-000123: Sedang diproses.")
    assert "Perubahan Kartu Keluarga (tambah anggota keluarga)" in text
    assert "• 5 Januari 2026: Diterima" in text and "• 6 Januari 2026: Sedang diproses" in text


@pytest.mark.parametrize(
    ("summary", "expected"),
    [
        ({"type": "birth_certificate", "label": "Akta Kelahiran"}, "Akta Kelahiran"),
        ({"category": "kesehatan", "category_label": "Kesehatan"}, "Kategori: Kesehatan"),
        (
            {"purpose": "melamar pekerjaan", "police_station": "Polres Sumba Barat"},
            "Keperluan: melamar pekerjaan; diambil di Polres Sumba Barat",
        ),
        ({"service": "skck", "description": "PNBP SKCK", "amount": 30000}, "PNBP SKCK: Rp30.000"),
        ({}, ""),
    ],
)
def test_every_kind_of_case_summary_is_worded(summary: dict[str, object], expected: str) -> None:
    """The gateway's summaries are dicts (GET /cases/{n}); the citizen reads sentences, never a dict."""
    assert summary_text(summary) == expected


async def test_status_of_an_unknown_case(fake, dispatcher, domain) -> None:
    fake.error(404, "not_found", "Tidak ditemukan.")

    events = await ActionApplicationStatus().run(
        dispatcher, submit_tracker({"ticket_id": "ADM-2026-999999"}), domain
    )

    assert texts(dispatcher).startswith("Nomor ADM-2026-999999 tidak ditemukan.")
    assert events == [SlotSet("ticket_id", None)]


@pytest.mark.parametrize("failure", UNAVAILABLE)
async def test_status_with_the_gateway_down_apologises(fake, dispatcher, domain, failure) -> None:
    failure(fake)

    await ActionApplicationStatus().run(dispatcher, submit_tracker({"ticket_id": "ADM-2026-000123"}), domain)

    assert texts(dispatcher).startswith("Mohon maaf, layanan Dukcapil sedang tidak dapat dihubungi")
