"""The action server, as `rasa run actions` starts it, but closed to everyone but Rasa.

    ACTION_SERVER_TOKEN=... python -m actions.server --actions actions --port 5055

rasa-sdk 3.6 has no authentication and listens on 0.0.0.0 (`SANIC_HOST`). This entry point
builds the same Sanic app (`rasa_sdk.endpoint.create_app`), binds it to 127.0.0.1 unless
`--host`/`ACTION_SERVER_HOST` says otherwise, and refuses every call but `/health` that does
not carry Rasa's shared secret: Rasa 3.6 sends `action_endpoint.token` from endpoints*.yml as
the query parameter `token` (rasa.utils.endpoints.EndpointConfig). Without a secret it does
not start. The secret is never logged.
"""

from __future__ import annotations

import argparse
import hmac
import logging
import os
import sys
from typing import Any

from rasa_sdk import utils
from rasa_sdk.constants import APPLICATION_ROOT_LOGGER_NAME
from rasa_sdk.endpoint import create_app, create_argument_parser, create_ssl_context
from rasa_sdk.plugin import plugin_manager
from sanic import Sanic, response
from sanic.request import Request

from actions import call_body, metrics

logger = logging.getLogger(__name__)

TOKEN_ENV = "ACTION_SERVER_TOKEN"
TOKEN_PARAMETER = "token"  # EndpointConfig's default token_name
OPEN_PATHS = frozenset({"/health"})  # what scripts/run and the stack wait on


def require_token(app: Sanic, token: str) -> None:
    """Answer 401 to any request but `/health` without `?token=<token>`."""
    expected = token.encode()

    @app.middleware("request")
    async def _check_token(request: Request) -> Any:
        if request.path in OPEN_PATHS:
            return None
        given = request.args.get(TOKEN_PARAMETER) or ""
        if request.path == metrics.METRICS_PATH:  # Prometheus: `Authorization: Bearer <token>`
            scheme, _, bearer = (request.headers.get("Authorization") or "").partition(" ")
            given = bearer.strip() if scheme.lower() == "bearer" else given
        if not hmac.compare_digest(given.encode(), expected):
            logger.warning("action call refused: no valid token path=%s", request.path)
            return response.json({"error": "unauthorized"}, status=401)
        return None


def build_app(actions: str, token: str, cors: Any = None, auto_reload: bool = False) -> Sanic:
    if not token:
        raise SystemExit(f"{TOKEN_ENV} is not set: the action server refuses to run without Rasa's secret")
    app = create_app(actions, cors_origins=cors, auto_reload=auto_reload)
    require_token(app, token)
    call_body.install(app, metrics.WEBHOOK_PATH)  # before the metrics, which read the call
    metrics.install(app)
    return app


def main(argv: list[str] | None = None) -> None:
    parser: argparse.ArgumentParser = create_argument_parser()
    parser.add_argument(
        "--host", default=os.getenv("ACTION_SERVER_HOST", "127.0.0.1"), help="interface (default 127.0.0.1)"
    )
    args = parser.parse_args(argv)
    utils.configure_colored_logging(args.loglevel)
    utils.configure_file_logging(
        logging.getLogger(APPLICATION_ROOT_LOGGER_NAME),
        args.log_file,
        args.loglevel,
        args.logging_config_file,
    )
    utils.update_sanic_log_level()
    app = build_app(args.actions, os.getenv(TOKEN_ENV, ""), args.cors, args.auto_reload)
    plugin_manager().hook.attach_sanic_app_extensions(app=app)
    ssl_context = create_ssl_context(args.ssl_certificate, args.ssl_keyfile, args.ssl_password)
    logger.info("action server on %s:%s (token required)", args.host, args.port)
    app.run(args.host, args.port, ssl=ssl_context, workers=utils.number_of_sanic_workers(), access_log=False)


if __name__ == "__main__":
    main()
    sys.exit(0)
