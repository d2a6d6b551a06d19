"""The table from ministry key to simulator, and the running simulators of one process.

`Simulators` holds what the simulated backends share (settings, database, clock) and gives
each ministry's backend as an ASGI app, built on its first request so that starting stays
cheap. The gateway embeds it (`embedded`, imported by name when a ministry is simulated);
`python -m simulators` serves the same apps over HTTP (`simulators.server`).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from starlette.types import ASGIApp, Receive, Scope, Send

from simulators import (
    bkn,
    bpjs,
    dukcapil,
    inapas,
    kemensos,
    korlantas,
    lapor,
    polri,
    puslapdik,
    samsat,
    satudata,
    satusehat,
    simponi,
    sms,
)
from simulators.base import Clock, SimulatorContext, SimulatorFactory
from simulators.callbacks import Callbacks
from simulators.settings import SimulatorSettings
from simulators.store import Storage

# Ministry (or identity provider) key, as in the gateway's `AW_<KEY>_URL` → the factory of
# its simulated backend.
FACTORIES: dict[str, SimulatorFactory] = {
    "bkn": bkn.build,
    "bpjs": bpjs.build,
    "dukcapil": dukcapil.build,
    "inapas": inapas.build,
    "kemensos": kemensos.build,
    "korlantas": korlantas.build,
    "lapor": lapor.build,
    "polri": polri.build,
    "puslapdik": puslapdik.build,
    "samsat": samsat.build,
    "satudata": satudata.build,
    "satusehat": satusehat.build,
    "simponi": simponi.build,
    "sms": sms.build,
}
# The keys of FACTORIES that are identity providers, not ministries: no service-API adapter
# calls them; the gateway's login does (api/identity/inapas.py).
IDENTITY_PROVIDERS = frozenset({"inapas"})


class _LazyApp:
    """A simulator built on its first request."""

    def __init__(self, factory: SimulatorFactory, context: SimulatorContext) -> None:
        self._factory = factory
        self._context = context
        self._app: FastAPI | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self._app is None:
            self._app = self._factory(self._context)
        await self._app(scope, receive, send)


class Simulators:
    """Every simulated backend of this process, over one database and one clock."""

    def __init__(self, settings: SimulatorSettings) -> None:
        self.settings = settings
        self.clock = Clock()
        self.storage = Storage(settings)
        self.callbacks = Callbacks(settings.simulated_callback_url, settings.ministry_callback_secrets)
        context = SimulatorContext(settings, self.storage, self.clock, self.callbacks)
        self._apps = {key: _LazyApp(factory, context) for key, factory in FACTORIES.items()}

    def app(self, key: str) -> ASGIApp:
        """The backend of ministry `key`; `KeyError` when no simulator exists for it."""
        return self._apps[key]

    async def aclose(self) -> None:
        await self.callbacks.drain()
        await self.storage.aclose()


def embedded(**settings: Any) -> Simulators:
    """The simulators inside another process (the gateway), with its values of the
    `SimulatorSettings` fields; `ValidationError` on a malformed one (the gateway stops)."""
    return Simulators(SimulatorSettings(_env_file=None, **settings))  # type: ignore[call-arg]
