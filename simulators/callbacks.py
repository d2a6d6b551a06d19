"""Signed callbacks from a simulated ministry to the gateway: "case <reference> changed".

Real ministries that notify (SIMPONI's payment notification) call the gateway's
`POST /api/v1/callbacks/{ministry}` (api/notifications/callbacks.py), signed with the secret the
ministry shares with it (`AW_MINISTRY_CALLBACK_SECRETS`, the same setting on both sides). The
simulators do the same when `AW_SIMULATED_CALLBACK_URL` is set (`{ministry}` in it is replaced),
best effort and in the background: a lost callback is caught up by the gateway's polling.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time

import httpx

from api.notifications.signature import HEADER, parse_secrets, sign

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 5.0


class Callbacks:
    def __init__(self, url: str, secrets: str, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self._url = url
        self._secrets = parse_secrets(secrets)
        self._transport = transport
        self._tasks: set[asyncio.Task[int | None]] = set()

    def enabled(self, ministry: str) -> bool:
        return bool(self._url) and ministry in self._secrets

    def case_changed(self, ministry: str, reference: str, *, urgent: bool = False) -> None:
        """Tell the gateway, in the background; nothing when no URL or secret is set."""
        if not self.enabled(ministry):
            return
        task = asyncio.create_task(self.send(ministry, reference, urgent=urgent))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def send(self, ministry: str, reference: str, *, urgent: bool = False) -> int | None:
        """POST the signed callback; the gateway's status code, or None when unreachable."""
        body = json.dumps({"reference": reference, "urgent": urgent}).encode()
        headers = {
            "Content-Type": "application/json",
            HEADER: sign(self._secrets[ministry], body, int(time.time())),
        }
        try:
            async with httpx.AsyncClient(transport=self._transport, timeout=TIMEOUT_SECONDS) as client:
                response = await client.post(
                    self._url.format(ministry=ministry), content=body, headers=headers
                )
        except httpx.HTTPError as error:
            logger.warning("callback not delivered ministry=%s error=%s", ministry, type(error).__name__)
            return None
        if response.status_code >= 300:
            logger.warning("callback refused ministry=%s status=%s", ministry, response.status_code)
        return response.status_code

    async def drain(self) -> None:
        """Wait for the callbacks in flight (tests, shutdown)."""
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
