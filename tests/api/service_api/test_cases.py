"""Case numbers and following a case: unique under concurrency, history from the ministry."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime, time, timedelta

import httpx
import pytest
from fastapi import FastAPI

from api.cases import WIB, allocate_case_number, normalize_case_number, open_case
from api.models import CaseKind
from api.working_days import add_working_days
from simulators.seed import sample
from tests.api.service_api.simulated_time import simulators_clock
from tests.api.support import GatewayFactory

pytestmark = pytest.mark.asyncio

FORMATS = {
    CaseKind.POPULATION_APPLICATION: r"ADM-\d{4}-\d{6}",
    CaseKind.COMPLAINT: r"LPR-\d{4}-\d{5}",
    CaseKind.SKCK: r"SKCK-\d{4}-\d{6}",
    CaseKind.BILLING: r"BIL-\d{4}-\d{6}",
}


async def _open(app: FastAPI, kind: CaseKind, at: datetime | None = None) -> str:
    async with app.state.sessionmaker() as session:
        case = await open_case(session, kind, status="diterima", summary={"label": "uji"}, at=at)
        return case.case_number


async def test_numbers_per_kind_and_year(app: FastAPI) -> None:
    for kind, pattern in FORMATS.items():
        first, second = await _open(app, kind), await _open(app, kind)
        assert re.fullmatch(pattern, first) and re.fullmatch(pattern, second)
        assert int(second.rsplit("-", 1)[1]) == int(first.rsplit("-", 1)[1]) + 1
    # The year is Jakarta's: 31 December 18:00 UTC is already 1 January in WIB.
    new_year_eve = datetime(2030, 12, 31, 18, 0, tzinfo=UTC)
    assert new_year_eve.astimezone(WIB).year == 2031
    assert await _open(app, CaseKind.COMPLAINT, at=new_year_eve) == "LPR-2031-00001"


async def test_concurrent_allocation_never_repeats(app: FastAPI) -> None:
    numbers = await asyncio.gather(*(_open(app, CaseKind.BILLING) for _ in range(40)))
    assert len(set(numbers)) == 40
    serials = sorted(int(number.rsplit("-", 1)[1]) for number in numbers)
    assert serials == list(range(serials[0], serials[0] + 40))  # no gaps either


async def test_allocation_rolls_back_with_its_transaction(app: FastAPI) -> None:
    async with app.state.sessionmaker() as session:
        await allocate_case_number(session, CaseKind.SKCK, 2040)
        await session.rollback()
    async with app.state.sessionmaker() as session:
        assert await allocate_case_number(session, CaseKind.SKCK, 2040) == "SKCK-2040-000001"
        await session.commit()


async def test_concurrent_applications_over_http_get_distinct_cases(client: httpx.AsyncClient) -> None:
    persona = sample("adult")
    body = {
        "type": "kk_change",
        "nik": persona["nik"],
        "birth_date": persona["birth_date"],
        "details": {"reason": "perubahan_data"},
    }
    responses = await asyncio.gather(
        *(client.post("/api/v1/population/applications", json=body) for _ in range(8))
    )
    assert [r.status_code for r in responses] == [201] * 8
    assert len({r.json()["case_number"] for r in responses}) == 8


@pytest.mark.parametrize("number", ["ADM-2026-12", "XYZ-2026-000001", "adm2026000001"])
async def test_malformed_case_number_is_422(client: httpx.AsyncClient, number: str) -> None:
    response = await client.get(f"/api/v1/cases/{number}")
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_input"


async def test_unknown_case_is_404(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/cases/LPR-2026-99999")
    assert response.status_code == 404
    assert response.json() == {
        "code": "not_found",
        "detail": "Nomor LPR-2026-99999 tidak ditemukan. Mohon periksa kembali nomornya.",
    }


async def test_case_without_tracker_is_served_as_stored(app: FastAPI, client: httpx.AsyncClient) -> None:
    number = await _open(app, CaseKind.BILLING)
    response = await client.get(f"/api/v1/cases/{number.lower()}")
    assert response.status_code == 200
    body = response.json()
    assert body["case_number"] == number and body["kind"] == "billing"
    assert [event["status"] for event in body["history"]] == ["diterima"]
    assert body["summary"] == {"label": "uji"}


async def _apply(client: httpx.AsyncClient) -> str:
    persona = sample("adult")
    response = await client.post(
        "/api/v1/population/applications",
        json={
            "type": "kk_change",
            "nik": persona["nik"],
            "birth_date": persona["birth_date"],
            "details": {"reason": "pindah"},
        },
    )
    assert response.status_code == 201, response.text
    return str(response.json()["case_number"])


async def test_application_progresses_through_its_lifecycle(app: FastAPI, client: httpx.AsyncClient) -> None:
    number = await _apply(client)
    fresh = (await client.get(f"/api/v1/cases/{number}")).json()
    assert fresh["status"] == "diterima" and fresh["status_label"] == "Permohonan diterima"
    assert fresh["kind"] == "population_application"
    assert fresh["summary"] == {"type": "kk_change", "label": "Perubahan Kartu Keluarga", "reason": "pindah"}

    # Late on the next working day: verified, not yet processed.
    next_working_day = add_working_days(datetime.now(WIB).date(), 1)
    simulators_clock(app).offset = datetime.combine(next_working_day, time(23, 59), WIB) - datetime.now(UTC)
    verified = (await client.get(f"/api/v1/cases/{number}")).json()
    assert [e["status"] for e in verified["history"]][:2] == ["diterima", "diverifikasi"]

    simulators_clock(app).offset = timedelta(days=30)
    done = (await client.get(f"/api/v1/cases/{number}")).json()
    statuses = [e["status"] for e in done["history"]]
    assert statuses in (
        ["diterima", "diverifikasi", "diproses", "selesai"],
        ["diterima", "diverifikasi", "ditolak"],
    )
    assert done["status"] == statuses[-1]
    times = [datetime.fromisoformat(e["at"]) for e in done["history"]]
    assert times == sorted(times)
    assert done["updated_at"] == done["history"][-1]["at"]

    again = (await client.get(f"/api/v1/cases/{number}")).json()
    assert again["history"] == done["history"]  # nothing recorded twice


async def test_case_is_shown_as_stored_when_the_ministry_is_down(gateway: GatewayFactory) -> None:
    async with gateway() as (_, client):
        number = await _apply(client)
    async with gateway(simulated_faults="dukcapil=error") as (app, client):
        simulators_clock(app).offset = timedelta(days=30)
        response = await client.get(f"/api/v1/cases/{number}")
    assert response.status_code == 200
    assert response.json()["status"] == "diterima"


async def test_normalize_case_number() -> None:
    assert normalize_case_number(" skck-2026-000123 ") == "SKCK-2026-000123"
    assert normalize_case_number("LPR-2026-00042") == "LPR-2026-00042"
    assert normalize_case_number("BIL-2026-1000000") == "BIL-2026-1000000"  # past a million, one digit more
    assert normalize_case_number("BIL-2026-00012") is None  # five digits are LAPOR!'s only
    assert normalize_case_number("ADM-26-000001") is None
