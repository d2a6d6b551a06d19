"""Adapter of the SMS provider: one-time codes to the number registered with Dukcapil.

Like a ministry's, its base URL is `AW_SMS_URL`, simulated when unset (simulators/sms.py).
`send()` never logs the number or the text (the text holds a one-time code)."""

from __future__ import annotations

from api.ministries.base import MinistryAdapter, MinistryUnavailable


class SmsAdapter(MinistryAdapter):
    key = "sms"
    name = "SMS"

    async def send(self, phone: str, text: str) -> None:
        """Send `text` to `phone` (E.164 digits without "+": 62812...)."""
        body = await self._request("POST", "/v1/messages", json={"to": phone, "text": text})
        if not isinstance(body, dict) or "id" not in body:
            raise MinistryUnavailable(self.name)
