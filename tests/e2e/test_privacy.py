"""The citizen's rights through the whole assistant: the privacy notice at first contact, and
"hapus data saya" confirmed with its button, which erases the gateway's messages and Rasa's
tracker rows of the conversation."""

from __future__ import annotations

import sqlite3

from tests.e2e.conftest import Conversation, Stack


def _tracker_events(stack: Stack, conversation_id: str) -> int:
    path = stack.env["AW_TRACKER_DATABASE_URL"].removeprefix("sqlite+aiosqlite:///")
    with sqlite3.connect(path) as connection:
        (count,) = connection.execute(
            "SELECT count(*) FROM events WHERE sender_id = ?", (conversation_id,)
        ).fetchone()
    return int(count)


def test_notice_then_erasure_of_gateway_and_tracker_rows(stack: Stack, citizen: Conversation) -> None:
    citizen.say("halo")
    assert len(citizen.notices) == 1 and "/privasi" in citizen.notices[0]
    citizen.say("NIK saya 3201012345678901")
    assert _tracker_events(stack, citizen.id) > 0

    asked = citizen.say("tolong hapus data saya")
    assert "menghapus data Anda" in asked and "Ya, hapus" in citizen.buttons()
    done = citizen.click("Ya, hapus")

    assert "Data percakapan ini sudah kami hapus" in done  # not verified: this conversation
    assert citizen.notices == [citizen.notices[0]]  # once per conversation
    history = citizen.client.get(
        f"/api/v1/conversations/{citizen.id}/messages", headers={"X-Session-Token": citizen.token or ""}
    ).json()["messages"]
    assert [message["text"] for message in history] == [done]
    assert _tracker_events(stack, citizen.id) == 0
