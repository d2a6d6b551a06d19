"""The gateway's service API (docs/service-api.md), the actions' only way to a ministry.

One shared async client with short timeouts. Every call names the conversation of the action
that makes it (`X-Conversation-ID`, from `actions.conversation.CONVERSATION_ID`). Every failure
becomes a `GatewayError` whose `detail` is an Indonesian sentence the citizen can read
(actions/lookups.py words the failures: `utter_service_unavailable` when a ministry is down or
slow, with an alternative). Nothing personal is logged: only the path template's first segment,
the status and the error code.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from typing import Any

import httpx

from actions.conversation import CONVERSATION_ID, TURN_ID

logger = logging.getLogger(__name__)
logging.getLogger("httpx").setLevel(logging.WARNING)  # its INFO lines log URLs: plates, billing codes

JSON = dict[str, Any]

# Above the gateway's own ministry timeout (3 s), so the gateway answers 504 first.
TIMEOUT = httpx.Timeout(float(os.getenv("GATEWAY_TIMEOUT_SECONDS", "5")), connect=2.0)

UNAVAILABLE_CODES = frozenset({"ministry_unavailable", "ministry_timeout", "gateway_unreachable"})
CONVERSATION_HEADER = "X-Conversation-ID"
IDEMPOTENCY_HEADER = "Idempotency-Key"


@dataclass
class GatewayError(Exception):
    """A service call that did not succeed; `code` is the API's error code."""

    status: int
    code: str
    detail: str
    body: JSON = field(default_factory=dict, repr=False)  # the whole error, e.g. `available_years`

    @property
    def unavailable(self) -> bool:
        """The ministry (or the gateway) is down or slow: apologise, offer an alternative."""
        return self.code in UNAVAILABLE_CODES or self.status >= 500


class Gateway:
    """Calls `/api/v1/...` on the gateway. Create once; reuse across actions."""

    def __init__(
        self,
        base_url: str | None = None,
        token: str | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        # The gateway's internal service API listener (api/serve.py), never its public port.
        base_url = base_url or os.getenv("GATEWAY_URL") or "http://127.0.0.1:8001"
        token = token if token is not None else os.getenv("GATEWAY_TOKEN", "")
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._client = httpx.AsyncClient(
            base_url=f"{base_url.rstrip('/')}/api/v1",
            headers=headers,
            timeout=TIMEOUT,
            transport=transport,
        )

    async def get(self, path: str, **params: Any) -> JSON:
        clean = {key: value for key, value in params.items() if value is not None}
        return await self._request("GET", path, params=clean)

    async def post(self, path: str, body: JSON | None = None) -> JSON:
        return await self._request("POST", path, json=body or {})

    async def aclose(self) -> None:
        await self._client.aclose()

    async def _request(self, method: str, path: str, **kwargs: Any) -> JSON:
        area = path.strip("/").split("/", 1)[0]  # e.g. "health"; never identifiers
        conversation, turn = CONVERSATION_ID.get(), TURN_ID.get()
        headers = {CONVERSATION_HEADER: conversation} if conversation else {}
        if method == "POST" and conversation and turn:
            # One key per turn: a retried POST replays the first answer (api/service_api/_idempotency.py)
            # and never opens a second case or billing.
            headers[IDEMPOTENCY_HEADER] = f"{conversation}:{turn}"
        try:
            response = await self._client.request(method, path, headers=headers, **kwargs)
        except httpx.TimeoutException:
            logger.warning("gateway timeout area=%s", area)
            raise GatewayError(504, "ministry_timeout", "Layanan tidak menjawab tepat waktu.") from None
        except httpx.HTTPError as error:
            logger.warning("gateway unreachable area=%s error=%s", area, type(error).__name__)
            raise GatewayError(503, "gateway_unreachable", "Layanan sedang tidak dapat dihubungi.") from None
        if response.is_success:
            return response.json()
        try:
            body = response.json()
        except ValueError:
            body = {}
        code = body.get("code") or ("not_found" if response.status_code == 404 else "error")
        detail = body.get("detail") if isinstance(body.get("detail"), str) else ""
        log = logger.warning if response.status_code >= 500 else logger.info
        log("gateway error area=%s status=%s code=%s", area, response.status_code, code)
        raise GatewayError(response.status_code, code, detail or "Permintaan tidak dapat diproses.", body)


_gateway: Gateway | None = None


def gateway() -> Gateway:
    """The action server's shared client (created on first use, inside its event loop)."""
    global _gateway
    if _gateway is None:
        _gateway = Gateway()
    return _gateway


def use_gateway(client: Gateway | None) -> None:
    """Tests: replace the shared client (None: create a fresh one on next use)."""
    global _gateway
    _gateway = client
