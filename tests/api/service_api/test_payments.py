"""Payments: vehicle tax (Samsat), PNBP billing codes (SIMPONI), the bank's confirmation."""

from __future__ import annotations

from datetime import date, timedelta

import httpx
from fastapi import FastAPI

from knowledge import facts
from simulators.samsat import assess
from simulators.seed import sample
from simulators.seed.vehicles import vehicles
from tests.api.service_api.simulated_time import advance_clock, pin_clock
from tests.api.support import GatewayFactory

API = "/api/v1/payments"


def _compact(plate: str) -> str:
    return plate.replace(" ", "").lower()


def owner_kind(tax: dict) -> str:
    return "motorcycle" if tax["vehicle"]["type"] == "Sepeda Motor" else "car"


async def test_vehicle_tax_of_an_overdue_vehicle(app: FastAPI, client: httpx.AsyncClient) -> None:
    pin_clock(app)
    owner = sample("vehicle_owner_overdue")
    response = await client.get(f"{API}/vehicle-tax/{_compact(owner['plate'])}")
    assert response.status_code == 200, response.text
    tax = response.json()
    assert tax["plate"] == owner["plate"]
    assert tax["vehicle"]["brand"] == owner["vehicle"]
    assert tax["vehicle"]["type"] in ("Sepeda Motor", "Mobil Penumpang")
    assert tax["due_date"] == owner["due_date"]
    assert tax["overdue_days"] == (date(2026, 11, 1) - date.fromisoformat(owner["due_date"])).days
    assert tax["fine"] > 0
    assert tax["total"] == tax["pkb"] + tax["swdkllj"] + tax["fine"]
    yearly = facts.get("swdkllj.amount").value_of(owner_kind(tax))
    assert tax["swdkllj"] % yearly == 0 and tax["swdkllj"] // yearly >= 1
    assert "UU 1/2022" in tax["legal_basis"] and "PMK 16/2017" in tax["legal_basis"]


async def test_vehicle_tax_paid_up_has_no_fine(app: FastAPI, client: httpx.AsyncClient) -> None:
    pin_clock(app)
    owner = sample("vehicle_owner")
    tax = (await client.get(f"{API}/vehicle-tax/{owner['plate']}")).json()
    assert tax["fine"] == 0 and tax["overdue_days"] == 0
    assert tax["total"] == tax["pkb"] + tax["swdkllj"]


def test_late_fines_grow_by_the_month_up_to_the_registry_cap() -> None:
    vehicle = next(iter(vehicles().values()))
    due = date(2026, 1, 10)
    one_month = assess(vehicle, due, due + timedelta(days=20))
    three_months = assess(vehicle, due, due + timedelta(days=80))
    assert one_month.years_due == 1 and one_month.overdue_days == 20
    assert three_months.pkb_fine > one_month.pkb_fine > 0
    # Two years late: two years of PKB and SWDKLLJ are due, each with its own fine.
    late = assess(vehicle, due, due + timedelta(days=400))
    assert late.years_due == 2 and late.pkb == 2 * one_month.pkb
    assert late.swdkllj == 2 * one_month.swdkllj
    # 900 days late: the three installments are 30 (capped at 24), 18 and 6 months late.
    capped = assess(vehicle, due, due + timedelta(days=900))
    assert capped.years_due == 3
    rate = facts.get("pkb.late_interest.rate").number / 100
    assert facts.get("pkb.late_interest.max_months").number == 24
    assert capped.pkb_fine == sum(round(one_month.pkb * rate * months / 100) * 100 for months in (24, 18, 6))
    on_time = assess(vehicle, due, due)
    assert on_time.total == on_time.pkb + on_time.swdkllj


async def test_unknown_and_malformed_plates(client: httpx.AsyncClient) -> None:
    unknown = next(f"B {n} QQQ" for n in range(1, 9999) if f"B{n}QQQ" not in vehicles())
    response = await client.get(f"{API}/vehicle-tax/{unknown}")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    for bad in ("12345", "B-0123-XYZ", "BXYZ1234"):
        response = await client.get(f"{API}/vehicle-tax/{bad}")
        assert response.status_code == 422, bad
        assert response.json()["code"] == "invalid_input"
        assert "Nomor polisi" in response.json()["detail"]


