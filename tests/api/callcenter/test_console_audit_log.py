"""The supervisor's audit log (docs/call-center.md#the-audit-log): paged, filtered by agent,
citizen, service and date, rows in Indonesian, exported as CSV by supervisors only, and the
export itself audited. SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import timedelta
from zoneinfo import ZoneInfo

import httpx
from fastapi import FastAPI
from sqlalchemy import select

from api.callcenter import audit_log
from api.callcenter.access import citizen_hash
from api.models import Agent, AuditEntry, utcnow
from tests.api.callcenter.support import add_agent, console

Center = tuple[FastAPI, httpx.AsyncClient]
JAKARTA = ZoneInfo("Asia/Jakarta")
ENTRIES = "/console/api/supervisor/audit/entries"
EXPORT = "/console/api/supervisor/audit/export"


async def _log(app: FastAPI, agent: Agent, nik: str, **values: object) -> None:
    """An assisted caller's look-up, as api/callcenter/access.py writes it."""
    async with app.state.sessionmaker() as session:
        session.add(
            AuditEntry(
                at=values.pop("at", utcnow()), agent_id=agent.id, action="service_lookup",
                citizen=citizen_hash(nik), service=values.pop("service", "health"),
                target=values.pop("target", "POST /api/v1/health/bpjs/membership"),
                reason=values.pop("reason", "Penelepon menanyakan kepesertaan"),
                outcome=values.pop("outcome", "ok"),
            )
        )  # fmt: skip
        await session.commit()


def test_rows_read_in_indonesian() -> None:
    entry = AuditEntry(
        id=1, at=utcnow(), agent_id=1, action="view_identity", citizen="ab" * 16, service="console",
        target="handoff 12", reason="hand-off 12 (citizen_request)", outcome="ok",
    )  # fmt: skip
    shown = audit_log.row(entry, "Sari")
    assert (shown.action, shown.service, shown.target, shown.reason, shown.outcome, shown.citizen) == (
        "Melihat identitas warga", "Konsol petugas", "Percakapan #12", "Percakapan #12 (Permintaan warga)",
        "Berhasil", "ABABABAB",
    )  # fmt: skip
    lookup = AuditEntry(
        id=2, at=utcnow(), agent_id=None, action="bot_lookup", citizen=None, service="health",
        target="POST /api/v1/health/bpjs/membership", reason="citizen_chat", outcome="identity_mismatch",
    )  # fmt: skip
    shown = audit_log.row(lookup, None)
    assert (shown.agent, shown.service, shown.target, shown.outcome) == (
        "Asisten Warga", "Kesehatan", "Kepesertaan BPJS Kesehatan", "Data tidak cocok",
    )  # fmt: skip
    odd = AuditEntry(
        id=3, at=utcnow(), action="service_lookup", service="satudata", target="GET /x", reason="r",
        outcome="timeout",
    )  # fmt: skip
    assert audit_log.row(odd, "A").target == "Data layanan Satu Data Indonesia"
    assert audit_log.row(odd, "A").outcome == "Tidak berhasil"


