"""The internal service API over the ministries (docs/service-api.md): what the assistant's
actions call, one module per area, each with a `router`, each area served by the ministry
adapters of `api.ministries`.

Every module of this package that does not start with "_" is included, so adding an area
needs no edit here. All of them share the service-token check and, behind it, the access
record (api/callcenter/access.py: verified identities, cases' conversations, the audit log),
so `X-Conversation-ID` is read only from a caller that showed the token. A module's
`simulated_router` (test-only routes, e.g. the simulated bank's payment confirmation) is
included only while the simulators are on (`AW_SIMULATORS=embedded`).

These routes are served by their own app on the internal listener only (api.main.
create_service_app, api/serve.py), never on the public port.
"""

from __future__ import annotations

import hmac
import importlib
import pkgutil
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Request

from api.callcenter.access import track_access
from api.core.config import Settings, SettingsDep
from api.ministries.base import ServiceError, Unauthorized
from api.privacy.boundary import resolve_tokens, tokenizing
from connectors.ratelimit import IpLimitsDep, client_ip


class RateLimited(ServiceError):
    status_code = 429
    code = "rate_limited"
    default_detail = "Terlalu banyak permintaan dalam waktu singkat. Silakan coba lagi sebentar lagi."


def token_ok(settings: Settings, authorization: str | None) -> bool:
    """`Authorization: Bearer <AW_SERVICE_TOKEN>`, compared in constant time; anything goes
    when no token is set (allowed in `local` only, api/core/config.py)."""
    expected = settings.service_token
    if not expected:
        return True
    scheme, _, token = (authorization or "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(token.strip().encode(), expected.encode())


async def limit_per_ip(request: Request, limits: IpLimitsDep) -> None:
    """At most `AW_RATE_LIMIT_SERVICE_API_PER_IP` calls per window from one address (429)."""
    if not (await limits.service_api.admit("ip-service-api", client_ip(request))).allowed:
        raise RateLimited()


async def require_service_token(
    settings: SettingsDep, authorization: Annotated[str | None, Header()] = None
) -> None:
    """With `AW_SERVICE_TOKEN` set, require `Authorization: Bearer <token>` (401 otherwise)."""
    if not token_ok(settings, authorization):
        raise Unauthorized()


def build_router(settings: Settings) -> APIRouter:
    """Every area's routes; the test-only ones only while the simulators are on. The token is
    checked first: no conversation is named, no token resolved, nothing recorded, for a caller
    without it. Then the conversation's tokens are resolved before the route and its access
    record run, and identifiers in answers tokenized (api/privacy/boundary.py); the identity
    guard (api/identity/guard.py) is each personal-data route's own dependency, so it too runs
    only behind the token."""
    router = APIRouter(
        dependencies=[
            Depends(limit_per_ip),
            Depends(require_service_token),
            Depends(resolve_tokens),
            Depends(track_access),
        ]
    )
    for module in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if not module.name.startswith("_"):
            area = importlib.import_module(f"{__name__}.{module.name}")
            tokenizing(area.router.routes)
            router.include_router(area.router)
            simulated = getattr(area, "simulated_router", None)
            if simulated is not None and settings.simulators == "embedded":
                router.include_router(simulated)
    return router
