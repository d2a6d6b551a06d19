"""SIM (Korlantas, SINAR renewal) and SKCK requests (SKCK online + SIMPONI billing)."""

from __future__ import annotations

import re
from datetime import date, timedelta

import httpx
import pytest
from fastapi import FastAPI

from api.identifiers import mask_name
from simulators.korlantas import renewal
from simulators.seed import citizen_by_nik, population, sample
from tests.api.service_api.simulated_time import pin_clock
from tests.api.support import GatewayFactory

API = "/api/v1/police"


@pytest.mark.parametrize(
    ("today", "status"),
    [
        (date(2027, 1, 31) - timedelta(days=91), "belum_waktunya"),
        (date(2027, 1, 31) - timedelta(days=90), "dapat_diperpanjang"),
        (date(2027, 1, 31), "dapat_diperpanjang"),
        (date(2027, 2, 1), "kedaluwarsa"),
    ],
)
def test_sinar_window_is_90_days_before_expiry(today: date, status: str) -> None:
    state = renewal(date(2027, 1, 31), today)
    assert state.status == status
    assert state.window_opens_on == date(2027, 1, 31) - timedelta(days=90)
    assert state.eligible is (status == "dapat_diperpanjang")


async def _licence(client: httpx.AsyncClient, persona: dict[str, str]) -> dict[str, object]:
    response = await client.post(
        f"{API}/sim", json={"nik": persona["nik"], "birth_date": persona["birth_date"]}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["name"] == mask_name(persona["name"])
    return next(item for item in body["licences"] if item["class"] == persona["sim_class"])


async def test_renewable_licence(app: FastAPI, client: httpx.AsyncClient) -> None:
    pin_clock(app)
    persona = sample("sim_renewable")
    licence = await _licence(client, persona)
    assert licence["expires_on"] == persona["expires_on"]
    renewal_state = licence["renewal"]
    assert renewal_state["eligible"] is True
    expires = date.fromisoformat(persona["expires_on"])
    assert renewal_state["window_opens_on"] == (expires - timedelta(days=90)).isoformat()
    assert "SINAR" in renewal_state["reason"]
    assert re.fullmatch(r"\*+\d{4}", str(licence["number"]))


async def test_expired_licence_must_be_made_new(app: FastAPI, client: httpx.AsyncClient) -> None:
    pin_clock(app)
    licence = await _licence(client, sample("sim_expired"))
    assert licence["renewal"]["eligible"] is False
    assert (
        "Satpas" in licence["renewal"]["reason"]
        and "tidak dapat diperpanjang" in licence["renewal"]["reason"]
    )


async def test_licence_far_from_expiry_waits_for_the_window(app: FastAPI, client: httpx.AsyncClient) -> None:
    pin_clock(app)
    persona = sample("sim_valid")
    licence = await _licence(client, persona)
    assert licence["renewal"]["eligible"] is False
    opens = date.fromisoformat(licence["renewal"]["window_opens_on"])
    assert opens > date(2026, 11, 1)
    assert "baru dibuka mulai" in licence["renewal"]["reason"]


async def test_sim_identity_errors(client: httpx.AsyncClient) -> None:
    persona = sample("sim_valid")
    mismatch = await client.post(f"{API}/sim", json={"nik": persona["nik"], "birth_date": "1990-01-01"})
    assert mismatch.status_code == 403 and mismatch.json()["code"] == "identity_mismatch"
    without_sim = next(c for c in population().citizens if c.age() < 17)
    missing = await client.post(
        f"{API}/sim", json={"nik": without_sim.nik, "birth_date": without_sim.birth_date.isoformat()}
    )
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"
    malformed = await client.post(f"{API}/sim", json={"nik": "32730", "birth_date": "1990-01-01"})
    assert malformed.status_code == 422 and "NIK" in malformed.json()["detail"]
    bad_date = await client.post(f"{API}/sim", json={"nik": persona["nik"], "birth_date": "27-02-1977"})
    assert bad_date.status_code == 422 and bad_date.json()["code"] == "invalid_input"


async def test_fees_are_the_pnbp_tariffs(client: httpx.AsyncClient) -> None:
    response = await client.get(f"{API}/fees")
    assert response.status_code == 200
    body = response.json()
    assert body["legal_basis"] == "PP 76/2020 Lampiran"  # the Polri PNBP tariff in force (issue 17)
    fees = {item["service"]: item["amount"] for item in body["items"]}
    assert fees["sim_c_new"] == 100_000 and fees["sim_c_renewal"] == 75_000
    assert fees["sim_b2_renewal"] == 80_000 and fees["sim_d_new"] == 50_000
    assert fees["sim_d_renewal"] == fees["sim_d1_renewal"] == 30_000
    assert fees["sim_international_new"] == 250_000 and fees["sim_international_renewal"] == 225_000
    assert fees["skck"] == 30_000
    assert not any(service.startswith("passport") for service in fees)


async def test_skck_request_opens_a_case_and_a_billing(app: FastAPI, client: httpx.AsyncClient) -> None:
    pin_clock(app)
    adult = sample("adult")
    body = {"nik": adult["nik"], "birth_date": adult["birth_date"], "purpose": "Melamar pekerjaan"}
    response = await client.post(f"{API}/skck", json=body)
    assert response.status_code == 201, response.text
    created = response.json()
    assert re.fullmatch(r"SKCK-2026-\d{6}", created["case_number"])
    assert created["valid_months"] == 6 and created["legal_basis"] == "PP 76/2020 Lampiran"
    billing = created["billing"]
    assert billing["amount"] == 30_000 and re.fullmatch(r"\d{15}", billing["billing_code"])
    citizen = citizen_by_nik(adult["nik"])
    assert citizen is not None
    regency = citizen.address.regency.split()[-1]
    assert any(regency in step for step in created["next_steps"])
    assert any(billing["billing_code"] in step for step in created["next_steps"])

    status = (await client.get(f"/api/v1/payments/billings/{billing['billing_code']}")).json()
    assert status["status"] == "belum_dibayar" and status["case_number"] == billing["case_number"]
    case = (await client.get(f"/api/v1/cases/{created['case_number']}")).json()
    assert case["kind"] == "skck" and case["status"] == "terdaftar"
    assert case["summary"]["billing_case_number"] == billing["case_number"]
    assert adult["nik"] not in str(case)


async def test_skck_refuses_a_wrong_birth_date(client: httpx.AsyncClient) -> None:
    adult = sample("adult")
    body = {"nik": adult["nik"], "birth_date": "1900-01-02", "purpose": "Melamar pekerjaan"}
    response = await client.post(f"{API}/skck", json=body)
    assert response.status_code == 403 and response.json()["code"] == "identity_mismatch"
    short = await client.post(
        f"{API}/skck", json={**body, "birth_date": adult["birth_date"], "purpose": " a "}
    )
    assert short.status_code == 422 and "Keperluan" in short.json()["detail"]


async def test_police_services_time_out(gateway: GatewayFactory) -> None:
    adult = sample("adult")
    body = {"nik": adult["nik"], "birth_date": adult["birth_date"], "purpose": "Melamar pekerjaan"}
    async with gateway(simulated_faults="polri=timeout,korlantas=timeout", ministry_timeout_seconds=0.3) as (
        _,
        client,
    ):
        skck = await client.post(f"{API}/skck", json=body)
        assert skck.status_code == 504 and skck.json()["code"] == "ministry_timeout"
        sim = await client.post(f"{API}/sim", json={"nik": adult["nik"], "birth_date": adult["birth_date"]})
        assert sim.status_code == 504
