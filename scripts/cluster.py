"""`make cluster` (scripts/cluster): the production topology on one machine, each part its own
process under a supervisor that restarts it when it dies, as Kubernetes would.

    2 gateways ──┐                      ┌── 2 Rasa servers (endpoints.prod.yml) ── 2 action servers
                 HAProxy (deploy/haproxy/cluster.cfg): public, service API, Rasa by sender, actions
    PostgreSQL (aw_cluster_gateway, aw_cluster_rasa, aw_cluster_simulators) · Redis db 9 ·
    RabbitMQ (Rasa's event broker) → analytics consumer (api/analytics)

Run with the gateway's Python (`.venv/api`). Start-up creates the three databases when they are
missing (`--fresh`: drops them, and empties Redis db 9 and the analytics queue, first); the
gateways migrate theirs at start; Rasa creates its tables. Every secret is generated per run
(or taken from the environment). The processes' settings are `environments()`: the production
settings (`AW_ENVIRONMENT=production`, endpoints.prod.yml), with the simulated ministries.

State for tests and operators: var/cluster/state.json (each process's pid, restarts, ports,
the public URL), logs in var/cluster/logs/. Ports 18300-18399 (`--base-port`).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RASA_PYTHON = ROOT / ".venv" / "rasa" / "bin" / "python"
API_PYTHON = ROOT / ".venv" / "api" / "bin" / "python"
HAPROXY_CONFIG = ROOT / "deploy" / "haproxy" / "cluster.cfg"
STATE_DIR = ROOT / "var" / "cluster"
STATE_FILE = STATE_DIR / "state.json"
PREFIX = "aw_cluster"
DATABASES = {"gateway": f"{PREFIX}_gateway", "rasa": f"{PREFIX}_rasa", "simulators": f"{PREFIX}_simulators"}
REDIS_DB = 9
ANALYTICS_QUEUE = f"{PREFIX}_analytics"
ANALYTICS_EXCHANGE = f"{PREFIX}_events"
START_TIMEOUT_SECONDS = 420
TICKET_LOCK_LIFETIME_SECONDS = 20
# A process that dies is restarted after this long, doubled after each quick death, up to the max.
RESTART_DELAY_SECONDS = 0.5
MAX_RESTART_DELAY_SECONDS = 8.0
STABLE_SECONDS = 30.0  # running this long resets the delay


@dataclass(frozen=True)
class Servers:
    """The local servers the cluster stores its state in."""

    postgres_host: str = "127.0.0.1"
    postgres_port: int = 5432
    postgres_user: str = "postgres"
    postgres_password: str = ""
    redis_host: str = "127.0.0.1"
    redis_port: int = 6379
    rabbitmq_host: str = "127.0.0.1"
    rabbitmq_port: int = 5672
    rabbitmq_user: str = "guest"
    rabbitmq_password: str = "guest"

    @property
    def rabbitmq_url(self) -> str:
        return (
            f"amqp://{self.rabbitmq_user}:{self.rabbitmq_password}@{self.rabbitmq_host}:{self.rabbitmq_port}/"
        )

    def missing(self) -> list[str]:
        """The servers that do not accept connections."""
        missing = []
        for name, host, port in (
            ("PostgreSQL", self.postgres_host, self.postgres_port),
            ("Redis", self.redis_host, self.redis_port),
            ("RabbitMQ", self.rabbitmq_host, self.rabbitmq_port),
        ):
            try:
                socket.create_connection((host, port), timeout=1).close()
            except OSError:
                missing.append(f"{name} ({host}:{port})")
        return missing

    def database_url(self, name: str, driver: str = "postgresql+asyncpg") -> str:
        password = f":{self.postgres_password}" if self.postgres_password else ""
        return f"{driver}://{self.postgres_user}{password}@{self.postgres_host}:{self.postgres_port}/{name}"


@dataclass(frozen=True)
class Ports:
    base: int = 18300

    def __getattr__(self, name: str) -> int:
        offsets = {
            "public": 0, "service_api": 1, "rasa": 5, "actions": 55, "stats": 90,
            "gateway1": 10, "gateway2": 11, "service1": 20, "service2": 21,
            "rasa1": 30, "rasa2": 31, "actions1": 40, "actions2": 41,
        }  # fmt: skip
        if name not in offsets:
            raise AttributeError(name)
        return self.base + offsets[name]

    def haproxy_env(self) -> dict[str, str]:
        names = (
            "public", "service_api", "rasa", "actions", "stats", "gateway1", "gateway2",
            "service1", "service2", "rasa1", "rasa2", "actions1", "actions2",
        )  # fmt: skip
        return {f"AW_CLUSTER_{name.upper()}_PORT": str(getattr(self, name)) for name in names}


def make_secrets() -> dict[str, str]:
    """Each secret from the environment, else a new random one."""

    def new(name: str) -> str:
        return os.environ.get(name) or secrets.token_urlsafe(32)

    return {
        name: new(name)
        for name in (
            "AW_SERVICE_TOKEN", "ACTION_SERVER_TOKEN", "AW_RASA_TOKEN", "AW_DATA_KEY",
            "AW_IDENTITY_KEY", "AW_WIDGET_SESSION_KEY", "AW_ANALYTICS_SALT",
        )
    }  # fmt: skip


def environments(ports: Ports, servers: Servers, keys: dict[str, str]) -> dict[str, dict[str, str]]:
    """What each kind of process is started with, on top of the environment: the production
    settings of docs/deployment.md, as compose and the chart set them."""
    rasa = {
        "TRACKER_DB_HOST": servers.postgres_host, "TRACKER_DB_PORT": str(servers.postgres_port),
        "TRACKER_DB_USER": servers.postgres_user, "TRACKER_DB_PASSWORD": servers.postgres_password,
        "TRACKER_DB_NAME": DATABASES["rasa"],
        "LOCK_STORE_REDIS_HOST": servers.redis_host, "LOCK_STORE_REDIS_PORT": str(servers.redis_port),
        "LOCK_STORE_REDIS_DB": str(REDIS_DB),
        "EVENT_BROKER_HOST": servers.rabbitmq_host, "EVENT_BROKER_PORT": str(servers.rabbitmq_port),
        "EVENT_BROKER_USERNAME": servers.rabbitmq_user, "EVENT_BROKER_PASSWORD": servers.rabbitmq_password,
        "EVENT_BROKER_QUEUE": ANALYTICS_QUEUE, "EVENT_BROKER_EXCHANGE": ANALYTICS_EXCHANGE,
        # A turn's lock ticket outlives the gateway's deadline for the turn (16 s) and no more:
        # the tickets of a killed replica block its conversations this long (Rasa: 60 s).
        "TICKET_LOCK_LIFETIME": str(TICKET_LOCK_LIFETIME_SECONDS),
        "ACTION_SERVER_URL": f"http://127.0.0.1:{ports.actions}/webhook",
        "ACTION_SERVER_TOKEN": keys["ACTION_SERVER_TOKEN"],
        "AW_RASA_TOKEN": keys["AW_RASA_TOKEN"],
    }  # fmt: skip
    actions = {
        "ACTION_SERVER_TOKEN": keys["ACTION_SERVER_TOKEN"],
        "GATEWAY_URL": f"http://127.0.0.1:{ports.service_api}",
        "GATEWAY_TOKEN": keys["AW_SERVICE_TOKEN"],
    }
    gateway = {
        "AW_ENVIRONMENT": "production",
        "AW_DATABASE_URL": servers.database_url(DATABASES["gateway"]),
        "AW_TRACKER_DATABASE_URL": servers.database_url(DATABASES["rasa"]),
        "AW_SIMULATORS_DATABASE_URL": servers.database_url(DATABASES["simulators"]),
        "AW_REDIS_URL": f"redis://{servers.redis_host}:{servers.redis_port}/{REDIS_DB}",
        "AW_RASA_URL": f"http://127.0.0.1:{ports.rasa}",
        "AW_SERVICE_API_HOST": "127.0.0.1",
        "AW_ALLOW_SIMULATED_BACKENDS": "true",  # no real ministry on this machine
        **{name: keys[name] for name in ("AW_SERVICE_TOKEN", "AW_RASA_TOKEN", "AW_DATA_KEY")},
        **{name: keys[name] for name in ("AW_IDENTITY_KEY", "AW_WIDGET_SESSION_KEY")},
        # The dashboard joins conversations to the consumer's rows by the same salted hash.
        "AW_ANALYTICS_SALT": keys["AW_ANALYTICS_SALT"],
    }
    analytics = {
        "AW_DATABASE_URL": gateway["AW_DATABASE_URL"],
        "AW_RABBITMQ_URL": servers.rabbitmq_url,
        "AW_ANALYTICS_QUEUE": ANALYTICS_QUEUE,
        "AW_ANALYTICS_EXCHANGE": ANALYTICS_EXCHANGE,
        "AW_ANALYTICS_SALT": keys["AW_ANALYTICS_SALT"],
    }
    return {"rasa": rasa, "actions": actions, "gateway": gateway, "analytics": analytics}


@dataclass
class Process:
    """One supervised process: restarted when it exits, until the cluster stops."""

    name: str
    command: list[str]
    env: dict[str, str]
    health_url: str | None
    log: Path
    popen: subprocess.Popen[bytes] | None = None
    restarts: int = 0
    started_at: float = 0.0
    delay: float = RESTART_DELAY_SECONDS
    restart_at: float | None = None
    history: list[dict[str, Any]] = field(default_factory=list)  # exits: when, code

    def start(self) -> None:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("ab") as log:
            self.popen = subprocess.Popen(
                self.command, cwd=ROOT, env={**os.environ, **self.env}, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        self.started_at = time.monotonic()
        self.restart_at = None

    @property
    def pid(self) -> int | None:
        return self.popen.pid if self.popen is not None and self.popen.poll() is None else None

    def supervise(self, now: float) -> None:
        """Restart the process once it has exited and its delay has passed."""
        if self.popen is None:
            return
        code = self.popen.poll()
        if code is None:
            if now - self.started_at > STABLE_SECONDS:
                self.delay = RESTART_DELAY_SECONDS
            return
        if self.restart_at is None:
            self.history.append({"exited_at": time.time(), "code": code})
            self.restart_at = now + self.delay
            self.delay = min(self.delay * 2, MAX_RESTART_DELAY_SECONDS)
            log(f"{self.name} exited with {code}; restarting in {self.restart_at - now:.1f} s")
        elif now >= self.restart_at:
            self.restarts += 1
            self.start()

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.popen is not None and self.popen.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, sig)


def log(message: str) -> None:
    print(f"cluster: {message}", flush=True)


def processes(ports: Ports, envs: dict[str, dict[str, str]], model: Path, logs: Path) -> list[Process]:
    rasa_command = [
        str(RASA_PYTHON), "-m", "bot.server", "run", "--interface", "127.0.0.1", "--model", str(model),
        "--enable-api", "--auth-token", envs["rasa"]["AW_RASA_TOKEN"],
        "--endpoints", "endpoints.prod.yml", "--credentials", "credentials.yml",
    ]  # fmt: skip
    found: list[Process] = []
    for i in (1, 2):
        port = getattr(ports, f"actions{i}")
        command = [str(RASA_PYTHON), "-m", "actions.server", "--actions", "actions", "--port", str(port)]
        health = f"http://127.0.0.1:{port}/health"
        found.append(Process(f"actions{i}", command, envs["actions"], health, logs / f"actions{i}.log"))
    for i in (1, 2):
        port = getattr(ports, f"rasa{i}")
        command, health = [*rasa_command, "--port", str(port)], f"http://127.0.0.1:{port}/webhooks/rest/"
        found.append(Process(f"rasa{i}", command, envs["rasa"], health, logs / f"rasa{i}.log"))
    for i in (1, 2):
        port = getattr(ports, f"gateway{i}")
        env = {**envs["gateway"], "AW_SERVICE_API_PORT": str(getattr(ports, f"service{i}"))}
        command = [str(API_PYTHON), "-m", "api.serve", "--host", "127.0.0.1", "--port", str(port)]
        health = f"http://127.0.0.1:{port}/health"
        found.append(Process(f"gateway{i}", command, env, health, logs / f"gateway{i}.log"))
    command = [str(API_PYTHON), "-m", "api.analytics.consumer"]
    found.append(Process("analytics", command, envs["analytics"], None, logs / "analytics.log"))
    haproxy = shutil.which("haproxy") or "/usr/sbin/haproxy"
    found.append(Process(
        "haproxy", [haproxy, "-db", "-f", str(HAPROXY_CONFIG)], ports.haproxy_env(),
        f"http://127.0.0.1:{ports.stats}/", logs / "haproxy.log",
    ))  # fmt: skip
    return found


def _admin_sql(servers: Servers, statements: list[str]) -> None:
    """Run statements on the `postgres` database (autocommit), through asyncpg."""
    import asyncio

    import asyncpg

    async def run() -> None:
        connection = await asyncpg.connect(
            host=servers.postgres_host, port=servers.postgres_port, user=servers.postgres_user,
            password=servers.postgres_password or None, database="postgres",
        )  # fmt: skip
        try:
            for statement in statements:
                await connection.execute(statement)
        finally:
            await connection.close()

    asyncio.run(run())


def _existing_databases(servers: Servers) -> set[str]:
    import asyncio

    import asyncpg

    async def run() -> set[str]:
        connection = await asyncpg.connect(
            host=servers.postgres_host, port=servers.postgres_port, user=servers.postgres_user,
            password=servers.postgres_password or None, database="postgres",
        )  # fmt: skip
        try:
            rows = await connection.fetch("SELECT datname FROM pg_database")
        finally:
            await connection.close()
        return {row["datname"] for row in rows}

    return asyncio.run(run())


def create_databases(servers: Servers, fresh: bool) -> None:
    names = list(DATABASES.values())
    if fresh:
        _admin_sql(servers, [f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)' for name in names])
    existing = _existing_databases(servers)
    missing = [name for name in names if name not in existing]
    _admin_sql(servers, [f'CREATE DATABASE "{name}"' for name in missing])
    log(
        f"databases: created {', '.join(missing) or 'none'}, "
        f"kept {', '.join(sorted(set(names) - set(missing))) or 'none'}"
    )


def reset_queues_and_locks(servers: Servers) -> None:
    """Empty Redis db 9 and delete the analytics queue and exchange (a fresh run)."""
    import asyncio

    import aio_pika
    import redis

    redis.Redis(host=servers.redis_host, port=servers.redis_port, db=REDIS_DB).flushdb()

    async def run() -> None:
        connection = await aio_pika.connect(servers.rabbitmq_url)
        async with connection:
            channel = await connection.channel()
            await channel.queue_delete(ANALYTICS_QUEUE)
            await channel.exchange_delete(ANALYTICS_EXCHANGE)

    asyncio.run(run())


def answers(url: str, timeout: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310  # local URLs only
            return bool(200 <= response.status < 300)
    except (urllib.error.URLError, OSError, ValueError):
        return False


def write_state(path: Path, ports: Ports, running: list[Process], keys: dict[str, str], ready: bool) -> None:
    state = {
        "ready": ready,
        "supervisor_pid": os.getpid(),
        "public_url": f"http://127.0.0.1:{ports.public}",
        "rasa_url": f"http://127.0.0.1:{ports.rasa}",
        "service_api_url": f"http://127.0.0.1:{ports.service_api}",
        "stats_url": f"http://127.0.0.1:{ports.stats}/;csv",
        "rasa_replicas": [f"http://127.0.0.1:{ports.rasa1}", f"http://127.0.0.1:{ports.rasa2}"],
        "processes": {
            p.name: {"pid": p.pid, "restarts": p.restarts, "exits": p.history, "health_url": p.health_url}
            for p in running
        },
        "databases": DATABASES,
        "redis_db": REDIS_DB,
        "analytics_queue": ANALYTICS_QUEUE,
        # Owner-only file: what a test needs to read the service API and Rasa's trackers.
        "secrets": {name: keys[name] for name in ("AW_SERVICE_TOKEN", "AW_RASA_TOKEN")},
    }
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(state, indent=1))
    tmp.replace(path)


def run(args: argparse.Namespace) -> int:
    ports, servers = Ports(args.base_port), Servers()
    model = args.model.resolve()
    if not model.exists():
        log(f"no model at {model}: `make train` first (or copy one into models/)")
        return 2
    if not (shutil.which("haproxy") or Path("/usr/sbin/haproxy").exists()):
        log("haproxy is missing: `make haproxy` (as root) installs Debian's")
        return 2
    os.umask(0o077)
    STATE_DIR.mkdir(parents=True, exist_ok=True)
    logs = STATE_DIR / "logs"
    if args.fresh and logs.exists():
        shutil.rmtree(logs)
    create_databases(servers, args.fresh)
    if args.fresh:
        reset_queues_and_locks(servers)
    keys = make_secrets()
    envs = environments(ports, servers, keys)
    for name, value in args.set or []:
        for env in envs.values():
            env[name] = value
    running = processes(ports, envs, model, logs)
    state_path = STATE_FILE
    stop = {"now": False}

    def on_signal(signum: int, _frame: Any) -> None:
        stop["now"] = True

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    for process in running:
        process.start()
    log(f"started {len(running)} processes; logs in {logs.relative_to(ROOT)}")
    started, ready = time.monotonic(), False
    try:
        while not stop["now"]:
            now = time.monotonic()
            for process in running:
                process.supervise(now)
            if not ready:
                ready = all(p.health_url is None or answers(p.health_url) for p in running) and answers(
                    f"http://127.0.0.1:{ports.public}/health"
                )
                if ready:
                    log(
                        f"ready in {now - started:.0f} s: http://127.0.0.1:{ports.public}/ "
                        f"(HAProxy's stats: :{ports.stats})"
                    )
                elif now - started > START_TIMEOUT_SECONDS:
                    log(f"not ready after {START_TIMEOUT_SECONDS} s; see {logs}")
                    return 1
            write_state(state_path, ports, running, keys, ready)
            time.sleep(0.2)
    finally:
        for process in running:
            process.stop()
        deadline = time.monotonic() + 15
        for process in running:
            while process.pid is not None and time.monotonic() < deadline:
                time.sleep(0.1)
            process.stop(signal.SIGKILL)
        write_state(state_path, ports, running, keys, False)
        log("stopped")
    return 0


def read_state() -> dict[str, Any]:
    """What `write_state` wrote last."""
    return dict(json.loads(STATE_FILE.read_text()))


class NotReady(RuntimeError):
    """The cluster stopped, or was not ready in time (`supervised`)."""


@contextlib.contextmanager
def supervised(settings: dict[str, str], ready_seconds: float) -> Iterator[dict[str, Any]]:
    """`scripts/cluster --fresh` as a child process, every process with `settings` in its
    environment: its state once it is ready. Stopped on the way out (SIGTERM, then SIGKILL)."""
    STATE_FILE.unlink(missing_ok=True)
    extra = [arg for name, value in settings.items() for arg in ("--set", name, value)]
    supervisor = subprocess.Popen([str(ROOT / "scripts" / "cluster"), "--fresh", *extra], cwd=ROOT)
    try:
        began = time.monotonic()
        while True:
            if supervisor.poll() is not None:
                raise NotReady("the cluster stopped before it was ready")
            if STATE_FILE.exists() and (state := json.loads(STATE_FILE.read_text())).get("ready"):
                break
            if time.monotonic() - began > ready_seconds:
                raise NotReady(f"not ready after {ready_seconds:.0f} s")
            time.sleep(1)
        yield state
    finally:
        supervisor.send_signal(signal.SIGTERM)
        try:
            supervisor.wait(timeout=40)
        except subprocess.TimeoutExpired:
            os.kill(supervisor.pid, signal.SIGKILL)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/cluster", description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--model", type=Path, default=ROOT / "models" / "asisten-warga.tar.gz")
    parser.add_argument("--base-port", type=int, default=18300)
    parser.add_argument(
        "--fresh",
        action="store_true",
        help="drop the cluster's databases, Redis db 9 and analytics queue first",
    )
    parser.add_argument(
        "--set", nargs=2, action="append", metavar=("NAME", "VALUE"),
        help="an extra environment variable for every process (tests: per-address rate limits off)",
    )  # fmt: skip
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
