"""Live events: in one process, and across gateway replicas through the real Redis."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from redis.asyncio import Redis

from api.pubsub import CONSOLE, MemoryBroadcaster, RedisBroadcaster, conversation_topic
from tests.api.callcenter.support import (
    ALWAYS_OPEN,
    add_agent,
    ask_for_person,
    fresh_call_center,
    handoff_bot,
    say,
)
from tests.api.fake_rasa import FakeRasa
from tests.api.support import GatewayFactory, new_conversation
from tests.services import REDIS_URL, require

pytestmark = pytest.mark.asyncio


async def test_memory_events_reach_only_their_topic() -> None:
    broadcaster = MemoryBroadcaster()
    async with broadcaster.subscribe("conversation:a") as a, broadcaster.subscribe("conversation:b") as b:
        await broadcaster.publish("conversation:a", {"type": "message", "n": 1})
        assert await asyncio.wait_for(a.get(), 1) == {"type": "message", "n": 1}
        assert b.empty()


async def test_redis_events_reach_every_replica() -> None:
    require("Redis")
    replicas = [RedisBroadcaster(REDIS_URL), RedisBroadcaster(REDIS_URL)]
    for replica in replicas:
        await replica.start()
    try:
        async with replicas[0].subscribe(CONSOLE) as first, replicas[1].subscribe(CONSOLE) as second:
            await replicas[1].publish(CONSOLE, {"type": "queue"})
            assert await asyncio.wait_for(first.get(), 2) == {"type": "queue"}
            assert await asyncio.wait_for(second.get(), 2) == {"type": "queue"}
    finally:
        for replica in replicas:
            await replica.aclose()


async def test_a_handoff_on_one_gateway_reaches_the_console_of_another(
    gateway: GatewayFactory, fake_rasa: FakeRasa
) -> None:
    """Two gateway replicas on one database and one Redis: a citizen queued through the first
    is announced to a console connected to the second, and an agent's reply sent through the
    second reaches the widget socket on the first."""
    require("Redis")
    handoff_bot(fake_rasa)
    settings = {**ALWAYS_OPEN, "redis_url": REDIS_URL}
    async with gateway(**settings) as (first, citizen), gateway(**settings) as (second, _):
        await fresh_call_center(first)
        await add_agent(first)
        conversation = await new_conversation(citizen)
        async with (
            second.state.callcenter.broadcaster.subscribe(CONSOLE) as console_events,
            first.state.callcenter.broadcaster.subscribe(conversation_topic(conversation)) as widget,
        ):
            await ask_for_person(citizen, conversation)
            assert await asyncio.wait_for(console_events.get(), 2) == {"type": "queue"}
            await second.state.callcenter.broadcaster.publish(
                conversation_topic(conversation), {"type": "message", "message": {"id": 1}}
            )
            assert (await asyncio.wait_for(widget.get(), 2))["type"] == "message"


async def test_redis_listening_names_the_live_subscription() -> None:
    """`listening` changes when the reader loses Redis and subscribes again: events may have
    been missed in between (what api/conversations/bot_conversations.py relies on)."""
    require("Redis")
    broadcaster = RedisBroadcaster(REDIS_URL)
    assert broadcaster.listening is None
    await broadcaster.start()
    try:
        assert broadcaster.listening == 1
        admin = Redis.from_url(REDIS_URL)
        try:
            await admin.client_kill_filter(_type="pubsub")
        finally:
            await admin.aclose()
        async with asyncio.timeout(5):
            while broadcaster.listening != 2:
                await asyncio.sleep(0.05)
    finally:
        await broadcaster.aclose()
    assert broadcaster.listening is None


async def test_a_handoff_on_one_gateway_silences_the_bot_on_another(
    gateway: GatewayFactory, fake_rasa: FakeRasa
) -> None:
    """The second replica remembers the conversation as the bot's; once the first starts a
    hand-off of it, the second forgets it and keeps the citizen's next message for people."""
    require("Redis")
    handoff_bot(fake_rasa)
    settings = {**ALWAYS_OPEN, "redis_url": REDIS_URL}
    async with gateway(**settings) as (first, citizen_first), gateway(**settings) as (second, citizen_second):
        await fresh_call_center(first)
        await add_agent(first)
        conversation = await new_conversation(citizen_first)
        await say(citizen_second, conversation, "halo")
        remembered = second.state.bot_conversations
        assert uuid.UUID(conversation) in remembered

        await ask_for_person(citizen_first, conversation)
        async with asyncio.timeout(2):
            while uuid.UUID(conversation) in remembered:
                await asyncio.sleep(0.01)
        sent_to_bot = len(fake_rasa.received)
        assert (await say(citizen_second, conversation, "halo, ada orang?"))["replies"] == []
        assert len(fake_rasa.received) == sent_to_bot
