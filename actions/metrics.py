"""The action server's metrics (docs/operations.md): `GET /metrics` in Prometheus' text format.

rasa-sdk 3.6 exports none, but its Sanic app takes middleware: every action call (`POST
/webhook`) is timed by action and outcome, from the request to the response. The action's
name is read from the call Sanic has already parsed (`request.json`, cached); a call Rasa
compressed (`COMPRESS_ACTION_SERVER_REQUEST`) is counted as `compressed` rather than
decompressed twice. Action names come from Rasa's domain, but the label is still capped at
`MAX_ACTIONS` names (more become `other`).

`/metrics` is behind the action server's own secret (actions/server.py): Prometheus sends it as
`Authorization: Bearer <ACTION_SERVER_TOKEN>`. One registry per process: the server runs one
Sanic worker (rasa-sdk's default, `ACTION_SERVER_SANIC_WORKERS` unset), and scales by replicas,
each scraped on its own.
"""

from __future__ import annotations

import time
from typing import Any

from prometheus_client import CollectorRegistry, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4
from prometheus_client.process_collector import ProcessCollector
from sanic import Sanic
from sanic.request import Request
from sanic.response import HTTPResponse, raw

METRICS_PATH = "/metrics"
WEBHOOK_PATH = "/webhook"
MAX_ACTIONS = 300
OTHER = "other"
# Outcomes by the webhook's status (rasa_sdk.endpoint.webhook).
OUTCOMES = {200: "ok", 400: "rejected", 404: "not_found"}

REGISTRY = CollectorRegistry(auto_describe=True)
ProcessCollector(registry=REGISTRY)
ACTION_SECONDS = Histogram(
    "aw_action_seconds",
    "One action call of Rasa to the action server, by action and outcome (ok, rejected: a "
    "form's validation refused, not_found, error).",
    ["action", "outcome"],
    # Actions wait for ministries (3 s each, at most 3 calls per turn: api/core/config.py).
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0, 15.0),
    registry=REGISTRY,
)

_actions: set[str] = set()


def action_label(name: object) -> str:
    if not isinstance(name, str) or not name:
        return "unknown"
    if name in _actions:
        return name
    if len(_actions) >= MAX_ACTIONS:
        return OTHER
    _actions.add(name[:64])
    return name[:64]


def install(app: Sanic) -> None:
    """Time every action call, and serve `/metrics`."""

    @app.middleware("request")
    async def _started(request: Request) -> None:
        if request.path == WEBHOOK_PATH:
            request.ctx.action_started = time.perf_counter()

    @app.middleware("response")
    async def _timed(request: Request, response: HTTPResponse) -> None:
        started = getattr(request.ctx, "action_started", None)
        if started is None:
            return
        outcome = OUTCOMES.get(response.status, "error")
        ACTION_SECONDS.labels(_action_of(request), outcome).observe(time.perf_counter() - started)

    async def metrics(request: Request) -> HTTPResponse:
        return raw(generate_latest(REGISTRY), content_type=CONTENT_TYPE_PLAIN_0_0_4)

    app.add_route(metrics, METRICS_PATH, methods=["GET"], name="metrics")


def _action_of(request: Request) -> str:
    if request.headers.get("Content-Encoding") == "deflate":
        return "compressed"
    try:
        call: Any = request.json
    except Exception:  # a body that is not JSON: the webhook answered it already
        return "unknown"
    return action_label(call.get("next_action") if isinstance(call, dict) else None)
