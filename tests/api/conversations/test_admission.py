"""Bounded admission to Rasa (api/rasa_client.py `Admission`, api/conversations/admission.py):
a turn beyond the limit waits in a bounded queue after a "sedang ramai" notice; beyond the
queue it is kept for the retry worker, never lost."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from api.conversations.admission import BUSY_TEXT
from api.conversations.turn import RASA_BUSY_TEXT
from api.models import Author, RasaStatus
from api.rasa_client import Admission, RasaBusyError
from tests.api.conversations.test_retry import RecordingOutbound, echo, gateway_app, send, sent_texts, worker
from tests.api.fake_rasa import FakeRasa
from tests.api.support import GatewayFactory, new_conversation, stored_messages

pytestmark = pytest.mark.asyncio


async def test_admission_queues_up_to_its_bound_and_refuses_beyond() -> None:
    admission = Admission(concurrency=1, queue_size=1, wait_seconds=5)
    noticed: list[str] = []

    async def notice(sender: str) -> None:
        noticed.append(sender)

    await admission.enter("a", notice)  # a slot: no notice
    waiting = asyncio.create_task(admission.enter("b", notice))
    while not admission.waiting:
        await asyncio.sleep(0)
    with pytest.raises(RasaBusyError):  # the queue is full
        await admission.enter("c", notice)
    assert not waiting.done() and noticed == ["b"] and not admission.has_room()

    admission.leave()  # a is over: b goes
    await waiting
    assert (admission.in_flight, admission.waiting, admission.refused_total) == (1, 0, 1)
    admission.leave()
    assert admission.has_room()


async def test_a_wait_is_bounded() -> None:
    admission = Admission(concurrency=1, queue_size=10, wait_seconds=0.05)
    await admission.enter("a", None)
    with pytest.raises(RasaBusyError):
        await admission.enter("b", None)
    assert (admission.waiting, admission.queued_total, admission.refused_total) == (0, 1, 1)


async def test_a_burst_gets_the_notice_and_nothing_is_lost(
    gateway: GatewayFactory, fake_rasa: FakeRasa
) -> None:
    """One turn in flight, one waiting: of three first messages at once, one is answered at
    once, one after the notice, and one is kept and answered by the retry worker."""
    echo(fake_rasa)
    fake_rasa.delay = 0.2
    limits = {"rasa_concurrency": 1, "rasa_queue_size": 1, "rasa_queue_wait_seconds": 2}
    async with gateway_app(gateway, **limits) as (app, client):
        conversations = [await new_conversation(client) for _ in range(3)]
        answers = await asyncio.gather(
            *(send(client, cid, f"pesan {n}") for n, cid in enumerate(conversations))
        )
        statuses = sorted(answer["rasa_status"] for answer in answers)
        kept = next(answer for answer in answers if answer["rasa_status"] == "queued")
        noticed = [
            cid for cid in conversations if BUSY_TEXT in [m.text for m in await stored_messages(app, cid)]
        ]

        outbound = RecordingOutbound()
        fake_rasa.delay = 0
        assert await worker(app, outbound).run_once() == 1
        stored = {cid: await stored_messages(app, cid) for cid in conversations}

    assert statuses == ["delivered", "delivered", "queued"]
    assert [reply["text"] for reply in kept["replies"]] == [RASA_BUSY_TEXT]
    assert len(noticed) == 1  # the one that waited, told before its answer
    waited = [(m.author, m.text) for m in stored[noticed[0]]]
    assert waited[1] == (Author.SYSTEM, BUSY_TEXT) and waited[2][0] is Author.BOT
    # Every message reached Rasa once and is answered.
    assert sorted(sent_texts(fake_rasa)) == ["pesan 0", "pesan 1", "pesan 2"]
    for cid in conversations:
        citizen = [m for m in stored[cid] if m.author is Author.CITIZEN]
        assert [m.rasa_status for m in citizen] == [RasaStatus.DELIVERED]
        assert any(m.author is Author.BOT for m in stored[cid])
    assert [conversation for conversation, _ in outbound.pushed] == [uuid.UUID(str(kept["conversation_id"]))]
