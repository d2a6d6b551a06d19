"""The hand-off state machine through the gateway: every transition, concurrent claims,
hand-back, the offers when nobody can come, and the timeouts. SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

import httpx
import pytest
from fastapi import FastAPI

from api.callcenter import texts
from api.callcenter.signal import read_signal
from api.conversations import store
from api.models import Author, Conversation, HandledBy, HandoffState, utcnow
from api.pubsub import conversation_topic
from tests.api.callcenter.support import (
    RESUME_TEXT,
    add_agent,
    ask_for_person,
    console,
    fresh_call_center,
    handoff_bot,
    handoff_of,
    say,
)
from tests.api.fake_rasa import FakeRasa
from tests.api.identity_support import last_code
from tests.api.support import (
    GatewayFactory,
    new_conversation,
    service_client,
    session_headers,
    stored_conversation,
    stored_messages,
)

pytestmark = pytest.mark.asyncio


async def _queued(app: FastAPI, client: httpx.AsyncClient) -> tuple[str, dict]:
    conversation = await new_conversation(client)
    return conversation, await ask_for_person(client, conversation)


async def test_request_queues_with_position_and_wait_and_silences_the_bot(
    center: tuple[FastAPI, httpx.AsyncClient], fake_rasa: FakeRasa
) -> None:
    app, client = center
    await add_agent(app)
    first, result = await _queued(app, client)
    [notice] = result["replies"]
    assert notice["author"] == "system"
    assert "Posisi antrean Anda: 1" in notice["text"] and "sekitar 5 menit" in notice["text"]
    assert [b["payload"] for b in notice["buttons"]] == [texts.CANCEL]
    second, result = await _queued(app, client)
    assert "Posisi antrean Anda: 2" in result["replies"][0]["text"]
    assert "sekitar 10 menit" in result["replies"][0]["text"]  # one agent: 2 × 5 minutes

    sent_to_bot = len(fake_rasa.received)
    answer = await say(client, first, "halo, ada orang?")
    assert answer["replies"] == [] and answer["rasa_status"] is None
    assert len(fake_rasa.received) == sent_to_bot  # the bot stays silent
    assert (await stored_conversation(app, first)).handled_by is HandledBy.AGENT  # type: ignore[union-attr]
    assert (await handoff_of(app, first)).state is HandoffState.QUEUED


async def test_nobody_online_offers_callback_or_ticket(center: tuple[FastAPI, httpx.AsyncClient]) -> None:
    app, client = center
    conversation, result = await _queued(app, client)
    [offer] = result["replies"]
    assert "belum ada petugas" in offer["text"]
    assert [b["payload"] for b in offer["buttons"]] == [texts.CALLBACK, texts.TICKET, texts.CANCEL]
    assert (await handoff_of(app, conversation)).state is HandoffState.OFFERED
    # The bot keeps answering while the offer stands.
    assert (await say(client, conversation, "cek bansos"))["replies"][0]["text"] == "bot: cek bansos"

    asked = await say(client, conversation, texts.TICKET, metadata={"button_title": "Minta nomor tiket"})
    # From the web: where should the answer also go (api/callcenter/reach.py)? Check it myself.
    assert [b["payload"] for b in asked["replies"][0]["buttons"]][-1] == texts.REACH_SELF
    ticket = await say(client, conversation, texts.REACH_SELF, metadata={"button_title": "Cek sendiri"})
    number = ticket["replies"][0]["text"].split("Nomor tiket Anda: ")[1].split(".")[0]
    assert number.startswith("TKT-")
    handoff = await handoff_of(app, conversation)
    assert handoff.state is HandoffState.TICKET and handoff.case_number == number
    async with service_client(app) as service:
        followed = await service.get(f"/api/v1/cases/{number}")
    assert followed.status_code == 200 and followed.json()["status_label"] == "Menunggu tindak lanjut petugas"


async def test_outside_opening_hours_offers_with_the_hours(
    gateway: GatewayFactory, fake_rasa: FakeRasa
) -> None:
    handoff_bot(fake_rasa)
    tomorrow = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")[
        (utcnow() + timedelta(hours=7)).weekday() - 6
    ]
    async with gateway(call_center_hours=f"{tomorrow} 00:00-24:00") as (app, client):
        await fresh_call_center(app)
        await add_agent(app)
        _, result = await _queued(app, client)
    assert "di luar jam layanan petugas" in result["replies"][0]["text"]
    assert "00.00–24.00 WIB" in result["replies"][0]["text"]


async def test_callback_asks_for_a_valid_number(center: tuple[FastAPI, httpx.AsyncClient]) -> None:
    app, client = center
    conversation, _ = await _queued(app, client)
    asked = await say(client, conversation, texts.CALLBACK)
    assert asked["replies"][0]["text"] == texts.ASK_PHONE.text
    refused = await say(client, conversation, "nomor saya 123")
    assert refused["replies"][0]["text"] == texts.INVALID_PHONE.text
    sent = await say(client, conversation, "0813-3456-7890")
    assert sent["replies"][0]["text"] == texts.code_sent("0813*****890").text
    code = await last_code(app, "0813-3456-7890")  # proved by an OTP before it is booked
    assert code is not None
    booked = await say(client, conversation, code)
    assert "0813****7890" in booked["replies"][0]["text"]
    handoff = await handoff_of(app, conversation)
    assert handoff.state is HandoffState.CALLBACK and handoff.callback_phone == "+6281334567890"
    assert not handoff.awaiting_phone


async def test_cancel_waiting_returns_to_the_bot_which_resumes(
    center: tuple[FastAPI, httpx.AsyncClient], fake_rasa: FakeRasa
) -> None:
    app, client = center
    await add_agent(app)
    conversation, _ = await _queued(app, client)
    cancelled = await say(client, conversation, texts.CANCEL)
    assert cancelled["replies"][0]["text"] == RESUME_TEXT
    assert fake_rasa.received[-1]["message"] == "/handoff_returned"
    assert (await handoff_of(app, conversation)).state is HandoffState.RETURNED
    assert (await say(client, conversation, "halo"))["replies"][0]["text"] == "bot: halo"
    # A stale cancel button is answered, not sent to the bot.
    assert (await say(client, conversation, texts.CANCEL))["replies"][0][
        "text"
    ] == texts.NOTHING_TO_CANCEL.text


async def test_two_agents_claiming_at_once_exactly_one_wins(
    center: tuple[FastAPI, httpx.AsyncClient],
) -> None:
    app, client = center
    first, second = await add_agent(app), await add_agent(app)
    conversation, _ = await _queued(app, client)
    handoff = await handoff_of(app, conversation)
    async with console(app, first) as one, console(app, second) as two:
        responses = await asyncio.gather(
            *(c.post(f"/console/api/handoffs/{handoff.id}/claim") for c in (one, two))
        )
    assert sorted(r.status_code for r in responses) == [200, 409]
    loser = next(r for r in responses if r.status_code == 409)
    assert loser.json()["detail"] == "Percakapan ini sudah diambil petugas lain."
    winner = next(r for r in responses if r.status_code == 200).json()
    assert winner["state"] == "active"
    claimed = await handoff_of(app, conversation)
    assert claimed.agent_id in (first.id, second.id)
    notices = [m for m in await stored_messages(app, conversation) if m.author is Author.SYSTEM]
    assert notices[-1].text.endswith("telah bergabung dan akan membantu Bapak/Ibu.")


async def test_agent_sees_transcript_replies_and_the_widget_hears_it(
    center: tuple[FastAPI, httpx.AsyncClient],
) -> None:
    app, client = center
    agent = await add_agent(app, name="Sari")
    conversation = await new_conversation(client)
    await say(client, conversation, "mau tanya bansos")
    await ask_for_person(client, conversation)
    await say(client, conversation, "saya menunggu")
    handoff = await handoff_of(app, conversation)
    broadcaster = app.state.callcenter.broadcaster
    async with console(app, agent) as desk, broadcaster.subscribe(conversation_topic(conversation)) as pushed:
        detail = (await desk.post(f"/console/api/handoffs/{handoff.id}/claim")).json()
        texts_seen = [m["text"] for m in detail["transcript"]]
        assert texts_seen[:2] == ["mau tanya bansos", "bot: mau tanya bansos"]  # the bot's turns too
        assert "saya menunggu" in texts_seen
        sent = await desk.post(
            f"/console/api/handoffs/{handoff.id}/messages", json={"text": "Selamat siang, Bu."}
        )
        assert sent.status_code == 201
        assert sent.json()["author"] == "agent" and sent.json()["sender_name"] == "Sari (Petugas)"
        events = [await asyncio.wait_for(pushed.get(), 2) for _ in range(2)]
    assert [e["message"]["author"] for e in events] == ["system", "agent"]
    assert events[1]["message"]["text"] == "Selamat siang, Bu."
    # The widget's HTTP fallback finds it too.
    history = await client.get(
        f"/api/v1/conversations/{conversation}/messages",
        params={"after": events[0]["message"]["id"]},
        headers=session_headers(app, conversation),
    )
    assert [m["text"] for m in history.json()["messages"]] == ["Selamat siang, Bu."]


async def test_only_the_owner_replies(center: tuple[FastAPI, httpx.AsyncClient]) -> None:
    app, client = center
    owner, other = await add_agent(app), await add_agent(app)
    conversation, _ = await _queued(app, client)
    handoff = await handoff_of(app, conversation)
    async with console(app, owner) as mine, console(app, other) as theirs:
        await mine.post(f"/console/api/handoffs/{handoff.id}/claim")
        refused = await theirs.post(f"/console/api/handoffs/{handoff.id}/messages", json={"text": "Halo"})
        assert refused.status_code == 409
        assert (await theirs.post(f"/console/api/handoffs/{handoff.id}/hand-back")).status_code == 409


async def test_transfer_to_agent_then_team_then_hand_back(
    center: tuple[FastAPI, httpx.AsyncClient], fake_rasa: FakeRasa
) -> None:
    app, client = center
    first = await add_agent(app, name="Andi")
    second = await add_agent(app, name="Budi", teams=["general", "social"])
    conversation, _ = await _queued(app, client)
    handoff = await handoff_of(app, conversation)
    async with console(app, first) as andi, console(app, second) as budi:
        await andi.post(f"/console/api/handoffs/{handoff.id}/claim")
        listed = {a["id"]: (a["online"], a["active"]) for a in (await andi.get("/console/api/agents")).json()}
        assert listed[first.id] == (True, 1) and listed[second.id] == (True, 0)  # transfer targets
        moved = await andi.post(f"/console/api/handoffs/{handoff.id}/transfer", json={"agent_id": second.id})
        assert moved.status_code == 200 and moved.json()["agent"]["id"] == second.id
        assert (
            await andi.post(f"/console/api/handoffs/{handoff.id}/messages", json={"text": "x"})
        ).status_code == 409
        to_team = await budi.post(f"/console/api/handoffs/{handoff.id}/transfer", json={"team": "social"})
        assert to_team.json()["state"] == "queued" and to_team.json()["team"] == "social"
        assert (await andi.get(f"/console/api/handoffs/{handoff.id}")).status_code == 404  # not Andi's team
        assert handoff.id in [h["id"] for h in (await budi.get("/console/api/handoffs?scope=queue")).json()]
        await budi.post(f"/console/api/handoffs/{handoff.id}/claim")
        back = await budi.post(f"/console/api/handoffs/{handoff.id}/hand-back")
        assert back.json()["state"] == "returned"
    assert fake_rasa.received[-1]["message"] == "/handoff_returned"
    stored = await stored_messages(app, conversation)
    assert stored[-1].author is Author.BOT and stored[-1].text == RESUME_TEXT
    notices = [m.text for m in stored if m.author is Author.SYSTEM]
    assert any("dialihkan ke Budi (Petugas)" in text for text in notices)
    assert any("dialihkan ke tim Bantuan sosial" in text for text in notices)
    assert (await stored_conversation(app, conversation)).handled_by is HandledBy.BOT  # type: ignore[union-attr]
    assert (await say(client, conversation, "lanjut"))["replies"][0]["text"] == "bot: lanjut"


async def test_close_with_a_disposition_restarts_the_bot(
    center: tuple[FastAPI, httpx.AsyncClient], fake_rasa: FakeRasa
) -> None:
    app, client = center
    agent = await add_agent(app)
    conversation, _ = await _queued(app, client)
    handoff = await handoff_of(app, conversation)
    async with console(app, agent) as desk:
        await desk.post(f"/console/api/handoffs/{handoff.id}/claim")
        bad = await desk.post(f"/console/api/handoffs/{handoff.id}/close", json={"disposition": "bosan"})
        assert bad.status_code == 422
        closed = await desk.post(
            f"/console/api/handoffs/{handoff.id}/close", json={"disposition": "resolved"}
        )
        assert closed.json()["state"] == "closed" and closed.json()["disposition"] == "resolved"
        detail = (await desk.get(f"/console/api/handoffs/{handoff.id}")).json()
    assert [e["state"] for e in detail["events"]] == ["queued", "active", "closed"]
    assert fake_rasa.received[-1]["message"] == "/restart"
    closing, survey = (await stored_messages(app, conversation))[-2:]
    assert closing.text == texts.CLOSED.text
    assert survey.text is not None and survey.text.startswith("Seberapa puas")


async def test_the_message_path_reads_the_open_handoff_only(
    center: tuple[FastAPI, httpx.AsyncClient],
) -> None:
    """`store.conversation_state` reads a conversation with its open hand-off in one query:
    none at first, the waiting one, none once it is closed, then the next one."""
    app, client = center
    agent = await add_agent(app)
    conversation = await new_conversation(client)

    async def state() -> store.ConversationState:
        async with app.state.sessionmaker() as session:
            current = await store.conversation_state(session, uuid.UUID(conversation))
        assert current is not None and str(current.conversation.id) == conversation
        return current

    assert (await state()).handoff is None
    await ask_for_person(client, conversation)
    first = await handoff_of(app, conversation)
    waiting = (await state()).handoff
    assert waiting is not None and (waiting.id, waiting.state) == (first.id, HandoffState.QUEUED)
    async with console(app, agent) as desk:
        await desk.post(f"/console/api/handoffs/{first.id}/claim")
        await desk.post(f"/console/api/handoffs/{first.id}/close", json={"disposition": "resolved"})
    assert (await state()).handoff is None
    await ask_for_person(client, conversation)
    second = (await state()).handoff
    assert second is not None and second.id != first.id and second.state is HandoffState.QUEUED
    async with app.state.sessionmaker() as session:
        assert await store.conversation_state(session, uuid.uuid4()) is None


async def test_a_ticket_is_claimed_later_and_its_case_follows(
    center: tuple[FastAPI, httpx.AsyncClient],
) -> None:
    app, client = center
    conversation, _ = await _queued(app, client)  # nobody online: offered
    await say(client, conversation, texts.TICKET)
    await say(client, conversation, texts.REACH_SELF)  # the web asks where the answer goes
    agent = await add_agent(app)
    handoff = await handoff_of(app, conversation)
    async with console(app, agent) as desk:
        queue = (await desk.get("/console/api/handoffs?scope=queue")).json()
        assert [h["state"] for h in queue if h["id"] == handoff.id] == ["ticket"]
        assert (await desk.post(f"/console/api/handoffs/{handoff.id}/claim")).status_code == 200
    async with service_client(app) as service:
        case = (await service.get(f"/api/v1/cases/{handoff.case_number}")).json()
    assert case["status"] == "in_progress"


async def test_timeouts(center: tuple[FastAPI, httpx.AsyncClient]) -> None:
    app, client = center
    agent = await add_agent(app)
    waiting, _ = await _queued(app, client)
    talking, _ = await _queued(app, client)
    talking_handoff = await handoff_of(app, talking)
    async with console(app, agent) as desk:
        await desk.post(f"/console/api/handoffs/{talking_handoff.id}/claim")
    callcenter = app.state.callcenter
    assert await callcenter.sweep(utcnow()) == 0  # nothing is late yet

    later = utcnow() + timedelta(minutes=callcenter.settings.handoff_idle_minutes + 1)
    assert await callcenter.sweep(later) >= 2
    assert (await handoff_of(app, waiting)).state is HandoffState.OFFERED
    assert "semua petugas masih melayani" in (await stored_messages(app, waiting))[-1].text
    abandoned = await handoff_of(app, talking)
    assert abandoned.state is HandoffState.CLOSED and abandoned.disposition == "abandoned"
    assert (await stored_messages(app, talking))[-1].text == texts.ABANDONED.text

    much_later = later + timedelta(minutes=callcenter.settings.handoff_idle_minutes + 1)
    await callcenter.sweep(much_later)
    assert (await handoff_of(app, waiting)).state is HandoffState.RETURNED  # the offer expired


async def test_assist_conversations_never_hand_off(center: tuple[FastAPI, httpx.AsyncClient]) -> None:
    app, _ = center
    async with app.state.sessionmaker() as session:
        conversation = Conversation(channel="assist", handled_by=HandledBy.BOT)
        session.add(conversation)
        await session.commit()
        signal = {"type": "handoff", "reason": "citizen_request", "service": "health"}
        replies = await app.state.callcenter.on_signal(session, conversation, signal)
    assert replies == []


async def test_unknown_service_goes_to_general() -> None:
    assert read_signal({"type": "handoff", "service": "astrology"}).team == "general"
    assert read_signal({"type": "handoff", "reason": "escalation", "service": "police"}).team == "police"
