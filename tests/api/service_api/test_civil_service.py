"""Civil service (SSCASN): the CPNS selection, and results behind participant number + birth date."""

from __future__ import annotations

from datetime import date

import httpx

from api.identifiers import mask_name
from simulators.seed import sample
from simulators.seed.casn import PASSING_GRADES, participants
from tests.api.support import GatewayFactory

API = "/api/v1/civil-service"


async def test_selection_says_which_year_with_its_schedule(client: httpx.AsyncClient) -> None:
    response = await client.get(f"{API}/casn")
    assert response.status_code == 200
    body = response.json()
    assert body["year"] == 2024
    assert any("35 tahun" in requirement for requirement in body["requirements"])
    schedule = {stage["stage"]: stage for stage in body["schedule"]}
    assert schedule["Pendaftaran"] == {"stage": "Pendaftaran", "start": "2024-08-20", "end": "2024-09-10"}
    assert schedule["Pelaksanaan SKD"]["start"] == "2024-10-16"
    starts = [date.fromisoformat(stage["start"]) for stage in body["schedule"]]
    assert starts == sorted(starts)
    assert all(stage["start"] <= stage["end"] for stage in body["schedule"])
    assert "2024" in body["schedule_note"] and "sscasn.bkn.go.id" in body["schedule_note"]
    assert "UU 20/2023" in body["legal_basis"]


async def test_results_of_a_participant_who_passed(client: httpx.AsyncClient) -> None:
    persona = sample("casn_passed")
    body = {"participant_number": persona["participant_number"], "birth_date": persona["birth_date"]}
    response = await client.post(f"{API}/results", json=body)
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["final"] == "lulus"
    assert result["name"] == mask_name(persona["name"])
    assert result["position"] == persona["position"]
    skd = [stage for stage in result["stages"] if stage["stage"].startswith("SKD")]
    assert [stage["passing_grade"] for stage in skd] == list(PASSING_GRADES.values())
    assert all(stage["passed"] and stage["score"] >= stage["passing_grade"] for stage in skd)
    skb = result["stages"][-1]
    assert skb["stage"].startswith("SKB") and skb["passing_grade"] is None and skb["passed"] is True


async def test_results_of_a_participant_who_failed_the_skd(client: httpx.AsyncClient) -> None:
    participant = next(p for p in participants().values() if not p.passed_skd)
    body = {
        "participant_number": participant.number,
        "birth_date": participant.citizen.birth_date.isoformat(),
    }
    result = (await client.post(f"{API}/results", json=body)).json()
    assert result["final"] == "tidak_lulus"
    assert len(result["stages"]) == 3  # no SKB without passing the SKD
    failed = [stage for stage in result["stages"] if not stage["passed"]]
    assert failed and all(stage["score"] < stage["passing_grade"] for stage in failed)


async def test_results_need_the_right_birth_date(client: httpx.AsyncClient) -> None:
    persona = sample("casn_failed")
    wrong = await client.post(
        f"{API}/results",
        json={"participant_number": persona["participant_number"], "birth_date": "2000-01-01"},
    )
    assert wrong.status_code == 403 and wrong.json()["code"] == "identity_unverified"  # uniform
    assert persona["name"].split()[0].upper() not in wrong.text.upper()
    missing = await client.post(
        f"{API}/results",
        json={"participant_number": "99999999999999999", "birth_date": persona["birth_date"]},
    )
    assert (missing.status_code, missing.text) == (wrong.status_code, wrong.text)  # no enumeration
    malformed = await client.post(
        f"{API}/results", json={"participant_number": "ABC", "birth_date": "2000-01-01"}
    )
    assert malformed.status_code == 422 and "Nomor peserta" in malformed.json()["detail"]


async def test_bkn_timeout(gateway: GatewayFactory) -> None:
    async with gateway(simulated_faults="bkn=timeout", ministry_timeout_seconds=0.3) as (_, client):
        response = await client.get(f"{API}/casn")
        assert response.status_code == 504 and response.json()["code"] == "ministry_timeout"
