"""A small client of the WhatsApp Cloud API (Meta's Graph API): send one message.

`POST {base_url}/{phone_number_id}/messages` with a bearer token. The base URL is a setting
(`AW_WHATSAPP_API_URL`, with the Graph API version), so tests point it at a local fake.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import httpx

from api.conversations.delivery import DeliveryFailed
from connectors.whatsapp.render import addressee

logger = logging.getLogger(__name__)


class GraphClient:
    def __init__(self, base_url: str, token: str, phone_number_id: str, timeout: float = 10.0) -> None:
        self._path = f"/{phone_number_id}/messages"
        self._timeout = timeout
        self._http = httpx.AsyncClient(
            base_url=base_url.rstrip("/"),
            headers={"Authorization": f"Bearer {token}"},
            timeout=timeout,
        )

    async def aclose(self) -> None:
        await self._http.aclose()

    async def send(self, to: str, message: dict[str, Any]) -> str:
        """Send `message` (a Cloud API message object without `to`) to a number or a BSUID
        (render.addressee); return its wamid.
        Raises DeliveryFailed with the HTTP status and Meta's error code and type."""
        body = {"messaging_product": "whatsapp", "recipient_type": "individual", **addressee(to), **message}
        try:
            async with asyncio.timeout(self._timeout):
                response = await self._http.post(self._path, json=body)
        except (TimeoutError, httpx.TimeoutException) as error:
            raise DeliveryFailed("graph timeout") from error
        except httpx.HTTPError as error:
            raise DeliveryFailed(f"graph connection: {type(error).__name__}") from error
        if response.status_code >= 400:
            raise DeliveryFailed(_error_reason(response))
        try:
            return str(response.json()["messages"][0]["id"])
        except (ValueError, KeyError, IndexError, TypeError) as error:
            raise DeliveryFailed("graph malformed response") from error


def _error_reason(response: httpx.Response) -> str:
    """`graph 400 code=131047 type=OAuthException`: Meta's error message is left out, as it
    may quote what was sent."""
    try:
        error = response.json().get("error", {})
    except ValueError:
        error = {}
    code = error.get("code") if isinstance(error, dict) else None
    kind = error.get("type") if isinstance(error, dict) else None
    return f"graph {response.status_code} code={code} type={kind}"[:255]
