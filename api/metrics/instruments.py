"""The process-wide instruments, and the calls that move them.

Each function here is what one place of the gateway calls as something happens, so the call
sites stay one line and never name a metric. Every label takes its values from the code
(channels, ministries, teams, outcome names), never from a caller's input; `_Bounded` still
caps each label at `MAX_LABEL_VALUES` distinct values, so a bug cannot grow the registry
without end. One registry per process: with several replicas each is scraped on its own
(docs/operations.md).
"""

from __future__ import annotations

import functools
import time
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, ParamSpec, TypeVar

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.gc_collector import GCCollector
from prometheus_client.platform_collector import PlatformCollector
from prometheus_client.process_collector import ProcessCollector

REGISTRY = CollectorRegistry(auto_describe=True)
ProcessCollector(registry=REGISTRY)  # CPU, memory, open files of this replica
PlatformCollector(registry=REGISTRY)
GCCollector(registry=REGISTRY)

# Distinct values one label may take; past it, "other".
MAX_LABEL_VALUES = 64
OTHER = "other"

# A turn is a Rasa round trip plus a few commits; the target is a p95 of 300 ms
# (docs/benchmarks.md#targets), and Rasa's deadline is 16 s (AW_RASA_TIMEOUT_SECONDS).
TURN_BUCKETS = (0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1.0, 2.0, 3.0, 5.0, 8.0, 16.0, 32.0)
# A ministry call is given up after 3 s (AW_MINISTRY_TIMEOUT_SECONDS).
MINISTRY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1.0, 2.0, 3.0, 5.0)
# Citizens wait minutes for an agent; 10 min (AW_HANDOFF_MAX_WAIT_MINUTES) ends the live wait.
QUEUE_BUCKETS = (5.0, 15.0, 30.0, 60.0, 120.0, 180.0, 300.0, 450.0, 600.0, 900.0, 1800.0, 3600.0)

TURN_SECONDS = Histogram(
    "aw_turn_seconds",
    "A citizen's turn in the gateway, from the message's arrival to its stored replies, by "
    "channel and outcome (delivered, failed, queued, people, error).",
    ["channel", "outcome"],
    buckets=TURN_BUCKETS,
    registry=REGISTRY,
)
RASA_REQUEST_SECONDS = Histogram(
    "aw_rasa_request_seconds",
    "One message sent to Rasa's REST channel, admission wait excluded, by outcome (ok, "
    "timeout, http, connection, malformed).",
    ["outcome"],
    buckets=TURN_BUCKETS,
    registry=REGISTRY,
)
RASA_ERRORS = Counter(
    "aw_rasa_errors",
    "Messages Rasa did not answer usefully, by kind (timeout, http, connection, malformed, "
    "busy: refused by this replica's admission bound).",
    ["kind"],
    registry=REGISTRY,
)
MINISTRY_SECONDS = Histogram(
    "aw_ministry_request_seconds",
    "Calls to a ministry's API by adapter and outcome (ok, rejected: a 4xx answer, timeout, "
    "unavailable: connection error, 5xx or a body that is not JSON).",
    ["ministry", "outcome"],
    buckets=MINISTRY_BUCKETS,
    registry=REGISTRY,
)
OUTBOUND_SENT = Counter(
    "aw_outbound_sent",
    "Replies a channel took (Telegram, WhatsApp), on the fast path or by the outbox worker.",
    ["channel"],
    registry=REGISTRY,
)
OUTBOUND_FAILURES = Counter(
    "aw_outbound_failures",
    "Attempts to send a reply that failed, by channel and kind (retryable: left to the "
    "outbox's backoff; permanent; gave_up: past AW_OUTBOX_GIVE_UP_SECONDS; outside_window: "
    "WhatsApp's 24 hours).",
    ["channel", "kind"],
    registry=REGISTRY,
)
RATE_LIMIT_REFUSALS = Counter(
    "aw_rate_limit_refusals",
    "Requests refused by a rate limit, by limit (a channel's per-sender limit, ip-conversations, "
    "ip-sockets, ip-service-api, console-login*).",
    ["limit"],
    registry=REGISTRY,
)
RATE_LIMIT_UNAVAILABLE = Counter(
    "aw_rate_limit_unavailable",
    "Requests let through unchecked because Redis did not answer the rate limiter.",
    registry=REGISTRY,
)
HANDOFF_WAIT_SECONDS = Histogram(
    "aw_handoff_wait_seconds",
    "How long a hand-off waited in the agents' queue before an agent took it, by team.",
    ["team"],
    buckets=QUEUE_BUCKETS,
    registry=REGISTRY,
)
HANDOFF_TIMEOUTS = Counter(
    "aw_handoff_timeouts",
    "Hand-offs the call center's sweeper ended, by team and kind (waited_too_long: no agent "
    "within AW_HANDOFF_MAX_WAIT_MINUTES, a callback or ticket offered instead; offer_expired; "
    "abandoned: the citizen went quiet with an agent).",
    ["team", "kind"],
    registry=REGISTRY,
)
SERVER_ERRORS = Counter(
    "aw_http_server_errors",
    "Requests the gateway answered 500 because of an unexpected exception.",
    registry=REGISTRY,
)


