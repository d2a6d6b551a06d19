"""CASN results followed as cases (issue 21 §1): a verified participant who checks their result
follows it; when SSCASN publishes the next announcement naming them (the simulator's lifecycle
on its moved clock), the conversation is told once. On SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import AbstractAsyncContextManager
from datetime import date, time, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.cases import NUMBER_FORMATS
from api.identity import sessions
from api.ministries.base import MinistryUnavailable
from api.ministries.bkn import Announcement, BknAdapter
from api.models import Case, CaseKind, CaseSubscription
from api.privacy import shapes
from bot.identifiers import CASE_PREFIXES, normalize_ticket
from simulators.bkn import ANNOUNCEMENTS, announced
from simulators.seed.casn import FINAL, SKD, Participant, participants
from tests.api.fake_rasa import FakeRasa
from tests.api.service_api.simulated_time import pin_clock
from tests.api.support import (
    Database,
    GatewayFactory,
    channel_conversation,
    make_settings,
    new_database,
    running,
    service_client,
)
from tests.api.test_notifications import _chat_ids, graph, gw, telegram, tick  # noqa: F401 (fixtures)
from tests.connectors.fake_channels import FakeTelegram

pytestmark = pytest.mark.asyncio

RESULTS = "/api/v1/civil-service/results"


@pytest.fixture
def gateway(database: Database, fake_rasa: FakeRasa, tmp_path: Path) -> Iterator[GatewayFactory]:
    """Each test on an empty database of the session's backend: the service API's own CASN
    tests check the same seeded participants, and their cases must not be found here."""
    databases = new_database(database.backend, tmp_path)
    own = next(databases)

    def factory(**overrides: Any) -> AbstractAsyncContextManager[tuple[FastAPI, httpx.AsyncClient]]:
        return running(make_settings(own, overrides.pop("rasa_url", fake_rasa.url), **overrides))

    try:
        yield factory
    finally:
        next(databases, None)  # drops the PostgreSQL schema


AT = dict(ANNOUNCEMENTS)
BETWEEN_SKD_AND_FINAL = AT[SKD] + timedelta(days=1)


def participant(*, passed_skd: bool, result: str = "L") -> Participant:
    return next(
        p
        for p in participants().values()
        if p.passed_skd == passed_skd and (not passed_skd or p.result == result)
    )


async def check_result(app: FastAPI, conversation: str, who: Participant) -> httpx.Response:
    async with app.state.sessionmaker() as session:
        await sessions.bind(session, uuid.UUID(conversation), who.citizen.nik, "otp")
    body = {"participant_number": who.number, "birth_date": who.citizen.birth_date.isoformat()}
    async with service_client(app) as service:
        return await service.post(RESULTS, json=body, headers={"X-Conversation-ID": conversation})


def test_the_simulated_announcements_follow_the_schedule() -> None:
    passed, failed = participant(passed_skd=True), participant(passed_skd=False)
    before = AT[SKD] - timedelta(minutes=1)
    assert [status for _, status, _ in announced(passed, before)] == ["lulus_administrasi"]
    assert [status for _, status, _ in announced(passed, AT[FINAL])] == [
        "lulus_administrasi",
        "lulus_skd",
        "lulus",
    ]
    # A participant who failed the SKD is named by no later list.
    assert [status for _, status, _ in announced(failed, AT[FINAL])] == ["lulus_administrasi", "tidak_lulus"]
    assert [stage for stage, _ in ANNOUNCEMENTS] == ["administrasi", "skd", "akhir"]
    assert all(
        earlier < later for (_, earlier), (_, later) in zip(ANNOUNCEMENTS, ANNOUNCEMENTS[1:], strict=False)
    )


async def test_a_participant_who_checked_is_told_of_the_final_announcement_once(
    gw: tuple[FastAPI, httpx.AsyncClient],  # noqa: F811
    telegram: FakeTelegram,  # noqa: F811
) -> None:
    app, _ = gw
    who = participant(passed_skd=True)
    pin_clock(app, BETWEEN_SKD_AND_FINAL.date(), time(9, 0))
    chat_id = next(_chat_ids)
    conversation = await channel_conversation(app, "telegram", str(chat_id))
    response = await check_result(app, conversation, who)
    assert response.status_code == 200, response.text
    checked = response.json()
    assert checked["final"] == "proses" and checked["case_number"].startswith("CASN-")
    assert not any(stage["stage"].startswith("SKB") for stage in checked["stages"])  # not yet announced
    # Checking again follows the same case.
    again = await check_result(app, conversation, who)
    assert again.json()["case_number"] == checked["case_number"]
    async with app.state.sessionmaker() as session:
        cases = (
            await session.scalars(
                select(Case).where(Case.kind == CaseKind.CASN_RESULT, Case.reference == who.number)
            )
        ).all()
    assert len(cases) == 1 and cases[0].status == "lulus_skd"

    # Nothing new before the final announcement; the polled ministry says nothing new.
    assert await tick(app, AT[FINAL] - timedelta(hours=2)) == 0
    assert telegram.delivered(chat_id) == []
    assert await tick(app, AT[FINAL] + timedelta(hours=2)) == 1
    told = telegram.delivered(chat_id)
    assert len(told) == 1
    text = str(told[0])
    assert checked["case_number"] in text and "Seleksi CASN" in text and "Lulus seleksi" in text
    assert "sscasn.bkn.go.id" in text
    assert await tick(app, AT[FINAL] + timedelta(days=3)) == 0  # final: not polled, not told again
    assert len(telegram.delivered(chat_id)) == 1

    # The whole result is now published.
    final = await check_result(app, conversation, who)
    assert final.json()["final"] == "lulus" and final.json()["stages"][-1]["stage"].startswith("SKB")


async def test_a_participant_who_failed_the_skd_follows_a_case_already_final(
    gw: tuple[FastAPI, httpx.AsyncClient],  # noqa: F811
    telegram: FakeTelegram,  # noqa: F811
) -> None:
    app, _ = gw
    who = participant(passed_skd=False)
    pin_clock(app, BETWEEN_SKD_AND_FINAL.date(), time(9, 0))
    chat_id = next(_chat_ids)
    conversation = await channel_conversation(app, "telegram", str(chat_id))
    checked = (await check_result(app, conversation, who)).json()
    assert checked["final"] == "tidak_lulus" and checked["case_number"]
    assert await tick(app, AT[FINAL] + timedelta(hours=2)) == 0
    assert telegram.delivered(chat_id) == []


async def test_an_unverified_or_other_citizen_follows_nothing(
    gw: tuple[FastAPI, httpx.AsyncClient],  # noqa: F811
) -> None:
    app, _ = gw
    who, other = participant(passed_skd=True), participant(passed_skd=False)
    pin_clock(app, date(2024, 11, 18), time(9, 0))
    conversation = await channel_conversation(app, "telegram", str(next(_chat_ids)))
    async with app.state.sessionmaker() as session:
        await sessions.bind(session, uuid.UUID(conversation), other.citizen.nik, "otp")
    body = {"participant_number": who.number, "birth_date": who.citizen.birth_date.isoformat()}
    async with app.state.sessionmaker() as session:
        before = await followers(session)
    async with service_client(app) as service:
        refused = await service.post(RESULTS, json=body, headers={"X-Conversation-ID": conversation})
        unverified = await service.post(
            RESULTS, json=body, headers={"X-Conversation-ID": await channel_conversation(app, "web")}
        )
    assert refused.status_code == 403 and unverified.status_code == 403
    async with app.state.sessionmaker() as session:
        assert await followers(session) == before
        subscribed = select(CaseSubscription).where(
            CaseSubscription.conversation_id == uuid.UUID(conversation)
        )
        assert (await session.scalars(subscribed)).all() == []


async def followers(session: AsyncSession) -> int:
    query = (
        select(func.count()).select_from(CaseSubscription).join(Case).where(Case.kind == CaseKind.CASN_RESULT)
    )
    return int(await session.scalar(query) or 0)


async def test_the_result_is_answered_when_the_announcements_cannot_be_read(
    gw: tuple[FastAPI, httpx.AsyncClient],  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app, _ = gw

    async def unavailable(self: BknAdapter, participant_number: str) -> list[Announcement]:
        raise MinistryUnavailable(self.name)

    monkeypatch.setattr(BknAdapter, "announcements", unavailable)
    pin_clock(app, BETWEEN_SKD_AND_FINAL.date(), time(9, 0))
    conversation = await channel_conversation(app, "telegram", str(next(_chat_ids)))
    response = await check_result(app, conversation, participant(passed_skd=True, result="TL"))
    assert response.status_code == 200 and response.json()["case_number"] is None


def test_the_bot_knows_every_kind_of_case_number_the_gateway_gives() -> None:
    """A number an update names ("Kabar terbaru ... CASN-2026-000007") is one the bot takes
    when the citizen asks its status, and one whose digits the gateway does not take for an
    identifier (bot/identifiers.py and api/privacy/shapes.py against api/cases.py)."""
    prefixes = {prefix for prefix, _ in NUMBER_FORMATS.values()}
    assert set(CASE_PREFIXES) == prefixes
    assert set(shapes.CASE_PREFIXES) == prefixes  # the gateway leaves their digits alone
    for prefix, width in NUMBER_FORMATS.values():
        number = f"{prefix}-2026-{'7'.zfill(width)}"
        assert normalize_ticket(number.lower()) == number


def test_a_casn_case_number_is_no_identifier_to_the_gateway() -> None:
    """Its digits ("2026-000007") are a NISN's count: the case number keeps them from the vault."""
    assert shapes.find_identifiers("status casn-2026-000007 gmn") == []
    assert [found.kind for found in shapes.find_identifiers("nisn 2026-000007")] == ["nisn"]
