"""FastAPI application factory. Nothing connects at import time: see `lifespan`."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from api import __version__, service_api
from api.attachments.body_limit import BodyLimits
from api.callcenter.auth import PasswordChecks
from api.composition import build_gateway
from api.core.config import Settings, get_settings
from api.db import create_engine, create_sessionmaker, migrate
from api.identity.inapas import SIMULATED_PATH, Inapas
from api.identity.verifier import Verifier
from api.metrics import instruments as metrics
from api.ministries.base import ServiceError, Unauthorized
from api.ministries.dukcapil import DukcapilAdapter
from api.ministries.registry import Ministries
from api.ministries.sms import SmsAdapter
from api.notifications import callbacks
from api.privacy import TurnPrivacy, retention
from api.privacy import vault as privacy
from api.privacy.notice import short_notice
from api.privacy.tracker_db import TrackerDatabase
from api.pubsub import create_broadcaster
from api.rasa_client import RasaClient
from api.routes import api_router, attachments, console, health, inapas, telegram, web, whatsapp
from api.routes import metrics as metrics_route
from api.service_api._idempotency import IdempotencyMiddleware

logger = logging.getLogger(__name__)

DESCRIPTION = """Gateway of **Asisten Warga**, an open-source citizen assistant for Indonesia.

Channels (the web chat at `/`, later Telegram and WhatsApp) create a conversation, then send
the citizen's messages. Each message is stored first, then forwarded to the Rasa assistant;
its replies (text and buttons) are stored and returned. Messages for citizens are in Bahasa
Indonesia.
"""


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings: Settings = app.state.settings
    engine = create_engine(settings)
    try:
        privacy.start(settings)  # first: migrations seal columns with its key
        if settings.migrate_on_startup:
            await migrate(engine)
        rasa = RasaClient(
            str(settings.rasa_url), settings.rasa_timeout_seconds, settings.rasa_token.get_secret_value()
        )
        app.state.engine = engine
        app.state.sessionmaker = create_sessionmaker(engine)
        app.state.rasa = rasa
        # The citizen's rights (api/privacy): the notice, Rasa's tracker store, retention.
        tracker = TrackerDatabase(settings.tracker_database_url) if settings.tracker_database_url else None
        notice = short_notice(settings) if settings.privacy_notice else None
        rasa.privacy = TurnPrivacy(notice=notice, tracker=tracker)
        ministries = Ministries(settings)
        app.state.ministries = ministries
        app.state.verifier = Verifier(settings, ministries.get(DukcapilAdapter), ministries.get(SmsAdapter))
        app.state.inapas = Inapas(settings, ministries.simulators)
        broadcaster = create_broadcaster(settings.redis_url)
        await broadcaster.start()
        app.state.broadcaster = broadcaster
        # Outbound, then the call center, then the inbound channels (api/composition.py).
        gateway = build_gateway(settings, app.state.sessionmaker, rasa, broadcaster, ministries=ministries)
        app.state.notifier = gateway.notifier  # case updates (api/notifications)
        app.state.bot_conversations = gateway.bot_conversations
        app.state.callcenter = gateway.callcenter
        gateway.callcenter.verifier = app.state.verifier  # callback numbers are proved
        app.state.channels = gateway.channels
        app.state.attachments = gateway.attachments
        app.state.delivery = gateway.delivery  # the outbox's worker
        app.state.ip_limits = gateway.ip_limits
        app.state.login_limits = gateway.login_limits
        app.state.password_checks = PasswordChecks(
            settings.password_hash_concurrency, settings.password_hash_queue
        )
        await gateway.start(settings)
        if settings.environment != "local" and not settings.metrics_token.get_secret_value():
            logger.warning("/metrics is off: set AW_METRICS_TOKEN to scrape it (docs/operations.md)")
        logger.info(
            "gateway ready environment=%s database=%s",
            settings.environment,
            engine.url.get_backend_name(),
        )
        try:
            async with retention.running(app.state.sessionmaker, tracker, settings, gateway.attachments):
                yield
        finally:
            if tracker is not None:
                await tracker.aclose()
            if (analytics := getattr(app.state, "analytics_tracker", None)) is not None:
                await analytics.aclose()  # the dashboard's tracker-store reader (api/analytics)
            await gateway.aclose()
            await broadcaster.aclose()
            await rasa.aclose()
            await app.state.inapas.aclose()
            await ministries.aclose()
    finally:
        await engine.dispose()


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    _configure_logging(settings.log_level)
    app = FastAPI(
        title="Asisten Warga — Gateway",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(ServiceError, _service_error)
    app.add_exception_handler(Exception, _server_error)
    app.include_router(api_router)
    app.include_router(health.router)
    app.include_router(metrics_route.router)
    app.include_router(web.router)
    app.include_router(telegram.router)
    app.include_router(whatsapp.router)
    app.include_router(console.router)
    app.include_router(attachments.router)
    app.include_router(attachments.console)
    app.include_router(inapas.router)
    web.allow_widget_origins(app, settings)
    # The body limit, larger for the file uploads alone (api/attachments/body_limit.py).
    app.add_middleware(BodyLimits, default=_max_body_bytes(settings))
    app.mount("/static", StaticFiles(directory=web.STATIC_DIR), name="static")
    app.mount("/console/static", StaticFiles(directory=console.STATIC_DIR), name="console-static")
    app.mount(SIMULATED_PATH, inapas.SimulatedProvider(), name="inapas-simulated")
    return app


def create_service_app(public: FastAPI) -> FastAPI:
    """The internal service API (api/service_api) as an app of its own, for the internal
    listener only (api/serve.py): it shares the public app's state (database, ministries,
    call center), so the public app's lifespan serves both."""
    settings: Settings = public.state.settings
    app = FastAPI(
        title="Asisten Warga — Service API (internal)",
        version=__version__,
        max_body_size=_max_body_bytes(settings),
    )
    app.state = public.state
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(ServiceError, _service_error)
    app.add_exception_handler(Exception, _server_error)
    app.include_router(service_api.build_router(settings), prefix="/api/v1")
    # Ministries' callbacks: signed by the ministry, not behind the service token.
    app.include_router(callbacks.router, prefix="/api/v1")
    app.add_middleware(IdempotencyMiddleware)
    return app


