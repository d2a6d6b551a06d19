"""Shared phones and warnet PCs, live: the answer to the citizen's message (`POST …/messages`
and the WebSocket's `result` frame) carries the message as stored, identifiers and dates
masked, which the widget shows in place of what was typed; a reload shows the same."""

from __future__ import annotations

import httpx
import pytest

from tests.api.fake_rasa import FakeRasa
from tests.security.support import web_conversation

NIK = "3201012345678901"
TYPED = f"NIK saya {NIK}, lahir 12-03-1990"
MASKED = "NIK saya 3201********8901, lahir ••-••-••••"
# The WebSocket's `result` frame: tests/connectors/web/test_socket.py.


@pytest.mark.asyncio
async def test_post_answer_carries_the_masked_stored_text(
    client: httpx.AsyncClient, fake_rasa: FakeRasa
) -> None:
    conversation, token = await web_conversation(client)
    fake_rasa.reply({"text": "Terima kasih, data Anda sudah kami terima."})

    answer_ = await client.post(
        f"/api/v1/conversations/{conversation}/messages",
        json={"text": TYPED},
        headers={"X-Session-Token": token},
    )

    assert answer_.status_code == 200, answer_.text
    assert answer_.json()["text"] == MASKED
    shown = await client.get(
        f"/api/v1/conversations/{conversation}/messages", headers={"X-Session-Token": token}
    )
    [citizen] = [m for m in shown.json()["messages"] if m["author"] == "citizen"]
    assert citizen["id"] == answer_.json()["message_id"]
    assert citizen["text"] == answer_.json()["text"]  # a reload shows what the answer swapped in


@pytest.mark.asyncio
async def test_ordinary_text_comes_back_as_typed(client: httpx.AsyncClient, fake_rasa: FakeRasa) -> None:
    conversation, token = await web_conversation(client)
    fake_rasa.reply({"text": "Halo!"})

    answer_ = await client.post(
        f"/api/v1/conversations/{conversation}/messages",
        json={"text": "Saya mau buat SKCK"},
        headers={"X-Session-Token": token},
    )

    assert answer_.json()["text"] == "Saya mau buat SKCK"
