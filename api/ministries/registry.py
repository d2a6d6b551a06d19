"""The adapters of a running app: created in the lifespan, one per ministry, on `app.state`.

Every module of this package is imported once (`discover`), so an adapter class registers
itself by being defined: adding a ministry needs no edit here.

Adapters know only URLs. A ministry without `AW_<KEY>_URL` is served by the simulators when
`AW_SIMULATORS=embedded`: the package `simulators` is then imported by name (never by an
import statement, so a gateway with real URLs does not load it) and its apps are mounted
in-process through `httpx.ASGITransport`.
"""

from __future__ import annotations

import importlib
import logging
import pkgutil
from collections.abc import Awaitable, Callable
from typing import Protocol, TypeVar

import httpx
from fastapi import Request
from starlette.types import ASGIApp

import api.ministries
from api.core.config import Settings
from api.ministries.base import MinistryAdapter

A = TypeVar("A", bound=MinistryAdapter)

# The module that embeds the simulators (simulators/backends.py).
SIMULATORS_MODULE = "simulators.backends"

logger = logging.getLogger(__name__)


def discover() -> dict[str, type[MinistryAdapter]]:
    """Import every adapter module of `api.ministries`; the registered classes by key."""
    for module in pkgutil.iter_modules(api.ministries.__path__):
        if not module.name.startswith("_") and module.name not in ("base", "registry"):
            importlib.import_module(f"api.ministries.{module.name}")
    return dict(MinistryAdapter.registered)


class SimulatedBackendRefused(RuntimeError):
    """The settings would serve simulated data where they must not: the gateway stops."""


class EmbeddedSimulators(Protocol):
    """What the gateway uses of `simulators.backends.Simulators`."""

    def app(self, key: str) -> ASGIApp: ...

    async def aclose(self) -> None: ...


def simulated_keys(settings: Settings, keys: list[str]) -> list[str]:
    """The ministries of `keys` to simulate; `SimulatedBackendRefused` when the settings
    forbid it (`AW_SIMULATORS=off`, or production without `AW_ALLOW_SIMULATED_BACKENDS`)."""
    simulated = sorted(key for key in keys if settings.ministry_url(key) is None)
    if not simulated:
        return []
    missing = ", ".join(f"AW_{key.upper()}_URL" for key in simulated)
    if settings.simulators == "off":
        raise SimulatedBackendRefused(f"AW_SIMULATORS=off needs a real URL: set {missing}")
    if settings.environment == "production":
        if not settings.allow_simulated_backends:
            raise SimulatedBackendRefused(
                f"production would serve simulated data: set {missing}, "
                "or AW_ALLOW_SIMULATED_BACKENDS=true for a demo"
            )
        logger.warning("production serves simulated ministries: %s", ", ".join(simulated))
    return simulated


def embed_simulators(settings: Settings) -> EmbeddedSimulators:
    """The simulators inside this process, with the gateway's simulator settings."""
    backends = importlib.import_module(SIMULATORS_MODULE)
    simulators: EmbeddedSimulators = backends.embedded(
        simulated_latency_ms=settings.simulated_latency_ms,
        simulated_faults=settings.simulated_faults,
        simulators_database_url=settings.simulators_database_url,
        inapas_client_id=settings.inapas_client_id,
        inapas_client_secret=settings.inapas_client_secret.get_secret_value(),
        simulated_callback_url=settings.simulated_callback_url,
        ministry_callback_secrets=settings.ministry_callback_secrets.get_secret_value(),
    )
    return simulators


class Ministries:
    """One adapter per ministry, each with its own HTTP client (its URL, or a simulator)."""

    def __init__(self, settings: Settings) -> None:
        adapter_classes = discover()
        simulated = simulated_keys(settings, list(adapter_classes))
        # The embedded simulators, when a ministry is simulated (tests move their clock).
        self.simulators = embed_simulators(settings) if simulated else None
        self._adapters: dict[type[MinistryAdapter], MinistryAdapter] = {}
        for adapter_class in adapter_classes.values():
            client = self._client(adapter_class, settings)
            self._adapters[adapter_class] = adapter_class(client, settings.ministry_timeout_seconds)

    def _client(self, adapter_class: type[MinistryAdapter], settings: Settings) -> httpx.AsyncClient:
        timeout = httpx.Timeout(settings.ministry_timeout_seconds)
        url = settings.ministry_url(adapter_class.key)
        if url is not None:
            return httpx.AsyncClient(base_url=url, timeout=timeout)
        assert self.simulators is not None
        transport = httpx.ASGITransport(app=self.simulators.app(adapter_class.key))
        return httpx.AsyncClient(
            transport=transport, base_url=f"http://{adapter_class.key}.simulasi", timeout=timeout
        )

    def get(self, adapter_class: type[A]) -> A:
        adapter = self._adapters[adapter_class]
        assert isinstance(adapter, adapter_class)
        return adapter

    async def aclose(self) -> None:
        for adapter in self._adapters.values():
            await adapter.aclose()
        if self.simulators is not None:
            await self.simulators.aclose()


def adapter(adapter_class: type[A]) -> Callable[[Request], Awaitable[A]]:
    """A FastAPI dependency giving the running app's adapter of `adapter_class`:
    `Bpjs = Annotated[BpjsAdapter, Depends(adapter(BpjsAdapter))]`."""

    async def dependency(request: Request) -> A:
        ministries: Ministries = request.app.state.ministries
        return ministries.get(adapter_class)

    dependency.__name__ = f"{adapter_class.key}_adapter"
    return dependency


async def ministries_of(request: Request) -> Ministries:
    """FastAPI dependency: all adapters (for case tracking across ministries)."""
    ministries: Ministries = request.app.state.ministries
    return ministries
