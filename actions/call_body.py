"""Parse an action call's body without parsing the same domain again on every call.

Rasa sends the whole domain (about 120 KB of JSON) with every action call, and the action
server parsed it each time: the largest single cost of the action server's turn in a py-spy
profile (bench/findings.md, round 10). The Rasa server writes the domain as the body's last
key, from one encoding reused for every call (bot/runtime/action_calls.py), so the domain's
bytes are the same from call to call. Here they are compared with the last call's: when equal,
only the rest of the body (the tracker, a few KB) is parsed and the domain parsed before is
reused; else the whole body is parsed, as before.

The domain has no personal data, and the parsed domain is reused only for byte-identical
domain JSON, so a new model's domain is parsed at once. Actions read the domain and never
change it (the reused dict is shared by calls).
"""

from __future__ import annotations

from typing import Any

from sanic.request import Request

try:  # what Sanic parses request bodies with
    from ujson import loads
except ImportError:  # pragma: no cover - ujson ships with Sanic's extras in .venv/rasa
    from json import loads  # type: ignore[assignment]

DOMAIN_KEY = b', "domain": '  # how bot/runtime/action_calls.py writes the last key


class DomainReuse:
    """Parses action calls, keeping the last domain's bytes and their parsed value."""

    def __init__(self) -> None:
        self._domain_json: bytes | None = None
        self._domain: Any = None

    def parse(self, body: bytes) -> Any:
        """`loads(body)`, with the domain of the last call reused when its bytes are the same."""
        start = body.rfind(DOMAIN_KEY)
        if start <= 1 or not body.endswith(b"}"):
            return loads(body)
        domain_json = body[start + len(DOMAIN_KEY) : -1]
        if domain_json == self._domain_json:
            # The rest of the body, closed where the domain key began: when it is a JSON object,
            # the body is that object with the (already valid) domain as its last key.
            rest = loads(body[:start] + b"}")
            if isinstance(rest, dict):
                rest["domain"] = self._domain
                return rest
        call = loads(body)
        if isinstance(call, dict) and _is_domain_of(domain_json, call):
            self._domain_json, self._domain = domain_json, call["domain"]
        return call


def _is_domain_of(domain_json: bytes, call: dict[str, Any]) -> bool:
    """Whether the bytes found are the call's own top-level domain (not a nested "domain" key)."""
    if not isinstance(call.get("domain"), dict):
        return False
    try:
        return bool(loads(domain_json) == call["domain"])
    except ValueError:
        return False


def install(app: Any, path: str) -> None:
    """Parse the JSON body of calls to `path` with one `DomainReuse` (Sanic's `request.json`
    then returns it, as the webhook and the metrics read it). A compressed call is left to
    rasa-sdk's webhook, and a body that is not JSON to Sanic (which answers it as before)."""
    reuse = DomainReuse()

    @app.middleware("request")
    async def _parse_call(request: Request) -> None:
        if request.path != path or request.headers.get("Content-Encoding") or not request.body:
            return
        try:
            request.parsed_json = reuse.parse(request.body)
        except ValueError:
            return
