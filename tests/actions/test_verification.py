"""Identity verification in the forms (actions/identity_form.py): after the NIK and the birth
date (a first check only) the gateway verifies the citizen; a code typed back is checked by the
gateway; a verified conversation is not asked again; a refused session is forgotten. On the
web, the code's question offers the login with INApas too; `/identity_verified` counts only when
the gateway says the session is verified."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import health
from actions.gateway import use_gateway
from actions.identity_form import OTP_DONE, ActionAskOtpCode, ActionIdentityVerified, verification_slots
from actions.lookups import Failure, verified_lookup
from tests.actions.builders import ROOT, tracker_from_events, user
from tests.actions.flow_helpers import FakeGateway, form_tracker, submit_tracker, texts, wording

pytestmark = pytest.mark.asyncio

NIK = "3273014102900001"
BORN = "1990-02-01"
CHILD = "3273015507200002"


@pytest.fixture()
def fake() -> Iterator[FakeGateway]:
    fake = FakeGateway()
    use_gateway(fake.client)
    yield fake
    use_gateway(None)


def answers(fake: FakeGateway, replies: dict[str, tuple[int, dict[str, Any]]]) -> None:
    def reply(request: httpx.Request) -> httpx.Response:
        status, body = replies[request.url.path.removeprefix("/api/v1")]
        return httpx.Response(status, json=body)

    fake._reply = reply  # noqa: SLF001 - a reply per path


def paths(fake: FakeGateway) -> list[str]:
    return [request.url.path.removeprefix("/api/v1") for request in fake.requests]


def body(request: httpx.Request) -> dict[str, Any]:
    return dict(json.loads(request.content))


def birth_date_given(**slots: Any) -> Any:
    return form_tracker(
        "immunization_form", "birth_date", user("inform", "1 februari 1990"), slots={"nik": NIK, **slots}
    )


async def test_the_birth_date_is_no_longer_the_last_step(
    fake: FakeGateway, dispatcher: CollectingDispatcher, domain: DomainDict
) -> None:
    answers(fake, {"/identity/otp": (200, {"verified": False, "method": None, "code_sent": True})})
    events = await health.ValidateImmunizationForm().run(dispatcher, birth_date_given(), domain)
    assert SlotSet("birth_date", BORN) in events
    assert events[-2:] == [SlotSet("requested_slot", "otp_code"), SlotSet("otp_sent_for", NIK)] or (
        SlotSet("requested_slot", "otp_code") in events and SlotSet("otp_sent_for", NIK) in events
    )
    assert paths(fake) == ["/identity/otp"]
    assert body(fake.last) == {"nik": NIK, "family": True}  # a child's record: the family rule


async def test_a_channel_that_vouches_for_the_number_needs_no_code(
    fake: FakeGateway, dispatcher: CollectingDispatcher, domain: DomainDict
) -> None:
    answers(fake, {"/identity/otp": (200, {"verified": True, "method": "channel", "code_sent": False})})
    events = await health.ValidateImmunizationForm().run(dispatcher, birth_date_given(), domain)
    assert not [e for e in events if e["name"] == "requested_slot" and e["value"]]  # the form is done
    assert SlotSet("verified_for", NIK) in events
    assert texts(dispatcher) == wording("utter_verified_by_channel")


async def test_a_verified_conversation_is_not_asked_again(
    fake: FakeGateway, dispatcher: CollectingDispatcher, domain: DomainDict
) -> None:
    events = await health.ValidateImmunizationForm().run(
        dispatcher, birth_date_given(verified_for=NIK), domain
    )
    assert not [e for e in events if e["name"] == "requested_slot" and e["value"]]  # the form is done
    assert fake.requests == []


async def test_the_code_typed_back_verifies(
    fake: FakeGateway, dispatcher: CollectingDispatcher, domain: DomainDict
) -> None:
    answers(fake, {"/identity/otp/verify": (200, {"verified": True, "method": "otp"})})
    tracker = form_tracker(
        "immunization_form", "otp_code", user("inform", "kodenya 482913"),
        slots={"nik": NIK, "birth_date": BORN, "otp_sent_for": NIK},
    )  # fmt: skip
    events = await health.ValidateImmunizationForm().run(dispatcher, tracker, domain)
    assert body(fake.last) == {"nik": NIK, "code": "482913"}
    assert SlotSet("otp_code", OTP_DONE) in events and SlotSet("verified_for", NIK) in events
    assert not [e for e in events if e["name"] == "requested_slot" and e["value"]]  # the form is done
    assert "482913" not in json.dumps(events)  # the code itself is not kept


async def test_a_wrong_code_asks_again_without_a_new_code(
    fake: FakeGateway, dispatcher: CollectingDispatcher, domain: DomainDict
) -> None:
    answers(fake, {"/identity/otp/verify": (403, {"code": "identity_unverified", "detail": "x"})})
    tracker = form_tracker(
        "immunization_form", "otp_code", user("inform", "482913"),
        slots={"nik": NIK, "birth_date": BORN, "otp_sent_for": NIK},
    )  # fmt: skip
    events = await health.ValidateImmunizationForm().run(dispatcher, tracker, domain)
    assert paths(fake) == ["/identity/otp/verify"]  # no new code
    assert SlotSet("requested_slot", "otp_code") in events
    assert texts(dispatcher) == wording("utter_otp_invalid")


async def test_kirim_ulang_asks_for_a_new_code(
    fake: FakeGateway, dispatcher: CollectingDispatcher, domain: DomainDict
) -> None:
    answers(fake, {"/identity/otp": (200, {"verified": False, "method": None, "code_sent": True})})
    tracker = form_tracker(
        "immunization_form", "otp_code", user("inform", "kirim ulang kodenya"),
        slots={"nik": NIK, "birth_date": BORN, "otp_sent_for": NIK},
    )  # fmt: skip
    await health.ValidateImmunizationForm().run(dispatcher, tracker, domain)
    assert paths(fake) == ["/identity/otp"]
    assert texts(dispatcher) == wording("utter_otp_resent")


@pytest.mark.filterwarnings("ignore")
def test_a_form_keyed_by_card_asks_the_citizens_nik_for_verification() -> None:
    tracker = tracker_from_events([], {})
    assert verification_slots(["bpjs_number", "birth_date"], tracker) == [
        "bpjs_number",
        "birth_date",
        "nik",
        "otp_code",
    ]
    assert verification_slots(["nik", "birth_date", "purpose"], tracker) == [
        "nik",
        "birth_date",
        "otp_code",
        "purpose",
    ]
    verified = tracker_from_events([], {"nik": NIK, "verified_for": NIK})
    assert verification_slots(["nik", "birth_date"], verified) == ["nik", "birth_date"]
    other = tracker_from_events([], {"nik": CHILD, "verified_for": NIK})
    assert verification_slots(["nik", "birth_date"], other) == ["nik", "birth_date", "otp_code"]


async def test_a_refused_session_is_forgotten_and_said_alike(
    fake: FakeGateway, dispatcher: CollectingDispatcher
) -> None:
    fake.error(403, "identity_unverified")
    tracker = submit_tracker({"nik": NIK, "birth_date": BORN, "verified_for": NIK, "otp_code": OTP_DONE})
    result = await verified_lookup(
        dispatcher, tracker, "/health/immunizations", {"nik": NIK}, Failure("x", "y")
    )
    assert result.failed
    assert SlotSet("verified_for", None) in result.events and SlotSet("otp_code", None) in result.events
    assert texts(dispatcher) == wording("utter_identity_not_verified")


async def test_a_telegram_contact_shared_while_the_code_is_asked_verifies(
    fake: FakeGateway, dispatcher: CollectingDispatcher, domain: DomainDict
) -> None:
    """The gateway recorded the contact when Telegram vouched it is the sender's own; the
    action asks the gateway again, which verifies when it is the registered number."""
    answers(fake, {"/identity/otp": (200, {"verified": True, "method": "channel", "code_sent": False})})
    shared = user("share_contact", '/share_contact{"phone_number":"+6281234567890"}')
    tracker = form_tracker(
        "immunization_form", "otp_code", shared, slots={"nik": NIK, "birth_date": BORN, "otp_sent_for": NIK}
    )
    events = await health.ValidateImmunizationForm().run(dispatcher, tracker, domain)
    assert paths(fake) == ["/identity/otp"]
    assert SlotSet("otp_code", OTP_DONE) in events and SlotSet("verified_for", NIK) in events
    assert texts(dispatcher) == wording("utter_verified_by_channel")


async def test_a_shared_contact_that_is_not_the_registered_number_asks_for_the_code(
    fake: FakeGateway, dispatcher: CollectingDispatcher, domain: DomainDict
) -> None:
    answers(fake, {"/identity/otp": (200, {"verified": False, "method": None, "code_sent": True})})
    shared = user("share_contact", '/share_contact{"phone_number":"+6289876543210"}')
    tracker = form_tracker(
        "immunization_form", "otp_code", shared, slots={"nik": NIK, "birth_date": BORN, "otp_sent_for": NIK}
    )
    events = await health.ValidateImmunizationForm().run(dispatcher, tracker, domain)
    assert SlotSet("requested_slot", "otp_code") in events
    assert texts(dispatcher) == wording("utter_otp_not_a_code")


# --- The web: INApas offered at the code step, and `/identity_verified` -----------------------


def on_channel(event: dict[str, Any], channel: str) -> dict[str, Any]:
    """The user event as Rasa records it from the gateway's REST call for `channel`."""
    return {**event, "input_channel": channel}


