"""The Rasa server's `/metrics` in Prometheus' text format (docs/operations.md).

Rasa 3.6 exports no metrics. `rasa run` builds its Sanic app in `rasa.core.run.configure_app`;
this fix wraps that function so the app it returns also times every request by route and
status class (`aw_rasa_server_request_seconds`: the REST channel's turns, the health route,
the HTTP API's tracker reads) and serves `GET /metrics`. The route label is Sanic's route name,
never the path, so no conversation id becomes a label.

`/metrics` takes Rasa's own API token (`--auth-token`, the gateway's `AW_RASA_TOKEN`) as
`Authorization: Bearer <token>`; without a token (no `--auth-token`) it is as open as Rasa's
API then is. One Sanic worker per process (`SANIC_WORKERS` unset, Rasa's default), one registry.
"""

from __future__ import annotations

import hmac
import inspect
import time
from collections.abc import Callable
from typing import Any

import rasa.core.run
from prometheus_client import CollectorRegistry, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4
from prometheus_client.process_collector import ProcessCollector
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

METRICS_PATH = "/metrics"
_WRAPPED = "_aw_metrics"

REGISTRY = CollectorRegistry(auto_describe=True)
ProcessCollector(registry=REGISTRY)
REQUEST_SECONDS = Histogram(
    "aw_rasa_server_request_seconds",
    "Requests the Rasa server answered, by route name (the REST channel's webhook is a turn) "
    "and status class (2xx, 4xx, 5xx).",
    ["route", "status"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1.0, 2.0, 3.0, 5.0, 8.0, 16.0, 32.0),
    registry=REGISTRY,
)


def instrument(app: Sanic, token: str | None) -> None:
    """Time `app`'s requests and serve `/metrics` (behind `token` when there is one)."""

    @app.middleware("request")
    async def _started(request: Request) -> None:
        request.ctx.metrics_started = time.perf_counter()

    @app.middleware("response")
    async def _timed(request: Request, answer: HTTPResponse) -> None:
        started = getattr(request.ctx, "metrics_started", None)
        if started is None or request.path == METRICS_PATH:
            return
        route = request.route.name if request.route is not None else "unmatched"
        status = f"{answer.status // 100}xx"
        REQUEST_SECONDS.labels(route, status).observe(time.perf_counter() - started)

    async def metrics(request: Request) -> HTTPResponse:
        if token and not _bearer_ok(request, token):
            return response.json({"error": "unauthorized"}, status=401)
        return response.raw(generate_latest(REGISTRY), content_type=CONTENT_TYPE_PLAIN_0_0_4)

    app.add_route(metrics, METRICS_PATH, methods=["GET"], name="aw_metrics")


def _bearer_ok(request: Request, token: str) -> bool:
    scheme, _, given = (request.headers.get("Authorization") or "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode())


def with_metrics(configure_app: Callable[..., Sanic]) -> Callable[..., Sanic]:
    """`configure_app`, whose app is instrumented (its `auth_token` guards `/metrics`)."""
    signature = inspect.signature(configure_app)

    def configure(*args: Any, **kwargs: Any) -> Sanic:
        app = configure_app(*args, **kwargs)
        bound = signature.bind(*args, **kwargs)
        instrument(app, bound.arguments.get("auth_token"))
        return app

    setattr(configure, _WRAPPED, True)
    return configure


def install() -> None:
    if not getattr(rasa.core.run.configure_app, _WRAPPED, False):
        rasa.core.run.configure_app = with_metrics(rasa.core.run.configure_app)
