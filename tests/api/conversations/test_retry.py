"""Failed turns retried (api/conversations/retry.py): against a fake Rasa that fails, times out
and recovers, every message is answered once, in order, nothing doubled; past the window a
person follows up; two workers never play one conversation twice."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

import asyncpg
import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import delete, select, update
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession

from api.conversations import waiting
from api.conversations.delivery import Outbound
from api.conversations.retry import GAVE_UP_TEXT, GIVE_UP_REASON, RetryPolicy, TurnRetries
from api.conversations.turn import QUEUED_BEHIND_TEXT, RASA_UNAVAILABLE_TEXT
from api.models import (
    WAITING_FOR_RASA,
    Author,
    Conversation,
    Direction,
    GatewayReplica,
    Handoff,
    Message,
    RasaStatus,
    TurnRetry,
    utcnow,
)
from tests.api.callcenter.support import ALWAYS_OPEN, fresh_call_center
from tests.api.fake_rasa import FakeRasa
from tests.api.support import (
    RASA_TIMEOUT,
    Database,
    GatewayFactory,
    make_settings,
    new_conversation,
    running,
    stored_messages,
)
from tests.services import POSTGRES_URL, require

pytestmark = pytest.mark.asyncio

# The background worker is off: each test runs passes itself, with this policy.
SETTINGS: dict[str, Any] = {"turn_retry": False, "rasa_token": "rasa-test-token", **ALWAYS_OPEN}
POLICY = RetryPolicy(base_seconds=0.001, max_delay_seconds=0.002, health_timeout=RASA_TIMEOUT)


class RecordingOutbound:
    """The `Outbound` port: what the worker delivered, per conversation, in order."""

    def __init__(self) -> None:
        self.pushed: list[tuple[uuid.UUID, str]] = []

    async def push(self, session: AsyncSession, conversation: Conversation, messages: list[Message]) -> None:
        self.pushed += [(conversation.id, message.text) for message in messages]


def echo(fake: FakeRasa) -> None:
    fake.respond = lambda body: [{"text": f"jawab: {body['message']}"}]


def worker(app: FastAPI, outbound: Outbound, policy: RetryPolicy = POLICY, **kwargs: Any) -> TurnRetries:
    state = app.state
    return TurnRetries(policy, state.sessionmaker, state.rasa, state.callcenter, outbound, **kwargs)


async def send(client: httpx.AsyncClient, conversation_id: str, text: str) -> dict[str, Any]:
    response = await client.post(f"/api/v1/conversations/{conversation_id}/messages", json={"text": text})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def transcript(messages: list[Message]) -> list[tuple[str, str, str | None]]:
    return [(str(m.author), m.text, m.rasa_status and str(m.rasa_status)) for m in messages]


def sent_texts(fake: FakeRasa) -> list[str]:
    return [body["message"] for body in fake.received]


@asynccontextmanager
async def gateway_app(
    gateway: GatewayFactory, **overrides: Any
) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    async with gateway(**{**SETTINGS, **overrides}) as (app, client):
        await fresh_call_center(app)
        await forget_waiting(app)
        yield app, client


async def forget_waiting(app: FastAPI) -> None:
    """The database is shared by the session's tests: earlier tests' waiting messages leave it."""
    async with app.state.sessionmaker() as session:
        await session.execute(
            update(Message)
            .where(Message.rasa_status.in_(WAITING_FOR_RASA))
            .values(rasa_status=RasaStatus.EXPIRED)
        )
        await session.execute(delete(TurnRetry))
        await session.commit()


async def test_a_failed_message_is_answered_once_rasa_is_back(
    gateway: GatewayFactory, fake_rasa: FakeRasa
) -> None:
    outbound = RecordingOutbound()
    async with gateway_app(gateway) as (app, client):
        conversation_id = await new_conversation(client)
        fake_rasa.status = 500
        failed = await send(client, conversation_id, "syarat KTP")
        assert failed["rasa_status"] == "failed"
        assert [r["text"] for r in failed["replies"]] == [RASA_UNAVAILABLE_TEXT]

        retries = worker(app, outbound)
        fake_rasa.stores = {"tracker_store": "unavailable", "lock_store": "ok"}  # Rasa reports itself down
        assert await retries.run_once() == 0
        assert await retries.run_once() == 0
        assert len(fake_rasa.received) == 1  # nothing sent while Rasa is down

        fake_rasa.status, fake_rasa.stores = 200, {"tracker_store": "ok", "lock_store": "ok"}
        echo(fake_rasa)
        await asyncio.sleep(0.01)  # the first backoff
        assert await retries.run_once() == 1
        assert await retries.run_once() == 0  # nothing left: answered once
        stored = await stored_messages(app, conversation_id)

    assert sent_texts(fake_rasa) == ["syarat KTP", "syarat KTP"]
    # The same turn both times: the actions' idempotency key (actions/conversation.py).
    first, second = fake_rasa.received
    assert first["metadata"]["turn_id"] == second["metadata"]["turn_id"] == f"{failed['message_id']}.0"
    assert transcript(stored) == [
        ("citizen", "syarat KTP", "delivered"),
        ("system", RASA_UNAVAILABLE_TEXT, None),
        ("bot", "jawab: syarat KTP", None),
    ]
    assert outbound.pushed == [(uuid.UUID(conversation_id), "jawab: syarat KTP")]


async def test_a_failed_message_with_a_nik_is_replayed_as_rasa_first_got_it_not_masked(
    gateway: GatewayFactory, fake_rasa: FakeRasa
) -> None:
    """Kill test run 4: a typed NIK whose turn failed was replayed as the stored mask
    (3202********0031), and the bot answered that the NIK had 8 digits."""
    outbound = RecordingOutbound()
    async with gateway_app(gateway) as (app, client):
        conversation_id = await new_conversation(client)
        fake_rasa.status = 500
        failed = await send(client, conversation_id, "3202450605950031")
        assert failed["rasa_status"] == "failed"
        fake_rasa.status = 200
        echo(fake_rasa)
        await asyncio.sleep(0.01)  # the first backoff
        assert await worker(app, outbound).run_once() == 1

    live, replayed = sent_texts(fake_rasa)
    assert replayed == live and "*" not in replayed


async def test_an_answer_lost_on_the_way_back_is_delivered_not_played_again(
    gateway: GatewayFactory, fake_rasa: FakeRasa
) -> None:
    """Rasa ran the turn (a case opened) but answered after the gateway gave up: the retry
    reads the answer from the tracker instead of opening a second case."""
    outbound = RecordingOutbound()
    async with gateway_app(gateway) as (app, client):
        conversation_id = await new_conversation(client)
        fake_rasa.reply({"text": "Pengaduan Anda tercatat dengan nomor LPR-1."})
        fake_rasa.delay = RASA_TIMEOUT * 2
        timed_out = await send(client, conversation_id, "ya, kirim pengaduan")
        assert timed_out["rasa_status"] == "failed"
        while not fake_rasa.events:  # Rasa finishes the turn and saves its tracker
            await asyncio.sleep(0.02)
        fake_rasa.delay = 0

        await asyncio.sleep(0.01)
        assert await worker(app, outbound).run_once() == 1
        stored = await stored_messages(app, conversation_id)

    assert sent_texts(fake_rasa) == ["ya, kirim pengaduan"]  # played once
    assert outbound.pushed == [(uuid.UUID(conversation_id), "Pengaduan Anda tercatat dengan nomor LPR-1.")]
    assert transcript(stored)[-1] == ("bot", "Pengaduan Anda tercatat dengan nomor LPR-1.", None)
    assert stored[0].rasa_status is RasaStatus.DELIVERED


async def test_later_messages_wait_behind_a_failed_one_and_are_answered_in_order(
    gateway: GatewayFactory, fake_rasa: FakeRasa
) -> None:
    outbound = RecordingOutbound()
    async with gateway_app(gateway) as (app, client):
        conversation_id = await new_conversation(client)
        other_id = await new_conversation(client)
        fake_rasa.status = 503
        await send(client, conversation_id, "pesan 1")
        fake_rasa.status = 200
        echo(fake_rasa)
        # Rasa is back, but the conversation's earlier message still waits: these queue behind it.
        second = await send(client, conversation_id, "pesan 2")
        third = await send(client, conversation_id, "pesan 3")
        assert (second["rasa_status"], [r["text"] for r in second["replies"]]) == (
            "queued",
            [QUEUED_BEHIND_TEXT],
        )
        assert third["rasa_status"] == "queued"
        # Another conversation is not held up.
        assert (await send(client, other_id, "pesan lain"))["rasa_status"] == "delivered"
        assert sent_texts(fake_rasa) == ["pesan 1", "pesan lain"]

        await asyncio.sleep(0.01)
        assert await worker(app, outbound).run_once() == 3
        stored = await stored_messages(app, conversation_id)
        after = await send(client, conversation_id, "pesan 4")  # nothing waits: straight to Rasa

    assert sent_texts(fake_rasa) == ["pesan 1", "pesan lain", "pesan 1", "pesan 2", "pesan 3", "pesan 4"]
    assert [text for _, text in outbound.pushed] == ["jawab: pesan 1", "jawab: pesan 2", "jawab: pesan 3"]
    citizen = [(m.text, m.rasa_status) for m in stored if m.author is Author.CITIZEN]
    assert citizen == [(f"pesan {n}", RasaStatus.DELIVERED) for n in (1, 2, 3)]
    assert after["rasa_status"] == "delivered"


async def test_a_retry_that_fails_again_stops_the_conversation_and_backs_off(
    gateway: GatewayFactory, fake_rasa: FakeRasa
) -> None:
    outbound = RecordingOutbound()
    policy = RetryPolicy(base_seconds=60, max_delay_seconds=120, health_timeout=RASA_TIMEOUT)
    async with gateway_app(gateway) as (app, client):
        conversation_id = await new_conversation(client)
        fake_rasa.status = 500
        await send(client, conversation_id, "pesan 1")
        await send(client, conversation_id, "pesan 2")
        # Due at once for this test: the first backoff passed.
        retries = worker(app, outbound, policy)
        assert await retries.run_once() == 0  # first seen: scheduled after the first backoff
        async with app.state.sessionmaker() as session:
            await session.execute(update(TurnRetry).values(next_at=utcnow()))
            await session.commit()
        assert await retries.run_once() == 0  # tried, failed again
        assert await retries.run_once() == 0  # backing off: not tried
        async with app.state.sessionmaker() as session:
            row = await session.get(TurnRetry, uuid.UUID(conversation_id))
        stored = await stored_messages(app, conversation_id)

    assert sent_texts(fake_rasa) == ["pesan 1", "pesan 1"]  # never "pesan 2" before "pesan 1"
    assert row is not None and row.attempts == 1 and row.last_error == "http 500"
    assert timedelta(seconds=59) < row.next_at - utcnow() <= timedelta(seconds=120)
    assert [m.rasa_status for m in stored if m.author is Author.CITIZEN] == [
        RasaStatus.FAILED,
        RasaStatus.QUEUED,
    ]
    assert outbound.pushed == []


async def test_past_the_window_a_person_follows_up(gateway: GatewayFactory, fake_rasa: FakeRasa) -> None:
    outbound = RecordingOutbound()
    async with gateway_app(gateway) as (app, client):
        conversation_id = await new_conversation(client)
        fake_rasa.status = 500
        await send(client, conversation_id, "pesan 1")
        await send(client, conversation_id, "pesan 2")
        fake_rasa.status = 200
        echo(fake_rasa)
        # Half an hour later, Rasa answers again: too late for these messages.
        later = worker(app, outbound, clock=lambda: utcnow() + timedelta(minutes=31))
        assert await later.run_once() == 2
        assert await later.run_once() == 0
        stored = await stored_messages(app, conversation_id)
        async with app.state.sessionmaker() as session:
            handoff = await session.scalar(
                select(Handoff).where(Handoff.conversation_id == uuid.UUID(conversation_id))
            )
            retry_row = await session.get(TurnRetry, uuid.UUID(conversation_id))

    assert sent_texts(fake_rasa) == ["pesan 1"]  # never played late
    assert [m.rasa_status for m in stored if m.author is Author.CITIZEN] == [RasaStatus.EXPIRED] * 2
    assert handoff is not None and handoff.reason == GIVE_UP_REASON
    delivered = [text for _, text in outbound.pushed]
    assert delivered[0] == GAVE_UP_TEXT and len(delivered) == 2  # and the hand-off's notice
    assert retry_row is None


async def test_a_pending_message_whose_process_died_is_retried(
    gateway: GatewayFactory, fake_rasa: FakeRasa
) -> None:
    outbound = RecordingOutbound()
    async with gateway_app(gateway) as (app, client):
        conversation_id = await new_conversation(client)
        echo(fake_rasa)
        async with app.state.sessionmaker() as session:
            session.add(
                Message(
                    conversation_id=uuid.UUID(conversation_id),
                    direction=Direction.IN,
                    author=Author.CITIZEN,
                    text="halo",
                    rasa_status=RasaStatus.PENDING,
                    created_at=utcnow() - timedelta(minutes=5),
                )
            )
            young = Message(
                conversation_id=uuid.UUID(conversation_id),
                direction=Direction.IN,
                author=Author.CITIZEN,
                text="baru saja",
                rasa_status=RasaStatus.PENDING,  # a live turn still running: left alone
            )
            session.add(young)
            await session.commit()
        retries = worker(app, outbound)
        assert await retries.run_once() == 1
        assert await retries.run_once() == 0

    assert sent_texts(fake_rasa) == ["halo"]
    assert outbound.pushed == [(uuid.UUID(conversation_id), "jawab: halo")]


async def test_a_pending_message_of_a_killed_process_is_retried_once_its_turn_cannot_run(
    gateway: GatewayFactory, fake_rasa: FakeRasa
) -> None:
    """kill -9 of a gateway replica mid-turn (issue 19 kill test): its pending message is
    replayed by another replica once no live turn can still be running it (`orphan_pending`),
    long before the stale bound meant for a live but stalled process; a pending message of a
    live process, as old, is left to that process."""
    outbound = RecordingOutbound()
    policy = RetryPolicy(
        base_seconds=0.001,
        max_delay_seconds=0.002,
        health_timeout=RASA_TIMEOUT,
        stale_pending=timedelta(minutes=10),
        orphan_pending=timedelta(seconds=30),
        heartbeat_dead=timedelta(seconds=10),
    )
    async with gateway_app(gateway) as (app, client):
        conversation_id = await new_conversation(client)
        echo(fake_rasa)
        killed, live, sent_at = uuid.uuid4().hex, uuid.uuid4().hex, utcnow() - timedelta(seconds=40)
        async with app.state.sessionmaker() as session:
            for holder, text in ((killed, "dari proses yang mati"), (live, "dari proses yang hidup")):
                session.add(
                    Message(
                        conversation_id=uuid.UUID(conversation_id),
                        direction=Direction.IN,
                        author=Author.CITIZEN,
                        text=text,
                        rasa_status=RasaStatus.PENDING,
                        rasa_holder=holder,
                        created_at=sent_at,
                    )
                )
            session.add(GatewayReplica(holder=killed, seen_at=utcnow() - timedelta(seconds=35)))
            session.add(GatewayReplica(holder=live, seen_at=utcnow()))
            await session.commit()
        retries = worker(app, outbound, policy)
        assert await retries.run_once() == 1
        assert await retries.run_once() == 0
        async with app.state.sessionmaker() as session:
            me = await session.get(GatewayReplica, retries.process)  # its own heartbeat
            await session.execute(delete(GatewayReplica).where(GatewayReplica.holder.in_([killed, live])))
            await session.commit()
        assert me is not None and utcnow() - me.seen_at < timedelta(seconds=5)

    assert sent_texts(fake_rasa) == ["dari proses yang mati"]
    assert outbound.pushed == [(uuid.UUID(conversation_id), "jawab: dari proses yang mati")]


async def test_a_message_played_now_names_this_process(gateway: GatewayFactory, fake_rasa: FakeRasa) -> None:
    async with gateway_app(gateway) as (app, client):
        conversation_id = await new_conversation(client)
        echo(fake_rasa)
        await send(client, conversation_id, "halo")
        stored = await stored_messages(app, conversation_id)
    assert [m.rasa_holder for m in stored if m.direction is Direction.IN] == [waiting.PROCESS]


async def test_messages_sent_at_once_reach_rasa_one_at_a_time_in_stored_order(
    gateway: GatewayFactory, fake_rasa: FakeRasa
) -> None:
    """Issue 19's burst: Rasa's lock cannot order turns in flight at once on two replicas, so
    the gateway plays one turn per conversation at a time, in the order it stored them."""
    arrived_before_answer: list[int] = []
    connections_held: list[int] = []

    def respond(body: dict[str, Any]) -> list[dict[str, Any]]:
        arrived_before_answer.append(len(fake_rasa.received))  # requests Rasa had by then
        pool = app.state.engine.sync_engine.pool
        connections_held.append(pool.checkedout() if hasattr(pool, "checkedout") else 0)
        return [{"text": f"jawab: {body['message']}"}]

    async with gateway_app(gateway) as (app, client):
        conversation_id = await new_conversation(client)
        fake_rasa.respond, fake_rasa.delay = respond, 0.2
        texts = [f"pesan {i}" for i in range(4)]
        answers = await asyncio.gather(*(send(client, conversation_id, text) for text in texts))
        stored = [m for m in await stored_messages(app, conversation_id) if m.direction is Direction.IN]

    assert [a["rasa_status"] for a in answers] == ["delivered"] * 4
    assert arrived_before_answer == [1, 2, 3, 4]  # never two turns of it in Rasa at once
    # The turn in Rasa holds no database connection (the pool is for all turns). Only the last
    # turn is alone then: earlier ones overlap others' brief queries.
    assert connections_held[-1] == 0, connections_held
    assert sent_texts(fake_rasa) == [m.text for m in stored]  # in the order they were stored
    assert sorted(sent_texts(fake_rasa)) == texts


# --- Two replicas on PostgreSQL ----------------------------------------------------------


def _retry_database() -> tuple[str, Callable[[], Awaitable[None]]]:
    """The helper's own database `aw_retry` on the test server (created once)."""
    require("PostgreSQL")
    url = make_url(POSTGRES_URL)

    async def create() -> None:
        connection = await asyncpg.connect(POSTGRES_URL)
        try:
            if not await connection.fetchval("SELECT 1 FROM pg_database WHERE datname = 'aw_retry'"):
                await connection.execute("CREATE DATABASE aw_retry")
        finally:
            await connection.close()

    return url.set(database="aw_retry").render_as_string(hide_password=False), create


