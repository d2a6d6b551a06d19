"""Every gateway call names its conversation (`X-Conversation-ID`, actions/conversation.py)."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterator

import httpx
import pytest
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import health
from actions.conversation import CONVERSATION_ID
from actions.gateway import CONVERSATION_HEADER, Gateway, use_gateway
from actions.payments import ValidatePnbpBillingForm
from tests.actions.builders import user
from tests.actions.flow_helpers import FakeGateway, form_tracker, submit_tracker

NIK = "3273014102900001"
BORN = "1990-02-01"
TARIFFS = {"items": [{"service": "skck", "label": "SKCK", "amount": 30_000, "legal_basis": "PP 76/2020"}]}


@pytest.fixture()
def fake() -> Iterator[FakeGateway]:
    gateway = FakeGateway()
    use_gateway(gateway.client)
    yield gateway
    use_gateway(None)


def billing_request(sender_id: str) -> object:
    """The PNBP billing form started with "kode billing skck": its validation fetches the
    tariffs twice (to extract the service, then to validate it)."""
    message = user("pay_create_billing", "kode billing skck")
    return form_tracker("pnbp_billing_form", None, message, activating=True, sender_id=sender_id)


async def test_an_action_names_its_conversation(
    fake: FakeGateway, dispatcher: CollectingDispatcher, domain: DomainDict
) -> None:
    fake.error(404, "not_found")

    await health.ActionBpjsStatus().run(
        dispatcher, submit_tracker({"nik": NIK, "birth_date": BORN}, sender_id="conv-42"), domain
    )

    assert fake.last.headers[CONVERSATION_HEADER] == "conv-42"
    assert CONVERSATION_ID.get() is None  # reset once the run is over


async def test_a_form_validation_names_its_conversation(
    fake: FakeGateway, dispatcher: CollectingDispatcher, domain: DomainDict
) -> None:
    fake.answer(TARIFFS)

    await ValidatePnbpBillingForm().run(dispatcher, billing_request("conv-7"), domain)

    assert [request.headers[CONVERSATION_HEADER] for request in fake.requests] == ["conv-7", "conv-7"]


async def test_no_header_outside_an_action_run(fake: FakeGateway) -> None:
    fake.answer(TARIFFS)

    await fake.client.get("/payments/tariffs")

    assert CONVERSATION_HEADER not in fake.last.headers


async def test_concurrent_runs_do_not_mix_their_conversations(domain: DomainDict) -> None:
    """Both runs are in flight at once: each holds its first request until the other's has
    arrived, so the second requests are made after both conversations were set."""
    requests: list[httpx.Request] = []
    both_arrived = asyncio.Event()

    async def handle(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        if len(requests) == 2:
            both_arrived.set()
        await asyncio.wait_for(both_arrived.wait(), timeout=5)
        return httpx.Response(200, json=TARIFFS)

    use_gateway(Gateway(base_url="http://gateway.test", transport=httpx.MockTransport(handle)))
    try:
        await asyncio.gather(
            *(
                ValidatePnbpBillingForm().run(CollectingDispatcher(), billing_request(sender), domain)
                for sender in ("conv-a", "conv-b")
            )
        )
    finally:
        use_gateway(None)

    assert Counter(request.headers[CONVERSATION_HEADER] for request in requests) == {"conv-a": 2, "conv-b": 2}
