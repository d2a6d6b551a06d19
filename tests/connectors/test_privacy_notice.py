"""The short privacy notice (api/privacy/notice.py) at a citizen's first contact, on every
channel — the web, Telegram, WhatsApp — once per conversation, with the link to the full
notice, which the gateway serves in Indonesian at /privasi."""

from __future__ import annotations

import httpx
import pytest

from tests.api.fake_rasa import FakeRasa
from tests.api.support import GatewayFactory, new_conversation
from tests.connectors import test_telegram as tg
from tests.connectors import test_whatsapp as wa
from tests.connectors.fake_channels import FakeGraph, FakeTelegram
from tests.connectors.test_telegram import _telegram_server, telegram
from tests.connectors.test_whatsapp import _graph_server, graph

__all__ = ["_graph_server", "_telegram_server", "graph", "telegram"]

NOTICE_START = "Privasi Anda:"
LINK = "https://warga.example.go.id/privasi"
SETTINGS = {"privacy_notice": True, "public_url": "https://warga.example.go.id"}


def _is_notice(text: str) -> bool:
    return text.startswith(NOTICE_START) and LINK in text and "hapus data saya" in text


async def test_web_first_contact_gets_the_notice_once(gateway: GatewayFactory, fake_rasa: FakeRasa) -> None:
    fake_rasa.reply({"text": "Halo! Ada yang bisa saya bantu?"})
    async with gateway(**SETTINGS) as (_, client):
        conversation = (await client.post("/api/v1/conversations", json={"channel": "web"})).json()["id"]
        url = f"/api/v1/conversations/{conversation}/messages"

        first = (await client.post(url, json={"text": "halo"})).json()["replies"]
        second = (await client.post(url, json={"text": "halo lagi"})).json()["replies"]

    assert [reply["author"] for reply in first] == ["system", "bot"]
    assert _is_notice(first[0]["text"])
    assert [reply["text"] for reply in second] == ["Halo! Ada yang bisa saya bantu?"]


async def test_telegram_first_contact_gets_the_notice_once(
    gateway: GatewayFactory, fake_rasa: FakeRasa, telegram: FakeTelegram
) -> None:
    fake_rasa.reply({"text": "Halo!"})
    chat = next(tg._chat_ids)
    async with gateway(**tg.telegram_settings(telegram, **SETTINGS)) as (_, client):
        await tg.post_update(client, tg.message_update(chat, text="/start"))
        await tg.post_update(client, tg.message_update(chat, text="halo"))

    texts = [sent["text"] for sent in telegram.sent()]
    assert _is_notice(texts[0])
    assert texts[1:] == ["Halo!", "Halo!"]


async def test_whatsapp_first_contact_gets_the_notice_once(
    gateway: GatewayFactory, fake_rasa: FakeRasa, graph: FakeGraph
) -> None:
    fake_rasa.reply({"text": "Halo!"})
    number = str(next(wa._numbers))
    async with gateway(**wa.whatsapp_settings(graph, **SETTINGS)) as (_, client):
        await wa.post(client, wa.inbound(number, "text", {"body": "halo"}))
        await wa.post(client, wa.inbound(number, "text", {"body": "cek bansos"}))

    texts = [message["text"]["body"] for message in graph.messages if message.get("type") == "text"]
    assert _is_notice(texts[0])
    assert texts[1:] == ["Halo!", "Halo!"]


@pytest.mark.parametrize("path", ["/privasi"])
async def test_the_full_notice_is_served_in_indonesian(client: httpx.AsyncClient, path: str) -> None:
    page = await client.get(path)

    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert 'lang="id"' in page.text and "Pelindungan Data Pribadi" in page.text
    assert "hapus data saya" in page.text and "90 hari" in page.text and "30 menit" in page.text
    assert "%" not in page.text  # every placeholder filled


async def test_the_periods_shown_come_from_the_settings(gateway: GatewayFactory, fake_rasa: FakeRasa) -> None:
    """The full notice and the short one state the installation's retention period (and the
    widget's idle time), not a period written into the text."""
    fake_rasa.reply({"text": "Halo!"})
    async with gateway(retention_days=45, widget_idle_minutes=20, privacy_notice=True) as (_, client):
        page = (await client.get("/privasi")).text
        conversation = await new_conversation(client)
        replies = (
            await client.post(f"/api/v1/conversations/{conversation}/messages", json={"text": "halo"})
        ).json()

    assert "45 hari" in page and "20 menit" in page
    assert "90 hari" not in page and "30 menit" not in page
    assert "45 hari" in replies["replies"][0]["text"]
