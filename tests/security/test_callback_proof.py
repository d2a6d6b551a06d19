"""A callback is booked only to a number the citizen proved (api/callcenter/service.py): a
typed number gets an OTP by SMS first; a number nobody proved is never called. The number
booked is sealed at rest (api/models.py `Sealed`)."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text

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


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)  # a file to read
async def test_the_callback_number_is_not_in_the_database_file(
    center: tuple[FastAPI, httpx.AsyncClient],
) -> None:
    app, client = center
    number = "0857-1234-9876"  # digits no other test types
    conversation, _ = await _queued(app, client)
    await say(client, conversation, texts.CALLBACK)
    await say(client, conversation, number)
    code = await last_code(app, number)
    assert code is not None
    await say(client, conversation, code)
    handoff = await handoff_of(app, conversation)
    assert handoff.state is HandoffState.CALLBACK
    assert handoff.callback_phone == "+6285712349876"  # the console reads it in clear

    async with app.state.sessionmaker() as session:
        stored_value = await session.scalar(
            text("SELECT callback_phone FROM handoffs WHERE id = :id"), {"id": handoff.id}
        )
    assert stored_value is not None and "85712349876" not in stored_value

    async with app.state.sessionmaker() as session:
        await session.execute(text("PRAGMA wal_checkpoint(FULL)"))
    path = app.state.settings.sqlite_path()
    stored = b"".join(
        candidate.read_bytes()
        for candidate in (path, path.with_name(path.name + "-wal"))
        if candidate.exists()
    )
    assert b"85712349876" not in stored, "the number's digits are in the database file"
