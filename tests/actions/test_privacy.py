"""actions/privacy.py: "Hapus data saya" asks the gateway, says so, and sends the erase
signal; "Siapa yang melihat data saya" verifies the citizen first (access_log_form), then words the
audit entries by role and number."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import yaml
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.gateway import use_gateway
from actions.privacy import ERASE_SIGNAL, ActionEraseMyData, ActionShowAccessLog, ValidateAccessLogForm
from tests.actions.builders import ROOT, tracker_from_events, user
from tests.actions.flow_helpers import FakeGateway, form_tracker, texts, wording


@pytest.fixture()
def fake() -> Iterator[FakeGateway]:
    gateway = FakeGateway()
    use_gateway(gateway.client)
    yield gateway
    use_gateway(None)


@pytest.mark.asyncio
async def test_erasure_asks_the_gateway_then_signals(
    fake: FakeGateway, dispatcher: CollectingDispatcher, domain: DomainDict
) -> None:
    fake.answer({"status": "scheduled", "scope": "conversation"}, status=202)
    tracker = tracker_from_events([user("affirm", "ya")])

    events = await ActionEraseMyData().run(dispatcher, tracker, domain)

    assert fake.last.method == "POST" and fake.last.url.path == "/api/v1/privacy/erasure"
    assert fake.last.headers["X-Conversation-ID"] == tracker.sender_id
    assert texts(dispatcher).startswith(wording("utter_data_erased_conversation"))
    assert dispatcher.messages[-1]["custom"] == ERASE_SIGNAL
    assert events == [{"event": "reset_slots", "timestamp": None}]


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("answer", "response"),
    [
        ({"status": "scheduled", "scope": "citizen"}, "utter_data_erased_citizen"),
        ({"status": "scheduled", "scope": "conversation"}, "utter_data_erased_conversation"),
        ({"status": "scheduled"}, "utter_data_erased_conversation"),  # an older gateway: claim the least
    ],
)
async def test_the_erasure_reply_says_what_went_by_the_answers_scope(
    fake: FakeGateway,
    dispatcher: CollectingDispatcher,
    domain: DomainDict,
    answer: dict[str, str],
    response: str,
) -> None:
    fake.answer(answer, status=202)

    await ActionEraseMyData().run(dispatcher, tracker_from_events([user("affirm", "ya")]), domain)

    assert [message.get("response") for message in dispatcher.messages if message.get("response")] == [
        response
    ]


@pytest.mark.asyncio
async def test_a_refused_erasure_sends_no_signal(
    fake: FakeGateway, dispatcher: CollectingDispatcher, domain: DomainDict
) -> None:
    fake.error(503, "ministry_unavailable")

    await ActionEraseMyData().run(dispatcher, tracker_from_events([user("affirm", "ya")]), domain)

    assert texts(dispatcher) == wording("utter_erasure_failed")
    assert all(not message.get("custom") for message in dispatcher.messages)


@pytest.mark.asyncio
async def test_access_log_by_role_and_number(
    fake: FakeGateway, dispatcher: CollectingDispatcher, domain: DomainDict
) -> None:
    fake.answer(
        {
            "items": [
                {"at": "2026-12-01T03:04:00Z", "service": "health", "agent_role": "supervisor",
                 "agent_id": 7, "action": "service_lookup"},
                {"at": "2026-12-01T02:00:00Z", "service": "social", "agent_role": None,
                 "agent_id": None, "action": "bot_lookup"},
            ]
        }
    )  # fmt: skip

    await ActionShowAccessLog().run(dispatcher, tracker_from_events([user("who_viewed_my_data")]), domain)

    assert fake.last.url.path == "/api/v1/privacy/access-log"
    assert "01-12-2026 03:04 UTC: Kesehatan (BPJS), oleh Supervisor nomor 7" in texts(dispatcher)
    # A service's look-up for the bot: no agent, no "nomor None".
    assert "01-12-2026 02:00 UTC: Bantuan Sosial, oleh layanan atas permintaan Anda" in texts(dispatcher)
    assert "None" not in texts(dispatcher)


@pytest.mark.asyncio
async def test_access_log_needs_verification(
    fake: FakeGateway, dispatcher: CollectingDispatcher, domain: DomainDict
) -> None:
    fake.error(403, "identity_unverified")

    await ActionShowAccessLog().run(dispatcher, tracker_from_events([user("who_viewed_my_data")]), domain)

    assert texts(dispatcher) == wording("utter_access_log_not_verified")


# --- "Siapa yang melihat data saya": the citizen's own verification first ---------------------

NIK = "3273014102900001"
BORN = "1990-02-01"


def _rules() -> list[dict[str, Any]]:
    return list(yaml.safe_load((ROOT / "data" / "rules" / "privacy.yml").read_text())["rules"])


def test_who_viewed_starts_the_verification_and_shows_the_log_only_after_it() -> None:
    """Outside a form the question opens access_log_form; the log is shown only once that form
    has ended (verified), never straight after the question."""
    opened = [rule["steps"] for rule in _rules() if rule["steps"][0] == {"intent": "who_viewed_my_data"}]
    assert opened and all(steps[1] == {"action": "access_log_form"} for steps in opened)
    for rule in _rules():
        steps = rule["steps"]
        for at, step in enumerate(steps):
            if step == {"action": "action_show_access_log"}:
                assert steps[at - 3 : at] == [
                    {"action": "access_log_form"}, {"active_loop": None},
                    {"slot_was_set": [{"requested_slot": None}]},
                ], rule["rule"]  # fmt: skip


@pytest.mark.asyncio
async def test_who_viewed_sends_a_code_for_the_citizens_own_nik(
    fake: FakeGateway, dispatcher: CollectingDispatcher, domain: DomainDict
) -> None:
    fake.answer({"verified": False, "method": None, "code_sent": True})
    tracker = form_tracker(
        "access_log_form", "birth_date", user("inform", "1 februari 1990"), slots={"nik": NIK}
    )

    events = await ValidateAccessLogForm().run(dispatcher, tracker, domain)

    assert fake.last.url.path == "/api/v1/identity/otp"
    assert fake.last_json() == {"nik": NIK, "family": False}  # the citizen's own data only
    assert SlotSet("requested_slot", "otp_code") in events


@pytest.mark.asyncio
async def test_who_viewed_after_the_code_ends_the_form(
    fake: FakeGateway, dispatcher: CollectingDispatcher, domain: DomainDict
) -> None:
    fake.answer({"verified": True, "method": "otp"})
    tracker = form_tracker(
        "access_log_form", "otp_code", user("inform", "482913"),
        slots={"nik": NIK, "birth_date": BORN, "otp_sent_for": NIK},
    )  # fmt: skip

    events = await ValidateAccessLogForm().run(dispatcher, tracker, domain)

    assert fake.last.url.path == "/api/v1/identity/otp/verify"
    assert SlotSet("verified_for", NIK) in events
    assert not [e for e in events if e["name"] == "requested_slot" and e["value"]]  # the log is next


@pytest.mark.asyncio
async def test_a_verified_citizen_is_not_asked_again(
    fake: FakeGateway, dispatcher: CollectingDispatcher, domain: DomainDict
) -> None:
    tracker = form_tracker(
        "access_log_form", None, user("who_viewed_my_data"), activating=True,
        slots={"nik": NIK, "birth_date": BORN, "verified_for": NIK},
    )  # fmt: skip

    events = await ValidateAccessLogForm().run(dispatcher, tracker, domain)

    assert fake.requests == []
    assert not [e for e in events if e["name"] == "requested_slot" and e["value"]]


@pytest.mark.asyncio
async def test_an_expired_session_is_forgotten_so_the_next_ask_verifies_again(
    fake: FakeGateway, dispatcher: CollectingDispatcher, domain: DomainDict
) -> None:
    fake.error(403, "identity_unverified")  # the gateway's refusal (api/identity/guard.py)
    tracker = tracker_from_events([user("inform", "482913")], {"nik": NIK, "verified_for": NIK})

    events = await ActionShowAccessLog().run(dispatcher, tracker, domain)

    assert SlotSet("verified_for", None) in events and SlotSet("otp_code", None) in events
    assert texts(dispatcher) == wording("utter_access_log_not_verified")
