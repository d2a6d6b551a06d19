"""A web ticket's WhatsApp proved by the citizen messaging the service's number (issue 21 §2):
out of hours, "Minta nomor tiket" → WhatsApp offers to send "TIKET 123456" to the service's
WhatsApp number; the inbound message (through the signed webhook and the WhatsApp fake) books
the ticket with the sender's number as where the agent's answer goes, and the answer arrives
there. On SQLite and PostgreSQL."""

from __future__ import annotations

import itertools
import re
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta

import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI
from sqlalchemy import update

from api.callcenter import reach, texts
from api.models import Handoff, HandoffState, utcnow
from tests.api.callcenter.support import ALWAYS_OPEN, fresh_call_center, handoff_bot, handoff_of, say
from tests.api.callcenter.test_handoff import _queued
from tests.api.fake_rasa import FakeRasa
from tests.api.support import GatewayFactory, stored_messages
from tests.api.test_notifications_tickets import _answer
from tests.connectors.fake_channels import FakeGraph, serve
from tests.connectors.test_whatsapp import inbound, post, whatsapp_settings

pytestmark = pytest.mark.asyncio

SERVICE_NUMBER = "628111500123"
_numbers = itertools.count(6_281_377_000_001)


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
    settings = whatsapp_settings(graph, whatsapp_display_number=SERVICE_NUMBER)
    async with gateway(**settings, **ALWAYS_OPEN) as (app, client):
        await fresh_call_center(app)
        yield app, client
        await fresh_call_center(app)


def texts_to(graph: FakeGraph, number: str) -> list[str]:
    return [
        body["text"]["body"] for body in graph.messages if body.get("to") == number and body["type"] == "text"
    ]


async def offered_code(app: FastAPI, client: httpx.AsyncClient) -> tuple[str, str]:
    """A web citizen out of hours picks a ticket answered on WhatsApp: the code to send."""
    conversation, _ = await _queued(app, client)
    await say(client, conversation, texts.TICKET)
    asked = (await say(client, conversation, texts.REACH_WHATSAPP))["replies"][0]["text"]
    found = re.search(r"TIKET (\d{6})", asked)
    assert found is not None, asked
    assert f"+{SERVICE_NUMBER}" in asked and f"wa.me/{SERVICE_NUMBER}?text=TIKET%20{found.group(1)}" in asked
    assert "SMS" in asked  # typing a number stays possible
    return conversation, found.group(1)


async def test_the_number_that_sends_the_code_receives_the_answer(
    desk: tuple[FastAPI, httpx.AsyncClient], graph: FakeGraph, fake_rasa: FakeRasa
) -> None:
    app, client = desk
    conversation, code = await offered_code(app, client)
    assert (await handoff_of(app, conversation)).state is HandoffState.OFFERED
    number = str(next(_numbers))
    to_bot = len(fake_rasa.received)
    message = inbound(number, "text", {"body": f"tiket {code}"})
    assert (await post(client, message)).status_code == 200
    assert (await post(client, message)).status_code == 200  # Meta retries the webhook: handled once
    assert texts_to(graph, number) == [
        reach.code_accepted((await handoff_of(app, conversation)).case_number or "")
    ]
    assert len(fake_rasa.received) == to_bot  # the bot never saw it

    handoff = await handoff_of(app, conversation)
    assert handoff.state is HandoffState.TICKET and handoff.reach_channel == reach.WHATSAPP
    assert handoff.reach_address == f"+{number}" and handoff.reach_code_hash is None
    # The web page is told the ticket number and where the answer goes.
    web = [m.text for m in await stored_messages(app, conversation)]
    assert any(t.startswith("Nomor tiket Anda: TKT-") and "WhatsApp 0813" in t for t in web)

    await _answer(app, conversation, "Dokumen Anda sudah dapat diambil di kantor kecamatan.")
    answers = [t for t in texts_to(graph, number) if "Dokumen Anda sudah dapat diambil" in t]
    assert len(answers) == 1 and handoff.case_number in answers[0]  # within the window: text

    # The code is used: sent again (or by someone else), it proves nothing.
    other = str(next(_numbers))
    await post(client, inbound(other, "text", {"body": f"TIKET {code}"}))
    assert texts_to(graph, other) == [reach.UNKNOWN_CODE]


async def test_wrong_expired_or_garbage_codes_book_nothing(
    desk: tuple[FastAPI, httpx.AsyncClient], graph: FakeGraph, fake_rasa: FakeRasa
) -> None:
    app, client = desk
    conversation, code = await offered_code(app, client)
    number = str(next(_numbers))
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    await post(client, inbound(number, "text", {"body": f"TIKET {wrong}"}))
    assert texts_to(graph, number) == [reach.UNKNOWN_CODE]
    # Not a code message: the bot answers it as usual.
    await post(client, inbound(number, "text", {"body": f"tiket saya {code} kapan dijawab? 🙏"}))
    assert fake_rasa.received[-1]["message"].startswith("tiket saya")
    async with app.state.sessionmaker() as session:
        await session.execute(
            update(Handoff)
            .where(Handoff.conversation_id == (await handoff_of(app, conversation)).conversation_id)
            .values(reach_code_expires_at=utcnow() - timedelta(seconds=1))
        )
        await session.commit()
    await post(client, inbound(number, "text", {"body": f"TIKET {code}"}))
    assert texts_to(graph, number)[-1] == reach.UNKNOWN_CODE
    assert (await handoff_of(app, conversation)).state is HandoffState.OFFERED


def test_code_messages_are_recognised_strictly() -> None:
    assert reach.code_in("TIKET 123456") == "123456"
    assert reach.code_in(" tiket-123456. ") == "123456"
    assert reach.code_in("Tiket: 123456") == "123456"
    for text in ("TIKET 12345", "TIKET 1234567", "tiket saya 123456", "123456", "x" * 5000, "TIKET ١٢٣٤٥٦"):
        assert reach.code_in(text) is None, text
    assert len({reach.new_code() for _ in range(50)}) > 40 and all(
        len(reach.new_code()) == 6 for _ in range(20)
    )