async def test_vehicle_tax_billing_payment_and_case(app: FastAPI, client: httpx.AsyncClient) -> None:
    pin_clock(app)
    owner = sample("vehicle_owner_overdue")
    before = (await client.get(f"{API}/vehicle-tax/{owner['plate']}")).json()

    created = await client.post(f"{API}/vehicle-tax/{_compact(owner['plate'])}/billing")
    assert created.status_code == 201, created.text
    billing = created.json()
    code = billing["billing_code"]
    assert len(code) == 15 and code.isdigit()
    assert billing["amount"] == before["total"]
    assert billing["status"] == "belum_dibayar"
    assert billing["case_number"].startswith("BIL-2026-")

    status = (await client.get(f"{API}/billings/{code}")).json()
    assert status["status"] == "belum_dibayar" and status["paid_at"] is None
    assert status["case_number"] == billing["case_number"]

    paid = await client.post(f"{API}/billings/{code}/payments")
    assert paid.status_code == 200, paid.text
    assert paid.json()["status"] == "lunas" and len(paid.json()["ntpn"]) == 16
    assert (await client.get(f"{API}/billings/{code}")).json()["status"] == "lunas"

    again = await client.post(f"{API}/billings/{code}/payments")
    assert again.status_code == 409 and again.json()["code"] == "conflict"

    after = (await client.get(f"{API}/vehicle-tax/{owner['plate']}")).json()
    assert after["fine"] == 0 and after["overdue_days"] == 0
    assert date.fromisoformat(after["due_date"]) > date.fromisoformat(before["due_date"])

    case = (await client.get(f"/api/v1/cases/{billing['case_number']}")).json()
    assert case["kind"] == "billing" and case["status"] == "lunas"
    assert [event["status"] for event in case["history"]] == ["belum_dibayar", "lunas"]
    assert case["summary"]["billing_code"] == code


async def test_tariffs_name_their_legal_basis(client: httpx.AsyncClient) -> None:
    response = await client.get(f"{API}/tariffs")
    assert response.status_code == 200
    tariffs = {item["service"]: item for item in response.json()["items"]}
    assert tariffs["sim_c_renewal"]["amount"] == 75_000
    assert tariffs["sim_a_new"]["amount"] == 120_000
    assert tariffs["skck"]["amount"] == 30_000
    assert tariffs["skck"]["legal_basis"] == "PP 76/2020 Lampiran"
    assert tariffs["passport_electronic_10y"]["amount"] == 950_000
    assert tariffs["passport_regular_5y"]["legal_basis"] == "PP 45/2024"
    assert all(item["label"] and item["legal_basis"] for item in tariffs.values())


async def test_pnbp_billing_expires(app: FastAPI, client: httpx.AsyncClient) -> None:
    pin_clock(app)
    nik = sample("adult")["nik"]
    created = await client.post(f"{API}/billings", json={"service": "passport_electronic_5y", "nik": nik})
    assert created.status_code == 201, created.text
    billing = created.json()
    assert billing["amount"] == 650_000 and billing["legal_basis"] == "PP 45/2024"
    assert billing["case_number"].startswith("BIL-")

    advance_clock(app, timedelta(days=8))
    status = (await client.get(f"{API}/billings/{billing['billing_code']}")).json()
    assert status["status"] == "kedaluwarsa"
    late = await client.post(f"{API}/billings/{billing['billing_code']}/payments")
    assert late.status_code == 409 and late.json()["code"] == "conflict"
    case = (await client.get(f"/api/v1/cases/{billing['case_number']}")).json()
    assert case["status"] == "kedaluwarsa"


async def test_billing_input_errors(client: httpx.AsyncClient) -> None:
    nik = sample("adult")["nik"]
    unknown = await client.post(f"{API}/billings", json={"service": "sim_z_new", "nik": nik})
    assert unknown.status_code == 422 and unknown.json()["code"] == "invalid_input"
    bad_nik = await client.post(f"{API}/billings", json={"service": "skck", "nik": "123"})
    assert bad_nik.status_code == 422 and "NIK" in bad_nik.json()["detail"]
    malformed = await client.get(f"{API}/billings/12345")
    assert malformed.status_code == 422 and "15 digit" in malformed.json()["detail"]
    missing = await client.get(f"{API}/billings/800000000000000")
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"
    missing_payment = await client.post(f"{API}/billings/800000000000000/payments")
    assert missing_payment.status_code == 404


async def test_ministry_timeout_and_error(gateway: GatewayFactory) -> None:
    plate = sample("vehicle_owner")["plate"]
    async with gateway(simulated_faults="samsat=timeout,simponi=error", ministry_timeout_seconds=0.3) as (
        _,
        client,
    ):
        slow = await client.get(f"{API}/vehicle-tax/{plate}")
        assert slow.status_code == 504
        assert slow.json()["code"] == "ministry_timeout" and "Samsat" in slow.json()["detail"]
        down = await client.get(f"{API}/tariffs")
        assert down.status_code == 503 and down.json()["code"] == "ministry_unavailable"


async def test_service_token_is_required_when_set(gateway: GatewayFactory) -> None:
    async with gateway(service_token="rahasia-uji") as (_, client):
        assert (await client.get(f"{API}/tariffs")).status_code == 401
        authorised = await client.get(f"{API}/tariffs", headers={"Authorization": "Bearer rahasia-uji"})
        assert authorised.status_code == 200
