"""`GET /metrics`: this replica's metrics in Prometheus' text format, for operators only.

Behind `AW_METRICS_TOKEN` (`Authorization: Bearer <token>`, compared in constant time): 401
without credentials, 403 with wrong ones. Without a token it is open in local (`make run`)
and off in production (404), so a forgotten setting never exposes it. Out of the OpenAPI
schema: it is no part of the citizens' API.
"""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import APIRouter, Header, HTTPException, Request, Response, status

from api.core.config import Settings, SettingsDep
from api.metrics import exposition, snapshot
from api.rasa_client import RasaClient

router = APIRouter(tags=["operations"], include_in_schema=False)

UNAUTHORIZED = "Akses ditolak: token metrik diperlukan."
FORBIDDEN = "Akses ditolak: token metrik salah."
NOT_FOUND = "Alamat tidak ditemukan."


def check_token(settings: Settings, authorization: str | None) -> None:
    """Raises the refusal `authorization` earns (404 when /metrics is off)."""
    expected = settings.metrics_token.get_secret_value()
    if not expected:
        if settings.environment == "local":
            return
        raise HTTPException(status.HTTP_404_NOT_FOUND, NOT_FOUND)
    scheme, _, given = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not given.strip():
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, UNAUTHORIZED, headers={"WWW-Authenticate": "Bearer"}
        )
    # Bytes: compare_digest refuses non-ASCII strings, and a header may hold anything.
    if not hmac.compare_digest(given.strip().encode(), expected.encode()):
        raise HTTPException(status.HTTP_403_FORBIDDEN, FORBIDDEN)


@router.get("/metrics")
async def metrics(
    request: Request, settings: SettingsDep, authorization: Annotated[str | None, Header()] = None
) -> Response:
    check_token(settings, authorization)
    rasa: RasaClient = request.app.state.rasa
    admission = rasa.admission
    current = await snapshot.read(
        request.app.state.sessionmaker,
        max_wait_seconds=settings.handoff_max_wait_minutes * 60.0,
        admission=snapshot.Admission(
            admission.in_flight, admission.waiting, admission.concurrency, admission.queue_size
        ),
        timeout=settings.health_timeout_seconds,
    )
    return Response(exposition.render(current), media_type=exposition.CONTENT_TYPE)
