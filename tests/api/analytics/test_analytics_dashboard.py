"""The supervisor's dashboard (api/analytics/dashboard.py, api/routes/analytics.py): its counts
match the conversations the test created, no identifier reaches the analytics tables, filters
and CSV export, bad input is a clear 4xx, and marked questions become review candidates."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
import sqlalchemy as sa
import yaml
from fastapi import FastAPI

from api.analytics import candidates
from api.models import AnalyticsEvent, TrainingCandidate, UnansweredQuestion
from tests.api.analytics.seeding import (
    EMAIL,
    NIK,
    PHONE,
    Seeded,
    conversations,
    recent_day,
    seed_gateway,
    write_tracker,
)
from tests.api.callcenter.support import ALWAYS_OPEN, add_agent, console
from tests.api.support import GatewayFactory

pytestmark = pytest.mark.asyncio

URL = "/console/api/supervisor/analytics"
DAY = recent_day()


@pytest_asyncio.fixture
async def seeded(gateway: GatewayFactory, tmp_path: Path) -> AsyncIterator[tuple[FastAPI, str, list[Seeded]]]:
    """A gateway reading Rasa's events from a tracker store (the embedded default), with five
    conversations of this test's own channel in both."""
    channel = f"uji{uuid.uuid4().hex[:8]}"
    created = conversations(channel, DAY)
    tracker = tmp_path / "rasa-tracker.db"
    write_tracker(tracker, created)
    settings: dict[str, Any] = {
        **ALWAYS_OPEN,
        "tracker_database_url": f"sqlite+aiosqlite:///{tracker}",
        "analytics_source": "tracker",
    }
    async with gateway(**settings) as (app, _):
        await seed_gateway(app.state.sessionmaker, created)
        yield app, channel, created


async def _supervisor(app: FastAPI) -> Any:
    return await add_agent(app, role="supervisor")


async def test_the_counts_match_the_conversations_the_test_created(seeded):
    app, channel, created = seeded
    async with console(app, await _supervisor(app)) as desk:
        response = await desk.get(URL, params={"channel": channel})
    assert response.status_code == 200, response.text
    board = response.json()
    assert len(board["days"]) == 30
    day = board["days"].index((DAY + timedelta(hours=7)).date().isoformat())
    assert board["totals"] == {
        "conversations": 5, "contained": 3, "containment": 0.6,
        "user_messages": 7, "misses": 3, "fallback_rate": 0.4286, "handoffs": 2,
    }  # fmt: skip
    series = board["conversations_by_channel"][channel]
    assert (series[day], series[day + 1], sum(series)) == (2, 3, 5)
    by_service = board["conversations_by_service"]
    assert {key: sum(counts) for key, counts in by_service.items()} == {
        "general": 2,
        "health": 2,
        "payments": 1,
    }
    assert by_service["health"][day] == 2 and by_service["payments"][day + 1] == 1
    assert board["handoffs_by_reason"] == {"citizen_request": 1, "repeated_miss": 1}
    assert board["wait"] == {"count": 2, "average_seconds": 120.0, "p90_seconds": 180.0}
    assert board["handling"] == {"count": 1, "average_seconds": 600.0, "p90_seconds": 600.0}
    groups = board["unanswered"]
    assert [(g["count"], g["out_of_scope"]) for g in groups] == [(2, 0), (1, 1)]
    assert sorted(groups[0]["texts"]) == [
        "cara bikin paspor gimana ya, nama saya [nama] nik #", "cara bikin paspor gmn?? hp # [kontak]",
    ]  # fmt: skip
    assert groups[1]["texts"] == ["jadwal konser coldplay"]


async def test_a_service_filter_counts_its_conversations_only(seeded):
    app, channel, _ = seeded
    async with console(app, await _supervisor(app)) as desk:
        board = (await desk.get(URL, params={"channel": channel, "service": "payments"})).json()
        health = (await desk.get(URL, params={"channel": channel, "service": "health"})).json()
    assert board["totals"]["conversations"] == 1 and board["totals"]["handoffs"] == 1
    assert board["handoffs_by_reason"] == {"citizen_request": 1} and board["unanswered"] == []
    assert health["totals"]["conversations"] == 2 and health["totals"]["containment"] == 1.0
    assert health["totals"]["user_messages"] == 3 and health["totals"]["fallback_rate"] == 0.0


async def test_no_identifier_reaches_the_analytics_tables(seeded):
    app, channel, created = seeded
    async with console(app, await _supervisor(app)) as desk:
        assert (await desk.get(URL, params={"channel": channel})).status_code == 200
    async with app.state.sessionmaker() as session:
        rows = [
            dict(row._mapping)
            for table in (AnalyticsEvent, UnansweredQuestion)
            for row in await session.execute(sa.select(table.__table__).where(table.channel == channel))
        ]
    assert len(rows) == 7 + 3  # the user events of this channel, and its three misses
    cells = " | ".join(str(value) for row in rows for value in row.values()).lower()
    ids = [str(seeded.id) for seeded in created]
    for identifier in (NIK, NIK[-4:], PHONE, PHONE[-4:], EMAIL, "siti", "rahmawati", *ids):
        assert identifier not in cells, identifier


