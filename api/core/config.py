"""Gateway settings: one object, read from the environment (prefix AW_) and `.env`."""

from __future__ import annotations

import re
import secrets
from datetime import time
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from fastapi import Depends, Request
from pydantic import AnyHttpUrl, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url

# Nested timeouts (docs/gateway.md): the ministry deadline (AW_MINISTRY_TIMEOUT_SECONDS, 3 s)
# < the actions' deadline for one service call (GATEWAY_TIMEOUT_SECONDS, 5 s, actions/gateway.py)
# < the gateway's deadline for a whole Rasa turn, which runs at most this many service calls.
ACTION_CALLS_PER_TURN = 3
ACTIONS_CALL_TIMEOUT_SECONDS = 5.0


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="AW_", env_file=".env", extra="ignore")

    environment: Literal["local", "production"] = "local"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    # SQLite for a bare laptop; `postgresql+asyncpg://user:pass@host/db` in production.
    database_url: str = "sqlite+aiosqlite:///var/gateway.db"
    # PostgreSQL only: schema to use (search_path); None means the server default.
    database_schema: str | None = Field(default=None, pattern=r"^[a-z_][a-z0-9_]{0,62}$")
    # Apply Alembic migrations (`upgrade head`) when the app starts.
    migrate_on_startup: bool = True
    # Where files and photos of conversations are kept (api/attachments/storage.py).
    attachments_dir: Path = Path("var/attachments")

    rasa_url: AnyHttpUrl = AnyHttpUrl("http://127.0.0.1:5005")
    # Longer than the longest action chain of one turn (`action_chain_seconds`): the gateway
    # must not give up on a turn whose actions are still opening a case (production refuses).
    rasa_timeout_seconds: float = Field(default=16.0, gt=0, le=60)
    # Rasa's HTTP API token (`rasa run --enable-api --auth-token`): agent-assist reads what
    # the assistant understood from the tracker. Empty = agent-assist shows replies only.
    rasa_token: SecretStr = SecretStr("")
    health_timeout_seconds: float = Field(default=1.0, gt=0, le=10)

    # Failed turns retried, and bounded admission to Rasa (docs/deployment.md#failed-turns-and-bursts).
    # A citizen message Rasa did not answer (down, too slow, malformed, or beyond the admission
    # queue) is played again by a worker on every replica while Rasa is healthy: first after
    # `turn_retry_base_seconds`, then doubling up to `turn_retry_max_delay_seconds`, with full
    # jitter; past `turn_retry_window_minutes` a person follows up through the hand-off queue.
    turn_retry: bool = True
    turn_retry_poll_seconds: float = Field(default=2.0, gt=0, le=60)
    turn_retry_base_seconds: float = Field(default=5.0, gt=0, le=600)
    turn_retry_max_delay_seconds: float = Field(default=300.0, gt=0, le=3600)
    turn_retry_window_minutes: float = Field(default=30.0, gt=0, le=24 * 60)
    # A message still `pending` this long after it was stored lost its process: retried.
    # Outside local it must exceed the longest a live turn may take (`longest_turn_seconds`).
    turn_pending_stale_seconds: float = Field(default=120.0, gt=0, le=3600)
    # Turns in flight to Rasa per gateway replica; beyond it at most `rasa_queue_size` wait, at
    # most `rasa_queue_wait_seconds` each, after a short "sedang ramai" notice. Past either bound
    # the message is kept for the retry worker.
    rasa_concurrency: int = Field(default=8, ge=1, le=1024)
    rasa_queue_size: int = Field(default=64, ge=0, le=100_000)
    rasa_queue_wait_seconds: float = Field(default=10.0, gt=0, le=120)

    max_message_chars: int = Field(default=2000, ge=1, le=100_000)
    # Serialized size limit for the channel metadata forwarded to Rasa.
    max_metadata_chars: int = Field(default=4096, ge=0)

    # Key of the identifier vault and of the audit log's keyed hashes (api/privacy/vault.py):
    # at least 16 characters, 32 random bytes recommended. Empty = a random key for this process
    # (local only; scripts/run keeps one in var/data.key); production refuses to start without.
    data_key: SecretStr = SecretStr("")

    # Service API (docs/service-api.md): served only on its own internal listener (api/serve.py),
    # never on the public port. Its bearer token is mandatory in production; `scripts/run`
    # generates one per run. Empty (local only) = no authentication.
    service_token: str = ""
    service_api_host: str = "127.0.0.1"
    service_api_port: int = Field(default=8001, ge=1, le=65_535)
    # Prometheus' scrape of `/metrics` (docs/operations.md): `Authorization: Bearer <token>`.
    # Empty: open in local; off (404) in production, where a set token must be at least 16
    # characters and no placeholder.
    metrics_token: SecretStr = SecretStr("")
    # Overall deadline of one call to a ministry; past it the API answers 504 ministry_timeout.
    ministry_timeout_seconds: float = Field(default=3.0, gt=0, le=60)
    # Ministries' backends (docs/gateway.md). A ministry with a base URL is called there;
    # one without is simulated when `simulators` is "embedded" (the `simulators` package,
    # in-process), and stops the gateway from starting when it is "off".
    dukcapil_url: AnyHttpUrl | None = None
    bpjs_url: AnyHttpUrl | None = None
    satusehat_url: AnyHttpUrl | None = None
    puslapdik_url: AnyHttpUrl | None = None
    kemensos_url: AnyHttpUrl | None = None
    samsat_url: AnyHttpUrl | None = None
    simponi_url: AnyHttpUrl | None = None
    korlantas_url: AnyHttpUrl | None = None
    polri_url: AnyHttpUrl | None = None
    lapor_url: AnyHttpUrl | None = None
    bkn_url: AnyHttpUrl | None = None
    satudata_url: AnyHttpUrl | None = None
    simulators: Literal["embedded", "off"] = "embedded"
    # Production refuses to start while a ministry would be simulated, unless this says so
    # (a public demo).
    allow_simulated_backends: bool = False
    # Handed to the embedded simulators, which check them (simulators/settings.py): mean
    # latency in ms, faults per ministry ("bpjs=timeout,kemensos=error"), their own database.
    simulated_latency_ms: int = 40
    simulated_faults: str = ""
    simulators_database_url: str = "sqlite+aiosqlite:///var/simulators.db"

    # Login with INApas, the national identity (OpenID Connect, docs/security.md): the
    # provider's issuer URL; unset = the simulated provider (simulators/inapas.py, served
    # under /simulasi/inapas), refused like any simulated backend in production. The client
    # is registered there; without a real URL an empty secret becomes a random one per
    # process, shared with the embedded simulator.
    inapas_url: AnyHttpUrl | None = None
    inapas_client_id: str = Field(default="asisten-warga", min_length=1, max_length=255)
    inapas_client_secret: SecretStr = SecretStr("")
    # The ID-token claim that carries the citizen's NIK.
    inapas_nik_claim: str = Field(default="nik", min_length=1, max_length=64)

    # Channels (docs/channels.md). Each channel is off while its token is unset.
    # Public base URL of the gateway (https://…); with it the Telegram webhook is registered
    # at start-up.
    public_url: AnyHttpUrl | None = None
    telegram_bot_token: SecretStr = SecretStr("")
    # Sent back by Telegram in X-Telegram-Bot-Api-Secret-Token; required for the webhook.
    telegram_webhook_secret: SecretStr = SecretStr("")
    # Bot API base URL up to the token, e.g. http://127.0.0.1:8081/bot (tests, a local Bot API
    # server); unset = https://api.telegram.org/bot.
    telegram_api_url: AnyHttpUrl | None = None
    whatsapp_token: SecretStr = SecretStr("")
    # The Meta app's secret: every webhook POST is checked against X-Hub-Signature-256.
    whatsapp_app_secret: SecretStr = SecretStr("")
    # Our choice, typed into the Meta app's webhook settings; checked on the verification GET.
    whatsapp_verify_token: SecretStr = SecretStr("")
    whatsapp_phone_number_id: str = Field(default="", pattern=r"^[0-9]*$")
    # The service's WhatsApp number as citizens write to it (E.164 digits, e.g. 628111500123):
    # a web ticket's answer can go to a WhatsApp number proved by messaging it a short code.
    whatsapp_display_number: str = Field(default="", pattern=r"^[0-9]{0,15}$")
    whatsapp_api_url: AnyHttpUrl = AnyHttpUrl("https://graph.facebook.com/v21.0")
    # The outbox of replies to Telegram and WhatsApp (docs/channels.md#delivery): the delivery
    # worker runs on every replica (off: only the fast path sends; tests turn it on when they
    # need it), polls this often, leases this many rows a round and sends to this many chats at
    # once. A new reply is the fast path's for `outbox_fast_path_seconds`; a worker holds a row
    # it sends for `outbox_lease_seconds`. Retries back off exponentially from the base to the
    # max, with full jitter and never sooner than the channel's Retry-After; a reply not sent
    # within `outbox_give_up_seconds` of being stored is given up and the conversation goes to
    # the agents' queue as a ticket.
    outbox_worker: bool = True
    outbox_poll_seconds: float = Field(default=1.0, gt=0, le=60)
    outbox_batch: int = Field(default=50, ge=1, le=1000)
    outbox_concurrency: int = Field(default=8, ge=1, le=100)
    outbox_fast_path_seconds: float = Field(default=60.0, ge=1, le=600)
    outbox_lease_seconds: float = Field(default=120.0, ge=10, le=3600)
    outbox_backoff_base_seconds: float = Field(default=1.0, gt=0, le=60)
    outbox_backoff_max_seconds: float = Field(default=300.0, gt=0, le=3600)
    outbox_give_up_seconds: float = Field(default=3600.0, gt=0, le=7 * 24 * 3600)
    # Case updates pushed to citizens (docs/notifications.md): the notifier runs on every
    # replica, looks for due work this often, asks a followed case's ministry for news at most
    # every `notify_poll_case_seconds` (ministries with a callback tell the gateway at once),
    # and pushes nothing in the quiet hours (WIB, start to end) unless the update is urgent.
    notify_worker: bool = True
    notify_tick_seconds: float = Field(default=30.0, gt=0, le=3600)
    notify_poll_case_seconds: float = Field(default=3600.0, gt=0, le=7 * 24 * 3600)
    notify_batch: int = Field(default=100, ge=1, le=10_000)
    notify_quiet_start: time = time(21, 0)
    notify_quiet_end: time = time(6, 0)
    # Outside WhatsApp's 24-hour window an update goes as this approved `utility` template;
    # its body parameters, in order, are named from: case_number, status, next_step, service.
    whatsapp_update_template: str = Field(default="kabar_kasus", pattern=r"^[a-z0-9_]{1,512}$")
    whatsapp_update_template_language: str = Field(default="id", pattern=r"^[a-z]{2,3}(_[A-Z]{2})?$")
    whatsapp_update_template_parameters: list[Literal["case_number", "status", "next_step", "service"]] = [
        "case_number",
        "status",
        "next_step",
    ]
    # An out-of-hours web ticket's answer relayed to WhatsApp outside the 24-hour window: this
    # approved `utility` template, body parameters: the ticket number, the answer (one line).
    whatsapp_answer_template: str = Field(default="jawaban_tiket", pattern=r"^[a-z0-9_]{1,512}$")
    # E-mail for tickets' answers (connectors/email.py); unset host = no e-mail option.
    smtp_host: str = ""
    smtp_port: int = Field(default=587, ge=1, le=65_535)
    smtp_username: str = ""
    smtp_password: SecretStr = SecretStr("")
    smtp_sender: str = "Asisten Warga <noreply@asistenwarga.go.id>"
    smtp_starttls: bool = True
    # Ministries' signed callbacks (POST /api/v1/callbacks/{ministry}): HMAC-SHA256 of the
    # body with the ministry's secret, "ministry=secret,..." (a ministry without one: refused).
    ministry_callback_secrets: SecretStr = SecretStr("")
    # The embedded simulators call back here (simulators/callbacks.py); unset = they do not.
    simulated_callback_url: str = Field(default="", pattern=r"^(https?://\S+)?$")
    # Shared state across gateway replicas (per-sender rate limits); unset = in-process.
    redis_url: str | None = Field(default=None, pattern=r"^rediss?://")
    # Per-sender flood protection: at most this many messages per window (0 = off).
    rate_limit_messages: int = Field(default=30, ge=0, le=10_000)
    rate_limit_window_seconds: int = Field(default=60, ge=1, le=86_400)
    # Per client IP, per `rate_limit_window_seconds` (0 = off): conversations opened, WebSockets
    # opened, calls to the service API (its callers are the action servers: generous).
    rate_limit_conversations_per_ip: int = Field(default=30, ge=0, le=100_000)
    rate_limit_sockets_per_ip: int = Field(default=60, ge=0, le=100_000)
    rate_limit_service_api_per_ip: int = Field(default=12_000, ge=0, le=1_000_000)
    # Sites allowed to embed the web widget: "*", or origins "https://a.go.id,https://b.id";
    # "" = only the gateway's own page.
    widget_origins: str = Field(
        default="*", pattern=r"^\s*(\*|https?://[^\s,/]+(\s*,\s*https?://[^\s,/]+)*)?\s*$"
    )

    # Identity verification (docs/security.md#identity-verification). A verified session binds a
    # conversation to the NIK its citizen proved for this long.
    verified_session_minutes: int = Field(default=30, ge=1, le=24 * 60)
    # One-time codes by SMS to the number registered with Dukcapil: lifetime, wrong codes
    # before the NIK is locked (across conversations and channels), lockout, resend interval.
    otp_ttl_seconds: int = Field(default=300, ge=30, le=3600)
    otp_max_attempts: int = Field(default=3, ge=1, le=10)
    otp_lockout_minutes: int = Field(default=30, ge=1, le=24 * 60)
    otp_resend_seconds: int = Field(default=60, ge=0, le=3600)
    # Key of the keyed hashes of NIKs and codes; empty = a random key per process (local only).
    identity_key: SecretStr = SecretStr("")
    # The SMS provider (an adapter like a ministry's, key "sms"); unset = simulated.
    sms_url: AnyHttpUrl | None = None

    # Call center (docs/call-center.md). Opening hours in the call center's time zone, e.g.
    # "mon-fri 08:00-16:00; sat 08:00-12:00"; closed on Indonesian national holidays.
    call_center_hours: str = Field(
        default="mon-fri 08:00-16:00",
        pattern=r"^\s*[a-z]{3}(-[a-z]{3})?\s+\d{2}:\d{2}-\d{2}:\d{2}(\s*;\s*[a-z]{3}(-[a-z]{3})?\s+\d{2}:\d{2}-\d{2}:\d{2})*\s*$",
    )
    call_center_timezone: str = "Asia/Jakarta"
    # Closed on Indonesian national holidays (the `holidays` package's calendar).
    call_center_closed_on_holidays: bool = True
    # A citizen waits at most this long in the queue before a callback or ticket is offered.
    handoff_max_wait_minutes: int = Field(default=10, ge=1, le=240)
    # A conversation with an agent where the citizen stays silent this long is closed.
    handoff_idle_minutes: int = Field(default=30, ge=1, le=1440)
    # Console logins: absolute lifetime and idle expiry.
    console_session_hours: int = Field(default=8, ge=1, le=24)
    console_idle_minutes: int = Field(default=30, ge=1, le=480)
    # Console login attempts per `login_window_seconds`: per username, per client IP, and in
    # all (api/callcenter/auth.py); at most `password_hash_concurrency` Argon2 checks run at
    # once, off the event loop, and at most `password_hash_queue` more wait for a turn.
    login_limit_per_user: int = Field(default=10, ge=1, le=10_000)
    login_limit_per_ip: int = Field(default=60, ge=1, le=100_000)
    login_limit_global: int = Field(default=600, ge=1, le=1_000_000)
    login_window_seconds: int = Field(default=300, ge=1, le=86_400)
    password_hash_concurrency: int = Field(default=1, ge=1, le=64)
    password_hash_queue: int = Field(default=32, ge=0, le=10_000)

    # The citizen's rights (docs/privacy.md). Messages, conversations and Rasa's tracker
    # events older than this are deleted by the retention job, which runs every
    # `retention_interval_minutes` on one replica at a time.
    retention_days: int = Field(default=90, ge=1, le=3650)
    retention_interval_minutes: int = Field(default=60, ge=1, le=1440)
    # Rasa's tracker store, which the gateway erases and prunes (endpoints*.yml point Rasa at
    # the same database): sqlite+aiosqlite:///var/rasa-tracker.db, postgresql+asyncpg://…
    # Empty: Rasa's trackers are left alone (say so in production).
    tracker_database_url: str = "sqlite+aiosqlite:///var/rasa-tracker.db"
    # Analytics (docs/analytics.md): where Rasa's events come from — "broker" (the RabbitMQ
    # consumer, endpoints.prod.yml), "tracker" (the dashboard imports new rows of the tracker
    # store above: the embedded default), "auto" (tracker when it is SQLite). The salt of the
    # conversation hashes must equal the consumer's AW_ANALYTICS_SALT; empty = derived from
    # data_key (no hash joins conversations to services without either).
    analytics_source: Literal["auto", "broker", "tracker"] = "auto"
    analytics_salt: SecretStr = SecretStr("")
    # The short notice at a conversation's first contact, and where the full one is read.
    privacy_notice: bool = True
    # The web widget's session token (docs/security.md): HMAC key (`scripts/run` generates
    # one; empty outside production = a random key per process) and idle expiry.
    widget_session_key: SecretStr = SecretStr("")
    widget_idle_minutes: int = Field(default=30, ge=1, le=1440)

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @field_validator("telegram_webhook_secret")
    @classmethod
    def _telegram_secret_charset(cls, value: SecretStr) -> SecretStr:
        # Telegram accepts 1-256 characters A-Z, a-z, 0-9, _ and - as a webhook secret.
        if not re.fullmatch(r"[A-Za-z0-9_-]{0,256}", value.get_secret_value()):
            raise ValueError("AW_TELEGRAM_WEBHOOK_SECRET: 1-256 characters A-Z, a-z, 0-9, _ or -")
        return value

    @model_validator(mode="after")
    def _production_secrets(self) -> Settings:
        # Outside `local` the service API (personal data) must never be open, and a turn
        # must not be given up while its actions may still open a case.
        if self.environment != "local" and len(self.service_token) < 16:
            raise ValueError("AW_SERVICE_TOKEN (at least 16 characters) is required outside local")
        if self.environment != "local" and self.rasa_timeout_seconds <= self.action_chain_seconds:
            chain = self.action_chain_seconds
            raise ValueError(f"AW_RASA_TIMEOUT_SECONDS must exceed the longest action chain ({chain:g} s)")
        if self.environment != "local" and self.turn_pending_stale_seconds <= self.longest_turn_seconds:
            longest = self.longest_turn_seconds
            raise ValueError(
                f"AW_TURN_PENDING_STALE_SECONDS must exceed the longest live turn ({longest:g} s)"
            )
        return self

    @property
    def longest_turn_seconds(self) -> float:
        """The longest a live turn may keep its message `pending`: for each of two questions in
        one message, the admission queue's wait and Rasa's deadline."""
        return 2 * (self.rasa_queue_wait_seconds + self.rasa_timeout_seconds)

    @property
    def action_chain_seconds(self) -> float:
        """The longest a turn's actions may take: each service call given up by the actions
        after their own deadline, itself above the ministry deadline."""
        per_call = max(ACTIONS_CALL_TIMEOUT_SECONDS, self.ministry_timeout_seconds + 1)
        return ACTION_CALLS_PER_TURN * per_call

    @model_validator(mode="after")
    def _channel_secrets(self) -> Settings:
        # A channel whose webhook cannot be authenticated must not start.
        if self.whatsapp_enabled and not (
            self.whatsapp_app_secret.get_secret_value()
            and self.whatsapp_verify_token.get_secret_value()
            and self.whatsapp_phone_number_id
        ):
            raise ValueError(
                "AW_WHATSAPP_TOKEN needs AW_WHATSAPP_APP_SECRET, AW_WHATSAPP_VERIFY_TOKEN "
                "and AW_WHATSAPP_PHONE_NUMBER_ID"
            )
        if self.environment == "production" and len(self.data_key.get_secret_value()) < 16:
            raise ValueError("production needs AW_DATA_KEY (at least 16 characters): the vault's key")
        if not self.inapas_client_secret.get_secret_value():
            if self.inapas_url is not None:
                raise ValueError("AW_INAPAS_URL needs AW_INAPAS_CLIENT_SECRET")
            self.inapas_client_secret = SecretStr(secrets.token_urlsafe(32))
        if not self.widget_session_key.get_secret_value():
            if self.environment == "production":
                raise ValueError("AW_WIDGET_SESSION_KEY is required in production")
            # One process, one key: tokens die with it (`scripts/run` sets a stable one).
            self.widget_session_key = SecretStr(secrets.token_urlsafe(32))
        webhook_secret = self.telegram_webhook_secret.get_secret_value()
        if self.telegram_enabled and self.public_url and not webhook_secret:
            raise ValueError("a Telegram webhook (AW_PUBLIC_URL) needs AW_TELEGRAM_WEBHOOK_SECRET")
        return self

    @model_validator(mode="after")
    def _metrics_token_in_production(self) -> Settings:
        token = self.metrics_token.get_secret_value()
        if self.environment == "production" and token and not strong_secret(token):
            raise ValueError("AW_METRICS_TOKEN: at least 16 characters and not a placeholder")
        return self

    @model_validator(mode="after")
    def _identity_key_in_production(self) -> Settings:
        # Replicas must hash NIKs and codes alike, and codes must outlive a restart.
        if self.environment == "production" and len(self.identity_key.get_secret_value()) < 32:
            raise ValueError("production needs AW_IDENTITY_KEY (at least 32 characters)")
        return self

    @property
    def telegram_enabled(self) -> bool:
        return bool(self.telegram_bot_token.get_secret_value())

    @property
    def whatsapp_enabled(self) -> bool:
        return bool(self.whatsapp_token.get_secret_value())

    @property
    def is_sqlite(self) -> bool:
        return make_url(self.database_url).get_backend_name() == "sqlite"

    def ministry_url(self, key: str) -> str | None:
        """The base URL of ministry `key` (`AW_<KEY>_URL`), or None (simulated, or refused)."""
        url = getattr(self, f"{key}_url", None)
        return str(url).rstrip("/") if url is not None else None

    def privacy_url(self) -> str:
        """The full privacy notice (the gateway's page /privasi)."""
        base = str(self.public_url).rstrip("/") if self.public_url else "http://127.0.0.1:8000"
        return f"{base}/privasi"

    def sqlite_path(self) -> Path | None:
        """Path of the SQLite database file, or None (not SQLite, or in memory)."""
        url = make_url(self.database_url)
        if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
            return None
        return Path(url.database)


# What an operator leaves in a secret by mistake: an example's value, never a real one.
_PLACEHOLDER = re.compile(
    r"change.?me|replace.?me|placeholder|example|secret|password|token|x{4,}|\.\.\.", re.I
)


def strong_secret(value: str) -> bool:
    """At least 16 characters, more than a few distinct ones, and no placeholder's words."""
    return len(value) >= 16 and len(set(value)) >= 8 and not _PLACEHOLDER.search(value)


@lru_cache
def get_settings() -> Settings:
    return Settings()


async def _app_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(_app_settings)]
