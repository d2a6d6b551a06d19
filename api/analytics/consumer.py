"""`python -m api.analytics.consumer`: Rasa's events from RabbitMQ into `analytics_events`
(and a message not understood, masked, into `analytics_questions`: api/analytics/questions.py).

Rasa's pika broker (endpoints.prod.yml) publishes every event of a conversation to a fanout
exchange; this process declares the same durable queue bound to it (so events wait while it is
down), turns each message into a row without identifiers (api/analytics/events.py) and inserts
rows in batches. A message is acknowledged only once its batch is committed, and a redelivered
one is a no-op (`event_key`), so a crash of this process or the database loses nothing and
doubles nothing. While the database is down the batch is retried with backoff; RabbitMQ keeps
the rest. Settings (environment): AW_DATABASE_URL (the gateway's), AW_RABBITMQ_URL,
AW_ANALYTICS_QUEUE, AW_ANALYTICS_EXCHANGE, AW_ANALYTICS_SALT (secret, at least 16 characters),
AW_ANALYTICS_HEALTH_FILE (optional: touched at least every second while the consumer loop
runs, connected to the queue; the probes of deploy/ check its age).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
from pathlib import Path

import aio_pika
from aio_pika.abc import AbstractIncomingMessage
from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from api.analytics.events import domain_names, to_row
from api.analytics.questions import to_question
from api.analytics.sink import insert

logger = logging.getLogger("api.analytics")

BATCH = 200
FLUSH_SECONDS = 0.5
MAX_BACKOFF_SECONDS = 10.0


class AnalyticsSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="AW_", extra="ignore")

    database_url: str = "sqlite+aiosqlite:///var/gateway.db"
    rabbitmq_url: str = Field(default="amqp://guest:guest@127.0.0.1:5672/", pattern=r"^amqps?://")
    analytics_queue: str = Field(default="asisten_warga_analytics", pattern=r"^[A-Za-z0-9_.:-]{1,200}$")
    # Rasa's pika broker's `exchange_name` (its default: rasa-exchange).
    analytics_exchange: str = Field(default="rasa-exchange", pattern=r"^[A-Za-z0-9_.:-]{1,200}$")
    analytics_salt: SecretStr = Field(min_length=16)
    # Touched while the loop runs (liveness and readiness probes: its age, deploy/).
    analytics_health_file: Path | None = None


class Consumer:
    """Reads the queue into batches; commits a batch, then acknowledges its messages."""

    def __init__(self, settings: AnalyticsSettings, engine: AsyncEngine) -> None:
        self.settings = settings
        self.engine = engine
        self.salt = settings.analytics_salt.get_secret_value().encode()
        self.names = domain_names()
        self.inbox: asyncio.Queue[AbstractIncomingMessage] = asyncio.Queue()
        self.stored = 0
        self.skipped = 0

    async def on_message(self, message: AbstractIncomingMessage) -> None:
        await self.inbox.put(message)

    async def run(self, stop: asyncio.Event) -> None:
        connection = await aio_pika.connect_robust(self.settings.rabbitmq_url)
        async with connection:
            channel = await connection.channel()
            await channel.set_qos(prefetch_count=BATCH * 2)
            exchange = await channel.declare_exchange(
                self.settings.analytics_exchange, aio_pika.ExchangeType.FANOUT
            )
            queue = await channel.declare_queue(self.settings.analytics_queue, durable=True)
            await queue.bind(exchange, "")
            await queue.consume(self.on_message)
            logger.info("Consuming %s into analytics_events.", self.settings.analytics_queue)
            while not stop.is_set():
                self.beat()
                await self.flush(await self._batch(stop))

    def beat(self) -> None:
        """The loop is alive (the health file's time); a file system error is not fatal."""
        if self.settings.analytics_health_file is not None:
            with contextlib.suppress(OSError):
                self.settings.analytics_health_file.touch()

    async def _batch(self, stop: asyncio.Event) -> list[AbstractIncomingMessage]:
        batch: list[AbstractIncomingMessage] = []
        deadline = asyncio.get_running_loop().time() + FLUSH_SECONDS
        while len(batch) < BATCH and not stop.is_set():
            left = deadline - asyncio.get_running_loop().time()
            if left <= 0:
                break
            try:
                batch.append(await asyncio.wait_for(self.inbox.get(), left))
            except TimeoutError:
                break
        return batch

    async def flush(self, batch: list[AbstractIncomingMessage]) -> None:
        if not batch:
            return
        rows = [row for message in batch if (row := to_row(message.body, self.salt, self.names))]
        questions = [q for message in batch if (q := to_question(message.body, self.salt, self.names))]
        backoff = 0.5
        while True:
            try:
                await insert(self.engine, rows, questions)
                break
            except Exception as error:  # the database is down or restarting: keep the batch
                name = type(error).__name__
                logger.warning("Analytics insert failed (%s); retrying in %.1f s.", name, backoff)
                self.beat()  # alive, keeping its batch: a restart would not bring the database back
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF_SECONDS)
        await batch[-1].ack(multiple=True)  # everything up to it on this channel
        self.stored += len(rows)
        self.skipped += len(batch) - len(rows)


async def main_async(settings: AnalyticsSettings) -> int:
    engine = create_async_engine(settings.database_url, hide_parameters=True, pool_pre_ping=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    consumer = Consumer(settings, engine)
    try:
        await consumer.run(stop)
    finally:
        await engine.dispose()
        logger.info("Stopped: %d events stored, %d skipped.", consumer.stored, consumer.skipped)
    return 0


def main(argv: list[str] | None = None) -> int:
    summary = (__doc__ or "").splitlines()[0]
    argparse.ArgumentParser(prog="python -m api.analytics.consumer", description=summary).parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    return asyncio.run(main_async(AnalyticsSettings()))  # type: ignore[call-arg]  # from the environment


if __name__ == "__main__":
    raise SystemExit(main())
