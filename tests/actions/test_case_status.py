"""Every kind of case number opens its own status answer (actions/case_status.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import yaml
from rasa_sdk.events import SlotSet

from actions.case_status import ActionCaseStatus, ValidateCaseStatusForm
from actions.complaint_status import ActionComplaintStatus
from actions.gateway import use_gateway
from tests.actions.builders import ROOT, user
from tests.actions.flow_helpers import FakeGateway, form_tracker, submit_tracker, texts, wording


@pytest.fixture()
def fake() -> Iterator[FakeGateway]:
    fake = FakeGateway()
    use_gateway(fake.client)
    yield fake
    use_gateway(None)


def ticket(status: str, open_now: bool = False) -> dict[str, object]:
    return {
        "case_number": "TKT-2026-000004",
        "type": "callback" if status == "callback" else "ticket",
        "status": status,
        "status_label": {
            "ticket": "Menunggu tindak lanjut petugas",
            "callback": "Menunggu ditelepon petugas",
            "in_progress": "Sedang ditangani petugas",
            "closed": "Selesai",
        }[status],
        "created_at": "2026-03-02T03:00:00Z",
        "updated_at": "2026-03-02T03:00:00Z",
        "hours": "Senin–Jumat 08.00–16.00 WIB",
        "open_now": open_now,
    }


def case(number: str, kind: str, summary: dict[str, object]) -> dict[str, object]:
    return {
        "case_number": number,
        "kind": kind,
        "status": "diproses",
        "status_label": "Sedang diproses",
        "created_at": "2026-03-02T03:00:00Z",
        "updated_at": "2026-03-03T03:00:00Z",
        "history": [{"status": "diproses", "status_label": "Sedang diproses", "at": "2026-03-03T03:00:00Z"}],
        "summary": summary,
    }


async def run_with(dispatcher, domain, number: str, text: str = "") -> list[dict]:
    message = user("pay_billing_status", text or f"status {number}", [("ticket_id", number)])
    return await ActionCaseStatus().run(dispatcher, submit_tracker({}, message), domain)


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (
            "ticket",
            "Petugas akan membalas melalui percakapan ini pada jam layanan (Senin–Jumat 08.00–16.00 WIB)",
        ),
        ("callback", "Petugas akan menelepon ke nomor yang Anda berikan"),
        ("in_progress", "Petugas sudah menangani permintaan Anda"),
        ("closed", "sudah selesai ditangani petugas"),
    ],
)
async def test_a_ticket_number_gets_the_tickets_status_not_a_billing(
    fake, dispatcher, domain, status, expected
) -> None:
    fake.route({"/tickets/TKT-2026-000004": ticket(status)})

    events = await run_with(dispatcher, domain, "tkt-2026-000004")

    assert [request.url.path for request in fake.requests] == ["/api/v1/tickets/TKT-2026-000004"]
    text = texts(dispatcher)
    assert text.startswith("Tiket TKT-2026-000004: ")
    assert expected in text
    assert "billing" not in text.lower()
    assert events == [SlotSet("ticket_id", "TKT-2026-000004")]


async def test_a_waiting_ticket_says_whether_the_call_center_is_open(fake, dispatcher, domain) -> None:
    fake.route({"/tickets/TKT-2026-000004": ticket("ticket", open_now=True)})

    await run_with(dispatcher, domain, "TKT-2026-000004")

    assert "Saat ini jam layanan sedang berlangsung." in texts(dispatcher)


async def test_an_unknown_ticket_is_said_and_forgotten(fake, dispatcher, domain) -> None:
    fake.error(404, "not_found", "Tiket tidak ditemukan.")

    events = await run_with(dispatcher, domain, "TKT-2026-999999")

    assert texts(dispatcher) == wording("utter_case_not_found", case_number="TKT-2026-999999")
    assert events[-1] == SlotSet("ticket_id", None)


async def test_a_billing_case_number_gets_the_billings_payment_status(fake, dispatcher, domain) -> None:
    code = "820260000012345"
    fake.route(
        {
            "/cases/BIL-2026-000233": case("BIL-2026-000233", "billing", {"billing_code": code}),
            f"/payments/billings/{code}": {
                "billing_code": code,
                "case_number": "BIL-2026-000233",
                "description": "PNBP SKCK",
                "amount": 30000,
                "status": "lunas",
                "paid_at": "2026-03-02T05:00:00Z",
                "expires_at": "2026-03-04T05:00:00Z",
            },
        }
    )

    events = await run_with(dispatcher, domain, "BIL-2026-000233")

    assert [r.url.path for r in fake.requests] == [
        "/api/v1/cases/BIL-2026-000233",
        f"/api/v1/payments/billings/{code}",
    ]
    assert dispatcher.messages[0]["response"] == "utter_billing_paid"
    assert SlotSet("billing_code", code) in events


@pytest.mark.parametrize(
    ("number", "kind", "summary", "expected"),
    [
        (
            "ADM-2026-000123",
            "population_application",
            {"label": "Akta Kelahiran"},
            "Permohonan ADM-2026-000123",
        ),
        ("SKCK-2026-000415", "skck", {"purpose": "melamar kerja"}, "Permohonan SKCK SKCK-2026-000415"),
        (
            "CASN-2026-000007",
            "casn_result",
            {"position": "Analis Kebijakan Ahli Pertama", "agency": "Kementerian PANRB"},
            "Hasil seleksi CASN CASN-2026-000007",
        ),
    ],
)
async def test_application_and_skck_numbers_get_the_cases_status(
    fake, dispatcher, domain, number, kind, summary, expected
) -> None:
    fake.route({f"/cases/{number}": case(number, kind, summary)})

    await run_with(dispatcher, domain, number)

    assert texts(dispatcher).startswith(f"{expected}: Sedang diproses.")


async def test_a_complaint_number_gets_the_lapor_status(fake, dispatcher, domain) -> None:
    fake.route(
        {
            "/complaints/LPR-2026-00042": {
                "case_number": "LPR-2026-00042",
                "category": "pungli",
                "status": "diterima",
                "status_label": "Diterima",
                "verify_by": "2026-03-04",
                "follow_up_by": "2026-03-11",
            },
            "/complaints/categories": {"items": [{"key": "pungli", "label": "Pungutan liar"}]},
        }
    )

    await run_with(dispatcher, domain, "LPR-2026-00042")

    assert texts(dispatcher).startswith("Pengaduan LPR-2026-00042 (Pungutan liar): status saat ini diterima.")


async def test_the_complaint_status_form_routes_another_kind_of_number(fake, dispatcher, domain) -> None:
    fake.route({"/tickets/TKT-2026-000004": ticket("ticket")})

    await ActionComplaintStatus().run(dispatcher, submit_tracker({"ticket_id": "TKT-2026-000004"}), domain)

    assert texts(dispatcher).startswith("Tiket TKT-2026-000004: menunggu tindak lanjut petugas.")


@pytest.mark.parametrize(
    ("message", "expected", "said"),
    [
        (user("inform", "TKT-2026-000004", [("ticket_id", "TKT-2026-000004")]), "TKT-2026-000004", False),
        (user("inform", "nomor lapor saya 4821937"), "4821937", False),
        (user("inform", "nomornya lupa"), None, True),
    ],
)
async def test_the_form_takes_any_case_number(dispatcher, domain, message, expected, said) -> None:
    candidates = (
        {"ticket_id": message["parse_data"]["entities"][0]["value"]} if expected and "-" in expected else {}
    )
    tracker = form_tracker("case_status_form", "ticket_id", message, candidates=candidates)

    events = await ValidateCaseStatusForm().run(dispatcher, tracker, domain)

    slots = {event["name"]: event["value"] for event in events if event.get("event") == "slot"}
    assert slots.get("ticket_id") == expected
    assert (texts(dispatcher) == wording("utter_invalid_case_number")) is said


def test_every_status_question_with_a_case_number_goes_to_the_router() -> None:
    rules = yaml.safe_load((ROOT / "data" / "rules" / "case_status.yml").read_text())["rules"]
    routed = {
        rule["steps"][0]["intent"]
        for rule in rules
        if rule["steps"][0].get("entities") == ["ticket_id"]
        and rule["steps"][1] == {"action": "case_status_form"}
    }
    assert routed == {"pay_billing_status", "police_skck", "inform"}


async def test_the_application_status_form_routes_another_kind_of_number(fake, dispatcher, domain) -> None:
    from actions.application_status import ActionApplicationStatus

    fake.route({"/tickets/TKT-2026-000004": ticket("in_progress")})

    await ActionApplicationStatus().run(dispatcher, submit_tracker({"ticket_id": "TKT-2026-000004"}), domain)

    assert texts(dispatcher).startswith("Tiket TKT-2026-000004: sedang ditangani petugas.")


async def test_every_case_number_of_one_message_is_answered(fake, dispatcher, domain) -> None:
    fake.route(
        {
            "/tickets/TKT-2026-000004": ticket("ticket"),
            "/cases/ADM-2026-000123": case("ADM-2026-000123", "population_application", {"label": "KK"}),
        }
    )
    message = user(
        "case_status",
        "cek TKT-2026-000004 sama adm-2026-000123",
        [("ticket_id", "TKT-2026-000004"), ("ticket_id", "ADM-2026-000123")],
    )

    await ActionCaseStatus().run(dispatcher, submit_tracker({}, message), domain)

    assert [r.url.path for r in fake.requests] == [
        "/api/v1/tickets/TKT-2026-000004",
        "/api/v1/cases/ADM-2026-000123",
    ]
    assert "Tiket TKT-2026-000004" in texts(dispatcher)
    assert "Permohonan ADM-2026-000123" in texts(dispatcher)