class _Bounded:
    """The values one label has taken; a new value past `limit` becomes `OTHER`."""

    def __init__(self, limit: int = MAX_LABEL_VALUES) -> None:
        self._seen: set[str] = set()
        self._limit = limit

    def __call__(self, value: object) -> str:
        text = str(value)[:64] if value is not None else "none"
        if text in self._seen:
            return text
        if len(self._seen) >= self._limit:
            return OTHER
        self._seen.add(text)
        return text


_channel, _ministry, _team, _limit = _Bounded(), _Bounded(), _Bounded(), _Bounded()

P = ParamSpec("P")
T = TypeVar("T")


def timed_turn(func: Callable[P, Awaitable[T]]) -> Callable[P, Awaitable[T]]:
    """Decorates the turn (api/conversations/turn.py `receive_event(session, rasa,
    conversation, ...)`, returning `(incoming, replies)`): its duration by the conversation's
    channel and by what became of the message (`incoming.rasa_status`; `people` when it went
    to an agent, `error` when the turn raised)."""

    @functools.wraps(func)
    async def timed(*args: P.args, **kwargs: P.kwargs) -> T:
        started = time.perf_counter()
        conversation = kwargs["conversation"] if "conversation" in kwargs else args[2]
        # Read before the turn: a turn that fails rolls its session back, which expires the
        # conversation, and reading it then would need I/O outside the session's greenlet.
        channel = _channel(getattr(conversation, "channel", None))
        outcome = "error"
        try:
            result = await func(*args, **kwargs)
            outcome = _turn_outcome(result)
            return result
        finally:
            TURN_SECONDS.labels(channel, outcome).observe(time.perf_counter() - started)

    return timed


def _turn_outcome(result: Any) -> str:
    incoming = result[0] if isinstance(result, tuple) and result else None
    status = getattr(incoming, "rasa_status", None)
    return "people" if status is None else str(getattr(status, "value", status))


def rasa_request(outcome: str, seconds: float) -> None:
    """One message to Rasa ended: `ok`, or the kind of `RasaUnavailableError`."""
    RASA_REQUEST_SECONDS.labels(outcome).observe(seconds)
    if outcome != "ok":
        RASA_ERRORS.labels(outcome).inc()


def rasa_refused() -> None:
    """A message not admitted to Rasa (the replica's bound: in flight and queue full)."""
    RASA_ERRORS.labels("busy").inc()


def ministry_call(ministry: str, outcome: str, seconds: float) -> None:
    MINISTRY_SECONDS.labels(_ministry(ministry), outcome).observe(seconds)


def outbound_sent(channel: str) -> None:
    OUTBOUND_SENT.labels(_channel(channel)).inc()


def outbound_failed(channel: str, kind: str) -> None:
    """`kind`: retryable, permanent, gave_up or outside_window."""
    OUTBOUND_FAILURES.labels(_channel(channel), kind).inc()


def rate_limited(limit: str) -> None:
    RATE_LIMIT_REFUSALS.labels(_limit(limit)).inc()


def rate_limit_unavailable() -> None:
    RATE_LIMIT_UNAVAILABLE.inc()


def handoff_claimed(team: str, queued_at: datetime, claimed_at: datetime | None) -> None:
    """An agent took a hand-off that waited since `queued_at`."""
    if claimed_at is not None and claimed_at >= queued_at:
        HANDOFF_WAIT_SECONDS.labels(_team(team)).observe((claimed_at - queued_at).total_seconds())


def handoff_timeout(team: str, kind: str) -> None:
    HANDOFF_TIMEOUTS.labels(_team(team), kind).inc()


def server_error() -> None:
    SERVER_ERRORS.inc()
