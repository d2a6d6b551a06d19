"""Run the gateway: the public app on its port, the internal service API on its own listener.

    python -m api.serve --host 127.0.0.1 --port 8000

One process, two uvicorn servers on one event loop: the public app (channels, widget, console)
on `--host`/`--port`, and the service API (api/service_api, what the action server calls) on
`AW_SERVICE_API_HOST`/`AW_SERVICE_API_PORT` (default 127.0.0.1:8001), or on a unix socket
(`--service-uds PATH`). Both share one lifespan, so one database pool, one set of ministry
clients and one call center (docs/gateway.md says why one process). The internal server
starts once the public app's lifespan is up; on SIGINT/SIGTERM it stops first.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn

from api.core.config import Settings, get_settings


class _Server(uvicorn.Server):
    """A uvicorn server that leaves the signals to `serve` (two servers share them)."""

    @contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def servers(
    settings: Settings, host: str, port: int, service_uds: str | None = None
) -> tuple[_Server, _Server]:
    """The public server (with the lifespan) and the internal one (sharing its state)."""
    from api.main import create_app, create_service_app

    public = create_app(settings)
    internal = create_service_app(public)
    # uvicorn's defaults otherwise (its logging; X-Forwarded-For trusted from FORWARDED_ALLOW_IPS).
    public_config = uvicorn.Config(public, host=host, port=port, access_log=False)
    if service_uds:
        internal_config = uvicorn.Config(internal, uds=service_uds, lifespan="off", access_log=False)
    else:
        internal_config = uvicorn.Config(
            internal,
            host=settings.service_api_host,
            port=settings.service_api_port,
            lifespan="off",
            access_log=False,
        )
    return _Server(public_config), _Server(internal_config)


async def serve(settings: Settings, host: str, port: int, service_uds: str | None = None) -> int:
    """Run both servers until a signal or until one of them stops; the exit code."""
    public, internal = servers(settings, host, port, service_uds)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    public_task = asyncio.create_task(public.serve())
    while not public.started and not public_task.done():
        await asyncio.sleep(0.02)
    if not public.started:  # the lifespan failed (its error is logged)
        await public_task
        return 3
    internal_task = asyncio.create_task(internal.serve())
    if service_uds:  # uvicorn leaves a unix socket world-writable: owner only
        while not internal.started and not internal_task.done():
            await asyncio.sleep(0.02)
        if os.path.exists(service_uds):
            os.chmod(service_uds, 0o600)
    stopping = asyncio.create_task(stop.wait())
    await asyncio.wait({public_task, internal_task, stopping}, return_when=asyncio.FIRST_COMPLETED)
    failed = not stop.is_set()  # a server stopped by itself
    internal.should_exit = True
    await internal_task
    public.should_exit = True
    await public_task
    stopping.cancel()
    return 3 if failed else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m api.serve", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default=os.getenv("AW_HOST", "127.0.0.1"), help="public interface")
    parser.add_argument("--port", type=int, default=int(os.getenv("AW_PORT", "8000")), help="public port")
    parser.add_argument("--service-uds", default=None, help="serve the service API on this unix socket")
    args = parser.parse_args(argv)
    return asyncio.run(serve(get_settings(), args.host, args.port, args.service_uds))


if __name__ == "__main__":
    sys.exit(main())
