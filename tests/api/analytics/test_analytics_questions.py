"""Unanswered questions: masked before they are stored, grouped by similarity, and the
dashboard's small sums (api/analytics/questions.py, grouping.py, dashboard.py)."""

from __future__ import annotations

import json
import uuid
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

from api.analytics.consumer import AnalyticsSettings, Consumer
from api.analytics.dashboard import Filters, _satisfaction, durations
from api.analytics.events import domain_names
from api.analytics.grouping import group_questions
from api.analytics.questions import MAX_CHARS, mask_question, to_question
from api.analytics.services import SERVICES, service_of
from api.callcenter.teams import TEAMS
from api.models import AnalyticsEvent, Base, HandoffSurvey, UnansweredQuestion
from api.privacy.retention import prune

SALT = b"garam-rahasia-untuk-uji-analitik"


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("nama saya Siti Rahmawati mau tanya kartu", "nama saya [nama] mau tanya kartu"),
        ("NIK 3273014508950001 hp 0812-3456-7890 kenapa ditolak", "NIK # hp # kenapa ditolak"),
        ("atas nama: Ahmad Fauzi yang punya", "atas nama: [nama] yang punya"),
        ("tolong pak Joko Widodo di kelurahan", "tolong pak [nama] di kelurahan"),
        ("kemarin ketemu Bambang Sutrisno di kantor", "kemarin ketemu [nama] di kantor"),
        ("email saya siti.r@gmail.com atau wa.me/6281234567890", "email saya [kontak] atau wa.me/#"),
        ("lahir 17-08-1990 di bandung", "lahir # di bandung"),
        ("ANAK SAYA DEWI LESTARI", "ANAK SAYA [nama]"),
        ("kelas 3 bpjs naik jadi kelas 1", "kelas 3 bpjs naik jadi kelas 1"),
        ("KENAPA BANSOS SAYA TIDAK CAIR", "KENAPA BANSOS SAYA TIDAK CAIR"),
    ],
)
def test_identifiers_and_names_are_masked(text, masked):
    assert mask_question(text) == masked


def test_a_long_or_odd_question_is_cut_and_never_fails():
    assert len(mask_question("paspor " * 5_000)) == MAX_CHARS
    assert mask_question("🙂🙂 \x00 ‮") == "🙂🙂 \x00 ‮"
    assert mask_question("") == ""


def _body(text: object, intent: str = "nlu_fallback") -> bytes:
    event = {"event": "user", "sender_id": "c-1", "timestamp": 1765000000.0, "text": text,
             "input_channel": "web", "parse_data": {"intent": {"name": intent}}}  # fmt: skip
    return json.dumps(event).encode()


def test_only_a_typed_question_not_understood_is_kept():
    names = domain_names()
    kept = to_question(_body("nik 3273014508950001 cara bikin paspor"), SALT, names)
    assert kept is not None and kept.text == "nik # cara bikin paspor" and kept.intent == "nlu_fallback"
    assert to_question(_body("cek bansos"), SALT, names) is not None  # read as a miss: kept
    assert to_question(_body("cek bansos", "bansos_check"), SALT, names) is None  # understood
    assert to_question(_body("/request_human"), SALT, names) is None  # a button
    assert to_question(_body("3273014508950001"), SALT, names) is None  # nothing left once masked
    assert to_question(_body(None), SALT, names) is None
    assert to_question(b"\xff", SALT, names) is None


def test_alike_questions_are_one_group_largest_first():
    questions = [
        ("cara bikin paspor", "nlu_fallback"), ("gimana cara bikin pasport", "nlu_fallback"),
        ("bikin paspor caranya", "out_of_scope"), ("cuaca besok", "out_of_scope"),
        ("cuaca besok gimana", "out_of_scope"), ("resep rendang", "out_of_scope"),
        ("cara bikin paspor", "nlu_fallback"),
    ]  # fmt: skip
    groups = group_questions(questions)
    assert [(g.label, g.count, g.intents["out_of_scope"]) for g in groups] == [
        ("cara bikin paspor", 4, 1), ("cuaca besok", 2, 2), ("resep rendang", 1, 1),
    ]  # fmt: skip
    assert groups[0].examples[0] == "cara bikin paspor" and len(groups[0].texts) == 3
    assert group_questions(questions, limit=1)[0].label == "cara bikin paspor"


def test_durations_mean_and_p90():
    assert durations([]).model_dump() == {"count": 0, "average_seconds": None, "p90_seconds": None}
    spread = durations([float(n) for n in range(1, 11)])
    assert (spread.count, spread.average_seconds, spread.p90_seconds) == (10, 5.5, 9.0)


