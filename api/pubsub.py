"""Live events between gateway replicas: the console's queue and conversation updates, and
the messages pushed to a citizen's open web widget.

`RedisBroadcaster` publishes on Redis pub/sub, so every replica's sockets hear every event;
`MemoryBroadcaster` is the embedded, single-process fallback. Either way each process keeps
one reader and fans events out to its local subscribers by topic. Events carry ids and
already-public message JSON, never a NIK.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import defaultdict
from collections.abc import AsyncIterator
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

CONSOLE = "console"
_PREFIX = "aw:events:"
# A subscriber that stops reading loses its oldest events rather than growing without bound.
_QUEUE_SIZE = 256


def conversation_topic(conversation_id: object) -> str:
    return f"conversation:{conversation_id}"


class _LocalFanout:
    """Subscribers of this process, by topic."""

    def __init__(self) -> None:
        self._queues: dict[str, set[asyncio.Queue[dict[str, Any]]]] = defaultdict(set)

    def dispatch(self, topic: str, event: dict[str, Any]) -> None:
        for queue in list(self._queues.get(topic, ())):
            if queue.full():
                queue.get_nowait()
            queue.put_nowait(event)

    @contextlib.asynccontextmanager
    async def subscribe(self, topic: str) -> AsyncIterator[asyncio.Queue[dict[str, Any]]]:
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(_QUEUE_SIZE)
        self._queues[topic].add(queue)
        try:
            yield queue
        finally:
            self._queues[topic].discard(queue)
            if not self._queues[topic]:
                del self._queues[topic]


class MemoryBroadcaster:
    """Events within this process (one gateway replica)."""

    # Always hearing every event: see RedisBroadcaster.listening.
    listening: int | None = 0

    def __init__(self) -> None:
        self._local = _LocalFanout()

    async def start(self) -> None:
        return None

    async def publish(self, topic: str, event: dict[str, Any]) -> None:
        self._local.dispatch(topic, event)

    def subscribe(self, topic: str) -> contextlib.AbstractAsyncContextManager[asyncio.Queue[dict[str, Any]]]:
        return self._local.subscribe(topic)

    async def aclose(self) -> None:
        return None


class RedisBroadcaster:
    """Events through Redis pub/sub, heard by every replica. If Redis fails, publishing logs
    and goes on (the console's periodic refetch and the widget's history catch up) and the
    reader reconnects."""

    def __init__(self, url: str) -> None:
        self._redis = Redis.from_url(url)
        self._local = _LocalFanout()
        self._reader: asyncio.Task[None] | None = None
        self._ready = asyncio.Event()
        # Which subscription of the reader hears events now (counted from 1), None while it
        # is not subscribed: a change means events may have been missed in between.
        self.listening: int | None = None
        self._subscriptions = 0

    async def start(self) -> None:
        self._reader = asyncio.create_task(self._read(), name="pubsub-reader")
        # Subscribed before the app serves, so no event published after start-up is missed.
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(5):
                await self._ready.wait()

    async def publish(self, topic: str, event: dict[str, Any]) -> None:
        try:
            await self._redis.publish(_PREFIX + topic, json.dumps(event))
        except RedisError as error:
            logger.warning("event not published topic=%s error=%s", topic.split(":")[0], type(error).__name__)

    def subscribe(self, topic: str) -> contextlib.AbstractAsyncContextManager[asyncio.Queue[dict[str, Any]]]:
        return self._local.subscribe(topic)

    async def _read(self) -> None:
        while True:
            self.listening = None
            try:
                async with self._redis.pubsub() as pubsub:
                    await pubsub.psubscribe(_PREFIX + "*")
                    self._subscriptions += 1
                    self.listening = self._subscriptions
                    self._ready.set()
                    async for item in pubsub.listen():
                        if item["type"] != "pmessage":
                            continue
                        topic = item["channel"].decode()[len(_PREFIX) :]
                        self._local.dispatch(topic, json.loads(item["data"]))
            except (RedisError, OSError, ValueError) as error:
                logger.warning("event reader reconnecting error=%s", type(error).__name__)
                await asyncio.sleep(1)

    async def aclose(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader
        self.listening = None
        await self._redis.aclose()


Broadcaster = MemoryBroadcaster | RedisBroadcaster


def create_broadcaster(redis_url: str | None) -> Broadcaster:
    return RedisBroadcaster(redis_url) if redis_url else MemoryBroadcaster()
