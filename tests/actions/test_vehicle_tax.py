"""Vehicle tax and its payment code (actions/vehicle_tax.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from rasa_sdk.events import SlotSet

from actions.gateway import use_gateway
from actions.vehicle_tax import ActionVehicleTax, ActionVehicleTaxBilling, ValidateVehicleTaxForm
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

CODE = "820260000012345"


@pytest.fixture()
def fake() -> Iterator[FakeGateway]:
    fake = FakeGateway()
    use_gateway(fake.client)
    yield fake
    use_gateway(None)


def slot_events(events: list[dict]) -> dict[str, object]:
    return {event["name"]: event["value"] for event in events if event.get("event") == "slot"}


def billing(**overrides: object) -> dict[str, object]:
    return {
        "billing_code": CODE,
        "case_number": "BIL-2026-000123",
        "description": "PKB dan SWDKLLJ B 1234 XYZ",
        "amount": 1_250_000,
        "status": "belum_dibayar",
        "expires_at": "2026-03-04T10:00:00+07:00",
        "legal_basis": "UU 1/2022",
        **overrides,
    }


async def validate_plate(dispatcher, domain, message, **kwargs) -> dict[str, object]:
    tracker = form_tracker("vehicle_tax_form", "plate_number", message, **kwargs)
    return slot_events(await ValidateVehicleTaxForm().run(dispatcher, tracker, domain))


async def test_plate_is_normalised_and_junk_refused(dispatcher, domain) -> None:
    message = user("inform", "b1234xyz", [("plate_number", "b1234xyz")])
    slots = await validate_plate(dispatcher, domain, message, candidates={"plate_number": "b1234xyz"})
    assert slots["plate_number"] == "B 1234 XYZ"

    slots = await validate_plate(dispatcher, domain, user("inform", "motor saya yang merah"))
    assert slots["plate_number"] is None
    assert texts(dispatcher) == wording("utter_invalid_plate_number")

    dispatcher.messages.clear()
    slots = await validate_plate(dispatcher, domain, user("office_info", "samsat buka jam brp"))
    assert slots == {} and dispatcher.messages == []


def tax(**overrides: object) -> dict[str, object]:
    return {
        "plate": "B 1234 XYZ",
        "vehicle": {"type": "sepeda motor", "brand": "Honda Beat", "year": 2019},
        "region": "DKI Jakarta",
        "pkb": 950_000,
        "swdkllj": 35_000,
        "fine": 265_000,
        "total": 1_250_000,
        "due_date": "2026-01-10",
        "overdue_days": 40,
        "legal_basis": "UU 1/2022",
        **overrides,
    }


async def test_vehicle_tax_shows_every_part_and_offers_a_payment_code(fake, dispatcher, domain) -> None:
    fake.answer(tax())

    events = await ActionVehicleTax().run(dispatcher, submit_tracker({"plate_number": "B 1234 XYZ"}), domain)

    assert fake.last.url.path == "/api/v1/payments/vehicle-tax/B1234XYZ"
    text = texts(dispatcher)
    assert text.startswith("Pajak kendaraan B 1234 XYZ (sepeda motor Honda Beat 2019), DKI Jakarta:")
    for part in (
        "• PKB: Rp950.000",
        "• SWDKLLJ: Rp35.000",
        "• Denda: Rp265.000",
        "Total: Rp1.250.000",
        "Jatuh tempo: 10 Januari 2026 (terlambat 40 hari).",
        "Dasar hukum: UU 1/2022.",
    ):
        assert part in text
    assert "Buat kode bayar sebesar Rp1.250.000 sekarang?" in text
    assert payloads(dispatcher) == ["/affirm", "/deny"]
    assert events == [SlotSet("tax_billing_offered", True)]


async def test_nothing_due_offers_no_payment_code(fake, dispatcher, domain) -> None:
    fake.answer(tax(pkb=0, swdkllj=0, fine=0, total=0, overdue_days=0))

    events = await ActionVehicleTax().run(dispatcher, submit_tracker({"plate_number": "B 1234 XYZ"}), domain)

    assert "Jatuh tempo: 10 Januari 2026." in texts(dispatcher)
    assert "Tidak ada tagihan pajak" in texts(dispatcher)
    assert events == [SlotSet("tax_billing_offered", None)]


async def test_unknown_plate(fake, dispatcher, domain) -> None:
    fake.error(404, "not_found", "Tidak ditemukan.")

    events = await ActionVehicleTax().run(dispatcher, submit_tracker({"plate_number": "B 9999 ZZZ"}), domain)

    assert texts(dispatcher).startswith("Kendaraan dengan nomor polisi B 9999 ZZZ tidak ditemukan.")
    assert SlotSet("plate_number", None) in events


@pytest.mark.parametrize("failure", UNAVAILABLE)
async def test_samsat_down_apologises(fake, dispatcher, domain, failure) -> None:
    failure(fake)

    await ActionVehicleTax().run(dispatcher, submit_tracker({"plate_number": "B 1234 XYZ"}), domain)

    assert texts(dispatcher).startswith("Mohon maaf, layanan Samsat sedang tidak dapat dihubungi")
    assert "SIGNAL" in texts(dispatcher)


async def test_vehicle_tax_payment_code(fake, dispatcher, domain) -> None:
    fake.answer(billing(), status=201)

    events = await ActionVehicleTaxBilling().run(
        dispatcher,
        submit_tracker({"plate_number": "B 1234 XYZ", "tax_billing_offered": True}, user("affirm", "ya")),
        domain,
    )

    assert (
        fake.last.method == "POST" and fake.last.url.path == "/api/v1/payments/vehicle-tax/B1234XYZ/billing"
    )
    text = texts(dispatcher)
    assert f"Kode billing Anda: {CODE}" in text
    assert "PKB dan SWDKLLJ B 1234 XYZ: Rp1.250.000" in text
    assert "Bayar sebelum 4 Maret 2026 pukul 10.00 WIB" in text and "NTPN" in text
    assert "/pay_billing_status" in payloads(dispatcher)
    assert slot_events(events) == {"tax_billing_offered": None, "billing_code": CODE}


async def test_vehicle_tax_payment_code_conflict(fake, dispatcher, domain) -> None:
    fake.error(409, "conflict", "Pajak kendaraan ini sudah dibayar.")

    await ActionVehicleTaxBilling().run(dispatcher, submit_tracker({"plate_number": "B 1234 XYZ"}), domain)

    assert texts(dispatcher) == "Pajak kendaraan ini sudah dibayar."


@pytest.mark.parametrize(
    ("typed", "plate"),
    [
        ("plat sy b-1234-xyz ya", "B 1234 XYZ"),
        ("b1234xyz", "B 1234 XYZ"),
        ("nomornya d 4521 abc", "D 4521 ABC"),
        ("ab.1234.cd", "AB 1234 CD"),
        ("di 2024", None),
        ("motor saya", None),
    ],
)
def test_a_typed_plate_is_found_in_any_case_spacing_and_separator(typed: str, plate: str | None) -> None:
    from actions.vehicle_tax import find_plate

    assert find_plate(typed) == plate
