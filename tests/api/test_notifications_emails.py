"""Case updates by e-mail for web citizens who consent (issue 21 §1), end to end through the
running gateway and a fake SMTP server (the real `SmtpMailer`, smtplib over TCP): the question
asked once after the turn that followed a case, the address validated and sealed, one e-mail
per change through the notifier's retries and quiet hours, and "berhenti kabari saya"
withdrawing the consent. On SQLite and PostgreSQL (the `database` fixture)."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import AsyncIterator
from datetime import datetime, time, timedelta
from typing import Any

import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI
from sqlalchemy import literal_column, select

from api.cases import WIB
from api.models import CaseNotification, CaseSubscription, UpdateEmail
from api.notifications import emails
from tests.api.fake_rasa import FakeRasa
from tests.api.service_api.simulated_time import pin_clock, simulators_clock
from tests.api.support import GatewayFactory, service_client, session_headers
from tests.api.test_notifications import FILED_ON, file_complaint, notifier, path_of, tick, updates_in, verify
from tests.connectors.fake_smtp import FakeSmtp, running_smtp

pytestmark = pytest.mark.asyncio

_addresses = itertools.count(1)
AFTER_ALL_CHANGES = datetime.combine(FILED_ON + timedelta(days=45), time(12, 0), WIB)


@pytest_asyncio.fixture
async def smtp() -> AsyncIterator[FakeSmtp]:
    async with running_smtp() as fake:
        yield fake


@pytest_asyncio.fixture
async def gw(
    gateway: GatewayFactory, smtp: FakeSmtp, fake_rasa: FakeRasa
) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    """E-mail on (the fake SMTP server); the notifier ticked by the test on the simulators' clock."""
    fake_rasa.reply({"text": "Laporan Anda sudah kami catat."})
    settings = {
        "notify_worker": False,
        "smtp_host": smtp.host,
        "smtp_port": smtp.port,
        "smtp_starttls": False,
    }
    async with gateway(**settings) as (app, client):
        pin_clock(app, FILED_ON, time(9, 0))
        notifier(app).clock = simulators_clock(app).now
        yield app, client


async def say(
    client: httpx.AsyncClient, conversation: str, message: str, title: str | None = None
) -> list[str]:
    body: dict[str, Any] = {"text": message}
    if title is not None:
        body["metadata"] = {"button_title": title}
    response = await client.post(f"/api/v1/conversations/{conversation}/messages", json=body)
    assert response.status_code == 200, response.text
    return [reply["text"] for reply in response.json()["replies"]]


async def followed_on_the_web(app: FastAPI, client: httpx.AsyncClient) -> tuple[str, dict[str, str]]:
    """A verified web conversation files a complaint (the action server's call), then writes
    again: the gateway's question comes after the bot's answer."""
    conversation = (await client.post("/api/v1/conversations", json={"channel": "web"})).json()["id"]
    await verify(app, conversation)
    created = await file_complaint(app, conversation)
    replies = await say(client, conversation, "terima kasih")
    assert replies[-1] == emails.QUESTION.text
    return conversation, created


def new_address() -> str:
    return f"warga.teladan{next(_addresses)}@contoh.id"


async def told(app: FastAPI, conversation: str) -> int:
    """How many updates the conversation has been told (stored in its history)."""
    return len(await updates_in(app, conversation))


async def choice_of(app: FastAPI, conversation: str) -> UpdateEmail | None:
    async with app.state.sessionmaker() as session:
        return await session.get(UpdateEmail, uuid.UUID(conversation))


async def test_a_consenting_web_citizen_gets_each_change_by_email_once(
    gw: tuple[FastAPI, httpx.AsyncClient], smtp: FakeSmtp, fake_rasa: FakeRasa
) -> None:
    app, client = gw
    conversation, created = await followed_on_the_web(app, client)
    assert await say(client, conversation, "terima kasih lagi") == ["Laporan Anda sudah kami catat."]  # once
    assert await say(client, conversation, emails.YES, "Ya, lewat e-mail") == [emails.ASK_ADDRESS.text]
    assert await say(client, conversation, "saya@") == [emails.INVALID_ADDRESS.text]
    assert await say(client, conversation, "x" * 1500 + "@contoh.id 🙂") == [emails.INVALID_ADDRESS.text]
    address = new_address()
    confirmed = await say(client, conversation, address.replace("warga.teladan", "Warga.Teladan").upper())
    assert confirmed == [emails.confirmed(address).text] and "w***@contoh.id" in confirmed[0]
    # The bot saw only the citizen's two ordinary messages.
    assert [body["message"] for body in fake_rasa.received] == ["terima kasih", "terima kasih lagi"]
    # Sealed at rest: the row holds no readable address; the model reads it in clear.
    async with app.state.sessionmaker() as session:
        stored = UpdateEmail.__table__.c
        raw = await session.scalar(
            select(literal_column("address"))
            .select_from(UpdateEmail)
            .where(stored.conversation_id == uuid.UUID(conversation))
        )
    assert raw and address not in raw and "contoh" not in raw
    choice = await choice_of(app, conversation)
    assert choice is not None and choice.address == address

    changes = len(path_of(created["tracking_id"])) - 1
    await tick(app, AFTER_ALL_CHANGES)
    await tick(app, AFTER_ALL_CHANGES + timedelta(hours=1))
    assert await told(app, conversation) == changes
    mails = smtp.to(address)
    assert len(mails) == changes
    assert all(created["case_number"] in mail["Subject"] for mail in mails)
    body = mails[-1].get_content()
    assert created["case_number"] in body and "berhenti kabari saya" in body and "Balas" not in body

    # "berhenti kabari saya": the consent is withdrawn and the address forgotten.
    async with service_client(app) as service:
        stopped = await service.post(
            "/api/v1/notifications/stop", json={}, headers={"X-Conversation-ID": conversation}
        )
    assert stopped.status_code == 200
    choice = await choice_of(app, conversation)
    assert choice is not None and choice.state == emails.WITHDRAWN and choice.address is None