def test_every_service_is_a_team_and_intents_map_to_them():
    assert set(SERVICES) == set(TEAMS)
    assert service_of("health_bpjs_status") == "health" and service_of("police_skck") == "police"
    assert service_of("greet") is None and service_of(None) is None


async def test_satisfaction_counts_the_answered_surveys_of_the_range_by_team(tmp_path):
    engine = create_async_engine(f"sqlite+aiosqlite:///{tmp_path / 'gateway.db'}")
    filters = Filters(start=date(2026, 12, 1), end=date(2026, 12, 7), zone=ZoneInfo("Asia/Jakarta"))
    async with engine.begin() as connection:
        await connection.run_sync(Base.metadata.create_all)
    async with engine.connect() as connection, AsyncSession(connection) as session:
        assert await _satisfaction(session, filters) == []  # "belum ada data"
        inside, outside = datetime(2026, 12, 3, 5, tzinfo=UTC), datetime(2026, 11, 20, 5, tzinfo=UTC)
        surveys = [
            ("health", "web", 5, inside),
            ("health", "telegram", 4, inside),
            ("police", "web", 2, inside),
            ("police", "web", None, None),  # asked, never answered
            ("police", "web", 1, outside),  # before the range
        ]
        for n, (team, channel, score, rated_at) in enumerate(surveys, start=1):
            await session.execute(
                sa.insert(HandoffSurvey).values(
                    handoff_id=n, conversation_id=uuid.uuid4(), team=team, channel=channel,
                    asked_at=inside, score=score, rated_at=rated_at,
                )
            )  # fmt: skip
        found = await _satisfaction(session, filters)
        on_web = await _satisfaction(session, replace(filters, channel="web"))
    await engine.dispose()
    assert [(t.team, t.responses, t.average) for t in found] == [("health", 2, 4.5), ("police", 1, 2.0)]
    assert [(t.team, t.responses) for t in on_web] == [("health", 1), ("police", 1)]


async def test_retention_prunes_old_questions_with_the_messages(tmp_path):
    engine = create_async_engine(f"sqlite+aiosqlite:///{tmp_path / 'gateway.db'}")
    async with engine.begin() as connection:
        await connection.run_sync(Base.metadata.create_all)
    now = datetime(2026, 12, 7, tzinfo=UTC)
    async with AsyncSession(engine) as session:
        for n, age in enumerate((1, 89, 91, 400)):
            session.add(
                UnansweredQuestion(
                    event_key=f"{n:064d}", conversation_hash="h" * 64, intent="nlu_fallback",
                    channel="web", text="cara bikin paspor", at=now - timedelta(days=age),
                )
            )  # fmt: skip
        await session.commit()
        pruned = await prune(session, None, 90, now)
        left = await session.scalar(sa.select(sa.func.count()).select_from(UnansweredQuestion))
    await engine.dispose()
    assert (pruned.unanswered_questions, left) == (2, 2)


class _Message:
    """What the consumer reads of a RabbitMQ message."""

    def __init__(self, body: bytes) -> None:
        self.body = body
        self.acked = False

    async def ack(self, multiple: bool = False) -> None:
        self.acked = True


async def test_the_consumer_stores_a_question_not_understood_masked(tmp_path):
    engine = create_async_engine(f"sqlite+aiosqlite:///{tmp_path / 'gateway.db'}")
    async with engine.begin() as connection:
        await connection.run_sync(Base.metadata.create_all)
    settings = AnalyticsSettings(database_url=str(engine.url), analytics_salt=SALT.decode())
    consumer = Consumer(settings, engine)
    batch = [_Message(_body("nama saya Siti Rahmawati nik 3273014508950001 paspor")), _Message(b"{}")]
    await consumer.flush(batch)  # type: ignore[arg-type]
    await consumer.flush(batch[:1])  # type: ignore[arg-type]  # redelivered: stored once
    async with AsyncSession(engine) as session:
        events = (await session.scalars(sa.select(AnalyticsEvent))).all()
        questions = (await session.scalars(sa.select(UnansweredQuestion))).all()
    await engine.dispose()
    assert [(e.event_type, e.name) for e in events] == [("user", "nlu_fallback")]
    assert [(q.text, q.conversation_hash) for q in questions] == [
        ("nama saya [nama] nik # paspor", events[0].conversation_hash)
    ]
    assert batch[0].acked and (consumer.stored, consumer.skipped) == (2, 1)
