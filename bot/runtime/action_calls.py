"""Encode the domain sent with every custom action call once, not on every call.

Rasa 3.6 sends the action server the tracker and the whole domain with every custom action
call (`RemoteAction._action_call_format`), and aiohttp encodes the body with `json.dumps` each
time: here about 120 KB, 4–5 ms of the Rasa server's CPU per call, 12% of its busy time in a
py-spy profile of one long conversation (bench/findings.md, round 8). The domain part is the
same object every time (`Domain.as_dict` returns the domain's own data), so its encoding is
kept and the body is written as the same JSON with the domain's part spliced in: the action
server reads the same document (only the order of the keys differs: the domain comes last).
"""

from __future__ import annotations

import json
from typing import Any

from rasa.utils.endpoints import EndpointConfig

_originals: dict[str, Any] = {}
_encoded: tuple[object, str] | None = None  # (the domain's data, its JSON)


def body(payload: dict[str, Any]) -> bytes:
    """`json.dumps(payload)` as bytes, with the domain's encoding reused."""
    global _encoded
    domain = payload["domain"]
    if _encoded is None or _encoded[0] is not domain:
        _encoded = (domain, json.dumps(domain))
    rest = json.dumps({key: value for key, value in payload.items() if key != "domain"})
    separator = ", " if rest != "{}" else ""
    return f'{rest[:-1]}{separator}"domain": {_encoded[1]}}}'.encode()


async def request(self: EndpointConfig, *args: Any, **kwargs: Any) -> Any:
    """`EndpointConfig.request`, sending a JSON body with a domain as pre-encoded bytes."""
    payload = kwargs.get("json")
    if isinstance(payload, dict) and isinstance(payload.get("domain"), dict):
        kwargs["data"] = body(kwargs.pop("json"))
    return await _originals["request"](self, *args, **kwargs)


def install() -> None:
    _originals.setdefault("request", EndpointConfig.request)  # Rasa's, also when installed again
    EndpointConfig.request = request  # type: ignore[method-assign]
