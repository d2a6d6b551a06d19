"""actions/case_updates.py: "berhenti kabari saya" asks the gateway to stop this conversation's
case updates (all, or the case named) and says what happened."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.case_updates import ActionStopCaseUpdates
from actions.gateway import use_gateway
from tests.actions.builders import tracker_from_events, user
from tests.actions.flow_helpers import FakeGateway, texts, wording

pytestmark = pytest.mark.asyncio


@pytest.fixture()
def fake() -> Iterator[FakeGateway]:
    gateway = FakeGateway()
    use_gateway(gateway.client)
    yield gateway
    use_gateway(None)


async def test_stop_all_updates(
    fake: FakeGateway, dispatcher: CollectingDispatcher, domain: DomainDict
) -> None:
    fake.answer({"case_numbers": [], "stopped": 2})
    tracker = tracker_from_events([user("stop_case_updates", "berhenti kabari saya")])

    assert await ActionStopCaseUpdates().run(dispatcher, tracker, domain) == []

    assert fake.last.method == "POST" and fake.last.url.path == "/api/v1/notifications/stop"
    assert fake.last.headers["X-Conversation-ID"] == tracker.sender_id
    assert json.loads(fake.last.content) == {}
    assert texts(dispatcher) == wording("utter_case_updates_stopped")


async def test_stop_one_case_by_its_number(
    fake: FakeGateway, dispatcher: CollectingDispatcher, domain: DomainDict
) -> None:
    fake.answer({"case_numbers": ["ADM-2026-000123"], "stopped": 1})
    tracker = tracker_from_events(
        [user("stop_case_updates", "stop kabar LPR-2026-00042", [("ticket_id", "LPR-2026-00042")])]
    )

    await ActionStopCaseUpdates().run(dispatcher, tracker, domain)

    assert json.loads(fake.last.content) == {"case_number": "LPR-2026-00042"}
    assert "LPR-2026-00042" in texts(dispatcher)


@pytest.mark.parametrize(
    ("setup", "response"),
    [
        (lambda fake: fake.answer({"case_numbers": [], "stopped": 0}), "utter_case_updates_none"),
        (lambda fake: fake.error(404, "not_found"), "utter_case_updates_unknown_case"),
        (lambda fake: fake.down(), "utter_case_updates_stop_failed"),
    ],
    ids=["nothing-to-stop", "unknown-case", "gateway-down"],
)
async def test_nothing_stopped_or_failures_say_so(
    fake: FakeGateway,
    dispatcher: CollectingDispatcher,
    domain: DomainDict,
    setup,
    response: str,  # type: ignore[no-untyped-def]
) -> None:
    setup(fake)
    tracker = tracker_from_events([user("stop_case_updates", "berhenti kabari saya")])

    await ActionStopCaseUpdates().run(dispatcher, tracker, domain)

    assert texts(dispatcher).startswith(wording(response))
