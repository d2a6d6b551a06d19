"""Every POST an action makes carries one idempotency key per turn (the conversation and the
turn's message id), so a retried request never opens a second case or billing."""

from __future__ import annotations

from typing import Any

import httpx
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.conversation import CONVERSATION_ID, TURN_ID, Action
from actions.gateway import IDEMPOTENCY_HEADER, Gateway


def _recording() -> tuple[Gateway, list[httpx.Request]]:
    requests: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        return httpx.Response(201, json={"case_number": "ADM-2026-000001"})

    return Gateway(base_url="http://gateway.test", token="t", transport=httpx.MockTransport(handle)), requests


async def test_posts_carry_the_turns_key_and_reads_do_not() -> None:
    gateway, requests = _recording()
    conversation, turn = CONVERSATION_ID.set("conv-1"), TURN_ID.set("msg-9")
    try:
        await gateway.post("/population/applications", {"type": "kk_change"})
        await gateway.post("/population/applications", {"type": "kk_change"})  # a retry: the same key
        await gateway.get("/payments/tariffs")
    finally:
        TURN_ID.reset(turn)
        CONVERSATION_ID.reset(conversation)
    await gateway.post("/payments/billings", {})  # outside a turn: no key
    await gateway.aclose()
    keys = [request.headers.get(IDEMPOTENCY_HEADER) for request in requests]
    assert keys == ["conv-1:msg-9", "conv-1:msg-9", None, None]


class _Probe(Action):
    seen: list[Any] = []

    def name(self) -> str:
        return "action_probe"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        self.seen.append((CONVERSATION_ID.get(), TURN_ID.get()))
        return []


async def test_an_action_run_knows_its_turn(dispatcher: CollectingDispatcher) -> None:
    tracker = Tracker("conv-2", {}, {"text": "halo", "message_id": "abc123"}, [], False, None, {}, None)
    await _Probe().run(dispatcher, tracker, {})
    assert _Probe.seen == [("conv-2", "abc123")]
    assert TURN_ID.get() is None  # reset once the run is over


async def test_the_gateways_turn_id_keys_a_replayed_turn_alike(dispatcher: CollectingDispatcher) -> None:
    """A message the gateway plays again after a failure gets a new Rasa message id but keeps
    its turn id (api/conversations/retry.py): the key, and so the case opened, stay the same."""
    _Probe.seen = []
    for rasa_id in ("first-attempt", "second-attempt"):
        latest = {"text": "ya", "message_id": rasa_id, "metadata": {"turn_id": "41.0", "channel": "web"}}
        await _Probe().run(dispatcher, Tracker("conv-3", {}, latest, [], False, None, {}, None), {})
    assert _Probe.seen == [("conv-3", "gw-41.0"), ("conv-3", "gw-41.0")]
