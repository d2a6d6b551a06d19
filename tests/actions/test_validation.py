"""action_validate_slot_mappings: identifiers are checked with bot.identifiers."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.validation import IDENTIFIERS, Identifier, ValidateSlotMappings
from tests.actions.builders import load_tracker, slot, tracker_from_events, user
from tests.actions.flow_helpers import said

VALID_NIK = "3273014102900001"  # Kota Bandung, woman born 01-02-1990


def filled(slot_name: str, value: Any, intent: str = "health_bpjs_status") -> list[dict]:
    """What Rasa sends after a user message whose entity filled `slot_name`."""
    return [
        {"event": "action", "name": "action_listen"},
        user(intent, f"{slot_name} {value}", [(slot_name, str(value))]),
        slot(slot_name, value),
    ]


@pytest.mark.asyncio
async def test_action_is_the_global_slot_validation(domain: DomainDict) -> None:
    assert ValidateSlotMappings().name() == "action_validate_slot_mappings"
    assert "action_validate_slot_mappings" in domain["actions"]


@pytest.mark.asyncio
async def test_impossible_nik_is_refused_with_a_reason(
    dispatcher: CollectingDispatcher, domain: DomainDict
) -> None:
    events = await ValidateSlotMappings().run(dispatcher, load_tracker("impossible_nik"), domain)

    assert events == [SlotSet("nik", None)]
    [message] = dispatcher.messages
    assert said(message).startswith("NIK yang Anda kirim tidak valid: tanggal lahir")
    assert "31-02" in said(message)
    assert said(message).endswith("Mohon periksa kembali 16 digit NIK pada KTP Anda.")
    assert ".." not in said(message)


@pytest.mark.asyncio
async def test_valid_nik_is_kept_as_digits(dispatcher: CollectingDispatcher, domain: DomainDict) -> None:
    tracker = tracker_from_events(filled("nik", "3273 0141 0290 0001"))

    events = await ValidateSlotMappings().run(dispatcher, tracker, domain)

    assert events == [SlotSet("nik", VALID_NIK)]
    assert dispatcher.messages == []


@pytest.mark.parametrize(
    ("slot_name", "value", "expected", "message_start"),
    [
        ("nik", "12345", None, "NIK yang Anda kirim tidak valid: NIK terdiri dari 16 digit"),
        ("nik", "9912011010900001", None, "NIK yang Anda kirim tidak valid: kode provinsi"),
        ("kk_number", "3273012001150003", "3273012001150003", None),
        ("kk_number", "9973012001150003", None, "Nomor KK yang Anda kirim tidak valid"),
        ("bpjs_number", "0001234567890", "0001234567890", None),
        ("bpjs_number", "00012345", None, "Nomor kartu BPJS Kesehatan yang Anda kirim tidak valid"),
        ("nisn", "0012345678", "0012345678", None),
        ("nisn", "00123", None, "NISN yang Anda kirim tidak valid"),
        ("plate_number", "b1234xyz", "B 1234 XYZ", None),
        ("plate_number", "1234", None, "Nomor polisi yang Anda kirim tidak dikenali"),
        ("sim_class", "b 1", "B1", None),
        ("sim_class", "SIM C2", "C2", None),
        ("sim_class", "Z", None, "Golongan SIM yang Anda sebut tidak dikenali"),
    ],
)
@pytest.mark.asyncio
async def test_identifier_slots(
    dispatcher: CollectingDispatcher,
    domain: DomainDict,
    slot_name: str,
    value: str,
    expected: str | None,
    message_start: str | None,
) -> None:
    events = await ValidateSlotMappings().run(
        dispatcher, tracker_from_events(filled(slot_name, value)), domain
    )

    assert events == [SlotSet(slot_name, expected)]
    if message_start is None:
        assert dispatcher.messages == []
    else:
        assert said(dispatcher.messages[0]).startswith(message_start)


@pytest.mark.asyncio
async def test_slots_without_a_check_pass_unchanged(
    dispatcher: CollectingDispatcher, domain: DomainDict
) -> None:
    tracker = tracker_from_events(filled("region", "Kota Bandung", intent="office_info"))

    events = await ValidateSlotMappings().run(dispatcher, tracker, domain)

    # No SlotSet means Rasa keeps the extracted value as it is.
    assert events == []
    assert dispatcher.messages == []


@pytest.mark.asyncio
async def test_only_slots_filled_by_the_latest_message_are_checked(
    dispatcher: CollectingDispatcher, domain: DomainDict
) -> None:
    earlier = filled("nik", "3273013102900001")  # refused back then
    tracker = tracker_from_events(
        [
            *earlier,
            {"event": "action", "name": "utter_health_bpjs_status"},
            *filled("nisn", "0012345678", intent="edu_pip_status"),
        ]
    )

    events = await ValidateSlotMappings().run(dispatcher, tracker, domain)

    assert events == [SlotSet("nisn", "0012345678")]
    assert dispatcher.messages == []


@pytest.mark.asyncio
async def test_checks_can_be_replaced_by_fakes(dispatcher: CollectingDispatcher, domain: DomainDict) -> None:
    def always_wrong(value: str) -> str:
        return "contoh alasan tanpa titik"

    fake = {**IDENTIFIERS, "nik": Identifier(always_wrong, IDENTIFIERS["nik"].invalid)}
    action = ValidateSlotMappings(checks=fake)

    events = await action.run(dispatcher, tracker_from_events(filled("nik", VALID_NIK)), domain)

    assert events == [SlotSet("nik", None)]
    assert said(dispatcher.messages[0]) == (
        "NIK yang Anda kirim tidak valid: contoh alasan tanpa titik. "
        "Mohon periksa kembali 16 digit NIK pada KTP Anda."
    )
