"""Calls to a ministry through the gateway, with their failures worded in one place.

- `Failure`: how a failed call to one service is worded (the service, where else to go, the
  response for a 404, the buttons).
- `unavailable()`: the apology for a ministry that is down or slow.
- `lookup()`: awaits a gateway call; when it fails, says so (`lookup_failed()`) and returns a
  `Lookup` that holds the error, so the action only decides what to forget.
- `verified_lookup()`: the same for a call of personal data (NIK, card or participant number
  + date of birth, from a conversation verified by `flows.IdentityFormValidation`): the
  gateway's `identity_mismatch` is refused by `flows.identity_mismatch()` as the `Refusal`
  says; its `identity_unverified` (the verified session expired, or the record is not the
  verified citizen's nor their family's) forgets the verification and says so, in words that
  do not tell whether the record exists. A record not found (404) forgets the identifier and
  its factor too, so the next attempt asks for them again instead of repeating the refusal.
"""

from __future__ import annotations

from collections.abc import Awaitable, Sequence
from dataclasses import dataclass, field
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.flows import identity_mismatch
from actions.gateway import JSON, GatewayError, gateway
from actions.identity_form import OTP_SENT_SLOT, OTP_SLOT, VERIFIED_SLOT
from actions.menu import MAIN_MENU_BUTTON, Button

MISMATCH = "identity_mismatch"
UNVERIFIED = "identity_unverified"


@dataclass(frozen=True)
class Failure:
    """How a failed call is worded: a ministry that is down or slow gets `utter_service_unavailable`
    naming `service` and `alternative`; a 404 the response `not_found` (None: the gateway's own
    sentence, as for any other error)."""

    service: str
    alternative: str
    not_found: str | None = None
    buttons: Sequence[Button] = (MAIN_MENU_BUTTON,)
    down_buttons: Sequence[Button] | None = None  # under the apology, when not `buttons`
    not_found_buttons: Sequence[Button] | None = None  # under `not_found`, when not `buttons`


@dataclass(frozen=True)
class Refusal:
    """How a refused identity pair is worded: the response, its buttons, and the slots forgotten
    so that the next attempt asks again."""

    response: str = "utter_identity_mismatch"
    buttons: Sequence[Button] = (MAIN_MENU_BUTTON,)
    forget: Sequence[str] = ("nik", "birth_date")


NIK_REFUSAL = Refusal()


@dataclass(frozen=True)
class Lookup:
    """A call's answer (`data`), or its `error` already told to the citizen; `events` forget
    a refused identity pair."""

    data: JSON = field(default_factory=dict)
    error: GatewayError | None = None
    events: list[EventType] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return self.error is not None

    @property
    def refused(self) -> bool:
        """The gateway refused the identity (`identity_mismatch`, `identity_unverified`)."""
        return self.error is not None and self.error.code in (MISMATCH, UNVERIFIED)

    @property
    def not_found(self) -> bool:
        return self.error is not None and self.error.status == 404


def unavailable(dispatcher: CollectingDispatcher, failure: Failure) -> None:
    """The apology for a ministry that is down or slow, with `failure`'s alternative."""
    dispatcher.utter_message(
        response="utter_service_unavailable",
        service=failure.service,
        alternative=failure.alternative,
        buttons=list(failure.down_buttons or failure.buttons),
    )


def lookup_failed(
    dispatcher: CollectingDispatcher, error: GatewayError, failure: Failure, **values: Any
) -> None:
    """Word a failed call (not `identity_mismatch`): `values` fill the `not_found` response."""
    if error.unavailable:
        unavailable(dispatcher, failure)
    elif error.status == 404 and failure.not_found:
        dispatcher.utter_message(
            response=failure.not_found, buttons=list(failure.not_found_buttons or failure.buttons), **values
        )
    else:
        dispatcher.utter_message(text=error.detail, buttons=list(failure.buttons))


async def lookup(
    dispatcher: CollectingDispatcher, call: Awaitable[JSON], failure: Failure, **values: Any
) -> Lookup:
    """The answer of `call`; on failure the citizen is told (`lookup_failed`)."""
    try:
        return Lookup(await call)
    except GatewayError as error:
        lookup_failed(dispatcher, error, failure, **values)
        return Lookup(error=error)


async def verified_lookup(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    path: str,
    body: JSON,
    failure: Failure,
    refusal: Refusal = NIK_REFUSAL,
    **values: Any,
) -> Lookup:
    """`POST path` with an identity pair in `body`. A refused pair is forgotten and refused
    (or, the second time in a row, handed to an officer); other failures as `lookup()`."""
    try:
        return Lookup(await gateway().post(path, body))
    except GatewayError as error:
        if error.code == MISMATCH:
            events = identity_mismatch(
                dispatcher, tracker, refusal=refusal.response, buttons=refusal.buttons, forget=refusal.forget
            )
            return Lookup(error=error, events=events)
        if error.code == UNVERIFIED:
            dispatcher.utter_message(response="utter_identity_not_verified", buttons=list(refusal.buttons))
            forget = (*refusal.forget, VERIFIED_SLOT, OTP_SLOT, OTP_SENT_SLOT)
            return Lookup(error=error, events=[SlotSet(slot, None) for slot in dict.fromkeys(forget)])
        lookup_failed(dispatcher, error, failure, **values)
        if error.status == 404:
            return Lookup(error=error, events=[SlotSet(slot, None) for slot in refusal.forget])
        return Lookup(error=error)
