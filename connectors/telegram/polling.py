"""Telegram in polling mode, for local use: `make telegram-polling`.

No public URL needed: python-telegram-bot's updater removes any webhook and fetches updates
with getUpdates; each goes through the same `TelegramChannel.handle` as the webhook, with
the gateway's database and the Rasa server from the usual `AW_*` settings. The parts are
wired by the gateway's composition root (api/composition.py), so hand-offs work here too and
an agent's reply to a Telegram chat is sent by the bot.
"""

from __future__ import annotations

import logging
import sys

from telegram import Update
from telegram.ext import Application, ContextTypes, TypeHandler

from api.composition import build_gateway
from api.core.config import Settings, get_settings
from api.db import create_engine, create_sessionmaker, migrate
from api.pubsub import create_broadcaster
from api.rasa_client import RasaClient
from connectors.telegram.channel import ALLOWED_UPDATES

logger = logging.getLogger("api.telegram.polling")


def run(settings: Settings) -> None:
    engine = create_engine(settings)
    rasa = RasaClient(
        str(settings.rasa_url), settings.rasa_timeout_seconds, settings.rasa_token.get_secret_value()
    )
    # Hand-offs work here too; the gateway's consoles hear of them through Redis when set.
    broadcaster = create_broadcaster(settings.redis_url)
    gateway = build_gateway(settings, create_sessionmaker(engine), rasa, broadcaster, polling=True)
    channel = gateway.channels.telegram
    assert channel is not None  # main() checked the token
    application = channel.application

    async def handle(update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        await channel.handle(update)

    async def on_error(update: object, error_context: ContextTypes.DEFAULT_TYPE) -> None:
        # Only the error's type: an update holds the citizen's message.
        logger.error("telegram update failed: %s", type(error_context.error).__name__)

    async def post_init(_: Application) -> None:
        if settings.migrate_on_startup:
            await migrate(engine)
        await broadcaster.start()
        if settings.outbox_worker:
            gateway.delivery.start()  # retries what the fast path could not send
        logger.info("telegram polling started")

    async def post_shutdown(_: Application) -> None:
        await gateway.aclose()
        await rasa.aclose()
        await broadcaster.aclose()
        await engine.dispose()

    application.add_handler(TypeHandler(Update, handle))
    application.add_error_handler(on_error)  # type: ignore[arg-type]
    application.post_init = post_init
    application.post_shutdown = post_shutdown
    application.run_polling(allowed_updates=ALLOWED_UPDATES)


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # httpx logs request URLs, and Telegram's carry the bot token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    # python-telegram-bot logs every call's parameters (messages, chat ids) at DEBUG.
    logging.getLogger("telegram").setLevel(logging.INFO)
    settings = get_settings()
    if not settings.telegram_enabled:
        print("AW_TELEGRAM_BOT_TOKEN is not set (see docs/channels.md).", file=sys.stderr)
        return 2
    run(settings)
    return 0


if __name__ == "__main__":
    sys.exit(main())