async def test_the_log_pages_and_filters(center: Center) -> None:
    app, _ = center
    rina, budi = await add_agent(app, name="Rina"), await add_agent(app, name="Budi")
    nik, other = (
        "3174" + uuid.uuid4().hex[:12].translate(str.maketrans("abcdef", "123456")),
        "3174019999990001",
    )
    for _ in range(audit_log.PAGE_SIZE + 3):
        await _log(app, rina, nik)
    await _log(app, budi, other, service="social", target="POST /api/v1/social/recipients/by-nik")
    await _log(app, budi, nik, at=utcnow() - timedelta(days=10))
    supervisor = await add_agent(app, role="supervisor")
    async with console(app, supervisor) as desk:

        async def page(**params: object) -> dict:
            response = await desk.post(ENTRIES, json=params)
            assert response.status_code == 200, response.text
            return response.json()

        mine = await page(agent_id=rina.id)
        assert mine["total"] == audit_log.PAGE_SIZE + 3 and mine["pages"] == 2
        assert len(mine["items"]) == audit_log.PAGE_SIZE
        second = await page(agent_id=rina.id, page=2)
        assert len(second["items"]) == 3
        assert not {i["id"] for i in mine["items"]} & {i["id"] for i in second["items"]}
        assert (await page(agent_id=rina.id, page=99))["page"] == 2  # past the end: the last page

        about = await page(citizen=f" {nik} ")
        assert about["total"] == audit_log.PAGE_SIZE + 4
        assert {item["agent"] for item in about["items"]} == {"Rina", "Budi"}
        social = await page(service="social", agent_id=budi.id)
        assert [(i["service"], i["target"]) for i in social["items"]] == [
            ("Bantuan sosial", "Penerima bantuan sosial")
        ]
        today = utcnow().astimezone(JAKARTA).date()
        recent = await page(agent_id=budi.id, date_from=(today - timedelta(days=1)).isoformat())
        assert recent["total"] == 1
        earlier = (today - timedelta(days=10)).isoformat()
        assert (await page(agent_id=budi.id, date_from=earlier, date_to=earlier))["total"] == 1
        # Rows in Indonesian: no raw services, endpoints or codes.
        for item in mine["items"] + social["items"]:
            shown = " ".join(str(value) for value in item.values())
            assert "/api/" not in shown and "health" not in shown and "console" not in shown
            assert nik not in shown

        for params, detail in (
            ({"service": "rahasia"}, "Layanan tidak dikenal."),
            (
                {"date_from": today.isoformat(), "date_to": earlier},
                "Tanggal akhir tidak boleh sebelum tanggal awal.",
            ),
        ):
            response = await desk.post(ENTRIES, json=params)
            assert response.status_code == 422 and response.json()["detail"] == detail
        for params in (
            {"page": 0},
            {"agent_id": "x"},
            {"citizen": "9" * 33},
            {"date_to": "kemarin"},
            {"citizen": 5},
        ):
            assert (await desk.post(ENTRIES, json=params)).status_code == 422
        filters = (await desk.get("/console/api/supervisor/audit/filters")).json()
        assert {"id": rina.id, "display_name": "Rina"} in filters["agents"]
        assert {"key": "health", "name": "Kesehatan"} in filters["services"]


async def test_supervisors_export_csv_and_the_export_is_audited(center: Center) -> None:
    app, _ = center
    agent = await add_agent(app, name="Sinta")
    nik = "3174" + str(uuid.uuid4().int)[:12]
    await _log(app, agent, nik, reason='=HYPERLINK("http://contoh.test")')
    await _log(app, agent, nik, reason='Penelepon, "cek" data; ibu kandung')
    supervisor = await add_agent(app, role="supervisor", name="Kepala")
    async with console(app, agent) as desk:  # an agent: neither the log nor its export
        for method, path in (("POST", "entries"), ("POST", "export"), ("GET", "filters")):
            refused = await desk.request(method, f"/console/api/supervisor/audit/{path}", json={})
            assert (
                refused.status_code == 403
                and refused.json()["detail"] == "Halaman ini hanya untuk supervisor."
            )
    async with console(app, supervisor) as desk:
        response = await desk.post(EXPORT, json={"agent_id": agent.id})
        assert (await desk.post(EXPORT, json={"service": "x"})).status_code == 422
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert response.headers["content-disposition"].startswith('attachment; filename="log-audit-')
    rows = list(csv.reader(io.StringIO(response.text.lstrip("\ufeff"))))
    assert rows[0] == list(audit_log.CSV_HEADER)
    assert [row[1] for row in rows[1:]] == ["Sinta", "Sinta"]
    reasons = [row[6] for row in rows[1:]]
    assert reasons == ['Penelepon, "cek" data; ibu kandung', '\'=HYPERLINK("http://contoh.test")']
    assert rows[1][2] == "Cek data layanan untuk penelepon" and rows[1][4] == "Kesehatan"
    assert nik not in response.text
    async with app.state.sessionmaker() as session:
        exports = list(
            await session.scalars(
                select(AuditEntry).where(
                    AuditEntry.agent_id == supervisor.id, AuditEntry.action == "export_audit"
                )
            )
        )
    assert [(e.service, e.target) for e in exports] == [("console", "export")]
