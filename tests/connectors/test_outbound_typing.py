"""An agent typing, shown on the citizen's channel (connectors/outbound.py): a `typing` frame
from the agent on the web widget's sockets, Telegram's "typing" chat action, nothing on
WhatsApp (its indicator needs the citizen's last message id)."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest

from api.models import Conversation
from api.pubsub import MemoryBroadcaster, conversation_topic
from connectors.outbound import ChannelOutbound

pytestmark = pytest.mark.asyncio


class RecordingBot:
    def __init__(self, fail: bool = False) -> None:
        self.actions: list[tuple[int, str]] = []
        self.fail = fail

    async def send_chat_action(self, chat_id: int, action: str) -> None:
        if self.fail:
            raise RuntimeError("telegram down")
        self.actions.append((chat_id, action))


def _conversation(channel: str, user: str | None = None) -> Conversation:
    return Conversation(id=uuid.uuid4(), channel=channel, channel_user_id=user)


async def test_the_widget_hears_the_agent_typing() -> None:
    broadcaster = MemoryBroadcaster()
    outbound = ChannelOutbound(broadcaster, telegram=None, whatsapp=None)
    conversation = _conversation("web")
    async with broadcaster.subscribe(conversation_topic(conversation.id)) as heard:
        await outbound.typing(conversation)
        frame: dict[str, Any] = await asyncio.wait_for(heard.get(), 1)
    assert frame == {"type": "typing", "active": True, "author": "agent"}


async def test_telegram_shows_typing_and_a_failure_is_no_harm() -> None:
    bot = RecordingBot()
    outbound = ChannelOutbound(MemoryBroadcaster(), telegram=bot, whatsapp=None)  # type: ignore[arg-type]
    await outbound.typing(_conversation("telegram", "4242"))
    assert bot.actions == [(4242, "typing")]
    failing = ChannelOutbound(MemoryBroadcaster(), telegram=RecordingBot(fail=True), whatsapp=None)  # type: ignore[arg-type]
    await failing.typing(_conversation("telegram", "4242"))  # logged, not raised
    await outbound.typing(_conversation("whatsapp", "6281234567890"))  # nothing to show there
    assert bot.actions == [(4242, "typing")]
