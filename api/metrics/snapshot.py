"""What is read at scrape time: the agents' queue per team, the outbox's backlog, and this
replica's admission to Rasa.

Queue and backlog live in the shared database, so every replica reports the same numbers
(alerts take `max` over replicas); the admission is this replica's own. Two grouped queries
per scrape, on indexed columns, bounded by `timeout` so a slow database makes the scrape
report `aw_snapshot_up 0` instead of hanging it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.models import Handoff, HandoffState, OutboxEntry, utcnow

logger = logging.getLogger(__name__)

# The hand-off states that wait for an agent (api/callcenter/handoff.py CLAIMABLE).
WAITING_STATES = (HandoffState.QUEUED, HandoffState.CALLBACK, HandoffState.TICKET)


@dataclass(frozen=True)
class Admission:
    """This replica's turns to Rasa (api/rasa_client.py `Admission`)."""

    in_flight: int
    waiting: int
    concurrency: int
    queue_size: int


@dataclass
class Snapshot:
    up: bool = True
    # (team, state) -> waiting hand-offs; team -> seconds the oldest live (queued) one waits.
    queue_length: dict[tuple[str, str], int] = field(default_factory=dict)
    queue_oldest_seconds: dict[str, float] = field(default_factory=dict)
    max_wait_seconds: float = 0.0
    # channel -> replies not yet sent, and the age of the oldest.
    outbox_backlog: dict[str, int] = field(default_factory=dict)
    outbox_oldest_seconds: dict[str, float] = field(default_factory=dict)
    admission: Admission | None = None


async def read(
    sessionmaker: async_sessionmaker[AsyncSession],
    *,
    max_wait_seconds: float,
    admission: Admission | None,
    timeout: float,
) -> Snapshot:
    """The snapshot now; `up` False (and no database numbers) when the database did not
    answer within `timeout`."""
    snapshot = Snapshot(max_wait_seconds=max_wait_seconds, admission=admission)
    now = utcnow()
    try:
        async with asyncio.timeout(timeout), sessionmaker() as session:
            await _read_queue(session, snapshot, now)
            await _read_outbox(session, snapshot, now)
    except Exception as error:  # the scrape still answers, saying the numbers are missing
        logger.warning("metrics snapshot not read reason=%s", type(error).__name__)
        snapshot.up = False
        snapshot.queue_length, snapshot.queue_oldest_seconds = {}, {}
        snapshot.outbox_backlog, snapshot.outbox_oldest_seconds = {}, {}
    return snapshot


async def _read_queue(session: AsyncSession, snapshot: Snapshot, now: datetime) -> None:
    rows = await session.execute(
        select(Handoff.team, Handoff.state, func.count(), func.min(Handoff.queued_at))
        .where(Handoff.state.in_(WAITING_STATES))
        .group_by(Handoff.team, Handoff.state)
    )
    for team, state, count, oldest in rows:
        snapshot.queue_length[(team, HandoffState(state).value)] = int(count)
        if state == HandoffState.QUEUED and oldest is not None:
            snapshot.queue_oldest_seconds[team] = _age(now, oldest)


async def _read_outbox(session: AsyncSession, snapshot: Snapshot, now: datetime) -> None:
    rows = await session.execute(
        select(OutboxEntry.channel, func.count(), func.min(OutboxEntry.created_at)).group_by(
            OutboxEntry.channel
        )
    )
    for channel, count, oldest in rows:
        snapshot.outbox_backlog[channel] = int(count)
        if oldest is not None:
            snapshot.outbox_oldest_seconds[channel] = _age(now, oldest)


def _age(now: datetime, then: datetime) -> float:
    """Seconds since `then` (a naive value from an aggregate on SQLite is UTC)."""
    if then.tzinfo is None:
        then = then.replace(tzinfo=now.tzinfo)
    return max(0.0, (now - then).total_seconds())


class SnapshotCollector(Collector):
    """Exposes one `Snapshot` (registered in a registry made for one scrape)."""

    def __init__(self, snapshot: Snapshot) -> None:
        self._snapshot = snapshot

    def collect(self) -> Iterator[GaugeMetricFamily]:
        s = self._snapshot
        yield _gauge("aw_snapshot_up", "Whether this scrape read the database's numbers (1) or not (0).",
                     [], [((), 1.0 if s.up else 0.0)])  # fmt: skip
        yield _gauge(
            "aw_handoff_queue_length",
            "Hand-offs waiting for an agent, by team and state (queued: a live chat; callback; ticket).",
            ["team", "state"],
            ((key, float(count)) for key, count in s.queue_length.items()),
        )
        yield _gauge(
            "aw_handoff_queue_oldest_seconds",
            "How long the oldest live chat of each team's queue has waited.",
            ["team"],
            (((team,), seconds) for team, seconds in s.queue_oldest_seconds.items()),
        )
        yield _gauge(
            "aw_handoff_max_wait_seconds",
            "AW_HANDOFF_MAX_WAIT_MINUTES: past it a waiting citizen is offered a callback or ticket.",
            [],
            [((), s.max_wait_seconds)],
        )
        yield _gauge(
            "aw_outbox_backlog",
            "Replies stored for Telegram or WhatsApp and not yet sent (fast path or outbox worker).",
            ["channel"],
            (((channel,), float(count)) for channel, count in s.outbox_backlog.items()),
        )
        yield _gauge(
            "aw_outbox_oldest_seconds",
            "Age of the oldest reply in the outbox, by channel.",
            ["channel"],
            (((channel,), seconds) for channel, seconds in s.outbox_oldest_seconds.items()),
        )
        if s.admission is not None:
            a = s.admission
            for name, value, help_text in (
                ("aw_rasa_in_flight", a.in_flight, "This replica's turns in flight to Rasa."),
                ("aw_rasa_waiting", a.waiting, "This replica's turns waiting for a slot to Rasa."),
                ("aw_rasa_concurrency", a.concurrency, "AW_RASA_CONCURRENCY: turns in flight at most."),
                ("aw_rasa_queue_size", a.queue_size, "AW_RASA_QUEUE_SIZE: turns waiting at most."),
            ):
                yield _gauge(name, help_text, [], [((), float(value))])


def _gauge(
    name: str, help_text: str, labels: list[str], samples: Iterable[tuple[tuple[str, ...], float]]
) -> GaugeMetricFamily:
    family = GaugeMetricFamily(name, help_text, labels=labels)
    for label_values, value in samples:
        family.add_metric(list(label_values), value)
    return family
