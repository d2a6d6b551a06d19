"""A callback is booked only to a number the citizen proved (api/callcenter/service.py): a
typed number gets an OTP by SMS first; a number nobody proved is never called."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from api.callcenter import texts
from api.models import HandoffState
from tests.api.callcenter.support import handoff_of, say
from tests.api.callcenter.test_handoff import _queued
from tests.api.identity_support import last_code, sent_sms

pytestmark = pytest.mark.asyncio

# One number per test: a number gets one code per resend interval over every conversation.
NUMBER = "0812-3456-7890"


async def test_a_typed_number_is_not_booked_before_its_code(
    center: tuple[FastAPI, httpx.AsyncClient],
) -> None:
    app, client = center
    conversation, _ = await _queued(app, client)
    await say(client, conversation, texts.CALLBACK)
    answer = await say(client, conversation, NUMBER)
    assert answer["replies"][0]["text"] == texts.code_sent("0812*****890").text
    handoff = await handoff_of(app, conversation)
    assert handoff.state is not HandoffState.CALLBACK and handoff.callback_phone is None
    assert len(await sent_sms(app, NUMBER)) == 1


async def test_a_wrong_code_books_nothing_and_the_right_one_books(
    center: tuple[FastAPI, httpx.AsyncClient],
) -> None:
    app, client = center
    conversation, _ = await _queued(app, client)
    await say(client, conversation, texts.CALLBACK)
    await say(client, conversation, "0812-3456-7891")
    code = await last_code(app, "0812-3456-7891")
    assert code is not None
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    assert (await say(client, conversation, wrong))["replies"][0]["text"] == texts.ASK_CODE_AGAIN.text
    assert (await handoff_of(app, conversation)).callback_phone is None
    booked = await say(client, conversation, code)
    assert "0812****7891" in booked["replies"][0]["text"]
    handoff = await handoff_of(app, conversation)
    assert handoff.state is HandoffState.CALLBACK and handoff.callback_phone == "+6281234567891"


async def test_three_wrong_codes_lock_the_callback_code(center: tuple[FastAPI, httpx.AsyncClient]) -> None:
    app, client = center
    conversation, _ = await _queued(app, client)
    await say(client, conversation, texts.CALLBACK)
    await say(client, conversation, "0812-3456-7892")
    code = await last_code(app, "0812-3456-7892")
    assert code is not None
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _ in range(3):
        await say(client, conversation, wrong)
    await say(client, conversation, code)
    assert (await handoff_of(app, conversation)).callback_phone is None
