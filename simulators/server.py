"""Every simulated backend on one HTTP server, each under its ministry's key: point the
gateway at them with `AW_<KEY>_URL=http://host:port/<key>` (`python -m simulators --env`)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.routing import Mount

from simulators.backends import FACTORIES, Simulators
from simulators.settings import SimulatorSettings


def create_server(settings: SimulatorSettings) -> Starlette:
    simulators = Simulators(settings)

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        try:
            yield
        finally:
            await simulators.aclose()

    routes = [Mount(f"/{key}", app=simulators.app(key)) for key in sorted(FACTORIES)]
    server = Starlette(routes=routes, lifespan=lifespan)
    server.state.simulators = simulators
    return server


def ministry_urls(base_url: str) -> dict[str, str]:
    """The gateway's settings that point every ministry at a server at `base_url`."""
    base = base_url.rstrip("/")
    return {f"AW_{key.upper()}_URL": f"{base}/{key}" for key in sorted(FACTORIES)}
