"""Rasa's Redis lock store, made safe for several replicas (rasa#9213).

Rasa 3.6's `RedisLockStore` keeps a conversation's ticket lock as one JSON value and changes it
by read-modify-write without a transaction: `issue_ticket` reads the lock, appends a ticket and
writes it back; `cleanup` reads, removes its ticket, writes, reads again and deletes the key when
nobody waits. Two replicas interleaving these steps for one conversation (a burst of messages
spread over them, or a conversation moving when its replica dies) overwrite each other: both
draw the same ticket and run their turns at once, or a waiting ticket is erased and its turn
fails with `LockError`. Within one process the steps never interleave (no await between them),
which is why a single replica never shows it. The fix Rasa merged for it was reverted (#11428).

Here each change is one optimistic Redis transaction (WATCH the key, read, MULTI, write, EXEC,
retried when another replica changed the key in between), so tickets are unique and ordered
across replicas. The key expires with its last ticket: a replica killed while holding a ticket
delays that conversation by the ticket's lifetime at most, and leaves no key behind.
A waiting turn checks the lock every `POLL_SECONDS` (Rasa: every second), so a burst to one
conversation queues at the speed of its turns, and renews its ticket: a ticket's lifetime
(TICKET_LOCK_LIFETIME) counts from its turn's last sign of life, not from when it was issued
(Rasa's), so a queue longer than the lifetime does not expire while a dead replica's tickets do.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from rasa.core.lock import Ticket, TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore

POLL_SECONDS = 0.02
EXPIRY_MARGIN_SECONDS = 5.0


def _read(pipe: Any, key: str) -> TicketLock | None:
    raw = pipe.get(key)
    return TicketLock.from_dict(json.loads(raw)) if raw else None


def _write(pipe: Any, key: str, lock: TicketLock) -> None:
    """Queue (after MULTI) the lock's new value, expiring with its last ticket, or its deletion."""
    lock.remove_expired_tickets()
    if not lock.tickets:
        pipe.delete(key)
        return
    last_expiry = max(ticket.expires for ticket in lock.tickets)
    pipe.set(key, lock.dumps(), px=max(1, int((last_expiry - time.time() + EXPIRY_MARGIN_SECONDS) * 1000)))


def _transaction(store: RedisLockStore, conversation_id: str, change: Callable[[Any, str], Any]) -> Any:
    key = store.key_prefix + conversation_id
    return store.red.transaction(lambda pipe: change(pipe, key), key, value_from_callable=True)


def issue_ticket(self: RedisLockStore, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
    """`LockStore.issue_ticket` as one transaction: a ticket no other replica holds."""

    def issue(pipe: Any, key: str) -> int:
        lock = _read(pipe, key) or TicketLock(conversation_id)
        ticket = lock.issue_ticket(lock_lifetime)
        pipe.multi()
        _write(pipe, key, lock)
        return ticket

    try:
        return int(_transaction(self, conversation_id, issue))
    except Exception as error:
        raise LockError(f"Error while acquiring lock. Error:\n{error}") from error


def update_lock(self: RedisLockStore, conversation_id: str) -> None:
    """`LockStore.update_lock` (drop expired tickets) as one transaction."""

    def update(pipe: Any, key: str) -> None:
        lock = _read(pipe, key)
        pipe.multi()
        if lock is not None:
            _write(pipe, key, lock)

    _transaction(self, conversation_id, update)


def finish_serving(self: RedisLockStore, conversation_id: str, ticket_number: int) -> None:
    """`LockStore.finish_serving` and `cleanup` as one transaction: remove the ticket, and the
    key when no ticket is left (never a ticket another replica issued meanwhile)."""

    def finish(pipe: Any, key: str) -> None:
        lock = _read(pipe, key)
        pipe.multi()
        if lock is not None:
            lock.remove_ticket_for(ticket_number)
            _write(pipe, key, lock)

    _transaction(self, conversation_id, finish)


def _ticket(lock: TicketLock | None, number: int) -> Ticket | None:
    return next((t for t in lock.tickets if t.number == number), None) if lock is not None else None


def refresh(
    self: RedisLockStore, conversation_id: str, ticket_number: int, lifetime: float, force: bool = False
) -> TicketLock | None:
    """The lock, after giving ticket `ticket_number` a new lifetime when half of it has passed
    or `force` (then in one transaction; otherwise one read). None when the ticket is gone."""
    lock = self.get_lock(conversation_id)
    ticket = _ticket(lock, ticket_number)
    if ticket is None or (not force and ticket.expires - time.time() > lifetime / 2):
        return lock if ticket is not None else None

    def renew(pipe: Any, key: str) -> TicketLock | None:
        current = _read(pipe, key)
        mine = _ticket(current, ticket_number)
        pipe.multi()
        if current is None or mine is None:
            return None
        mine.expires = time.time() + lifetime
        _write(pipe, key, current)
        return current

    return _transaction(self, conversation_id, renew)  # type: ignore[no-any-return]


@asynccontextmanager
async def lock(
    self: RedisLockStore,
    conversation_id: str,
    lock_lifetime: float = LOCK_LIFETIME,
    wait_time_in_seconds: float = POLL_SECONDS,
) -> AsyncIterator[TicketLock]:
    """`LockStore.lock`, checking every `POLL_SECONDS` by default. A ticket's lifetime runs
    from the last sign of life of its turn, not from when it was issued: a waiting turn renews
    it, and the turn that gets the lock starts with a whole lifetime. So a long queue of turns
    of one conversation never expires, and the tickets of a killed replica (no more signs of
    life) block the conversation one lifetime at most."""
    ticket = self.issue_ticket(conversation_id, lock_lifetime)
    try:
        while True:
            current = refresh(self, conversation_id, ticket, lock_lifetime)
            if current is None:
                raise LockError(f"Could not acquire lock for conversation_id '{conversation_id}'.")
            if not current.is_locked(ticket):
                break
            await asyncio.sleep(wait_time_in_seconds)
        yield refresh(self, conversation_id, ticket, lock_lifetime, force=True) or current  # a whole lifetime
    finally:
        self.cleanup(conversation_id, ticket)


def install() -> None:
    RedisLockStore.issue_ticket = issue_ticket  # type: ignore[method-assign]
    RedisLockStore.update_lock = update_lock  # type: ignore[method-assign]
    RedisLockStore.finish_serving = finish_serving  # type: ignore[method-assign]
    RedisLockStore.cleanup = finish_serving  # type: ignore[method-assign]
    RedisLockStore.lock = lock  # type: ignore[method-assign,assignment]
