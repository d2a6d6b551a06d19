"""The internal service API over the ministries (docs/service-api.md): what the assistant's
actions call, one module per area, each with a `router`, each area served by the ministry
adapters of `api.ministries`.

Every module of this package that does not start with "_" is included, so adding an area
needs no edit here. All of them share the service-token check and the access record
(api/callcenter/access.py: verified identities, cases' conversations, the audit log).
"""

from __future__ import annotations

import hmac
import importlib
import pkgutil
from typing import Annotated

from fastapi import APIRouter, Depends, Header

from api.callcenter.access import track_access
from api.core.config import SettingsDep
from api.ministries.base import Unauthorized
from api.privacy.boundary import resolve_tokens, tokenizing


async def require_service_token(
    settings: SettingsDep, authorization: Annotated[str | None, Header()] = None
) -> None:
    """With `AW_SERVICE_TOKEN` set, require `Authorization: Bearer <token>` (401 otherwise)."""
    expected = settings.service_token
    if not expected:
        return
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(token.strip().encode(), expected.encode()):
        raise Unauthorized()


def _build_router() -> APIRouter:
    # Tokens resolved before the route and its access record run; identifiers in answers
    # tokenized (api/privacy/boundary.py).
    router = APIRouter(
        dependencies=[Depends(require_service_token), Depends(resolve_tokens), Depends(track_access)]
    )
    for module in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if not module.name.startswith("_"):
            area = importlib.import_module(f"{__name__}.{module.name}")
            tokenizing(area.router.routes)
            router.include_router(area.router)
    return router


router = _build_router()
