"""Keep the connections to the action server open between calls.

Rasa 3.6's `EndpointConfig.request` opens a new aiohttp session for every request, and with
it a new connection pool: every custom action paid a TCP connect and a session set-up (8.6%
of the Rasa server's time at 50 citizens, py-spy; docs/benchmarks.md). The sessions it makes
here share one connection pool per event loop instead, which they do not own, so closing a
session leaves the pool (and its kept-alive connections) to the next request.

aiohttp does not retry a request sent on a connection the server has just closed, so idle
connections are dropped well before the server would drop them (Sanic, which serves the
action server, closes them after 5 s).
"""

from __future__ import annotations

import asyncio

import aiohttp
from rasa.utils.endpoints import DEFAULT_REQUEST_TIMEOUT, EndpointConfig

# Below the 5 s after which the action server's Sanic closes an idle connection.
IDLE_SECONDS = 2.0

_pools: dict[asyncio.AbstractEventLoop, aiohttp.TCPConnector] = {}


def connection_pool() -> aiohttp.TCPConnector:
    """The running event loop's pool; a new one for a new loop (tests start many)."""
    loop = asyncio.get_running_loop()
    pool = _pools.get(loop)
    if pool is None or pool.closed:
        for stale in [other for other in _pools if other.is_closed()]:
            del _pools[stale]
        pool = _pools[loop] = aiohttp.TCPConnector(keepalive_timeout=IDLE_SECONDS)
    return pool


def session(self: EndpointConfig) -> aiohttp.ClientSession:
    """`EndpointConfig.session` on the shared pool: the same headers, auth and timeout."""
    auth = None
    if self.basic_auth:
        auth = aiohttp.BasicAuth(self.basic_auth["username"], self.basic_auth["password"])
    return aiohttp.ClientSession(
        connector=connection_pool(),
        connector_owner=False,
        headers=self.headers,
        auth=auth,
        timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
    )


def install() -> None:
    EndpointConfig.session = session  # type: ignore[method-assign]
