"""Tickets that reach the citizen (issue 21 §2): an out-of-hours ticket from the web asks where
the agent's answer should also go — a WhatsApp number proved by an SMS code, an e-mail address,
or nowhere ("cek sendiri" by the ticket number) — and the agent's answer goes there.

Nobody is online, so asking for a person offers a callback or a ticket (as out of hours).
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI
from sqlalchemy import text

from api.callcenter import reach, texts
from api.models import HandoffState
from tests.api.callcenter.support import (
    ALWAYS_OPEN,
    add_agent,
    console,
    fresh_call_center,
    handoff_bot,
    handoff_of,
    say,
)
from tests.api.callcenter.test_handoff import _queued
from tests.api.fake_rasa import FakeRasa
from tests.api.identity_support import last_code
from tests.api.support import GatewayFactory, service_client
from tests.connectors.fake_channels import FakeGraph, serve
from tests.connectors.test_whatsapp import whatsapp_settings

pytestmark = pytest.mark.asyncio

_numbers = itertools.count(3_456_7801)


class FakeMailer:
    def __init__(self) -> None:
        self.sent: list[tuple[str, str, str]] = []

    async def send(self, to: str, subject: str, body: str) -> None:
        self.sent.append((to, subject, body))


@pytest.fixture(scope="module")
def graph() -> Iterator[FakeGraph]:
    fake = FakeGraph()
    with serve(fake.app()) as url:
        fake.url = url
        yield fake


@pytest_asyncio.fixture
async def desk(
    gateway: GatewayFactory, graph: FakeGraph, fake_rasa: FakeRasa
) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    graph.reset()
    handoff_bot(fake_rasa)
    async with gateway(**whatsapp_settings(graph), **ALWAYS_OPEN) as (app, client):
        await fresh_call_center(app)
        yield app, client
        await fresh_call_center(app)


async def _answer(app: FastAPI, conversation: str, answer: str) -> None:
    agent = await add_agent(app)
    handoff = await handoff_of(app, conversation)
    async with console(app, agent) as agent_desk:
        assert (await agent_desk.post(f"/console/api/handoffs/{handoff.id}/claim")).status_code == 200
        replied = await agent_desk.post(f"/console/api/handoffs/{handoff.id}/messages", json={"text": answer})
        assert replied.status_code in (200, 201), replied.text


async def test_the_answer_reaches_a_proved_whatsapp_number_as_a_template(
    desk: tuple[FastAPI, httpx.AsyncClient], graph: FakeGraph
) -> None:
    app, client = desk
    number = f"0812{next(_numbers)}"
    conversation, _ = await _queued(app, client)
    asked = (await say(client, conversation, texts.TICKET))["replies"][0]
    assert [b["payload"] for b in asked["buttons"]] == [texts.REACH_WHATSAPP, texts.REACH_SELF]  # no SMTP
    assert (await say(client, conversation, texts.REACH_WHATSAPP))["replies"][0][
        "text"
    ] == reach.ASK_WHATSAPP.text
    await say(client, conversation, number)
    assert (await handoff_of(app, conversation)).state is HandoffState.OFFERED  # not before the code
    code = await last_code(app, number)
    assert code is not None
    booked = (await say(client, conversation, code))["replies"][0]["text"]
    assert "Nomor tiket Anda: TKT-" in booked and "WhatsApp 0812****" in booked
    handoff = await handoff_of(app, conversation)
    assert handoff.state is HandoffState.TICKET and handoff.reach_channel == reach.WHATSAPP
    assert handoff.reach_address == "+62" + number[1:] and handoff.callback_phone is None
    async with app.state.engine.connect() as connection:  # sealed at rest
        stored = (
            await connection.execute(
                text("SELECT reach_address FROM handoffs WHERE id = :id"), {"id": handoff.id}
            )
        ).scalar_one()
    assert number[1:] not in stored

    await _answer(app, conversation, "KTP-el Anda sudah dapat diambil\ndi kantor kecamatan.")
    to = "62" + number[1:]
    [sent] = [body for body in graph.messages if body.get("to") == to]
    assert sent["type"] == "template"  # the citizen never wrote to WhatsApp: outside the window
    assert sent["template"]["name"] == "jawaban_tiket"
    values = [p["text"] for p in sent["template"]["components"][0]["parameters"]]
    assert values == [handoff.case_number, "KTP-el Anda sudah dapat diambil di kantor kecamatan."]


async def test_the_answer_reaches_an_email_address(desk: tuple[FastAPI, httpx.AsyncClient]) -> None:
    app, client = desk
    mailer = FakeMailer()
    app.state.callcenter.mailer = mailer
    conversation, _ = await _queued(app, client)
    asked = (await say(client, conversation, texts.TICKET))["replies"][0]
    assert texts.REACH_EMAIL in [b["payload"] for b in asked["buttons"]]
    assert (await say(client, conversation, texts.REACH_EMAIL))["replies"][0]["text"] == reach.ASK_EMAIL.text
    for bad in ("bukan email", "a@b", "x" * 300 + "@contoh.id", "<script>@x.id", "😀@contoh.id"):
        assert (await say(client, conversation, bad))["replies"][0]["text"] == reach.INVALID_EMAIL.text
    booked = (await say(client, conversation, "Budi.Santoso@Contoh.id"))["replies"][0]["text"]
    assert "e-mail b***@contoh.id" in booked
    handoff = await handoff_of(app, conversation)
    assert handoff.state is HandoffState.TICKET and handoff.reach_address == "budi.santoso@contoh.id"
    await _answer(app, conversation, "Permohonan Anda sudah kami teruskan.")
    [(to, subject, body)] = mailer.sent
    assert to == "budi.santoso@contoh.id" and handoff.case_number in subject
    assert body.endswith("Permohonan Anda sudah kami teruskan.")


async def test_check_myself_gives_the_number_and_its_status_on_any_channel(
    desk: tuple[FastAPI, httpx.AsyncClient], graph: FakeGraph
) -> None:
    app, client = desk
    conversation, _ = await _queued(app, client)
    await say(client, conversation, texts.TICKET)
    booked = (await say(client, conversation, texts.REACH_SELF))["replies"][0]["text"]
    number = booked.split("Nomor tiket Anda: ")[1].split(".")[0]
    handoff = await handoff_of(app, conversation)
    assert handoff.reach_channel == reach.SELF and handoff.reach_address is None
    await _answer(app, conversation, "Sudah kami cek.")
    assert graph.messages == []  # nothing relayed
    async with service_client(app) as service:  # asked from another channel by its number
        status = await service.get(f"/api/v1/tickets/{number.lower()}")
    assert status.status_code == 200 and status.json()["status"] == "in_progress"
