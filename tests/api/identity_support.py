"""Test helpers of identity verification: a conversation bound to a NIK (as after an OTP),
the OTP codes the simulated SMS provider "sent", and a service-API client that calls as the
verified citizen whose record it asks for (the service tests that check a ministry's data)."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from fastapi import FastAPI

from api.identity import sessions
from api.identity.keys import normalize_phone
from api.ministries.registry import Ministries
from api.ministries.sms import SmsAdapter
from api.models import Conversation
from simulators.seed import casn, education, health

HEADER = "X-Conversation-ID"


async def new_conversation(
    app: FastAPI, channel: str = "web", channel_user_id: str | None = None
) -> uuid.UUID:
    async with app.state.sessionmaker() as session:
        conversation = Conversation(channel=channel, channel_user_id=channel_user_id)
        session.add(conversation)
        await session.commit()
        return conversation.id


async def verified_conversation(app: FastAPI, nik: str, method: str = "otp") -> uuid.UUID:
    """A new conversation bound to `nik` (what a proved OTP leaves behind)."""
    conversation_id = await new_conversation(app)
    async with app.state.sessionmaker() as session:
        await sessions.bind(session, conversation_id, nik, method)
    return conversation_id


async def sent_sms(app: FastAPI, phone: str) -> list[dict[str, Any]]:
    """What the simulated SMS provider sent to `phone` (any format), oldest first."""
    ministries: Ministries = app.state.ministries
    sms = ministries.get(SmsAdapter)
    response = await sms.client.get("/v1/outbox", params={"to": normalize_phone(phone)})
    messages: list[dict[str, Any]] = response.json()["messages"]
    return messages


async def last_code(app: FastAPI, phone: str) -> str | None:
    """The six digits of the latest SMS to `phone`, or None."""
    messages = await sent_sms(app, phone)
    if not messages:
        return None
    text = messages[-1]["text"]
    return next(
        word.strip(".") for word in text.split() if word.strip(".").isdigit() and len(word.strip(".")) == 6
    )


def owner_nik(body: dict[str, Any]) -> str | None:
    """The NIK a service request's record belongs to (seeded data)."""
    if isinstance(body.get("nik"), str):
        return str(body["nik"])
    if isinstance(body.get("card_number"), str):
        member = health.memberships_by_card().get(body["card_number"])
        return member.nik if member else None
    if isinstance(body.get("nisn"), str):
        student = education.students_by_nisn().get(body["nisn"])
        return student.nik if student else None
    if isinstance(body.get("participant_number"), str):
        participant = casn.participants().get(body["participant_number"])
        return participant.citizen.nik if participant else None
    return None


class VerifiedClient:
    """Delegates to an `httpx.AsyncClient`; a POST whose body names a citizen goes out from a
    new conversation verified as that citizen (the record's owner), unless it names its own
    `X-Conversation-ID`."""

    def __init__(self, app: FastAPI, client: httpx.AsyncClient) -> None:
        self._app, self._client = app, client

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)

    async def post(
        self, url: str, *, json: Any = None, headers: dict[str, str] | None = None, **kw: Any
    ) -> httpx.Response:
        headers = dict(headers or {})
        if isinstance(json, dict) and HEADER not in headers:
            nik = owner_nik(json)
            if nik is not None and len(nik) == 16 and nik.isdigit():
                headers[HEADER] = str(await verified_conversation(self._app, nik))
        return await self._client.post(url, json=json, headers=headers, **kw)
