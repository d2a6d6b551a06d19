"""The supervisor's analytics dashboard in the console: /console/api/supervisor/analytics
(JSON, CSV export, options) and the marking of unanswered questions as NLU candidates
(docs/analytics.md). Supervisors only (403 for agents, 401 without a session).
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from fastapi import APIRouter, HTTPException, Query, Request, Response, status
from pydantic import BaseModel, Field

from api.analytics import candidates
from api.analytics.dashboard import ASSIST_CHANNEL, MAX_DAYS, Dashboard, Filters, build
from api.analytics.salt import analytics_salt
from api.analytics.services import SERVICES
from api.analytics.tracker_source import TrackerSource, uses_tracker
from api.callcenter.auth import Supervisor
from api.callcenter.service import CallCenterDep
from api.callcenter.teams import TEAMS
from api.core.config import Settings, SettingsDep
from api.db import SessionDep
from api.models import Conversation, utcnow

router = APIRouter(prefix="/supervisor/analytics")

DEFAULT_DAYS = 30
BAD_RANGE = "Rentang tanggal tidak valid: tanggal awal harus sebelum tanggal akhir, paling lama 366 hari."
BAD_CHANNEL = "Kanal tidak dikenal."
BAD_SERVICE = "Layanan tidak dikenal."
UNKNOWN_INTENT = "Intent tidak dikenal."
UNKNOWN_QUESTION = "Pertanyaan tidak ditemukan di data pertanyaan yang belum terjawab."
_CHANNEL = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
# Channel names as the dashboard shows them.
CHANNEL_NAMES = {"web": "Web", "widget": "Widget", "telegram": "Telegram", "whatsapp": "WhatsApp"}
REASON_NAMES = {
    "citizen_request": "Permintaan warga",
    "repeated_miss": "Asisten tidak paham berulang kali",
    "escalation": "Eskalasi",
    "undelivered": "Pesan tidak terkirim",
    "bot_unavailable": "Asisten tidak tersedia",
}


def _filters(
    zone: ZoneInfo, start: date | None, end: date | None, channel: str | None, service: str | None
) -> Filters:
    """The query's filters, or 422 in Indonesian."""
    today = utcnow().astimezone(zone).date()
    end = end or today
    start = start or end - timedelta(days=DEFAULT_DAYS - 1)
    if start > end or (end - start).days >= MAX_DAYS:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, BAD_RANGE)
    if channel and not _CHANNEL.match(channel):
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, BAD_CHANNEL)
    if service and service not in SERVICES:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, BAD_SERVICE)
    return Filters(start=start, end=end, zone=zone, channel=channel or None, service=service or None)


async def _dashboard(
    request: Request, session: SessionDep, settings: Settings, filters: Filters
) -> Dashboard:
    salt = analytics_salt(settings)
    if uses_tracker(settings):
        state = request.app.state
        source: TrackerSource | None = getattr(state, "analytics_tracker", None)
        if source is None:
            source = state.analytics_tracker = TrackerSource(settings.tracker_database_url, salt)
        await source.catch_up(session)
    return await build(session, filters, salt)


@router.get("")
async def dashboard(
    supervisor: Supervisor,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    callcenter: CallCenterDep,
    start: date | None = None,
    end: date | None = None,
    channel: Annotated[str | None, Query(max_length=32)] = None,
    service: Annotated[str | None, Query(max_length=32)] = None,
) -> Dashboard:
    """The figures of a date range (local days, both included; default the last 30 days),
    optionally of one channel and one service."""
    filters = _filters(callcenter.hours.zone, start, end, channel, service)
    return await _dashboard(request, session, settings, filters)


@router.get("/export.csv", response_class=Response, responses={200: {"content": {"text/csv": {}}}})
async def export_csv(
    supervisor: Supervisor,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    callcenter: CallCenterDep,
    start: date | None = None,
    end: date | None = None,
    channel: Annotated[str | None, Query(max_length=32)] = None,
    service: Annotated[str | None, Query(max_length=32)] = None,
) -> Response:
    """The same figures as CSV (one row per figure: section, day, key, value)."""
    filters = _filters(callcenter.hours.zone, start, end, channel, service)
    board = await _dashboard(request, session, settings, filters)
    name = f"analitik-{filters.start.isoformat()}-{filters.end.isoformat()}.csv"
    return Response(
        to_csv(board),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"},
    )


def _cell(value: object) -> str:
    """A CSV cell a spreadsheet does not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def to_csv(board: Dashboard) -> str:
    buffer = io.StringIO()
    out = csv.writer(buffer, lineterminator="\r\n")
    out.writerow(["bagian", "tanggal", "kunci", "nilai"])
    for section, series in (("percakapan_per_kanal", board.conversations_by_channel),
                            ("percakapan_per_layanan", board.conversations_by_service)):  # fmt: skip
        for key, counts in series.items():
            for day, count in zip(board.days, counts, strict=True):
                out.writerow([section, day.isoformat(), key, count])
    for key, value in board.totals.model_dump().items():
        out.writerow(["ringkasan", "", key, value])
    for reason, count in board.handoffs_by_reason.items():
        out.writerow(["alih_ke_petugas_per_alasan", "", reason, count])
    for name, durations in (("waktu_tunggu", board.wait), ("waktu_penanganan", board.handling)):
        for key, value in durations.model_dump().items():
            out.writerow([name, "", key, value])
    for team in board.satisfaction:
        out.writerow(["kepuasan_rata_rata", "", team.team, team.average])
        out.writerow(["kepuasan_jumlah_jawaban", "", team.team, team.responses])
    for group in board.unanswered:
        out.writerow(["pertanyaan_belum_terjawab", "", _cell(group.label), group.count])
    return buffer.getvalue()


class Option(BaseModel):
    key: str
    name: str


class Options(BaseModel):
    channels: list[Option]
    services: list[Option]
    reasons: list[Option]
    intents: list[str]


@router.get("/options")
async def options(supervisor: Supervisor, session: SessionDep) -> Options:
    """What the dashboard's filters and its "add to training data" form offer."""
    seen = await session.scalars(
        sa.select(Conversation.channel).where(Conversation.channel != ASSIST_CHANNEL).distinct()
    )
    channels = sorted(set(seen) | {"web", "telegram", "whatsapp"})
    return Options(
        channels=[Option(key=key, name=CHANNEL_NAMES.get(key, key)) for key in channels],
        services=[Option(key=key, name=TEAMS.get(key, key)) for key in SERVICES],
        reasons=[Option(key=key, name=name) for key, name in REASON_NAMES.items()],
        intents=sorted(candidates.domain_intents()),
    )


class CandidatesIn(BaseModel):
    intent: str = Field(min_length=1, max_length=128)
    texts: list[Annotated[str, Field(min_length=1, max_length=200)]] = Field(
        min_length=1, max_length=candidates.MAX_TEXTS
    )


class CandidatesOut(BaseModel):
    added: int


@router.post("/candidates", status_code=status.HTTP_201_CREATED)
async def mark_candidates(body: CandidatesIn, supervisor: Supervisor, session: SessionDep) -> CandidatesOut:
    """Mark a group's questions "add to training data" with `intent`: candidates for review
    (`make nlu-candidates`), never training data by themselves."""
    try:
        added = await candidates.mark(session, body.intent, body.texts, supervisor.id)
    except candidates.UnknownIntent:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, UNKNOWN_INTENT) from None
    except candidates.UnknownQuestion:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, UNKNOWN_QUESTION) from None
    return CandidatesOut(added=added)
