"""Complaints (LAPOR! SP4N): filing, the lifecycle in working days, following by number."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

import httpx
from fastapi import FastAPI

from api.cases import WIB
from api.working_days import add_working_days, is_working_day, working_days_between
from simulators.lapor import lifecycle, seeded_reports
from tests.api.service_api.simulated_time import advance_clock, pin_clock, simulated_today
from tests.api.support import GatewayFactory

API = "/api/v1/complaints"
REPORT = {
    "category": "infrastruktur",
    "location": "Jl. Merdeka dekat SDN 2, Kota Bandung",
    "description": "Jalan berlubang besar sejak dua minggu dan membahayakan pengendara motor.",
}
NORMAL_PATH = ["diterima", "terverifikasi", "diteruskan", "ditindaklanjuti", "selesai"]
CLOSED_AT_VERIFICATION = ({"diterima", "bukan_kewenangan"}, {"diterima", "diarsipkan"})


def test_every_lifecycle_keeps_the_sp4n_deadlines() -> None:
    """Verification within 3 working days of filing; follow-up within 5 working days of the
    report being passed on; every stage after the first on a working day, in order."""
    filed = datetime(2026, 12, 23, 15, 30, tzinfo=WIB)  # just before Christmas and New Year
    outcomes = set()
    for number in range(300):
        steps = lifecycle(str(1_000_000 + number), filed)
        statuses = [step.status for step in steps]
        outcomes.add(statuses[-1])
        times = [step.at for step in steps]
        assert times == sorted(times)
        assert all(is_working_day(step.at.astimezone(WIB).date()) for step in steps[1:])
        verified = steps[1].at.astimezone(WIB).date()
        assert 1 <= working_days_between(filed.date(), verified) <= 3
        if len(steps) == 5:
            passed_on = steps[2].at.astimezone(WIB).date()
            followed = steps[3].at.astimezone(WIB).date()
            assert 1 <= working_days_between(passed_on, followed) <= 5
    assert outcomes == {"Selesai", "Bukan Kewenangan", "Diarsipkan"}


async def test_categories(client: httpx.AsyncClient) -> None:
    response = await client.get(f"{API}/categories")
    assert response.status_code == 200
    items = {item["key"]: item["label"] for item in response.json()["items"]}
    assert items["infrastruktur"] == "Infrastruktur dan Jalan"
    assert {"kesehatan", "pendidikan", "pungli", "lainnya"} <= set(items)


async def test_filing_gives_a_case_number_and_working_day_deadlines(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    filed_on = date(2026, 12, 24)  # Thursday before Christmas
    pin_clock(app, filed_on)
    response = await client.post(API, json=REPORT)
    assert response.status_code == 201, response.text
    created = response.json()
    assert re.fullmatch(r"LPR-2026-\d{5}", created["case_number"])
    assert re.fullmatch(r"\d{7}", created["tracking_id"])
    assert created["status"] == "diterima"
    # 24 Dec + 3 working days, skipping Christmas (Fri) and the weekend: 28, 29, 30 Dec.
    assert created["verify_by"] == "2026-12-30"
    # + 5 working days, skipping New Year's Day (Fri), the weekend and Isra Mi'raj (Tue 5 Jan):
    # 31 Dec, 4, 6, 7, 8 Jan.
    assert created["follow_up_by"] == "2027-01-08"
    assert created["follow_up_by"] == add_working_days(date(2026, 12, 30), 5).isoformat()
    assert created["legal_basis"] == "Perpres 76/2013"  # 62/2018 as the days' source is unconfirmed


async def test_a_complaint_moves_through_its_lifecycle(app: FastAPI, client: httpx.AsyncClient) -> None:
    pin_clock(app, date(2026, 11, 2), time(9, 0))
    created = (await client.post(API, json={**REPORT, "nik": None})).json()
    number = created["case_number"]
    seen: list[str] = []
    for _ in range(40):  # forty days on, one day at a time
        followed = (await client.get(f"{API}/{number}")).json()
        if not seen or seen[-1] != followed["status"]:
            seen.append(followed["status"])
        advance_clock(app, timedelta(days=1))
    final = (await client.get(f"{API}/{number.lower()}")).json()
    assert final["case_number"] == number and final["category"] == "infrastruktur"
    history = [event["status"] for event in final["history"]]
    assert history == NORMAL_PATH or set(history) in CLOSED_AT_VERIFICATION
    # Seen once a day, the status only ever moves forward along the history.
    assert seen[0] == "diterima" and seen[-1] == history[-1]
    assert [status for status in history if status in seen] == seen
    verified_on = datetime.fromisoformat(final["history"][1]["at"]).astimezone(WIB).date()
    assert verified_on <= date.fromisoformat(final["verify_by"])
    if final["status"] == "selesai":
        assert final["agency"] == "Dinas Pekerjaan Umum dan Penataan Ruang"
        followed_on = datetime.fromisoformat(final["history"][3]["at"]).astimezone(WIB).date()
        assert followed_on <= date.fromisoformat(final["follow_up_by"])
    else:
        assert final["follow_up_by"] is None

    case = (await client.get(f"/api/v1/cases/{number}")).json()
    assert case["kind"] == "complaint" and case["status"] == final["status"]
    assert [event["status"] for event in case["history"]] == history


async def test_reports_filed_on_lapor_go_id_by_tracking_number(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    pin_clock(app)
    reports = seeded_reports(simulated_today(app))
    statuses = set()
    for tracking_id in reports:
        response = await client.get(f"{API}/{tracking_id}")
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["case_number"] is None and body["tracking_id"] == tracking_id
        statuses.add(body["status"])
    # The seeded reports show the lifecycle's stages side by side.
    assert {"diterima", "selesai"} <= statuses and len(statuses) >= 4


async def test_complaint_input_errors(client: httpx.AsyncClient) -> None:
    unknown = await client.post(API, json={**REPORT, "category": "cuaca"})
    assert unknown.status_code == 422 and "infrastruktur" in unknown.json()["detail"]
    short = await client.post(API, json={**REPORT, "description": "jalan rusak"})
    assert short.status_code == 422 and "terlalu singkat" in short.json()["detail"]
    bad_nik = await client.post(API, json={**REPORT, "nik": "1234"})
    assert bad_nik.status_code == 422 and "NIK" in bad_nik.json()["detail"]
    malformed = await client.get(f"{API}/ADM-2026-000001")
    assert malformed.status_code == 422 and malformed.json()["code"] == "invalid_input"
    missing = await client.get(f"{API}/LPR-2026-99999")
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"
    unknown_tracking = next(
        str(n) for n in range(1_000_000, 1_000_100) if str(n) not in seeded_reports(date.today())
    )
    assert (await client.get(f"{API}/{unknown_tracking}")).status_code == 404


async def test_lapor_timeout(gateway: GatewayFactory) -> None:
    async with gateway(simulated_faults="lapor=timeout", ministry_timeout_seconds=0.3) as (_, client):
        response = await client.post(API, json=REPORT)
        assert response.status_code == 504 and response.json()["code"] == "ministry_timeout"
