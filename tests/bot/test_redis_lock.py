"""Rasa's Redis lock store across replicas (rasa#9213; bot/runtime/redis_lock.py), on the real
Redis server: Rasa's own read-modify-write gives two replicas the same ticket; with the fix
two "replicas" (separate clients on separate threads) never run one conversation's turns at once."""

import asyncio
import threading
import time
import uuid

import pytest
import redis
from rasa.core.lock_store import LockError, LockStore, RedisLockStore

from bot.runtime import redis_lock
from tests.services import REDIS_URL, require

# Redis db of this file's keys (with a prefix of their own).
DB = 9


def store() -> RedisLockStore:
    host = REDIS_URL.split("//")[1].split(":")[0]
    return RedisLockStore(host=host, port=6379, db=DB, key_prefix="testlock")


@pytest.fixture(autouse=True)
def installed():
    require("Redis")
    redis_lock.install()


def test_rasas_own_issue_ticket_gives_two_replicas_the_same_ticket():
    """The #9213 interleaving, step by step: replica A reads the lock, B issues its ticket,
    A writes its own: both hold ticket 0 and both would run their turn at once."""
    a, b, conversation = store(), store(), f"race-{uuid.uuid4()}"
    lock_a = a.get_or_create_lock(conversation)
    ticket_a = lock_a.issue_ticket(60)
    ticket_b = LockStore.issue_ticket(b, conversation)  # Rasa's own code
    a.save_lock(lock_a)
    assert ticket_a == ticket_b == 0
    assert not a.get_lock(conversation).is_locked(ticket_a)  # A may serve...
    assert [t.number for t in a.get_lock(conversation).tickets] == [0]  # ...and B's ticket is gone
    a.delete_lock(conversation)


def test_a_ticket_issued_while_another_replica_writes_is_not_lost():
    """The same interleaving with the fix: A's write fails (the key changed under WATCH) and is
    retried, so A and B hold different tickets."""
    a, b, conversation = store(), store(), f"race-{uuid.uuid4()}"
    issued: list[int] = []
    original, b_in = redis_lock._read, threading.Event()

    def read_then_let_b_in(pipe, key):
        lock = original(pipe, key)
        if not b_in.is_set():
            b_in.set()
            issued.append(b.issue_ticket(conversation))  # B between A's read and A's write
        return lock

    redis_lock._read = read_then_let_b_in
    try:
        ticket_a = a.issue_ticket(conversation)
    finally:
        redis_lock._read = original
    assert sorted([ticket_a, *issued]) == [0, 1]
    assert [t.number for t in a.get_lock(conversation).tickets] == [0, 1]
    a.cleanup(conversation, 0)
    a.cleanup(conversation, 1)
    assert a.get_lock(conversation) is None


def test_the_key_expires_with_its_last_ticket():
    a, conversation = store(), f"ttl-{uuid.uuid4()}"
    ticket = a.issue_ticket(conversation, lock_lifetime=10)
    ttl = a.red.pttl(a.key_prefix + conversation)
    assert 10_000 < ttl <= 10_000 + redis_lock.EXPIRY_MARGIN_SECONDS * 1000
    a.cleanup(conversation, ticket)
    assert a.red.exists(a.key_prefix + conversation) == 0


def test_two_replicas_never_serve_one_conversation_at_once():
    """Two clients, four threads each, 15 turns per thread on one conversation: every turn
    runs alone, none fails, and tickets are served in the order they were issued."""
    conversation = f"burst-{uuid.uuid4()}"
    counter = redis.Redis(host="127.0.0.1", db=DB)
    inside_key = f"testlock:inside:{conversation}"
    overlaps, errors, served = [], [], []
    replicas = [store(), store()]

    def worker(replica: RedisLockStore) -> None:
        async def turns() -> None:
            for _ in range(15):
                try:
                    async with replica.lock(conversation, lock_lifetime=30) as lock:
                        if counter.incr(inside_key) != 1:
                            overlaps.append(1)
                        served.append(lock.now_serving)
                        time.sleep(0.002)
                        counter.decr(inside_key)
                except LockError as error:
                    errors.append(error)

        asyncio.run(turns())

    threads = [threading.Thread(target=worker, args=(replicas[i % 2],)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    counter.delete(inside_key)
    assert (len(overlaps), len(errors), len(served)) == (0, 0, 120)
    assert replicas[0].get_lock(conversation) is None


async def test_a_queue_longer_than_the_ticket_lifetime_does_not_expire():
    """Four turns of 0.5 s queued on two replicas, tickets of 1 s: the last waits 1.5 s and is
    still served (Rasa counts a ticket's lifetime from its issue, and would drop it)."""
    replicas, conversation, served = [store(), store()], f"queue-{uuid.uuid4()}", []

    async def turn(i: int) -> None:
        async with replicas[i % 2].lock(conversation, lock_lifetime=1.0):
            served.append(i)
            await asyncio.sleep(0.5)

    await asyncio.gather(*(turn(i) for i in range(4)))
    assert sorted(served) == [0, 1, 2, 3]


async def test_a_dead_replicas_ticket_blocks_one_lifetime_at_most():
    a, b, conversation = store(), store(), f"dead-{uuid.uuid4()}"
    a.issue_ticket(conversation, lock_lifetime=1.0)  # its replica is killed: never served, never renewed
    began = time.monotonic()
    async with b.lock(conversation, lock_lifetime=1.0):
        waited = time.monotonic() - began
    assert 0.8 < waited < 2.0