async def test_two_replicas_play_each_message_once_and_in_order(
    fake_rasa: FakeRasa, database: Database
) -> None:
    if database.backend != "postgresql":
        pytest.skip("two replicas share a PostgreSQL database")
    require("PostgreSQL")
    plain, create = _retry_database()
    await create()
    schema = f"aw_retry_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(plain)
    await admin.execute(f"CREATE SCHEMA {schema}")
    url = make_url(plain).set(drivername="postgresql+asyncpg").render_as_string(hide_password=False)
    shared = Database(url, schema, database.simulators_url)
    overrides = {**SETTINGS, "rasa_concurrency": 64}
    try:
        async with (
            running(make_settings(shared, fake_rasa.url, **overrides)) as (one, client),
            running(make_settings(shared, fake_rasa.url, **overrides)) as (two, _),
        ):
            await fresh_call_center(one)
            conversations = [await new_conversation(client) for _ in range(6)]
            fake_rasa.status = 500
            for n in range(3):
                for conversation_id in conversations:
                    await send(client, conversation_id, f"pesan {n}")
            fake_rasa.status = 200
            fake_rasa.delay = 0.05  # each turn takes a while: the replicas' passes overlap
            echo(fake_rasa)
            fake_rasa.received.clear()
            outbound = RecordingOutbound()
            first, second = worker(one, outbound), worker(two, outbound)
            for _ in range(6):
                await asyncio.gather(first.run_once(), second.run_once())
                await asyncio.sleep(0.01)
            rows = {cid: await stored_messages(one, cid) for cid in conversations}
    finally:
        await admin.execute(f"DROP SCHEMA {schema} CASCADE")
        await admin.close()

    by_conversation: dict[str, list[str]] = {}
    for body in fake_rasa.received:
        by_conversation.setdefault(body["sender"], []).append(body["message"])
    # Each message played once, in its conversation's order, whichever replica played it.
    assert by_conversation == {cid: ["pesan 0", "pesan 1", "pesan 2"] for cid in conversations}
    for cid in conversations:
        pushed = [text for conversation, text in outbound.pushed if str(conversation) == cid]
        assert pushed == ["jawab: pesan 0", "jawab: pesan 1", "jawab: pesan 2"]
        assert [m.rasa_status for m in rows[cid] if m.author is Author.CITIZEN] == [RasaStatus.DELIVERED] * 3


