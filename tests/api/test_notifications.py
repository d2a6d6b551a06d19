"""Case updates pushed to citizens, end to end through the running gateway: a LAPOR!
complaint filed in a verified conversation moves through its lifecycle as the simulators'
clock moves, and each subscriber hears of each change once, on its own channel.

The notifier runs tick by tick here (`notify_worker` off), with its clock the simulators' own,
so the quiet hours (21.00–06.00 WIB) are tested on a moved clock.
"""

from __future__ import annotations

import itertools
import json
import time as wall
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, date, datetime, time, timedelta

import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI
from sqlalchemy import select, update

from api.cases import WIB
from api.identity import sessions
from api.main import create_service_app
from api.ministries.lapor import STATUSES
from api.models import Case, CaseNotification, CaseSubscription, ChannelThread, Conversation, Message, utcnow
from api.notifications import signature
from api.notifications.notifier import Notifier
from api.service_api.complaints import STATUS_LABELS
from simulators.callbacks import Callbacks
from simulators.lapor import lifecycle
from simulators.seed import sample
from tests.api.service_api.simulated_time import pin_clock, simulators_clock
from tests.api.support import GatewayFactory, channel_conversation, service_client, session_headers
from tests.connectors.fake_channels import FakeGraph, FakeTelegram, serve
from tests.connectors.test_telegram import telegram_settings
from tests.connectors.test_whatsapp import inbound, post, whatsapp_settings

pytestmark = pytest.mark.asyncio

COMPLAINTS = "/api/v1/complaints"
REPORT = {
    "category": "infrastruktur",
    "location": "Jl. Merdeka dekat SDN 2, Kota Bandung",
    "description": "Jalan berlubang besar sejak dua minggu dan membahayakan pengendara motor.",
}
NIK = "3273010101900001"  # any NIK: the verified session only binds it
CALLBACK_SECRET = "lapor-callback-secret"
FILED_ON = date(2026, 11, 2)  # a Monday
_chat_ids = itertools.count(777_000_001)
_numbers = itertools.count(6281288000001)


@pytest.fixture(scope="module")
def telegram() -> Iterator[FakeTelegram]:
    fake = FakeTelegram()
    with serve(fake.app()) as url:
        fake.url = url
        yield fake


@pytest.fixture(scope="module")
def graph() -> Iterator[FakeGraph]:
    fake = FakeGraph()
    with serve(fake.app()) as url:
        fake.url = url
        yield fake


@pytest_asyncio.fixture
async def gw(
    gateway: GatewayFactory, telegram: FakeTelegram, graph: FakeGraph
) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    """Telegram and WhatsApp on; the notifier ticked by the test, on the simulators' clock."""
    telegram.reset()
    graph.reset()
    settings = {
        **telegram_settings(telegram),
        **whatsapp_settings(graph),
        "notify_worker": False,
        "notify_poll_case_seconds": 60,
        "ministry_callback_secrets": f"lapor={CALLBACK_SECRET},simponi={CALLBACK_SECRET}",
    }
    async with gateway(**settings) as (app, client):
        pin_clock(app, FILED_ON, time(9, 0))
        notifier(app).clock = simulators_clock(app).now
        yield app, client


def notifier(app: FastAPI) -> Notifier:
    found = app.state.notifier
    assert isinstance(found, Notifier)
    return found


async def verify(app: FastAPI, conversation_id: str | uuid.UUID) -> None:
    async with app.state.sessionmaker() as session:
        await sessions.bind(session, uuid.UUID(str(conversation_id)), NIK, "otp")


async def file_complaint(app: FastAPI, conversation_id: str | uuid.UUID) -> dict[str, str]:
    async with service_client(app) as service:
        response = await service.post(
            COMPLAINTS, json=REPORT, headers={"X-Conversation-ID": str(conversation_id)}
        )
    assert response.status_code == 201, response.text
    body: dict[str, str] = response.json()
    return body


def path_of(tracking_id: str) -> list[tuple[str, datetime]]:
    """The complaint's whole lifecycle as the simulated LAPOR! will walk it."""
    filed = datetime.combine(FILED_ON, time(9, 0), WIB)
    return [(step.status, step.at) for step in lifecycle(tracking_id, filed)]


