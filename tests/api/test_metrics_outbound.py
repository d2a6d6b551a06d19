"""Outbound delivery in `/metrics`: a Telegram turn whose reply the channel refuses for a while,
then takes; another it refuses for good; each counted by channel and kind, and the turn's
histogram labelled with its channel. Against the fake Bot API of tests/connectors."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.api.fake_rasa import FakeRasa
from tests.api.support import Database, make_settings, new_database, running
from tests.api.test_metrics import scrape, value
from tests.connectors.fake_channels import FakeTelegram, serve
from tests.connectors.test_outbox import FAST, conversations, settled
from tests.connectors.test_telegram import message_update, post_update, telegram_settings
from tests.connectors.test_telegram import messages_of as telegram_messages

pytestmark = pytest.mark.asyncio

_chats = iter(range(778_000_001, 778_999_999))


@pytest.fixture(scope="module")
def telegram() -> Iterator[FakeTelegram]:
    fake = FakeTelegram()
    with serve(fake.app()) as url:
        fake.url = url
        yield fake


@pytest.fixture
def own_database(database: Database, tmp_path: Path) -> Iterator[Database]:
    """An empty database of the session's backend: no other test's outbox reaches this worker
    (the counters are the process's, by channel)."""
    yield from new_database(database.backend, tmp_path)


async def test_outbound_failures_and_sends_by_channel(
    own_database: Database, telegram: FakeTelegram, fake_rasa: FakeRasa
) -> None:
    telegram.reset()
    fake_rasa.reply({"text": "Baik, kami bantu."})
    retried, blocked = next(_chats), next(_chats)
    settings = make_settings(own_database, fake_rasa.url, **telegram_settings(telegram, **FAST))
    async with running(settings) as (app, client):
        before = await scrape(client)
        telegram.script = [(502, None)]  # Bad Gateway once: left to the worker, then sent
        assert (await post_update(client, message_update(retried, text="halo"))).status_code == 200
        await settled(app, conversations(await telegram_messages(app, retried)))
        telegram.failures["sendMessage"] = (403, "Forbidden: bot was blocked by the user")
        assert (await post_update(client, message_update(blocked, text="halo"))).status_code == 200
        await settled(app, conversations(await telegram_messages(app, blocked)))
        after = await scrape(client)

    def grew(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert grew("aw_outbound_failures_total", channel="telegram", kind="retryable") == 1
    assert grew("aw_outbound_failures_total", channel="telegram", kind="permanent") == 1
    assert grew("aw_outbound_sent_total", channel="telegram") == 1
    assert grew("aw_turn_seconds_count", channel="telegram", outcome="delivered") == 2
    assert value(after, "aw_outbox_backlog", channel="telegram") == 0
