"""Ministries' signed callbacks: `POST /api/v1/callbacks/{ministry}` on the service API's
listener, outside its bearer token (a ministry holds no token of ours): the body is
authenticated by its HMAC signature instead (signature.py, `AW_MINISTRY_CALLBACK_SECRETS`).

A callback says only "case <reference> changed" (and whether it is urgent); the gateway does
not take the status from it but asks the ministry at once (the same tracker as polling), so a
forged or stale body can at most cause one extra look-up. Its news then goes to the case's
subscribers like any other change.
"""

from __future__ import annotations

import time
from typing import Annotated

from fastapi import APIRouter, Header, Request
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from api.core.config import Settings
from api.db import SessionDep
from api.ministries.base import InvalidInput, MinistryUnavailable, NotFound, Unauthorized
from api.models import Case, CaseKind
from api.notifications import signature
from api.notifications.notifier import Notifier

router = APIRouter(prefix="/callbacks", tags=["callbacks"])

# The ministries that may call back, and the kinds of case their references name.
CALLBACK_KINDS: dict[str, tuple[CaseKind, ...]] = {
    "dukcapil": (CaseKind.POPULATION_APPLICATION,),
    "lapor": (CaseKind.COMPLAINT,),
    "polri": (CaseKind.SKCK,),
    "simponi": (CaseKind.BILLING,),
    "samsat": (CaseKind.BILLING,),
}
MAX_BODY_BYTES = 4096


class CaseChanged(BaseModel):
    model_config = ConfigDict(extra="ignore")

    # The ministry's own reference: application number, tracking id, billing code.
    reference: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._/-]+$")
    urgent: bool = False


class CallbackOut(BaseModel):
    accepted: bool
    updates: int


@router.post("/{ministry}", status_code=202)
async def case_changed(
    ministry: str,
    request: Request,
    session: SessionDep,
    x_signature: Annotated[str | None, Header()] = None,
) -> CallbackOut:
    """A ministry says one of its cases changed: checked, then the case is refreshed and its
    subscribers' updates are collected (sent by the notifier). 401 on a bad signature."""
    settings: Settings = request.app.state.settings
    secret = signature.parse_secrets(settings.ministry_callback_secrets.get_secret_value()).get(ministry, "")
    body = await request.body()
    if ministry not in CALLBACK_KINDS or len(body) > MAX_BODY_BYTES:
        raise NotFound("Alamat tidak ditemukan.")
    if not signature.verify(secret, body, x_signature, time.time()):
        raise Unauthorized("Tanda tangan callback tidak valid.")
    try:
        change = CaseChanged.model_validate_json(body)
    except ValidationError:
        raise InvalidInput("Isi callback tidak valid.") from None
    case = await session.scalar(
        select(Case)
        .where(Case.kind.in_(CALLBACK_KINDS[ministry]), Case.reference == change.reference)
        .options(selectinload(Case.events))
        .order_by(Case.id.desc())
        .limit(1)
    )
    if case is None:  # not one of ours: nothing to do, and nothing to tell the caller
        return CallbackOut(accepted=True, updates=0)
    notifier: Notifier | None = getattr(request.app.state, "notifier", None)
    if notifier is None:  # a process without the notifier (the Telegram polling runner)
        raise MinistryUnavailable(detail="Penerimaan callback sedang tidak tersedia.")
    now = notifier.clock()
    before = {event.id for event in case.events}
    await notifier.refresh_case(session, case, now)
    new = [event.id for event in case.events if event.id not in before]
    updates = await notifier.collect(session, now, urgent=new if change.urgent else ())
    await notifier.dispatch(now)
    return CallbackOut(accepted=True, updates=updates)