async def tick(app: FastAPI, at: datetime) -> int:
    simulators_clock(app).offset = at - datetime.now(UTC)
    return await notifier(app).run_once()


async def updates_in(app: FastAPI, conversation_id: str | uuid.UUID) -> list[Message]:
    async with app.state.sessionmaker() as session:
        query = (
            select(Message)
            .join(CaseNotification, CaseNotification.message_id == Message.id)
            .where(Message.conversation_id == uuid.UUID(str(conversation_id)))
            .order_by(Message.id)
        )
        return list((await session.scalars(query)).all())


async def test_a_telegram_subscriber_receives_each_change_once(
    gw: tuple[FastAPI, httpx.AsyncClient], telegram: FakeTelegram
) -> None:
    app, _ = gw
    chat_id = next(_chat_ids)
    conversation = await channel_conversation(app, "telegram", str(chat_id))
    await verify(app, conversation)
    created = await file_complaint(app, conversation)
    path = path_of(created["tracking_id"])
    # Each day at noon, twice: every change of the lifecycle arrives once, in order.
    for day in range(45):
        noon = datetime.combine(FILED_ON + timedelta(days=day), time(12, 0), WIB)
        await tick(app, noon)
        await tick(app, noon + timedelta(minutes=1))
    received = telegram.delivered(chat_id)
    assert len(received) == len(path) - 1, received
    assert all(created["case_number"] in text for text in received)
    assert all("berhenti kabari saya" in text for text in received)
    assert [text.split(": ", 1)[1].split(".")[0] for text in received] == [
        label_of(status) for status, _ in path[1:]
    ]
    # Each recorded in the conversation, sent.
    stored = await updates_in(app, conversation)
    assert [message.text for message in stored] == received
    assert all(message.delivery_status == "sent" for message in stored)
    # A case in its final status is not asked about any more.
    polled = await polled_at(app, created["case_number"])
    await tick(app, datetime.combine(FILED_ON + timedelta(days=50), time(12, 0), WIB))
    assert await polled_at(app, created["case_number"]) == polled


async def polled_at(app: FastAPI, case_number: str) -> datetime | None:
    async with app.state.sessionmaker() as session:
        case = await session.scalar(select(Case).where(Case.case_number == case_number))
        assert case is not None
        return case.polled_at


def label_of(lapor_status: str) -> str:
    """The Indonesian label of a LAPOR! status, as the update says it."""
    return STATUS_LABELS[STATUSES[lapor_status]]


async def test_quiet_hours_hold_updates_until_six_unless_urgent(
    gw: tuple[FastAPI, httpx.AsyncClient], telegram: FakeTelegram
) -> None:
    app, _ = gw
    chat_id = next(_chat_ids)
    conversation = await channel_conversation(app, "telegram", str(chat_id))
    await verify(app, conversation)
    created = await file_complaint(app, conversation)
    path = path_of(created["tracking_id"])
    # Late at night after the whole lifecycle: every change is found, none is pushed.
    night = datetime.combine(FILED_ON + timedelta(days=45), time(21, 30), WIB)
    assert await tick(app, night) == 0
    assert await tick(app, night + timedelta(hours=8, minutes=29)) == 0  # 05.59
    assert telegram.delivered(chat_id) == []
    morning = datetime.combine(FILED_ON + timedelta(days=46), time(6, 0), WIB)
    assert await tick(app, morning) == len(path) - 1
    assert len(telegram.delivered(chat_id)) == len(path) - 1
    assert await tick(app, morning + timedelta(minutes=5)) == 0