async def test_the_csv_export_has_the_same_figures(seeded):
    app, channel, _ = seeded
    async with console(app, await _supervisor(app)) as desk:
        response = await desk.get(f"{URL}/export.csv", params={"channel": channel})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0] == ["bagian", "tanggal", "kunci", "nilai"]
    assert ["ringkasan", "", "conversations", "5"] in rows
    assert ["alih_ke_petugas_per_alasan", "", "repeated_miss", "1"] in rows
    per_channel = [int(row[3]) for row in rows if row[0] == "percakapan_per_kanal" and row[2] == channel]
    assert sum(per_channel) == 5
    assert not any(NIK in cell or PHONE in cell for row in rows for cell in row)


@pytest.mark.parametrize(
    ("params", "detail"),
    [
        ({"start": "2026-03-10", "end": "2026-03-01"}, "Rentang tanggal tidak valid"),
        ({"start": "2024-01-01", "end": "2026-01-01"}, "Rentang tanggal tidak valid"),
        ({"channel": "web'; DROP TABLE x"}, "Kanal tidak dikenal."),
        ({"channel": "🙂"}, "Kanal tidak dikenal."),
        ({"service": "narnia"}, "Layanan tidak dikenal."),
        ({"start": "kemarin"}, None),
        ({"channel": "x" * 10_000}, None),
    ],
)
async def test_bad_filters_are_a_clear_422(gateway: GatewayFactory, params, detail):
    async with gateway(**ALWAYS_OPEN) as (app, _), console(app, await _supervisor(app)) as desk:
        response = await desk.get(URL, params=params)
    assert response.status_code == 422
    if detail:
        assert response.json()["detail"].startswith(detail)


async def test_agents_may_not_read_the_dashboard(gateway: GatewayFactory):
    async with gateway(**ALWAYS_OPEN) as (app, client):
        assert (await client.get(URL)).status_code == 401
        async with console(app, await add_agent(app)) as desk:
            for path in (URL, f"{URL}/export.csv", f"{URL}/options"):
                assert (await desk.get(path)).status_code == 403
            marked = await desk.post(f"{URL}/candidates", json={"intent": "greet", "texts": ["halo"]})
            assert marked.status_code == 403


async def test_options_offer_the_services_and_the_domains_intents(gateway: GatewayFactory):
    async with gateway(**ALWAYS_OPEN) as (app, _), console(app, await _supervisor(app)) as desk:
        options = (await desk.get(f"{URL}/options")).json()
    assert {"web", "telegram", "whatsapp"} <= {channel["key"] for channel in options["channels"]}
    assert "assist" not in {channel["key"] for channel in options["channels"]}
    assert [service["key"] for service in options["services"]][-1] == "general"
    assert "health_bpjs_status" in options["intents"] and "nlu_fallback" not in options["intents"]


async def test_a_marked_group_becomes_candidates_for_review_only(seeded, tmp_path):
    app, channel, _ = seeded
    async with console(app, await _supervisor(app)) as desk:
        group = (await desk.get(URL, params={"channel": channel})).json()["unanswered"][0]
        texts = group["texts"]
        unknown = await desk.post(f"{URL}/candidates", json={"intent": "make_coffee", "texts": texts})
        invented = await desk.post(
            f"{URL}/candidates", json={"intent": "id_document_requirements", "texts": [f"nik {NIK}"]}
        )
        empty = await desk.post(f"{URL}/candidates", json={"intent": "id_document_requirements", "texts": []})
        marked = await desk.post(
            f"{URL}/candidates", json={"intent": "id_document_requirements", "texts": texts}
        )
        again = await desk.post(
            f"{URL}/candidates", json={"intent": "id_document_requirements", "texts": texts}
        )
    assert unknown.status_code == 422 and unknown.json()["detail"] == "Intent tidak dikenal."
    assert invented.status_code == 422 and "tidak ditemukan" in invented.json()["detail"]
    assert empty.status_code == 422
    assert marked.status_code == 201 and marked.json() == {"added": 2}
    assert again.json() == {"added": 0}

    async with app.state.sessionmaker() as session:
        await session.execute(
            sa.update(TrainingCandidate)
            .where(TrainingCandidate.text.not_in(texts))
            .values(exported_at=datetime.now(UTC))  # earlier tests' candidates: not this file's
        )
        await session.commit()
        path = await candidates.export(session, tmp_path)
        assert await candidates.export(session, tmp_path) is None  # nothing new
    assert path is not None and path.parent == tmp_path
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# CANDIDATES") and "NOT training data" in text
    data = yaml.safe_load(text)
    assert data["version"] == "3.1"
    [block] = data["nlu"]
    assert block["intent"] == "id_document_requirements"
    assert sorted(line[2:] for line in block["examples"].splitlines()) == sorted(texts)
    assert NIK not in text and "Siti" not in text
