"""The audit log as supervisors read it: filtered by agent, citizen, service and date, a page
at a time or whole as CSV, each row in Indonesian; and the console's own entries (a search, a
preview, a past conversation opened, an export), written here
(docs/call-center.md#the-audit-log).

The log keeps a keyed hash of the citizen's identifier (api/callcenter/access.py
`citizen_hash`); a supervisor filters by the identifier as typed, which is hashed the same way.
Rows show the hash's first 8 digits as the citizen's code: the same citizen, the same code.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from pydantic import BaseModel
from sqlalchemy import ColumnElement, Select, false, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.callcenter.access import citizen_hash
from api.callcenter.lookup_keys import phone_e164
from api.callcenter.teams import TEAMS
from api.models import Agent, AuditEntry, utcnow

PAGE_SIZE = 50
# The most rows one export holds; a supervisor narrows the dates for more.
EXPORT_LIMIT = 50_000
_EXPORT_CHUNK = 1000
# What the console writes in `service` for its own entries.
CONSOLE = "console"

ACTIONS: dict[str, str] = {
    "service_lookup": "Cek data layanan untuk penelepon",
    "view_identity": "Melihat identitas warga",
    "bot_lookup": "Cek data oleh Asisten Warga",
    "preview": "Melihat pratinjau percakapan antrean",
    "search_history": "Mencari riwayat percakapan",
    "view_history": "Membuka riwayat percakapan",
    "export_audit": "Mengunduh log audit",
}
# The service API's areas (`/api/v1/<area>/...`) and the console.
SERVICES: dict[str, str] = {
    CONSOLE: "Konsol petugas",
    "health": "Kesehatan",
    "education": "Pendidikan",
    "social": "Bantuan sosial",
    "population": "Kependudukan",
    "identity": "Verifikasi identitas",
    "payments": "Pembayaran",
    "police": "Kepolisian",
    "civil-service": "Kepegawaian",
    "complaints": "Pengaduan",
    "cases": "Status kasus",
    "tickets": "Tiket",
    "privacy": "Privasi data",
    "satudata": "Satu Data Indonesia",
    "regions": "Wilayah",
}
OUTCOMES: dict[str, str] = {
    "ok": "Berhasil",
    "not_found": "Data tidak ditemukan",
    "identity_mismatch": "Data tidak cocok",
    "identity_unverified": "Identitas belum diverifikasi",
    "invalid_input": "Data tidak valid",
    "unavailable": "Layanan tidak tersedia",
}
_FAILED = "Tidak berhasil"
# What a service-API call looked up, by its path: the first match names it.
_TARGETS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), label)
    for pattern, label in (
        (r"/health/bpjs/membership$", "Kepesertaan BPJS Kesehatan"),
        (r"/health/immunizations$", "Riwayat imunisasi (SATUSEHAT)"),
        (r"/health/facilities$", "Fasilitas kesehatan"),
        (r"/social/recipients", "Penerima bantuan sosial"),
        (r"/population/verify$", "Pencocokan NIK dan tanggal lahir"),
        (r"/population/applications$", "Permohonan dokumen kependudukan"),
        (r"/education/pip$", "Penerima PIP"),
        (r"/education/kip-kuliah/registration$", "Pendaftaran KIP Kuliah"),
        (r"/police/sim$", "Data SIM"),
        (r"/police/skck$", "Permohonan SKCK"),
        (r"/payments/vehicle-tax/[^/]+/billing$", "Kode bayar pajak kendaraan"),
        (r"/payments/vehicle-tax/", "Pajak kendaraan"),
        (r"/payments/billings", "Tagihan PNBP"),
        (r"/civil-service/results$", "Hasil seleksi CASN"),
        (r"/complaints", "Pengaduan LAPOR!"),
        (r"/(cases|tickets)/", "Status kasus"),
        (r"/identity/otp", "Kode verifikasi (OTP)"),
        (r"/privacy/access-log$", "Riwayat akses data"),
        (r"/privacy/erasure$", "Penghapusan data"),
    )
)
_CONSOLE_TARGETS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^handoff (\d+)$"), "Percakapan #{0}"),
    (re.compile(r"^conversation ([0-9a-f-]{36})$"), "Percakapan {0:.8}"),
    (re.compile(r"^search (case|phone|nik)$"), "Pencarian menurut {0}"),
    (re.compile(r"^search$"), "Pencarian menurut tanggal, tim atau hasil"),
    (re.compile(r"^export$"), "Berkas CSV"),
)
_SEARCH_KINDS = {"case": "nomor tiket/kasus", "phone": "nomor telepon", "nik": "NIK"}
_REASONS: dict[str, str] = {
    "citizen_chat": "Percakapan warga dengan Asisten Warga",
    "citizen_request": "Permintaan warga",
    "repeated_miss": "Bot tidak memahami",
    "escalation": "Eskalasi",
    "undelivered": "Pesan tidak terkirim",
    "bot_unavailable": "Bot tidak dapat menjawab",
}
_HANDOFF_REASON = re.compile(r"^hand-off (\d+) \((\w+)\)$")


class AuditRow(BaseModel):
    id: int
    at: datetime
    agent: str
    action: str
    citizen: str | None  # the first 8 digits of the keyed hash
    service: str
    target: str
    reason: str
    outcome: str


class AuditPage(BaseModel):
    items: list[AuditRow]
    total: int
    page: int
    pages: int
    page_size: int


@dataclass(frozen=True)
class AuditFilter:
    agent_id: int | None = None
    citizen: str | None = None  # an identifier as typed (NIK, card number, phone, case number)
    service: str | None = None
    date_from: date | None = None
    date_to: date | None = None


# --- Rows in Indonesian ------------------------------------------------------------------------


def target_label(service: str, target: str | None) -> str:
    if not target:
        return "—"
    if service == CONSOLE:
        for pattern, label in _CONSOLE_TARGETS:
            found = pattern.match(target)
            if found:
                value = found.group(1) if found.groups() else ""
                return label.format(_SEARCH_KINDS.get(value, value))
        return "Konsol petugas"
    path = target.split(" ", 1)[-1]
    for pattern, label in _TARGETS:
        if pattern.search(path):
            return label
    return f"Data layanan {SERVICES.get(service, service)}"


def reason_label(reason: str) -> str:
    found = _HANDOFF_REASON.match(reason)
    if found:
        number, why = found.groups()
        return f"Percakapan #{number} ({_REASONS.get(why, why)})"
    return _REASONS.get(reason, reason)


def row(entry: AuditEntry, agent_name: str | None) -> AuditRow:
    return AuditRow(
        id=entry.id,
        at=entry.at,
        agent=agent_name or "Asisten Warga",
        action=ACTIONS.get(entry.action, entry.action),
        citizen=entry.citizen[:8].upper() if entry.citizen else None,
        service=SERVICES.get(entry.service, TEAMS.get(entry.service, entry.service)),
        target=target_label(entry.service, entry.target),
        reason=reason_label(entry.reason),
        outcome=OUTCOMES.get(entry.outcome, _FAILED),
    )


# --- Reading ----------------------------------------------------------------------------------------


def _citizen_hashes(typed: str) -> list[str]:
    """The keyed hashes an identifier may have been logged under: as typed (NFKC), without
    separators, in capitals, and a phone number as E.164."""
    text = unicodedata.normalize("NFKC", typed).strip()
    forms = {text, re.sub(r"[\s.\-]", "", text), text.upper()}
    phone = phone_e164(text)
    if phone:
        forms.add(phone)
    return [hashed for hashed in (citizen_hash(form) for form in forms if form) if hashed]


def conditions(audit: AuditFilter, zone: tzinfo) -> list[ColumnElement[bool]]:
    found: list[ColumnElement[bool]] = []
    if audit.agent_id is not None:
        found.append(AuditEntry.agent_id == audit.agent_id)
    if audit.citizen:
        found.append(AuditEntry.citizen.in_(_citizen_hashes(audit.citizen)))
    if audit.service is not None:
        found.append(AuditEntry.service == audit.service)
    if audit.date_from is not None:
        found.append(AuditEntry.at >= datetime.combine(audit.date_from, time.min, zone))
    if audit.date_to is not None:
        found.append(AuditEntry.at < datetime.combine(audit.date_to + timedelta(days=1), time.min, zone))
    if audit.date_from and audit.date_to and audit.date_to < audit.date_from:
        found.append(false())
    return found


def _query(where: list[ColumnElement[bool]]) -> Select[AuditEntry, str]:
    return (
        select(AuditEntry, Agent.display_name)
        .outerjoin(Agent, Agent.id == AuditEntry.agent_id)
        .where(*where)
        .order_by(AuditEntry.id.desc())
    )


async def page(session: AsyncSession, audit: AuditFilter, number: int, zone: tzinfo) -> AuditPage:
    """One page of the entries matching `audit`, newest first."""
    where = conditions(audit, zone)
    total = int(await session.scalar(select(func.count()).select_from(AuditEntry).where(*where)) or 0)
    pages = max(1, -(-total // PAGE_SIZE))
    number = min(number, pages)
    rows = await session.execute(_query(where).offset((number - 1) * PAGE_SIZE).limit(PAGE_SIZE))
    return AuditPage(
        items=[row(entry, name) for entry, name in rows],
        total=total,
        page=number,
        pages=pages,
        page_size=PAGE_SIZE,
    )


# --- CSV ------------------------------------------------------------------------------------------------

CSV_HEADER = ("Waktu", "Petugas", "Tindakan", "Kode warga", "Layanan", "Yang diakses", "Alasan", "Hasil")
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: str | None) -> str:
    """A cell a spreadsheet shows as text: never a formula (an agent typed the reason)."""
    text = value or "—"
    return "'" + text if text.startswith(_FORMULA) else text


def _when(at: datetime, zone: tzinfo) -> str:
    return at.astimezone(zone).strftime("%d-%m-%Y %H:%M:%S")


async def export(session: AsyncSession, audit: AuditFilter, zone: tzinfo) -> AsyncIterator[str]:
    """The entries matching `audit` as CSV (UTF-8 with a BOM, so spreadsheets read the
    Indonesian text), newest first, at most `EXPORT_LIMIT`, read in chunks."""
    yield "\ufeff" + _line(CSV_HEADER)
    where = conditions(audit, zone)
    last_id: int | None = None
    sent = 0
    while sent < EXPORT_LIMIT:
        query = _query(where if last_id is None else [*where, AuditEntry.id < last_id])
        rows = (await session.execute(query.limit(min(_EXPORT_CHUNK, EXPORT_LIMIT - sent)))).all()
        if not rows:
            return
        lines = []
        for entry, name in rows:
            shown = row(entry, name)
            lines.append(
                _line(
                    (
                        _when(entry.at, zone),
                        shown.agent,
                        shown.action,
                        shown.citizen,
                        shown.service,
                        shown.target,
                        shown.reason,
                        shown.outcome,
                    )  # fmt: skip
                )
            )
        yield "".join(lines)
        sent += len(rows)
        last_id = rows[-1][0].id


def _line(cells: tuple[str | None, ...]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow([_cell(cell) for cell in cells])
    return buffer.getvalue()


def export_filename(today: date) -> str:
    return f"log-audit-{today.strftime('%d-%m-%Y')}.csv"


# --- The console's own entries --------------------------------------------------------------------


async def write(
    session: AsyncSession,
    agent: Agent,
    action: str,
    *,
    target: str,
    reason: str,
    citizen: str | None = None,
    conversation_id: uuid.UUID | None = None,
    once: bool = False,
) -> None:
    """One console entry (`citizen`: an identifier, hashed here); with `once`, none if this
    agent already has the same entry (a preview or a conversation reopened). Commits."""
    hashed = citizen_hash(citizen)
    if once:
        seen = await session.scalar(
            select(AuditEntry.id)
            .where(
                AuditEntry.agent_id == agent.id,
                AuditEntry.action == action,
                AuditEntry.target == target,
                AuditEntry.citizen.is_(None) if hashed is None else AuditEntry.citizen == hashed,
            )
            .limit(1)
        )
        if seen is not None:
            return
    session.add(
        AuditEntry(
            at=utcnow(), agent_id=agent.id, action=action, citizen=hashed, service=CONSOLE,
            target=target[:128], reason=reason[:255], outcome="ok", conversation_id=conversation_id,
        )
    )  # fmt: skip
    await session.commit()
