"""The close as the citizen reads it and the satisfaction survey after it: the closing notice
matches the disposition (a follow-up keeps a ticket open), the citizen rates 1-5 with the
survey's buttons and may add a comment, none of which reaches the bot, and the supervisor
reads the scores per agent and per team."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
import pytest_asyncio
import yaml
from fastapi import FastAPI
from sqlalchemy import select, update

from api import cases
from api.callcenter import labels, survey, texts
from api.models import Agent, HandoffSurvey, utcnow
from tests.api.callcenter.support import (
    ALWAYS_OPEN,
    add_agent,
    ask_for_person,
    console,
    fresh_call_center,
    handoff_bot,
    handoff_of,
    say,
)
from tests.api.fake_rasa import FakeRasa
from tests.api.support import GatewayFactory, new_conversation, stored_messages

pytestmark = pytest.mark.asyncio


@pytest_asyncio.fixture
async def center(
    gateway: GatewayFactory, fake_rasa: FakeRasa
) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    handoff_bot(fake_rasa, service="health")
    async with gateway(**ALWAYS_OPEN) as (app, client):
        await fresh_call_center(app)
        yield app, client


async def _closed_by(
    app: FastAPI, client: httpx.AsyncClient, agent: Agent, disposition: str
) -> tuple[str, list[str | None]]:
    """A conversation handed off, taken by `agent` and closed with `disposition`; the texts
    the citizen got at the close."""
    conversation = await new_conversation(client)
    await ask_for_person(client, conversation)
    handoff = await handoff_of(app, conversation)
    async with console(app, agent) as desk:
        assert (await desk.post(f"/console/api/handoffs/{handoff.id}/claim")).status_code == 200
        before = len(await stored_messages(app, conversation))
        closed = await desk.post(
            f"/console/api/handoffs/{handoff.id}/close", json={"disposition": disposition}
        )
        assert closed.status_code == 200, closed.text
    return conversation, [message.text for message in (await stored_messages(app, conversation))[before:]]


async def test_each_disposition_tells_the_citizen_what_it_means(
    center: tuple[FastAPI, httpx.AsyncClient],
) -> None:
    app, client = center
    agent = await add_agent(app, teams=["general", "health"])

    _, resolved = await _closed_by(app, client, agent, "resolved")
    assert resolved[0] == texts.CLOSED.text and "terselesaikan" in (resolved[0] or "")
    assert (resolved[1] or "").startswith("Seberapa puas")

    conversation, follow_up = await _closed_by(app, client, agent, "follow_up")
    notice = follow_up[0] or ""
    assert "belum selesai dan tetap terbuka" in notice and "terselesaikan" not in notice
    ticket = (await handoff_of(app, conversation)).case_number
    assert ticket is not None and f"Nomor tiket Anda: {ticket}" in notice
    # The ticket stays open: the citizen can ask its status.
    async with app.state.sessionmaker() as session:
        case = await cases.get_case(session, ticket)
        assert case is not None and case.status == "ticket"

    _, unresolved = await _closed_by(app, client, agent, "unresolved")
    assert "belum dapat kami selesaikan" in (unresolved[0] or "")

    _, abusive = await _closed_by(app, client, agent, "abusive")
    assert len(abusive) == 1  # no survey for an abusive caller


async def test_the_survey_is_answered_by_buttons_and_a_comment_without_the_bot(
    center: tuple[FastAPI, httpx.AsyncClient], fake_rasa: FakeRasa
) -> None:
    app, client = center
    agent = await add_agent(app, teams=["general", "health"], name="Sari")
    conversation, closing = await _closed_by(app, client, agent, "resolved")
    question = (await stored_messages(app, conversation))[-1]
    payloads = [button["payload"] for button in question.content["buttons"]]  # type: ignore[index]
    assert payloads == [f"/handoff_rating_{score}" for score in range(1, 6)]
    sent_to_bot = len(fake_rasa.received)

    rated = await say(client, conversation, "/handoff_rating_4", metadata={"button_title": "4 · Puas"})
    assert rated["replies"][0]["text"].startswith("Terima kasih atas penilaian Anda (4 dari 5)")
    assert [b["payload"] for b in rated["replies"][0]["buttons"]] == [survey.SKIP_COMMENT]
    thanks = await say(client, conversation, "Petugasnya ramah, NIK saya 3171012345678901")
    assert thanks["replies"][0]["text"] == texts.SURVEY_THANKS.text
    assert len(fake_rasa.received) == sent_to_bot  # neither the rating nor the comment

    # The window is closed: the next words go to the bot again.
    assert (await say(client, conversation, "halo"))["replies"][0]["text"] == "bot: halo"
    async with app.state.sessionmaker() as session:
        stored = await session.scalar(
            select(HandoffSurvey).where(HandoffSurvey.conversation_id == uuid.UUID(conversation))
        )
    assert stored is not None and stored.score == 4 and stored.agent_id == agent.id
    assert stored.team == "health" and stored.channel == "web"
    assert stored.comment is not None and "3171012345678901" not in stored.comment  # masked

    supervisor = await add_agent(app, role="supervisor")
    async with console(app, supervisor) as desk:
        summary = (await desk.get("/console/api/supervisor/surveys?days=7")).json()
        assert (await desk.get("/console/api/supervisor/surveys?days=0")).status_code == 422
    [by_agent] = [row for row in summary["by_agent"] if row["name"] == "Sari"]
    assert by_agent == {"key": str(agent.id), "name": "Sari", "asked": 1, "answered": 1, "average": 4.0}
    [by_team] = summary["by_team"]
    assert by_team["name"] == "Kesehatan (BPJS Kesehatan, SATUSEHAT)" and by_team["average"] == 4.0
    assert summary["comments"][0]["score"] == 4 and "ramah" in summary["comments"][0]["comment"]
    assert closing  # the closing notice came first


async def test_skip_and_late_ratings(center: tuple[FastAPI, httpx.AsyncClient], fake_rasa: FakeRasa) -> None:
    app, client = center
    agent = await add_agent(app, teams=["general", "health"])
    conversation, _ = await _closed_by(app, client, agent, "unresolved")
    await say(client, conversation, "/handoff_rating_2", metadata={"button_title": "2 · Tidak puas"})
    skipped = await say(client, conversation, survey.SKIP_COMMENT, metadata={"button_title": "Lewati"})
    assert skipped["replies"][0]["text"] == texts.SURVEY_THANKS.text
    assert (await say(client, conversation, "cek bansos"))["replies"][0]["text"] == "bot: cek bansos"

    # A day later the survey is over: a late click is answered politely, and changes nothing.
    async with app.state.sessionmaker() as session:
        await session.execute(
            update(HandoffSurvey)
            .where(HandoffSurvey.conversation_id == uuid.UUID(conversation))
            .values(asked_at=utcnow() - timedelta(days=2))
        )
        await session.commit()
    late = await say(client, conversation, "/handoff_rating_5", metadata={"button_title": "5 · Sangat puas"})
    assert late["replies"][0]["text"] == texts.SURVEY_CLOSED.text
    async with app.state.sessionmaker() as session:
        stored = await session.scalar(
            select(HandoffSurvey).where(HandoffSurvey.conversation_id == uuid.UUID(conversation))
        )
    assert stored is not None and stored.score == 2 and stored.comment is None


async def test_codes_are_shown_in_words() -> None:
    assert labels.intent("health_bpjs_contribution") == (
        "Kesehatan (BPJS Kesehatan, SATUSEHAT)",
        "Iuran BPJS Kesehatan",
    )
    assert labels.intent("something_new") == ("Layanan umum", "Something new")
    assert labels.intent(None) == (None, None)
    assert labels.service("health") == "Kesehatan (BPJS Kesehatan, SATUSEHAT)"
    assert labels.service("console") == "Konsol petugas"
    assert labels.endpoint("POST /api/v1/health/bpjs/membership") == "Mengirim: BPJS kepesertaan"
    assert labels.endpoint("GET /api/v1/payments/vehicle-tax/B1234XYZ") == "Melihat: pajak kendaraan"
    assert labels.endpoint("handoff 3") == "Percakapan #3"
    assert labels.audit_reason("hand-off 3 (citizen_request)") == "Membuka percakapan #3 (permintaan warga)"
    assert labels.audit_reason("Penelepon menanyakan bansos") == "Penelepon menanyakan bansos"
    assert labels.event_detail("agent:7", {7: "Sari"}) == "ke Sari"
    assert labels.event_detail("team:social", {}) == "ke tim Bantuan sosial (Cek Bansos, DTKS)"
    assert labels.event_detail("waited_too_long", {}) == "Menunggu terlalu lama"
    assert labels.entity("bpjs_number") == "Nomor kartu BPJS"

    # Every intent the assistant knows has words: the domain's list.
    domain = Path(__file__).resolve().parents[3] / "domain"
    intents = {
        intent if isinstance(intent, str) else next(iter(intent))
        for path in domain.glob("*.yml")
        for intent in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("intents", [])
    }
    assert intents and intents <= set(labels.INTENTS), intents - set(labels.INTENTS)


async def test_the_survey_question_on_telegram_and_whatsapp() -> None:
    """Five inline buttons on Telegram; on WhatsApp (three buttons at most) one list whose rows
    keep their whole titles (24 characters)."""
    from connectors.telegram import render as telegram
    from connectors.whatsapp import render as whatsapp

    question = texts.survey_question({score: f"{survey.RATING_PREFIX}{score}" for score in survey.SCORES})
    [message] = whatsapp.render(question, ref=41)
    assert message["type"] == "interactive" and message["interactive"]["type"] == "list"
    rows = [
        row["title"] for section in message["interactive"]["action"]["sections"] for row in section["rows"]
    ]
    assert rows == list(texts.SCORE_TITLES.values())
    calls = telegram.render(question, ref=41)
    keyboard = str(calls)
    assert all(title in keyboard for title in texts.SCORE_TITLES.values())
