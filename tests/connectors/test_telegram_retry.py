"""A failed Telegram turn answered later by the retry worker, on the citizen's chat, through the
`Outbound` port (api/conversations/retry.py): the apology, then the answer, once."""

from __future__ import annotations

import asyncio

import pytest

from api.conversations.turn import RASA_UNAVAILABLE_TEXT
from api.models import RasaStatus
from tests.api.fake_rasa import FakeRasa
from tests.api.support import GatewayFactory
from tests.connectors.test_telegram import (  # noqa: F401 - fixtures
    FakeTelegram,
    _telegram_server,
    citizen,
    message_update,
    messages_of,
    post_update,
    telegram,
    telegram_settings,
)

pytestmark = pytest.mark.asyncio

ANSWER = "Halo! Ada yang bisa kami bantu?"


async def test_the_answer_reaches_the_chat_once_rasa_is_back(
    citizen: int, gateway: GatewayFactory, telegram: FakeTelegram, fake_rasa: FakeRasa  # noqa: F811
) -> None:
    fast = {"turn_retry": True, "turn_retry_poll_seconds": 0.05, "turn_retry_base_seconds": 0.05}
    fake_rasa.status = 503
    async with gateway(**telegram_settings(telegram), **fast) as (app, client):
        await post_update(client, message_update(citizen, text="halo"))
        await asyncio.sleep(0.2)  # passes while Rasa still fails
        fake_rasa.status = 200
        fake_rasa.reply({"text": ANSWER})
        for _ in range(200):
            stored = await messages_of(app, citizen)
            if stored[0].rasa_status is RasaStatus.DELIVERED:
                break
            await asyncio.sleep(0.05)

    to_citizen = [params["text"] for params in telegram.sent() if params["chat_id"] == citizen]
    assert to_citizen == [RASA_UNAVAILABLE_TEXT, ANSWER]
    assert [m.text for m in stored] == ["halo", RASA_UNAVAILABLE_TEXT, ANSWER]