def code_asked(message: dict[str, Any], channel: str = "web") -> Any:
    return form_tracker(
        "immunization_form", "otp_code", on_channel(message, channel),
        slots={"nik": NIK, "birth_date": BORN, "otp_sent_for": NIK},
    )  # fmt: skip


async def test_the_web_offers_inapas_with_the_code(
    dispatcher: CollectingDispatcher, domain: DomainDict
) -> None:
    await ActionAskOtpCode().run(dispatcher, code_asked(user("inform", "1 februari 1990")), domain)
    assert texts(dispatcher) == wording("utter_ask_otp_code_web")
    buttons = {button["title"]: button["payload"] for button in dispatcher.messages[0]["buttons"]}
    assert buttons["Masuk dengan INApas"] == "/login_inapas"  # the widget opens the login on it
    assert buttons["Kirim ulang kode SMS"] == "kirim ulang kode"


@pytest.mark.parametrize("channel", ["telegram", "whatsapp"])
async def test_other_channels_are_not_offered_inapas(
    channel: str, dispatcher: CollectingDispatcher, domain: DomainDict
) -> None:
    await ActionAskOtpCode().run(dispatcher, code_asked(user("inform", "1 februari 1990"), channel), domain)
    assert texts(dispatcher) == wording("utter_ask_otp_code")
    assert not dispatcher.messages[0].get("buttons")