def _max_body_bytes(settings: Settings) -> int:
    """Reject absurd bodies before parsing them. Generous, since JSON may spend 12 bytes on
    one character (an emoji as two escaped UTF-16 units); exact limits come after parsing."""
    return 12 * (settings.max_message_chars + settings.max_metadata_chars) + 1024


# Indonesian replacements for the framework's English default messages.
_HTTP_DETAILS = {
    400: "Format data tidak valid: kirimkan JSON yang benar.",
    404: "Alamat tidak ditemukan.",
    405: "Metode tidak diizinkan untuk alamat ini.",
    413: "Permintaan terlalu besar.",
}


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    """HTTP errors as JSON `{"detail": ...}`; the framework's English defaults translated
    (our own details are already in Indonesian)."""
    assert isinstance(exc, StarletteHTTPException)
    detail = exc.detail
    if exc.status_code in _HTTP_DETAILS and detail in _FRAMEWORK_DETAILS:
        detail = _HTTP_DETAILS[exc.status_code]
    return JSONResponse({"detail": detail}, status_code=exc.status_code, headers=exc.headers)


# The framework's defaults: HTTP reason phrases and FastAPI's body parse error.
_FRAMEWORK_DETAILS = {
    "Bad Request", "Not Found", "Method Not Allowed", "Content Too Large",
    "Request Entity Too Large", "There was an error parsing the body",
}  # fmt: skip


async def _service_error(request: Request, exc: Exception) -> JSONResponse:
    """The service API's errors: `{"code", "detail"}` (docs/service-api.md)."""
    assert isinstance(exc, ServiceError)
    headers = {"WWW-Authenticate": "Bearer"} if isinstance(exc, Unauthorized) else None
    return JSONResponse(exc.body(), status_code=exc.status_code, headers=headers)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    """422 `invalid_input` with an Indonesian `detail`; `errors` keeps where and why
    (without the input)."""
    assert isinstance(exc, RequestValidationError)
    errors = [
        {"loc": list(error.get("loc", ())), "type": error.get("type"), "msg": error.get("msg")}
        for error in exc.errors()
    ]
    return JSONResponse(
        status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
        content={"code": "invalid_input", "detail": _validation_message(errors), "errors": errors},
    )


def _validation_message(errors: list[dict[str, Any]]) -> str:
    types = {error["type"] for error in errors}
    locations = {str(part) for error in errors for part in error["loc"]}
    if "empty_text" in types:
        return "Pesan tidak boleh kosong."
    if "json_invalid" in types:
        return "Format data tidak valid: kirimkan JSON yang benar."
    if "conversation_id" in locations:
        return "ID percakapan tidak valid."
    # Our own validators (api/identifiers.py) word their errors for citizens.
    for error in errors:
        if error["type"] == "invalid_input" and error["msg"]:
            return str(error["msg"])
    return "Data yang dikirim tidak valid. Mohon periksa kembali."


async def _server_error(request: Request, exc: Exception) -> JSONResponse:
    # The server logs the traceback; the citizen gets a polite message.
    metrics.server_error()
    return JSONResponse(
        status_code=status.HTTP_500_INTERNAL_SERVER_ERROR,
        content={"detail": "Mohon maaf, terjadi kesalahan pada sistem. Silakan coba lagi."},
    )


def _configure_logging(level: str) -> None:
    """Our loggers at `level`; a console handler unless the server set up logging."""
    api_logger = logging.getLogger("api")
    api_logger.setLevel(level)
    # aiosqlite logs every query with its parameters (message text) at DEBUG.
    logging.getLogger("aiosqlite").setLevel(logging.INFO)
    # httpx logs request URLs at INFO, and Telegram's carry the bot token;
    # python-telegram-bot logs every call's parameters (messages, chat ids) at DEBUG.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("telegram").setLevel(logging.INFO)
    if not api_logger.handlers and not logging.getLogger().handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        api_logger.addHandler(handler)


app = create_app()
