""" "Hapus data saya" from a verified conversation erases the citizen, not one channel identity
(api/privacy/erasure.py `citizen_conversations`): every conversation bound to the same NIK, on
the web and on other channels, goes with its Rasa tracker; someone else's stays. Unverified, it
erases only the conversation (and its channel user's), since nothing says whose the others are."""

from __future__ import annotations

import uuid
from datetime import timedelta

from fastapi import FastAPI
from sqlalchemy import update

from api.identity import sessions
from api.models import Conversation, VerifiedSession, utcnow
from tests.api.fake_rasa import FakeRasa
from tests.api.support import GatewayFactory, service_client
from tests.security.support import TrackerStore
from tests.security.test_erasure import ERASED, _erasing_bot, _rows, _say

CITIZEN = "3273014508950001"
SOMEONE_ELSE = "3273010101900002"


async def _conversation(app: FastAPI, channel: str, nik: str | None, *, expired: bool = False) -> uuid.UUID:
    async with app.state.sessionmaker() as session:
        user = None if channel == "web" else f"{uuid.uuid4().int % 10**9}"
        conversation = Conversation(channel=channel, channel_user_id=user)
        session.add(conversation)
        await session.commit()
        if nik is not None:
            await sessions.bind(session, conversation.id, nik, "otp")
        if expired:  # verified earlier: the binding lapsed, the conversation is still theirs
            await session.execute(
                update(VerifiedSession)
                .where(VerifiedSession.conversation_id == conversation.id)
                .values(expires_at=utcnow() - timedelta(hours=1))
            )
            await session.commit()
        return conversation.id


async def _erase_from(app: FastAPI, fake_rasa: FakeRasa, conversation: uuid.UUID, scope: str) -> None:
    fake_rasa.respond = _erasing_bot
    async with service_client(app) as actions:
        headers = {"X-Conversation-ID": str(conversation)}
        accepted = await actions.post("/api/v1/privacy/erasure", headers=headers)
    assert accepted.status_code == 202, accepted.text
    assert accepted.json()["scope"] == scope  # what the action tells the citizen goes
    assert [reply.text for reply in await _say(app, conversation, "/affirm")] == [ERASED]


async def test_a_verified_citizen_erases_all_their_conversations_across_channels(
    gateway: GatewayFactory, fake_rasa: FakeRasa, tracker: TrackerStore
) -> None:
    async with gateway(tracker_database_url=tracker.url) as (app, _):
        earlier_web = await _conversation(app, "web", CITIZEN, expired=True)
        telegram = await _conversation(app, "telegram", CITIZEN, expired=True)
        current = await _conversation(app, "web", CITIZEN)
        stranger = await _conversation(app, "web", SOMEONE_ELSE)
        anonymous = await _conversation(app, "web", None)
        for conversation in (earlier_web, telegram, current, stranger, anonymous):
            await tracker.add(str(conversation), count=2)

        await _erase_from(app, fake_rasa, current, "citizen")

        assert (await _rows(app, earlier_web))[0] is False
        assert (await _rows(app, telegram))[0] is False
        assert await _rows(app, current) == (True, [ERASED], False)
        for gone in (earlier_web, telegram, current):
            assert await tracker.count(str(gone)) == 0
        for kept in (stranger, anonymous):
            assert (await _rows(app, kept))[0] is True
            assert await tracker.count(str(kept)) == 2


async def test_an_unverified_conversation_erases_only_itself(
    gateway: GatewayFactory, fake_rasa: FakeRasa, tracker: TrackerStore
) -> None:
    async with gateway(tracker_database_url=tracker.url) as (app, _):
        verified_earlier = await _conversation(app, "web", CITIZEN)
        current = await _conversation(app, "web", None)
        await tracker.add(str(verified_earlier), count=2)

        await _erase_from(app, fake_rasa, current, "conversation")

        assert await _rows(app, current) == (True, [ERASED], False)
        assert (await _rows(app, verified_earlier))[0] is True
        assert await tracker.count(str(verified_earlier)) == 2