async def test_failed_sends_are_retried_and_none_is_sent_twice(
    gw: tuple[FastAPI, httpx.AsyncClient], smtp: FakeSmtp
) -> None:
    app, client = gw
    conversation, created = await followed_on_the_web(app, client)
    await say(client, conversation, emails.YES, "Ya, lewat e-mail")
    address = new_address()
    await say(client, conversation, address)
    changes = len(path_of(created["tracking_id"])) - 1
    smtp.fail_for[address] = 2  # the server refuses the first two attempts
    await tick(app, AFTER_ALL_CHANGES)
    assert smtp.refused[address] == min(2, changes) and len(smtp.to(address)) == max(0, changes - 2)
    await tick(app, AFTER_ALL_CHANGES + timedelta(seconds=30))  # before any retry is due
    assert len(smtp.to(address)) == max(0, changes - 2)
    for later in (61, 200, 600, 7200):  # retries after 60 s, then 120 s, ...
        await tick(app, AFTER_ALL_CHANGES + timedelta(seconds=later))
    assert smtp.refused[address] == 2 and len(smtp.to(address)) == changes  # each once
    async with app.state.sessionmaker() as session:
        query = (
            select(CaseNotification)
            .join(CaseSubscription, CaseSubscription.id == CaseNotification.subscription_id)
            .where(CaseSubscription.conversation_id == uuid.UUID(conversation))
        )
        rows = (await session.scalars(query)).all()
    assert len(rows) == changes and sum(row.email_attempts for row in rows) == changes + 2
    assert all(row.emailed_at is not None and row.email_due_at is None for row in rows)


async def test_quiet_hours_hold_the_emails_until_six(
    gw: tuple[FastAPI, httpx.AsyncClient], smtp: FakeSmtp
) -> None:
    app, client = gw
    conversation, created = await followed_on_the_web(app, client)
    await say(client, conversation, emails.YES, "Ya, lewat e-mail")
    address = new_address()
    await say(client, conversation, address)
    night = datetime.combine(FILED_ON + timedelta(days=45), time(21, 30), WIB)
    await tick(app, night)
    await tick(app, night + timedelta(hours=8, minutes=29))  # 05.59
    assert smtp.to(address) == []
    await tick(app, datetime.combine(FILED_ON + timedelta(days=46), time(6, 0), WIB))
    assert len(smtp.to(address)) == len(path_of(created["tracking_id"])) - 1


async def test_declining_or_moving_on_sends_no_email_and_is_not_asked_again(
    gw: tuple[FastAPI, httpx.AsyncClient], smtp: FakeSmtp, fake_rasa: FakeRasa
) -> None:
    app, client = gw
    declined, _ = await followed_on_the_web(app, client)
    assert await say(client, declined, emails.NO, "Tidak perlu") == [emails.DECLINED_TEXT.text]
    assert await say(client, declined, "halo") == ["Laporan Anda sudah kami catat."]
    # Asked for the address, the citizen writes about something else: the bot answers it.
    moved_on, _ = await followed_on_the_web(app, client)
    await say(client, moved_on, emails.YES, "Ya, lewat e-mail")
    assert await say(client, moved_on, "cara bikin KTP") == ["Laporan Anda sudah kami catat."]
    assert fake_rasa.received[-1]["message"] == "cara bikin KTP"
    sent_before = len(smtp.messages)
    await tick(app, AFTER_ALL_CHANGES)
    assert await told(app, declined) > 0 and await told(app, moved_on) > 0
    assert len(smtp.messages) == sent_before  # nobody here consented
    # A history on return still has every update.
    history = await client.get(
        f"/api/v1/conversations/{declined}/messages", headers=session_headers(app, declined)
    )
    assert any(m["text"].startswith("Kabar terbaru") for m in history.json()["messages"])
    # An old button clicked again: a polite answer, nothing changes.
    assert await say(client, declined, emails.YES, "Ya, lewat e-mail") == [emails.NOTHING_ASKED.text]


async def test_no_question_without_a_verified_citizen_or_an_smtp_server(
    gateway: GatewayFactory, gw: tuple[FastAPI, httpx.AsyncClient], fake_rasa: FakeRasa
) -> None:
    app, client = gw
    unverified = (await client.post("/api/v1/conversations", json={"channel": "web"})).json()["id"]
    await file_complaint(app, unverified)
    assert emails.QUESTION.text not in await say(client, unverified, "terima kasih")
    async with gateway(notify_worker=False) as (plain, plain_client):  # no AW_SMTP_HOST
        conversation = (await plain_client.post("/api/v1/conversations", json={"channel": "web"})).json()[
            "id"
        ]
        await verify(plain, conversation)
        await file_complaint(plain, conversation)
        assert emails.QUESTION.text not in await say(plain_client, conversation, "terima kasih")
        # Its buttons, forged: no address is ever asked.
        assert await say(plain_client, conversation, emails.YES, "Ya") == [emails.NOTHING_ASKED.text]
