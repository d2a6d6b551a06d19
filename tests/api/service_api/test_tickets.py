"""Following a call-center ticket by its number: GET /tickets/{case_number}."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from api.cases import get_case, open_case, record_statuses
from api.models import CaseKind, utcnow

pytestmark = pytest.mark.asyncio


async def _ticket(app: FastAPI, kind: str = "ticket") -> str:
    async with app.state.sessionmaker() as session:
        case = await open_case(
            session, CaseKind.CONTACT_REQUEST, status=kind, summary={"type": kind, "team": "general"}
        )
        return case.case_number


async def test_a_waiting_ticket_with_the_call_centers_hours(app: FastAPI, client: httpx.AsyncClient) -> None:
    number = await _ticket(app)
    response = await client.get(f"/api/v1/tickets/{number.lower()}")
    assert response.status_code == 200
    body = response.json()
    assert body["case_number"] == number and body["type"] == "ticket" and body["status"] == "ticket"
    assert body["status_label"] == "Menunggu tindak lanjut petugas"
    assert body["hours"] == "Senin–Jumat 08.00–16.00 WIB"  # the default AW_CALL_CENTER_HOURS
    assert isinstance(body["open_now"], bool)
    assert "callback_phone" not in body and "conversation_id" not in body


async def test_a_ticket_an_officer_took_then_closed(app: FastAPI, client: httpx.AsyncClient) -> None:
    number = await _ticket(app, "callback")
    async with app.state.sessionmaker() as session:
        case = await get_case(session, number)
        assert case is not None
        record_statuses(case, [("in_progress", utcnow())])
        await session.commit()
    taken = (await client.get(f"/api/v1/tickets/{number}")).json()
    assert (taken["type"], taken["status"], taken["status_label"]) == (
        "callback",
        "in_progress",
        "Sedang ditangani petugas",
    )
    async with app.state.sessionmaker() as session:
        case = await get_case(session, number)
        assert case is not None
        record_statuses(case, [("closed", utcnow())])
        await session.commit()
    closed = (await client.get(f"/api/v1/tickets/{number}")).json()
    assert (closed["status"], closed["status_label"]) == ("closed", "Selesai")


async def test_another_kind_of_case_is_not_a_ticket(app: FastAPI, client: httpx.AsyncClient) -> None:
    async with app.state.sessionmaker() as session:
        complaint = await open_case(session, CaseKind.COMPLAINT, status="diterima")
    response = await client.get(f"/api/v1/tickets/{complaint.case_number}")
    assert response.status_code == 422 and response.json()["code"] == "invalid_input"


async def test_unknown_ticket_is_404(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/tickets/TKT-2026-999999")
    assert response.status_code == 404
    detail = response.json()["detail"]
    assert detail == "Tiket TKT-2026-999999 tidak ditemukan. Mohon periksa kembali nomornya."
