"""WhatsApp's 24-hour customer-service window for what the gateway pushes unasked: a hand-off
notice and an agent's reply reach the citizen only if the citizen wrote within 24 hours;
after that they are kept, marked undelivered, and nothing is sent to Meta.

The citizen's last message is set half an hour inside or outside the window, so a window
that is gone, flipped or an hour or more off fails one of the two cases.
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta

import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI
from sqlalchemy import update

from api.models import Author, ChannelThread, DeliveryStatus, utcnow
from tests.api.callcenter.support import (
    ALWAYS_OPEN,
    add_agent,
    console,
    fresh_call_center,
    handoff_bot,
    handoff_of,
)
from tests.api.fake_rasa import FakeRasa
from tests.api.support import GatewayFactory
from tests.connectors.fake_channels import FakeGraph, serve
from tests.connectors.test_whatsapp import inbound, messages_of, post, whatsapp_settings

pytestmark = pytest.mark.asyncio

WINDOW = timedelta(hours=24)  # Meta's rule, not a setting: written here, not imported
REPLY = "Selamat pagi, Bu. Saya bantu cek data Anda."
_numbers = itertools.count(6281177000001)


@pytest.fixture(scope="module")
def graph() -> Iterator[FakeGraph]:
    fake = FakeGraph()
    with serve(fake.app()) as url:
        fake.url = url
        yield fake


@pytest_asyncio.fixture
async def wa_center(
    gateway: GatewayFactory, graph: FakeGraph, fake_rasa: FakeRasa
) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    """WhatsApp on, the call center open and empty (before and after: the database is shared),
    a bot that hands off on /request_human."""
    graph.reset()
    handoff_bot(fake_rasa)
    async with gateway(**whatsapp_settings(graph), **ALWAYS_OPEN) as (app, client):
        await fresh_call_center(app)
        yield app, client
        await fresh_call_center(app)


@pytest.mark.parametrize(
    ("wrote_ago", "window_open"),
    [(WINDOW - timedelta(minutes=30), True), (WINDOW + timedelta(minutes=30), False)],
    ids=["23h30-ago", "24h30-ago"],
)
async def test_pushed_notices_and_replies_respect_the_24_hour_window(
    wrote_ago: timedelta,
    window_open: bool,
    wa_center: tuple[FastAPI, httpx.AsyncClient],
    graph: FakeGraph,
) -> None:
    app, client = wa_center
    number = str(next(_numbers))
    agent = await add_agent(app)
    await post(client, inbound(number, "text", {"body": "/request_human"}))
    handoff = await handoff_of(app, str((await messages_of(app, number))[0].conversation_id))
    async with app.state.sessionmaker() as session:
        await session.execute(
            update(ChannelThread)
            .where(ChannelThread.channel == "whatsapp", ChannelThread.channel_user_id == number)
            .values(last_inbound_at=utcnow() - wrote_ago)
        )
        await session.commit()
    sent_before = len(graph.messages)  # the queue notice, answering the citizen's message

    async with console(app, agent) as desk:
        assert (await desk.post(f"/console/api/handoffs/{handoff.id}/claim")).status_code == 200
        answered = await desk.post(f"/console/api/handoffs/{handoff.id}/messages", json={"text": REPLY})
        assert answered.status_code in (200, 201), answered.text

    notice, reply = (await messages_of(app, number))[-2:]
    assert (notice.author, reply.author, reply.text) == (Author.SYSTEM, Author.AGENT, REPLY)
    assert "telah bergabung" in notice.text
    pushed = [body["text"]["body"] for body in graph.messages[sent_before:]]
    if window_open:
        assert pushed == [notice.text, REPLY]
        assert [m.delivery_status for m in (notice, reply)] == [DeliveryStatus.SENT] * 2
    else:
        assert pushed == []
        assert [(m.delivery_status, m.delivery_error) for m in (notice, reply)] == [
            (DeliveryStatus.UNDELIVERED, "outside_24h_window")
        ] * 2
