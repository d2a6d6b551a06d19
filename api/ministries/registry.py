"""The adapters of a running app: created in the lifespan, one per ministry, on `app.state`.

Every module of this package is imported once (`discover`), so an adapter class registers
itself by being defined: adding a ministry needs no edit here.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Awaitable, Callable
from typing import TypeVar

import httpx
from fastapi import FastAPI, Request
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.types import Receive, Scope, Send

import api.ministries
from api.core.config import Settings
from api.ministries.base import MinistryAdapter, SimulatorFactory
from api.simulators.base import Clock, SimulatorContext

A = TypeVar("A", bound=MinistryAdapter)


def discover() -> dict[str, type[MinistryAdapter]]:
    """Import every adapter module of `api.ministries`; the registered classes by key."""
    for module in pkgutil.iter_modules(api.ministries.__path__):
        if not module.name.startswith("_") and module.name not in ("base", "registry"):
            importlib.import_module(f"api.ministries.{module.name}")
    return dict(MinistryAdapter.registered)


class _LazyApp:
    """A simulator built on its first request, so starting the gateway stays cheap."""

    def __init__(self, factory: SimulatorFactory, context: SimulatorContext) -> None:
        self._factory = factory
        self._context = context
        self._app: FastAPI | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self._app is None:
            self._app = self._factory(self._context)
        await self._app(scope, receive, send)


class Ministries:
    """One adapter per ministry, each with its own HTTP client (real URL or simulator)."""

    def __init__(self, settings: Settings, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        self.clock = Clock()
        self.context = SimulatorContext(settings, sessionmaker, self.clock)
        self._adapters: dict[type[MinistryAdapter], MinistryAdapter] = {}
        for adapter_class in discover().values():
            client = self._client(adapter_class, settings)
            self._adapters[adapter_class] = adapter_class(client, settings.ministry_timeout_seconds)

    def _client(self, adapter_class: type[MinistryAdapter], settings: Settings) -> httpx.AsyncClient:
        timeout = httpx.Timeout(settings.ministry_timeout_seconds)
        url = settings.ministry_url(adapter_class.key)
        if url is not None:
            return httpx.AsyncClient(base_url=url, timeout=timeout)
        transport = httpx.ASGITransport(app=_LazyApp(adapter_class.simulator, self.context))
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
