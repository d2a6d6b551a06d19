"""A small client of the WhatsApp Cloud API (Meta's Graph API): send one message.

`POST {base_url}/{phone_number_id}/messages` with a bearer token. The base URL is a setting
(`AW_WHATSAPP_API_URL`, with the Graph API version), so tests point it at a local fake.

One attempt per call: a failure says whether the outbox should retry it (429, 5xx, Meta's
throttling codes, a timeout or a lost connection) and after how long (`Retry-After`);
api/conversations/outbox_worker.py does the retrying.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from api.conversations.delivery import DeliveryFailed
from connectors.whatsapp.render import addressee

logger = logging.getLogger(__name__)

# Meta's error codes for throttling, sent with a 400 or a 429: worth a retry later
# (https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes).
_THROTTLED = frozenset({4, 80007, 130429, 131048, 131056})


class MediaUnavailable(Exception):
    """A media id Meta cannot give us (expired, unknown, too large, Meta unreachable)."""


class GraphClient:
    def __init__(self, base_url: str, token: str, phone_number_id: str, timeout: float = 10.0) -> None:
        self._path = f"/{phone_number_id}/messages"
        self._media_path = f"/{phone_number_id}/media"
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
            raise DeliveryFailed("graph timeout", retryable=True) from error
        except httpx.HTTPError as error:
            raise DeliveryFailed(f"graph connection: {type(error).__name__}", retryable=True) from error
        _raise_for_status(response)
        try:
            return str(response.json()["messages"][0]["id"])
        except (ValueError, KeyError, IndexError, TypeError) as error:
            # Taken (a 2xx) but unreadable: sending again could double it.
            raise DeliveryFailed("graph malformed response") from error

    async def download_media(self, media_id: str, limit: int) -> bytes:
        """A citizen's media: `GET /{media-id}` gives a short-lived URL (and the size), then
        `GET` that URL with the same bearer token. At most `limit` bytes are read; raises
        `MediaTooLarge` beyond it and `MediaUnavailable` when Meta cannot give it."""
        try:
            async with asyncio.timeout(self._timeout * 3):
                response = await self._http.get(f"/{media_id}")
                if response.status_code >= 400:
                    raise MediaUnavailable(f"graph {response.status_code}")
                info = response.json()
                url, size = info.get("url"), info.get("file_size")
                if not isinstance(url, str) or not url.startswith(("https://", "http://")):
                    raise MediaUnavailable("graph media without url")
                if isinstance(size, int) and size > limit:
                    raise MediaTooLarge()
                data = bytearray()
                async with self._http.stream("GET", url) as download:
                    if download.status_code >= 400:
                        raise MediaUnavailable(f"graph media {download.status_code}")
                    async for chunk in download.aiter_bytes():
                        data.extend(chunk)
                        if len(data) > limit:
                            raise MediaTooLarge()
                return bytes(data)
        except (TimeoutError, httpx.HTTPError, ValueError, AttributeError) as error:
            raise MediaUnavailable(type(error).__name__) from error

    async def upload_media(self, data: bytes, content_type: str, filename: str) -> str:
        """Upload a file for a message (`POST /{phone-number-id}/media`); its media id.
        Raises DeliveryFailed like `send`."""
        form = {"messaging_product": "whatsapp", "type": content_type}
        try:
            async with asyncio.timeout(self._timeout * 3):
                response = await self._http.post(
                    self._media_path, data=form, files={"file": (filename, data, content_type)}
                )
        except (TimeoutError, httpx.TimeoutException) as error:
            raise DeliveryFailed("graph media upload timeout", retryable=True) from error
        except httpx.HTTPError as error:
            raise DeliveryFailed(f"graph connection: {type(error).__name__}", retryable=True) from error
        _raise_for_status(response)
        try:
            return str(response.json()["id"])
        except (ValueError, KeyError, TypeError) as error:
            raise DeliveryFailed("graph malformed media response", retryable=True) from error


class MediaTooLarge(MediaUnavailable):
    """A media larger than the channel's limit: not downloaded (further)."""


def _error(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    error = body.get("error") if isinstance(body, dict) else None
    return error if isinstance(error, dict) else {}


def _raise_for_status(response: httpx.Response) -> None:
    """DeliveryFailed for an error answer: retryable when Meta is busy, throttling or down."""
    if response.status_code < 400:
        return
    code = _error_code(response)
    retryable = response.status_code in (408, 429) or response.status_code >= 500 or code in _THROTTLED
    raise DeliveryFailed(
        _error_reason(response, code),
        retryable=retryable,
        retry_after=retry_after(response.headers.get("retry-after")) if retryable else None,
    )


def _error_code(response: httpx.Response) -> int | None:
    code = _error(response).get("code")
    return code if isinstance(code, int) else None


def _error_reason(response: httpx.Response, code: int | None) -> str:
    """`graph 400 code=131047 type=OAuthException`: Meta's error message is left out, as it
    may quote what was sent."""
    kind = _error(response).get("type")
    return f"graph {response.status_code} code={code} type={kind}"[:255]


def retry_after(value: str | None) -> float | None:
    """An HTTP `Retry-After`: delay-seconds or an HTTP-date; None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())