async def test_a_signed_urgent_callback_is_pushed_at_night_and_a_forged_one_is_refused(
    gw: tuple[FastAPI, httpx.AsyncClient], telegram: FakeTelegram
) -> None:
    app, _ = gw
    chat_id = next(_chat_ids)
    conversation = await channel_conversation(app, "telegram", str(chat_id))
    await verify(app, conversation)
    created = await file_complaint(app, conversation)
    path = path_of(created["tracking_id"])
    # The night after LAPOR! verified it: the ministry calls back, urgent.
    night = datetime.combine(path[1][1].astimezone(WIB).date(), time(23, 0), WIB)
    simulators_clock(app).offset = night - datetime.now(UTC)
    body = json.dumps({"reference": created["tracking_id"], "urgent": True}).encode()
    async with service_client(app) as service:
        url = "/api/v1/callbacks/lapor"
        forged = signature.sign("not-the-secret", body, int(wall.time()))
        refused = await service.post(url, content=body, headers={signature.HEADER: forged})
        assert refused.status_code == 401
        stale = signature.sign(CALLBACK_SECRET, body, int(wall.time()) - 3600)
        assert (await service.post(url, content=body, headers={signature.HEADER: stale})).status_code == 401
        unsigned = await service.post(url, content=body)
        assert unsigned.status_code == 401
        assert telegram.delivered(chat_id) == []
        good = signature.sign(CALLBACK_SECRET, body, int(wall.time()))
        accepted = await service.post(url, content=body, headers={signature.HEADER: good})
        assert accepted.status_code == 202, accepted.text
        assert accepted.json()["updates"] >= 1
        garbage = b'{"reference": "\xf0\x9f\x98\x80 <script>"}'
        bad = signature.sign(CALLBACK_SECRET, garbage, int(wall.time()))
        assert (await service.post(url, content=garbage, headers={signature.HEADER: bad})).status_code == 422
        unknown = await service.post(
            "/api/v1/callbacks/nowhere", content=body, headers={signature.HEADER: good}
        )
        assert unknown.status_code == 404
    received = telegram.delivered(chat_id)
    reached = [status for status, at in path[1:] if at <= night]
    assert len(received) == len(reached) >= 1
    # Polled again the same night: nothing twice.
    await tick(app, night + timedelta(minutes=10))
    assert len(telegram.delivered(chat_id)) == len(reached)


async def test_a_whatsapp_subscriber_outside_24_hours_gets_the_template(
    gw: tuple[FastAPI, httpx.AsyncClient], graph: FakeGraph
) -> None:
    app, client = gw
    number = str(next(_numbers))
    await post(client, inbound(number, "text", {"body": "halo"}))
    async with app.state.sessionmaker() as session:
        thread = await session.scalar(
            select(ChannelThread).where(
                ChannelThread.channel == "whatsapp", ChannelThread.channel_user_id == number
            )
        )
        assert thread is not None
        conversation = thread.conversation_id
    await verify(app, conversation)
    created = await file_complaint(app, conversation)
    path = path_of(created["tracking_id"])
    graph.reset()
    async with app.state.sessionmaker() as session:  # the citizen last wrote 25 hours ago
        await session.execute(
            update(ChannelThread)
            .where(ChannelThread.id == thread.id)
            .values(last_inbound_at=utcnow() - timedelta(hours=25))
        )
        await session.commit()
    evening = datetime.combine(path[1][1].astimezone(WIB).date(), time(17, 0), WIB)
    await tick(app, evening)
    reached = [status for status, at in path[1:] if at <= evening]  # verified, maybe passed on
    sent = [body for body in graph.messages if body.get("to") == number]
    assert len(sent) == len(reached) and all(body["type"] == "template" for body in sent)
    template = sent[0]["template"]
    assert template["name"] == "kabar_kasus" and template["language"] == {"code": "id"}
    values = [parameter["text"] for parameter in template["components"][0]["parameters"]]
    assert values[0] == created["case_number"] and values[1] == label_of(path[1][0])
    stored = await updates_in(app, conversation)
    assert len(stored) == len(reached) and all(message.delivery_status == "sent" for message in stored)
    assert all(message.content is not None and message.content["type"] == "template" for message in stored)

    # Inside the window (the citizen wrote again): a normal message, for a second complaint.
    await post(client, inbound(number, "text", {"body": "terima kasih"}))
    pin_clock(app, FILED_ON, time(9, 0))
    second = await file_complaint(app, conversation)
    graph.reset()
    await tick(app, datetime.combine(path_of(second["tracking_id"])[1][1].date(), time(17, 0), WIB))
    later = [body for body in graph.messages if body.get("to") == number]
    assert later and all(body["type"] == "text" for body in later)
    # (the first complaint may have moved on too by then: its news comes as text as well)
    assert any(second["case_number"] in body["text"]["body"] for body in later)


