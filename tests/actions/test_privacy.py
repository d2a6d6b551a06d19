"""actions/privacy.py: "Hapus data saya" asks the gateway, says so, and sends the erase
signal; "Siapa yang melihat data saya" words the audit entries by role and number."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.gateway import use_gateway
from actions.privacy import ERASE_SIGNAL, ActionEraseMyData, ActionShowAccessLog
from tests.actions.builders import tracker_from_events, user
from tests.actions.flow_helpers import FakeGateway, texts, wording


@pytest.fixture()
def fake() -> Iterator[FakeGateway]:
    gateway = FakeGateway()
    use_gateway(gateway.client)
    yield gateway
    use_gateway(None)


@pytest.mark.asyncio
async def test_erasure_asks_the_gateway_then_signals(
    fake: FakeGateway, dispatcher: CollectingDispatcher, domain: DomainDict
) -> None:
    fake.answer({"status": "scheduled"}, status=202)
    tracker = tracker_from_events([user("affirm", "ya")])

    events = await ActionEraseMyData().run(dispatcher, tracker, domain)

    assert fake.last.method == "POST" and fake.last.url.path == "/api/v1/privacy/erasure"
    assert fake.last.headers["X-Conversation-ID"] == tracker.sender_id
    assert texts(dispatcher).startswith(wording("utter_data_erased"))
    assert dispatcher.messages[-1]["custom"] == ERASE_SIGNAL
    assert events == [{"event": "reset_slots", "timestamp": None}]


@pytest.mark.asyncio
async def test_a_refused_erasure_sends_no_signal(
    fake: FakeGateway, dispatcher: CollectingDispatcher, domain: DomainDict
) -> None:
    fake.error(503, "ministry_unavailable")

    await ActionEraseMyData().run(dispatcher, tracker_from_events([user("affirm", "ya")]), domain)

    assert texts(dispatcher) == wording("utter_erasure_failed")
    assert all(not message.get("custom") for message in dispatcher.messages)


@pytest.mark.asyncio
async def test_access_log_by_role_and_number(
    fake: FakeGateway, dispatcher: CollectingDispatcher, domain: DomainDict
) -> None:
    fake.answer(
        {
            "items": [
                {"at": "2026-12-01T03:04:00Z", "service": "health", "agent_role": "supervisor",
                 "agent_id": 7, "action": "service_lookup"},
                {"at": "2026-12-01T02:00:00Z", "service": "social", "agent_role": None,
                 "agent_id": None, "action": "bot_lookup"},
            ]
        }
    )  # fmt: skip

    await ActionShowAccessLog().run(dispatcher, tracker_from_events([user("who_viewed_my_data")]), domain)

    assert fake.last.url.path == "/api/v1/privacy/access-log"
    assert "01-12-2026 03:04 UTC: Kesehatan (BPJS), oleh Supervisor nomor 7" in texts(dispatcher)
    # A service's look-up for the bot: no agent, no "nomor None".
    assert "01-12-2026 02:00 UTC: Bantuan Sosial, oleh layanan atas permintaan Anda" in texts(dispatcher)
    assert "None" not in texts(dispatcher)


@pytest.mark.asyncio
async def test_access_log_needs_verification(
    fake: FakeGateway, dispatcher: CollectingDispatcher, domain: DomainDict
) -> None:
    fake.error(403, "identity_unverified")

    await ActionShowAccessLog().run(dispatcher, tracker_from_events([user("who_viewed_my_data")]), domain)

    assert texts(dispatcher) == wording("utter_access_log_not_verified")
