"""Callback codes cannot flood a number with SMS (api/identity/verifier.py `send_phone_code`):
a number gets one code per resend interval whichever conversation asks, alternating numbers
does not reset it, and a conversation sends codes to a few numbers at most."""

from __future__ import annotations

import secrets

import pytest
from fastapi import FastAPI

from api.identity.verifier import MAX_CALLBACK_NUMBERS, Verifier
from tests.api.identity_support import new_conversation, sent_sms

pytestmark = pytest.mark.asyncio


def fresh_number() -> str:
    """A mobile number no other test used (the database, and its throttle, live for the session)."""
    return f"0812{secrets.randbelow(10**8):08d}"


async def ask(app: FastAPI, conversation: object, number: str) -> None:
    verifier: Verifier = app.state.verifier
    async with app.state.sessionmaker() as session:
        assert await verifier.send_phone_code(session, conversation, number) is not None  # type: ignore[arg-type]


async def test_alternating_numbers_in_one_conversation_send_one_code_each(app: FastAPI) -> None:
    first, second = fresh_number(), fresh_number()
    conversation = await new_conversation(app)
    for number in (first, second) * 3:
        await ask(app, conversation, number)
    assert (len(await sent_sms(app, first)), len(await sent_sms(app, second))) == (1, 1)


async def test_one_number_from_new_conversations_gets_one_code(app: FastAPI) -> None:
    number = fresh_number()
    for _ in range(4):
        await ask(app, await new_conversation(app), number)
    assert len(await sent_sms(app, number)) == 1


async def test_a_conversation_sends_codes_to_a_few_numbers_only(app: FastAPI) -> None:
    conversation = await new_conversation(app)
    numbers = [fresh_number() for _ in range(MAX_CALLBACK_NUMBERS + 3)]
    for number in numbers:
        await ask(app, conversation, number)
    sent = [len(await sent_sms(app, number)) for number in numbers]
    assert sent == [1] * MAX_CALLBACK_NUMBERS + [0] * 3