async def test_a_web_citizen_who_returns_sees_the_updates(gw: tuple[FastAPI, httpx.AsyncClient]) -> None:
    app, client = gw
    response = await client.post("/api/v1/conversations", json={"channel": "web"})
    conversation = response.json()["id"]
    await verify(app, conversation)
    created = await file_complaint(app, conversation)
    await tick(app, datetime.combine(FILED_ON + timedelta(days=45), time(12, 0), WIB))
    history = await client.get(
        f"/api/v1/conversations/{conversation}/messages", headers=session_headers(app, conversation)
    )
    assert history.status_code == 200
    texts = [message["text"] for message in history.json()["messages"]]
    updates = [text for text in texts if text.startswith("Kabar terbaru") and created["case_number"] in text]
    assert len(updates) == len(path_of(created["tracking_id"])) - 1


async def test_stop_ends_the_updates_and_unverified_conversations_get_none(
    gw: tuple[FastAPI, httpx.AsyncClient], telegram: FakeTelegram
) -> None:
    app, _ = gw
    stopping, unverified = next(_chat_ids), next(_chat_ids)
    first = await channel_conversation(app, "telegram", str(stopping))
    await verify(app, first)
    created = await file_complaint(app, first)
    second = await channel_conversation(app, "telegram", str(unverified))
    await file_complaint(app, second)
    async with service_client(app) as service:
        headers = {"X-Conversation-ID": first}
        listed = await service.get("/api/v1/notifications/subscriptions", headers=headers)
        assert listed.json()["case_numbers"] == [created["case_number"]]
        stopped = await service.post("/api/v1/notifications/stop", json={}, headers=headers)
        assert stopped.status_code == 200 and stopped.json() == {"case_numbers": [], "stopped": 1}
        wrong = await service.post(
            "/api/v1/notifications/stop", json={"case_number": "LPR-2026-99999"}, headers=headers
        )
        assert wrong.status_code == 404
        nobody = await service.post("/api/v1/notifications/stop", json={})
        assert nobody.status_code == 422
    await tick(app, datetime.combine(FILED_ON + timedelta(days=45), time(12, 0), WIB))
    assert telegram.delivered(stopping) == [] and telegram.delivered(unverified) == []
    async with app.state.sessionmaker() as session:
        case = await session.scalar(select(Case).where(Case.case_number == created["case_number"]))
        assert case is not None
        subscriptions = (
            await session.scalars(select(CaseSubscription).where(CaseSubscription.case_id == case.id))
        ).all()
        assert [s.stopped_at is not None for s in subscriptions] == [True]

    # Following the case again (a verified conversation) subscribes it anew, from now on.
    async with service_client(app) as service:
        followed = await service.get(
            f"/api/v1/cases/{created['case_number']}", headers={"X-Conversation-ID": first}
        )
        assert followed.status_code == 200
        listed = await service.get(
            "/api/v1/notifications/subscriptions", headers={"X-Conversation-ID": first}
        )
        assert listed.json()["case_numbers"] == [created["case_number"]]