async def test_a_login_with_inapas_while_the_code_is_asked_continues_the_form(
    fake: FakeGateway, dispatcher: CollectingDispatcher, domain: DomainDict
) -> None:
    """`/identity_verified` proves nothing by itself: the gateway says the session is verified
    for the NIK (bound by the login), and the form goes on without a code."""
    answers(fake, {"/identity/otp": (200, {"verified": True, "method": "session", "code_sent": False})})
    events = await health.ValidateImmunizationForm().run(
        dispatcher, code_asked(user("identity_verified")), domain
    )
    assert paths(fake) == ["/identity/otp"] and body(fake.last) == {"nik": NIK, "family": True}
    assert SlotSet("otp_code", OTP_DONE) in events and SlotSet("verified_for", NIK) in events
    assert not [e for e in events if e["name"] == "requested_slot" and e["value"]]  # the form is done
    assert texts(dispatcher) == wording("utter_identity_verified")


async def test_identity_verified_without_a_verified_session_keeps_the_code_asked(
    fake: FakeGateway, dispatcher: CollectingDispatcher, domain: DomainDict
) -> None:
    answers(fake, {"/identity/otp": (200, {"verified": False, "method": None, "code_sent": True})})
    events = await health.ValidateImmunizationForm().run(
        dispatcher, code_asked(user("identity_verified")), domain
    )
    assert SlotSet("requested_slot", "otp_code") in events
    assert SlotSet("verified_for", NIK) not in events
    assert texts(dispatcher) == wording("utter_inapas_not_verified")


@pytest.mark.parametrize(
    ("verified", "response"), [(True, "utter_inapas_verified"), (False, "utter_inapas_session_missing")]
)
async def test_identity_verified_outside_a_form_asks_the_gateway(
    verified: bool, response: str, fake: FakeGateway, dispatcher: CollectingDispatcher, domain: DomainDict
) -> None:
    fake.answer({"verified": verified})
    await ActionIdentityVerified().run(dispatcher, tracker_from_events([user("identity_verified")]), domain)
    assert fake.last.method == "GET" and paths(fake) == ["/identity/session"]
    assert texts(dispatcher) == wording(response)


@pytest.mark.filterwarnings("ignore")
def test_identity_verified_outside_a_form_has_its_rule() -> None:
    import yaml

    rules = yaml.safe_load((ROOT / "data" / "rules" / "verification.yml").read_text())["rules"]
    assert {"steps": [{"intent": "identity_verified"}, {"action": "action_identity_verified"}]} in [
        {"steps": rule["steps"]} for rule in rules if not rule.get("condition")
    ]