async def test_the_gateways_own_worker_answers_when_rasa_recovers(
    gateway: GatewayFactory, fake_rasa: FakeRasa
) -> None:
    """The worker the app starts (AW_TURN_RETRY): no pass run by hand."""
    fast = {"turn_retry": True, "turn_retry_poll_seconds": 0.05, "turn_retry_base_seconds": 0.05}
    async with gateway_app(gateway, **fast) as (app, client):
        conversation_id = await new_conversation(client)
        fake_rasa.status = 502
        await send(client, conversation_id, "cek bansos")
        await asyncio.sleep(0.3)  # a few passes: Rasa still failing, the backoff grows
        fake_rasa.status = 200
        echo(fake_rasa)
        for _ in range(200):
            stored = await stored_messages(app, conversation_id)
            if stored[0].rasa_status is RasaStatus.DELIVERED:
                break
            await asyncio.sleep(0.05)

    mine = [body["message"] for body in fake_rasa.received if body["sender"] == conversation_id]
    assert mine[0] == "cek bansos" and set(mine) == {"cek bansos"}
    answered = [(m.author, m.text) for m in stored]
    assert answered == [
        (Author.CITIZEN, "cek bansos"),
        (Author.SYSTEM, RASA_UNAVAILABLE_TEXT),
        (Author.BOT, "jawab: cek bansos"),
    ]