async def test_simponi_calls_back_a_payment_and_the_subscriber_hears_at_once(
    gw: tuple[FastAPI, httpx.AsyncClient], telegram: FakeTelegram
) -> None:
    """The bank pays at SIMPONI (the simulator, not through the gateway); SIMPONI's signed
    callback makes the gateway look and tell the subscriber, with no polling."""
    app, _ = gw
    chat_id = next(_chat_ids)
    conversation = await channel_conversation(app, "telegram", str(chat_id))
    nik = sample("adult")["nik"]
    async with app.state.sessionmaker() as session:
        await sessions.bind(session, uuid.UUID(conversation), nik, "otp")
    async with service_client(app) as service:
        created = await service.post(
            "/api/v1/payments/billings",
            json={"service": "passport_electronic_5y", "nik": nik},
            headers={"X-Conversation-ID": conversation},
        )
        assert created.status_code == 201, created.text
    billing = created.json()
    simulators = app.state.ministries.simulators
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=simulators.app("simponi")), base_url="http://simponi.test"
    ) as bank:
        assert (await bank.post(f"/api/billing/{billing['billing_code']}/bayar")).status_code == 200
    callbacks = Callbacks(
        "http://service.test/api/v1/callbacks/{ministry}",
        f"simponi={CALLBACK_SECRET}",
        httpx.ASGITransport(app=create_service_app(app)),
    )
    assert await callbacks.send("simponi", billing["billing_code"]) == 202
    [update_] = telegram.delivered(chat_id)
    assert update_.startswith(f"Kabar terbaru Tagihan {billing['case_number']}: Lunas.")
    # The notifier's next tick finds nothing new: one update for one change.
    await notifier(app).run_once()
    assert len(telegram.delivered(chat_id)) == 1


async def test_an_erased_conversation_hears_of_no_case(
    gw: tuple[FastAPI, httpx.AsyncClient], telegram: FakeTelegram
) -> None:
    """ "Hapus data saya" keeps the conversation (with the reply saying so) but ends its
    subscriptions (api/privacy/erasure.py)."""
    from api.privacy import erasure

    app, _ = gw
    chat_id = next(_chat_ids)
    conversation = await channel_conversation(app, "telegram", str(chat_id))
    await verify(app, conversation)
    await file_complaint(app, conversation)
    async with app.state.sessionmaker() as session:
        stored = await session.get(Conversation, uuid.UUID(conversation))
        assert stored is not None
        stored.erasure_requested_at = utcnow()
        await session.commit()
        assert await erasure.after_turn(session, None, stored, keep=[])
        await session.commit()
        left = await session.scalars(
            select(CaseSubscription).where(CaseSubscription.conversation_id == uuid.UUID(conversation))
        )
        assert left.all() == []
    await tick(app, datetime.combine(FILED_ON + timedelta(days=45), time(12, 0), WIB))
    assert telegram.delivered(chat_id) == []


async def test_an_skck_ready_to_collect_is_told_with_where_to_collect_it(
    gw: tuple[FastAPI, httpx.AsyncClient], telegram: FakeTelegram
) -> None:
    app, _ = gw
    chat_id = next(_chat_ids)
    conversation = await channel_conversation(app, "telegram", str(chat_id))
    adult = sample("adult")
    async with app.state.sessionmaker() as session:
        await sessions.bind(session, uuid.UUID(conversation), adult["nik"], "otp")
    async with service_client(app) as service:
        body = {"nik": adult["nik"], "birth_date": adult["birth_date"], "purpose": "Melamar pekerjaan"}
        created = await service.post(
            "/api/v1/police/skck", json=body, headers={"X-Conversation-ID": conversation}
        )
        assert created.status_code == 201, created.text
    case_number = created.json()["case_number"]
    async with app.state.sessionmaker() as session:
        case = await session.scalar(select(Case).where(Case.case_number == case_number))
        assert case is not None and case.reference is not None
    # Monday 10.00: the applicant comes to the Polres (the simulated desk).
    visit = datetime.combine(FILED_ON, time(10, 0), WIB)
    simulators_clock(app).offset = visit - datetime.now(UTC)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app.state.ministries.simulators.app("polri")),
        base_url="http://polri.test",
    ) as desk:
        assert (await desk.post(f"/skck/v1/pendaftaran/{case.reference}/kunjungan")).status_code == 200
        assert (await desk.post(f"/skck/v1/pendaftaran/{case.reference}/kunjungan")).status_code == 409
    await tick(app, visit + timedelta(minutes=5))
    await tick(app, datetime.combine(FILED_ON + timedelta(days=1), time(12, 0), WIB))  # Tuesday
    processed, ready = telegram.delivered(chat_id)
    assert processed.startswith(f"Kabar terbaru Pendaftaran SKCK {case_number}: Sedang diproses di Polres.")
    assert ready.startswith(f"Kabar terbaru Pendaftaran SKCK {case_number}: SKCK siap diambil.")
    assert "Bawa KTP-el" in ready
