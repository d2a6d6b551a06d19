"""Health flows: BPJS membership, facilities, immunisations (actions/health.py)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator

import pytest
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import health
from actions.gateway import use_gateway
from tests.actions.builders import action, bot, user
from tests.actions.flow_helpers import (
    UNAVAILABLE,
    FakeGateway,
    form_tracker,
    payloads,
    submit_tracker,
    texts,
    wording,
)

NIK = "3273014102900001"
CARD = "0001234567890"
BORN = "1990-02-01"

MEMBER = {
    "card_number": CARD,
    "name": "SITI A*****",
    "status": "aktif",
    "class": 2,
    "segment": "PBPU",
    "facility": {"name": "Puskesmas Sukasari", "address": "Jl. Gegerkalong Hilir 1, Kec. Sukasari"},
    "monthly_contribution": 100000,
    "arrears": {"months": 0, "amount": 0},
    "legal_basis": "Perpres 64/2020 Pasal 34",
}

IDENTITY_MISMATCH = wording("utter_identity_mismatch")
IMPOSSIBLE_BIRTH_DATE = wording("utter_impossible_birth_date")
INVALID_BIRTH_DATE = wording("utter_invalid_birth_date")


@pytest.fixture()
def fake() -> Iterator[FakeGateway]:
    gateway = FakeGateway()
    use_gateway(gateway.client)
    yield gateway
    use_gateway(None)


# --- BPJS membership ---------------------------------------------------------------------------


async def test_membership_answer_gives_status_class_facility_and_basis(
    fake: FakeGateway, dispatcher: CollectingDispatcher, domain: DomainDict
) -> None:
    fake.answer(MEMBER)

    events = await health.ActionBpjsStatus().run(
        dispatcher, submit_tracker({"nik": NIK, "birth_date": BORN}), domain
    )

    assert events == []
    assert fake.last.url.path == "/api/v1/health/bpjs/membership"
    assert fake.last_json() == {"nik": NIK, "birth_date": BORN}
    text = texts(dispatcher)
    for fact in (
        "SITI A*****",
        "Status: Aktif",
        "Kelas II",
        "PBPU",
        "Puskesmas Sukasari",
        "Rp100.000",
        "Tunggakan: tidak ada",
        "Perpres 64/2020 Pasal 34",
    ):
        assert fact in text
    assert "/health_facility_search" in payloads(dispatcher)


async def test_membership_by_card_shows_arrears_and_how_to_pay(
    fake: FakeGateway, dispatcher: CollectingDispatcher, domain: DomainDict
) -> None:
    fake.answer(
        MEMBER
        | {
            "status": "nonaktif",
            "class": 3,
            "monthly_contribution": 42000,
            "arrears": {"months": 3, "amount": 105000},
        }
    )
    tracker = submit_tracker({"bpjs_number": CARD, "birth_date": BORN})

    await health.ActionBpjsStatus().run(dispatcher, tracker, domain)

    assert fake.last_json() == {"card_number": CARD, "birth_date": BORN}
    text = texts(dispatcher)
    assert "Tidak aktif" in text and "3 bulan, total Rp105.000" in text
    assert wording("utter_bpjs_how_to_pay_arrears") in text


def test_the_identifier_given_last_is_used() -> None:
    nik_then_card = form_tracker(
        "bpjs_status_form",
        "birth_date",
        user("inform", "0001234567890"),
        extracted={"nik": NIK, "bpjs_number": CARD},
    )
    card_then_nik = form_tracker(
        "bpjs_status_form", "birth_date", user("inform", NIK), extracted={"bpjs_number": CARD, "nik": NIK}
    )
    assert health.identified_by_card(nik_then_card)
    assert not health.identified_by_card(card_then_nik)
    assert not health.identified_by_card(submit_tracker({"nik": NIK}))


async def test_membership_mismatch_by_nik_forgets_the_pair(
    fake: FakeGateway, dispatcher: CollectingDispatcher, domain: DomainDict
) -> None:
    fake.error(403, "identity_mismatch")

    events = await health.ActionBpjsStatus().run(
        dispatcher, submit_tracker({"nik": NIK, "birth_date": BORN}), domain
    )

    assert texts(dispatcher) == IDENTITY_MISMATCH
    assert events == [SlotSet("nik", None), SlotSet("birth_date", None)]


async def test_membership_mismatch_by_card_forgets_the_card(
    fake: FakeGateway, dispatcher: CollectingDispatcher, domain: DomainDict
) -> None:
    fake.error(403, "identity_mismatch")
    tracker = submit_tracker({"bpjs_number": CARD, "birth_date": BORN})

    events = await health.ActionBpjsStatus().run(dispatcher, tracker, domain)

    assert texts(dispatcher) == wording("utter_bpjs_card_mismatch")
    assert events == [SlotSet("bpjs_number", None), SlotSet("birth_date", None)]


async def test_unknown_member_gets_a_clear_message(
    fake: FakeGateway, dispatcher: CollectingDispatcher, domain: DomainDict
) -> None:
    fake.error(404, "not_found")

    await health.ActionBpjsStatus().run(dispatcher, submit_tracker({"nik": NIK, "birth_date": BORN}), domain)

    assert texts(dispatcher) == wording("utter_bpjs_member_not_found", identifier="NIK")


@pytest.mark.parametrize("failure", UNAVAILABLE)
async def test_membership_unavailable_apologises_with_alternatives(
    fake: FakeGateway,
    dispatcher: CollectingDispatcher,
    domain: DomainDict,
    failure: Callable[[FakeGateway], None],
) -> None:
    failure(fake)

    events = await health.ActionBpjsStatus().run(
        dispatcher, submit_tracker({"nik": NIK, "birth_date": BORN}), domain
    )

    assert events == []
    text = texts(dispatcher)
    assert text.startswith("Mohon maaf, layanan BPJS Kesehatan sedang tidak dapat dihubungi")
    assert "Mobile JKN" in text and "165" in text


async def test_membership_without_identity_does_nothing(
    fake: FakeGateway, dispatcher: CollectingDispatcher, domain: DomainDict
) -> None:
    assert await health.ActionBpjsStatus().run(dispatcher, submit_tracker({"nik": NIK}), domain) == []
    assert fake.requests == [] and dispatcher.messages == []


async def test_card_number_typed_where_the_nik_was_asked_switches_to_the_card(
    dispatcher: CollectingDispatcher, domain: DomainDict
) -> None:
    tracker = form_tracker(
        "bpjs_status_form",
        "nik",
        user("inform", CARD, [("bpjs_number", CARD)]),
        extracted={"bpjs_number": CARD},
    )

    events = await health.ValidateBpjsStatusForm().run(dispatcher, tracker, domain)

    assert SlotSet("bpjs_number", CARD) in events
    assert events[-1] == SlotSet("requested_slot", "birth_date")
    assert dispatcher.messages == []


async def test_refused_card_number_asks_again_without_a_second_message(
    dispatcher: CollectingDispatcher, domain: DomainDict
) -> None:
    # action_validate_slot_mappings already refused it (and said why): the slot is None.
    tracker = form_tracker(
        "bpjs_status_form",
        "nik",
        user("inform", "00012345", [("bpjs_number", "00012345")]),
        extracted={"bpjs_number": None},
    )

    events = await health.ValidateBpjsStatusForm().run(dispatcher, tracker, domain)

    assert events == [SlotSet("nik", None)]
    assert dispatcher.messages == []


async def test_digits_that_are_no_nik_get_a_reason(
    dispatcher: CollectingDispatcher, domain: DomainDict
) -> None:
    tracker = form_tracker("bpjs_status_form", "nik", user("inform", "3273 0141 0290"))

    events = await health.ValidateBpjsStatusForm().run(dispatcher, tracker, domain)

    assert events == [SlotSet("nik", None)]
    assert "NIK terdiri dari 16 digit" in texts(dispatcher)


@pytest.mark.parametrize(
    ("text", "expected", "message"),
    [
        ("1 Februari 1990", BORN, None),
        ("01-02-1990", BORN, None),
        ("kemarin lusa", None, INVALID_BIRTH_DATE),
        ("01-02-2090", None, IMPOSSIBLE_BIRTH_DATE),
    ],
)
async def test_birth_date_answers(
    fake: FakeGateway,
    dispatcher: CollectingDispatcher,
    domain: DomainDict,
    text: str,
    expected: str | None,
    message: str | None,
) -> None:
    fake.answer({"verified": False, "method": None, "code_sent": True})  # the code comes next
    tracker = form_tracker("bpjs_status_form", "birth_date", user("inform", text), slots={"nik": NIK})

    events = await health.ValidateBpjsStatusForm().run(dispatcher, tracker, domain)

    assert SlotSet("birth_date", expected) in events
    assert texts(dispatcher) == (message or "")
    assert (SlotSet("requested_slot", "otp_code") in events) == (expected is not None)


async def test_question_answered_aside_is_not_read_as_the_birth_date(
    dispatcher: CollectingDispatcher, domain: DomainDict
) -> None:
    tracker = form_tracker(
        "bpjs_status_form",
        "birth_date",
        user("health_bpjs_contribution", "iuran kelas 1 berapa"),
        slots={"nik": NIK},
        before_form=[action("action_answer_aside"), bot("Iuran ...")],
    )

    events = await health.ValidateBpjsStatusForm().run(dispatcher, tracker, domain)

    assert dispatcher.messages == []
    assert not any(event.get("name") == "birth_date" for event in events)


# --- Facilities --------------------------------------------------------------------------------


def facility(name: str, kind: str = "puskesmas") -> dict:
    return {
        "name": name,
        "type": kind,
        "address": f"Jl. {name}, Kota Bandung",
        "hours": "Senin–Sabtu 07.30–14.00",
        "phone": "(022) 2011234",
        "bpjs_partner": True,
    }


@pytest.mark.parametrize(
    ("typed", "region"),
    [("bandung", "Kota Bandung"), ("Kabupaten Sleman", "Kabupaten Sleman"), ("kec. coblong", "Coblong")],
)
async def test_typed_region_is_resolved(
    dispatcher: CollectingDispatcher, domain: DomainDict, typed: str, region: str
) -> None:
    tracker = form_tracker(
        "facility_search_form",
        "facility_region",
        user("inform", typed),
        candidates={"facility_region": typed},
    )

    events = await health.ValidateFacilitySearchForm().run(dispatcher, tracker, domain)

    assert events == [SlotSet("facility_region", region)]


async def test_unknown_region_is_asked_again(dispatcher: CollectingDispatcher, domain: DomainDict) -> None:
    tracker = form_tracker(
        "facility_search_form",
        "facility_region",
        user("inform", "antah berantah"),
        candidates={"facility_region": "antah berantah"},
    )

    events = await health.ValidateFacilitySearchForm().run(dispatcher, tracker, domain)

    assert events == [SlotSet("facility_region", None)]
    assert texts(dispatcher) == wording("utter_unknown_facility_region", typed="antah berantah")


async def test_first_page_lists_address_hours_and_offers_the_next(
    fake: FakeGateway, dispatcher: CollectingDispatcher, domain: DomainDict
) -> None:
    fake.answer(
        {
            "region": {"code": "32.73", "name": "Kota Bandung"},
            "total": 12,
            "items": [facility(f"Puskesmas {n}") for n in "ABCDE"],
        }
    )
    tracker = submit_tracker(
        {"facility_region": "Kota Bandung"}, user("health_facility_search", "puskesmas di bandung")
    )

    events = await health.ActionFacilitySearch().run(dispatcher, tracker, domain)

    assert events == [SlotSet("facility_region", None)]
    assert dict(fake.last.url.params) == {
        "region": "Kota Bandung",
        "type": "puskesmas",
        "offset": "0",
        "limit": "5",
    }
    text = texts(dispatcher)
    assert "Daftar puskesmas di Kota Bandung (1–5 dari 12)" in text
    assert "Jl. Puskesmas A, Kota Bandung" in text and "Senin–Sabtu 07.30–14.00" in text
    more = payloads(dispatcher)[0]
    assert more.startswith("/health_facility_search")
    assert json.loads(more.removeprefix("/health_facility_search")) == {
        "region": "Kota Bandung",
        "facility_offset": "5",
        "facility_type": "puskesmas",
    }


async def test_next_page_reads_the_offset_from_the_button(
    fake: FakeGateway, dispatcher: CollectingDispatcher, domain: DomainDict
) -> None:
    fake.answer(
        {
            "region": {"code": "32.73", "name": "Kota Bandung"},
            "total": 12,
            "items": [facility("Puskesmas K"), facility("RSUD Kota", "rumah_sakit")],
        }
    )
    button = user(
        "health_facility_search",
        '/health_facility_search{"region":"Kota Bandung","facility_offset":"10"}',
        [("region", "Kota Bandung"), ("facility_offset", "10")],
    )
    tracker = submit_tracker({"facility_region": "Kota Bandung"}, button)

    await health.ActionFacilitySearch().run(dispatcher, tracker, domain)

    assert fake.last.url.params["offset"] == "10" and "type" not in fake.last.url.params
    text = texts(dispatcher)
    assert "(11–12 dari 12)" in text and "12. RSUD Kota (rumah sakit" in text
    assert not any(p.startswith("/health_facility_search{") for p in payloads(dispatcher))


async def test_unknown_region_at_the_gateway(
    fake: FakeGateway, dispatcher: CollectingDispatcher, domain
) -> None:
    fake.error(404, "not_found")

    events = await health.ActionFacilitySearch().run(
        dispatcher, submit_tracker({"facility_region": "Kota X"}), domain
    )

    assert texts(dispatcher) == wording("utter_facility_region_not_found", region="Kota X")
    assert events == [SlotSet("facility_region", None)]


async def test_no_facilities_in_the_region(
    fake: FakeGateway, dispatcher: CollectingDispatcher, domain
) -> None:
    fake.answer({"region": {"code": "32.73.01", "name": "Sukasari"}, "total": 0, "items": []})

    await health.ActionFacilitySearch().run(
        dispatcher, submit_tracker({"facility_region": "Sukasari"}), domain
    )

    assert texts(dispatcher) == wording("utter_no_facilities", kind="faskes", region="Sukasari")


@pytest.mark.parametrize("failure", UNAVAILABLE)
async def test_facilities_unavailable(
    fake: FakeGateway,
    dispatcher: CollectingDispatcher,
    domain: DomainDict,
    failure: Callable[[FakeGateway], None],
) -> None:
    failure(fake)

    await health.ActionFacilitySearch().run(
        dispatcher, submit_tracker({"facility_region": "Kota Bandung"}), domain
    )

    assert texts(dispatcher).startswith("Mohon maaf, layanan pencarian faskes sedang tidak dapat dihubungi")
    assert "Mobile JKN" in texts(dispatcher)


# --- Immunisations ------------------------------------------------------------------------------


async def test_immunisations_are_listed_by_date(
    fake: FakeGateway, dispatcher: CollectingDispatcher, domain: DomainDict
) -> None:
    fake.answer(
        {
            "name": "RIZKY P******",
            "records": [
                {"vaccine": "BCG", "dose": 1, "date": "2019-06-15", "facility": "Puskesmas Sukasari"},
                {"vaccine": "Hepatitis B", "dose": 0, "date": "2019-05-15", "facility": "RSUD Kota Bandung"},
            ],
        }
    )

    events = await health.ActionImmunizationRecord().run(
        dispatcher, submit_tracker({"nik": NIK, "birth_date": "2019-05-15"}), domain
    )

    assert events == []
    text = texts(dispatcher)
    assert "RIZKY P******" in text
    assert text.index("Hepatitis B dosis 0: 15 Mei 2019, RSUD Kota Bandung") < text.index(
        "BCG dosis 1: 15 Juni 2019"
    )


async def test_no_immunisations_yet(
    fake: FakeGateway, dispatcher: CollectingDispatcher, domain: DomainDict
) -> None:
    fake.answer({"name": "RIZKY P******", "records": []})

    await health.ActionImmunizationRecord().run(
        dispatcher, submit_tracker({"nik": NIK, "birth_date": BORN}), domain
    )

    assert texts(dispatcher) == wording("utter_no_immunizations", name="RIZKY P******")


async def test_immunisation_mismatch_forgets_the_pair(
    fake: FakeGateway, dispatcher: CollectingDispatcher, domain: DomainDict
) -> None:
    fake.error(403, "identity_mismatch")

    events = await health.ActionImmunizationRecord().run(
        dispatcher, submit_tracker({"nik": NIK, "birth_date": BORN}), domain
    )

    assert texts(dispatcher) == IDENTITY_MISMATCH
    assert events == [SlotSet("nik", None), SlotSet("birth_date", None)]


@pytest.mark.parametrize("failure", UNAVAILABLE)
async def test_satusehat_unavailable(
    fake: FakeGateway,
    dispatcher: CollectingDispatcher,
    domain: DomainDict,
    failure: Callable[[FakeGateway], None],
) -> None:
    failure(fake)

    await health.ActionImmunizationRecord().run(
        dispatcher, submit_tracker({"nik": NIK, "birth_date": BORN}), domain
    )

    assert texts(dispatcher).startswith("Mohon maaf, layanan SATUSEHAT sedang tidak dapat dihubungi")
    assert "SATUSEHAT Mobile" in texts(dispatcher)