IURAN, KIA = "berapa iuran bpjs kelas 3", "gimana cara bikin kia?"


async def test_of_two_questions_only_the_unanswered_one_is_played_again(
    gateway: GatewayFactory, fake_rasa: FakeRasa
) -> None:
    """The first question was answered, the second failed: the retry takes the first answer
    from the tracker and plays only the second, each part under its own turn id."""
    outbound = RecordingOutbound()
    fake_rasa.intents = {IURAN: "ask_bpjs_contribution", KIA: "ask_kia"}
    echo(fake_rasa)
    fake_rasa.fails = lambda body: body["message"] == KIA
    async with gateway_app(gateway) as (app, client):
        conversation_id = await new_conversation(client)
        failed = await send(client, conversation_id, f"{IURAN} dan {KIA}")
        assert failed["rasa_status"] == "failed"
        fake_rasa.fails = None
        await asyncio.sleep(0.01)
        assert await worker(app, outbound).run_once() == 1
        stored = await stored_messages(app, conversation_id)

    message_id = failed["message_id"]
    assert [(body["message"], body["metadata"]["turn_id"]) for body in fake_rasa.received] == [
        (IURAN, f"{message_id}.0"),
        (KIA, f"{message_id}.1"),
        (KIA, f"{message_id}.1"),  # only the unanswered part again
    ]
    assert [text for _, text in outbound.pushed] == [f"jawab: {IURAN}", f"jawab: {KIA}"]
    assert transcript(stored)[-2:] == [("bot", f"jawab: {IURAN}", None), ("bot", f"jawab: {KIA}", None)]
