"""Identity verification for the conversation named in `X-Conversation-ID`
(docs/security.md#identity-verification): what the actions call before personal data.

- `POST /identity/otp` `{nik}`: when the session is already verified for that NIK (or, for
  `family`, a member of its KK), or the channel vouches for the number registered for it (the
  WhatsApp sender's own number, a Telegram contact shared by its own user), the conversation is
  verified at once: `{"verified": true, "method"}`. Otherwise a code is sent by SMS to the number
  registered with Dukcapil: `{"verified": false, "code_sent": true}`, the same answer for an
  unknown NIK, a NIK without a number, a locked NIK and a resend too soon.
- `POST /identity/otp/verify` `{nik, code}`: `{"verified": true, "method": "otp"}`, or 403
  `identity_unverified` whether the code was wrong, expired, for another conversation, the NIK
  locked or unknown.
- `GET /identity/session`: `{"verified": bool}` for the conversation.
- `GET /identity/simulated-sms?to=<number>`: only locally (`AW_ENVIRONMENT=local`) while the
  SMS provider is simulated (no `AW_SMS_URL`): what it "sent" to that number, for end-to-end
  tests, where no real SMS arrives. 404 otherwise (a production demo with simulated backends
  included: the codes are not readable there).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from api.core.config import SettingsDep
from api.db import SessionDep
from api.identifiers import Nik
from api.identity.guard import Unverified, VerifiedCaller, conversation_id
from api.identity.keys import normalize_phone
from api.identity.sessions import verified_nik
from api.identity.verifier import Verifier
from api.ministries.base import NotFound
from api.ministries.dukcapil import DukcapilAdapter
from api.ministries.registry import adapter
from api.ministries.sms import SmsAdapter

router = APIRouter(prefix="/identity", tags=["identity"])
Dukcapil = Annotated[DukcapilAdapter, Depends(adapter(DukcapilAdapter))]
ConversationHeader = Annotated[str | None, Header(alias="X-Conversation-ID")]


async def _verifier(request: Request) -> Verifier:
    verifier: Verifier = request.app.state.verifier
    return verifier


VerifierDep = Annotated[Verifier, Depends(_verifier)]


class StartIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"nik": "3273014508950001"}]})
    nik: Nik
    # A family member's record (a child's immunisation or PIP): a verified member of the
    # same KK needs no new proof.
    family: bool = False


class StartOut(BaseModel):
    verified: bool
    method: str | None = None
    code_sent: bool = False


class CheckIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    nik: Nik
    code: str = Field(min_length=1, max_length=16)


class CheckOut(BaseModel):
    verified: bool
    method: str


class SessionOut(BaseModel):
    verified: bool


@router.post("/otp")
async def start(
    body: StartIn,
    session: SessionDep,
    verifier: VerifierDep,
    dukcapil: Dukcapil,
    conversation: ConversationHeader = None,
) -> StartOut:
    """Verify the conversation for `nik`: at once when it already is or the channel vouches
    for the registered number; else a code by SMS (the same answer whatever the NIK)."""
    conversation_uuid = conversation_id(conversation)
    if conversation_uuid is None:
        raise Unverified()
    current = await verified_nik(session, conversation_uuid)
    if current is not None:
        try:
            await VerifiedCaller(current, dukcapil).require(body.nik, family=body.family)
            return StartOut(verified=True, method="session")
        except Unverified:
            pass
    if await verifier.prove_by_channel(session, conversation_uuid, body.nik) and (
        body.family or await verified_nik(session, conversation_uuid) == body.nik
    ):
        return StartOut(verified=True, method="channel")
    await verifier.send_nik_code(session, conversation_uuid, body.nik)
    return StartOut(verified=False, code_sent=True)


@router.post("/otp/verify")
async def check(
    body: CheckIn, session: SessionDep, verifier: VerifierDep, conversation: ConversationHeader = None
) -> CheckOut:
    """The code typed back: the conversation is verified, or 403 `identity_unverified`."""
    conversation_uuid = conversation_id(conversation)
    if conversation_uuid is None or not await verifier.check_nik_code(
        session, conversation_uuid, body.nik, body.code
    ):
        raise Unverified()
    return CheckOut(verified=True, method="otp")


@router.get("/session")
async def current(session: SessionDep, conversation: ConversationHeader = None) -> SessionOut:
    """Whether the conversation holds a live verified session."""
    conversation_uuid = conversation_id(conversation)
    verified = conversation_uuid is not None and await verified_nik(session, conversation_uuid) is not None
    return SessionOut(verified=verified)


class SimulatedSms(BaseModel):
    to: str
    text: str
    sent_at: str


class SimulatedOutbox(BaseModel):
    messages: list[SimulatedSms]


@router.get("/simulated-sms", include_in_schema=False)
async def simulated_sms(
    settings: SettingsDep,
    sms: Annotated[SmsAdapter, Depends(adapter(SmsAdapter))],
    to: Annotated[str, Query(min_length=8, max_length=20)],
) -> SimulatedOutbox:
    """The simulated SMS provider's outbox for `to` (nothing when the provider is real)."""
    number = normalize_phone(to)
    if settings.environment != "local" or settings.sms_url is not None or number is None:
        raise NotFound()
    response = await sms.client.get("/v1/outbox", params={"to": number})
    return SimulatedOutbox.model_validate(response.json())
