"""Social assistance: Cek Bansos by NIK or by name and region (actions/social.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import social
from actions.gateway import use_gateway
from tests.actions.builders import user
from tests.actions.flow_helpers import (
    UNAVAILABLE,
    FakeGateway,
    form_tracker,
    payloads,
    said,
    submit_tracker,
    texts,
    wording,
)

NIK = "3273014102900001"
BORN = "1990-02-01"
REGION = {"province": "Jawa Barat", "regency": "Kota Bandung", "district": "Sukasari", "village": "Sukarasa"}
PKH = {
    "programme": "PKH",
    "period": "Tahap 1 2026 (Januari–Maret)",
    "status": "sudah_salur",
    "amount": 750000,
}
BPNT = {"programme": "BPNT", "period": "Tahap 1 2026 (Januari–Maret)", "status": "proses", "amount": 600000}
BY_NAME = {
    "bansos_method": "name",
    "bansos_province": "32",
    "bansos_regency": "32.73",
    "bansos_district": "32.73.01",
    "bansos_village": "32.73.01.1001",
    "bansos_name": "Siti",
}
CLEARED = sorted((name, None) for name in ("bansos_method", "bansos_region_hint", *social.BY_NAME_SLOTS))

IDENTITY_MISMATCH = wording("utter_identity_mismatch")
NOT_A_RECIPIENT_NEXT = wording("utter_bansos_not_a_recipient_next")


def slot_values(events: list) -> list:
    return sorted((event["name"], event["value"]) for event in events)


@pytest.fixture()
def fake() -> Iterator[FakeGateway]:
    gateway = FakeGateway()
    use_gateway(gateway.client)
    yield gateway
    use_gateway(None)


# --- The method --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "entities", "method", "next_slot"),
    [
        ("cek bansos nik 3273014102900001", [("nik", NIK)], "nik", "birth_date"),
        ("cek bansos pakai nama", [], "name", "bansos_province"),
        ("cek bansos", [], None, "bansos_method"),
    ],
)
async def test_method_is_read_from_the_request(
    dispatcher: CollectingDispatcher,
    domain: DomainDict,
    text: str,
    entities: list,
    method: str | None,
    next_slot: str,
) -> None:
    # Choices of an earlier, unfinished search are forgotten.
    tracker = form_tracker(
        "bansos_check_form",
        None,
        user("bansos_check", text, entities),
        activating=True,
        extracted=dict(entities),
        slots={"bansos_province": "31", "bansos_name": "Budi"},
    )

    events = await social.ValidateBansosCheckForm().run(dispatcher, tracker, domain)

    assert SlotSet("bansos_method", method) in events
    assert SlotSet("bansos_province", None) in events and SlotSet("bansos_name", None) in events
    assert events[-1] == SlotSet("requested_slot", next_slot)


async def test_typed_method_and_an_unclear_one(dispatcher: CollectingDispatcher, domain: DomainDict) -> None:
    typed = form_tracker(
        "bansos_check_form",
        "bansos_method",
        user("inform", "pakai KTP aja"),
        candidates={"bansos_method": "pakai KTP aja"},
    )
    unclear = form_tracker(
        "bansos_check_form",
        "bansos_method",
        user("inform", "terserah"),
        candidates={"bansos_method": "terserah"},
    )

    assert SlotSet("bansos_method", "nik") in await social.ValidateBansosCheckForm().run(
        dispatcher, typed, domain
    )
    assert dispatcher.messages == []
    assert SlotSet("bansos_method", None) in await social.ValidateBansosCheckForm().run(
        dispatcher, unclear, domain
    )
    assert texts(dispatcher) == wording("utter_unknown_bansos_method")


# --- The region, step by step -----------------------------------------------------------------


async def test_region_button_is_taken_when_it_lies_under_the_parent(
    fake: FakeGateway, dispatcher: CollectingDispatcher, domain: DomainDict
) -> None:
    slots = {"bansos_method": "name", "bansos_province": "32"}
    inside = form_tracker(
        "bansos_check_form",
        "bansos_regency",
        user("inform", "/inform", [("region_code", "32.73")]),
        candidates={"bansos_regency": "32.73"},
        slots=slots,
    )
    outside = form_tracker(
        "bansos_check_form",
        "bansos_regency",
        user("inform", "/inform", [("region_code", "31.74")]),
        candidates={"bansos_regency": "31.74"},
        slots=slots,
    )

    events = await social.ValidateBansosCheckForm().run(dispatcher, inside, domain)
    assert SlotSet("bansos_regency", "32.73") in events and events[-1] == SlotSet(
        "requested_slot", "bansos_district"
    )
    assert fake.requests == []

    events = await social.ValidateBansosCheckForm().run(dispatcher, outside, domain)
    assert SlotSet("bansos_regency", None) in events
    assert texts(dispatcher) == wording("utter_wrong_region_button")


@pytest.mark.parametrize(
    ("typed", "items", "code", "hint", "message"),
    [
        (
            "kota bandung",
            [{"code": "32.04", "name": "Bandung"}, {"code": "32.73", "name": "Kota Bandung"}],
            "32.73",
            None,
            None,
        ),
        ("cimahi", [{"code": "32.77", "name": "Kota Cimahi"}], "32.77", None, None),
        (
            "bandung",
            [{"code": "32.04", "name": "Kabupaten Bandung"}, {"code": "32.73", "name": "Kota Bandung"}],
            None,
            "bandung",
            wording("utter_ambiguous_region", label="kabupaten/kota", typed="bandung"),
        ),
        (
            "atlantis",
            [],
            None,
            None,
            wording("utter_unknown_region_within", label="kabupaten/kota", typed="atlantis"),
        ),
    ],
)
async def test_typed_region_is_searched_under_the_parent(
    fake: FakeGateway,
    dispatcher: CollectingDispatcher,
    domain: DomainDict,
    typed: str,
    items: list,
    code: str | None,
    hint: str | None,
    message: str | None,
) -> None:
    fake.answer({"items": [item | {"level": "regency"} for item in items]})
    tracker = form_tracker(
        "bansos_check_form",
        "bansos_regency",
        user("inform", typed),
        candidates={"bansos_regency": typed},
        slots={"bansos_method": "name", "bansos_province": "32"},
    )

    events = await social.ValidateBansosCheckForm().run(dispatcher, tracker, domain)

    assert fake.last.url.path == "/api/v1/regions/search"
    assert dict(fake.last.url.params) == {"q": typed, "level": "regency", "parent": "32"}
    assert SlotSet("bansos_regency", code) in events
    assert SlotSet("bansos_region_hint", hint) in events
    assert texts(dispatcher) == (message or "")


@pytest.mark.parametrize("failure", UNAVAILABLE)
async def test_region_search_unavailable_ends_the_search(
    fake: FakeGateway,
    dispatcher: CollectingDispatcher,
    domain: DomainDict,
    failure: Callable[[FakeGateway], None],
) -> None:
    failure(fake)
    tracker = form_tracker(
        "bansos_check_form",
        "bansos_province",
        user("inform", "jawa barat"),
        candidates={"bansos_province": "jawa barat"},
        slots={"bansos_method": "name"},
    )

    events = await social.ValidateBansosCheckForm().run(dispatcher, tracker, domain)

    assert texts(dispatcher).startswith(
        "Mohon maaf, layanan Cek Bansos Kementerian Sosial sedang tidak dapat"
    )
    assert "cekbansos.kemensos.go.id" in texts(dispatcher)
    assert SlotSet("bansos_method", None) in events
    assert events[-1] == SlotSet("requested_slot", None)  # the form ends; its submit says nothing more


async def test_ask_province_lists_the_provinces_as_buttons(
    fake: FakeGateway, dispatcher: CollectingDispatcher, domain: DomainDict
) -> None:
    fake.answer(
        {
            "items": [
                {"code": "31", "name": "DKI Jakarta", "level": "province"},
                {"code": "32", "name": "Jawa Barat", "level": "province"},
            ]
        }
    )

    events = await social.AskBansosProvince().run(
        dispatcher, submit_tracker({"bansos_method": "name"}), domain
    )

    assert events == []
    assert fake.last.url.path == "/api/v1/regions" and "parent" not in fake.last.url.params
    assert payloads(dispatcher) == ['/inform{"region_code":"31"}', '/inform{"region_code":"32"}']
    assert [b["title"] for b in dispatcher.messages[0]["buttons"]] == ["DKI Jakarta", "Jawa Barat"]


async def test_ask_village_under_the_district_or_the_matches_of_an_ambiguous_name(
    fake: FakeGateway, dispatcher: CollectingDispatcher, domain: DomainDict
) -> None:
    fake.answer({"items": [{"code": "32.73.01.1001", "name": "Sukarasa", "level": "village"}]})
    slots = {"bansos_method": "name", "bansos_district": "32.73.01"}

    await social.AskBansosVillage().run(dispatcher, submit_tracker(slots), domain)
    assert dict(fake.last.url.params) == {"parent": "32.73.01"}

    events = await social.AskBansosVillage().run(
        dispatcher, submit_tracker(slots | {"bansos_region_hint": "suka"}), domain
    )
    assert fake.last.url.path == "/api/v1/regions/search"
    assert dict(fake.last.url.params) == {"q": "suka", "level": "village", "parent": "32.73.01"}
    assert events == [SlotSet("bansos_region_hint", None)]
    assert said(dispatcher.messages[-1]) == "Pilih desa/kelurahan yang Anda maksud:"


@pytest.mark.parametrize("failure", UNAVAILABLE)
async def test_ask_region_unavailable_apologises_and_ends_the_form(
    fake: FakeGateway,
    dispatcher: CollectingDispatcher,
    domain: DomainDict,
    failure: Callable[[FakeGateway], None],
) -> None:
    failure(fake)

    events = await social.AskBansosRegency().run(
        dispatcher, submit_tracker({"bansos_method": "name", "bansos_province": "32"}), domain
    )

    assert "cekbansos.kemensos.go.id" in texts(dispatcher)
    assert events[-1] == ActiveLoop(None)
    assert SlotSet("requested_slot", None) in events and SlotSet("bansos_method", None) in events


@pytest.mark.parametrize(
    ("typed", "name"),
    [
        ("atas nama Dewi Lestari", "Dewi Lestari"),
        ("nama saya: Siti  Aminah", "Siti Aminah"),
        ("Ni Luh Putu A.", "Ni Luh Putu A."),
    ],
)
async def test_name_answers(
    dispatcher: CollectingDispatcher, domain: DomainDict, typed: str, name: str
) -> None:
    tracker = form_tracker(
        "bansos_check_form",
        "bansos_name",
        user("inform", typed),
        candidates={"bansos_name": typed},
        slots=BY_NAME | {"bansos_name": None},
    )

    events = await social.ValidateBansosCheckForm().run(dispatcher, tracker, domain)

    assert events == [SlotSet("bansos_name", name), SlotSet("requested_slot", None)]


@pytest.mark.parametrize("typed", ["12345", "Bu", "budi@mail.com"])
async def test_names_that_are_no_names(
    dispatcher: CollectingDispatcher, domain: DomainDict, typed: str
) -> None:
    tracker = form_tracker(
        "bansos_check_form",
        "bansos_name",
        user("inform", typed),
        candidates={"bansos_name": typed},
        slots=BY_NAME | {"bansos_name": None},
    )

    events = await social.ValidateBansosCheckForm().run(dispatcher, tracker, domain)

    assert events[0] == SlotSet("bansos_name", None)
    assert texts(dispatcher) == wording("utter_invalid_bansos_name")


# --- The answers --------------------------------------------------------------------------------


async def test_recipient_by_nik_lists_programmes_and_periods(
    fake: FakeGateway, dispatcher: CollectingDispatcher, domain: DomainDict
) -> None:
    fake.answer({"name": "SITI A*****", "region": REGION, "programmes": [PKH, BPNT]})
    tracker = submit_tracker({"bansos_method": "nik", "nik": NIK, "birth_date": BORN})

    events = await social.ActionBansosCheck().run(dispatcher, tracker, domain)

    assert fake.last.url.path == "/api/v1/social/recipients/by-nik"
    assert fake.last_json() == {"nik": NIK, "birth_date": BORN}
    text = texts(dispatcher)
    assert "SITI A***** (Sukarasa, Sukasari, Kota Bandung, Jawa Barat) tercatat sebagai penerima" in text
    assert "PKH: periode Tahap 1 2026 (Januari–Maret), sudah disalurkan, Rp750.000\n" in text
    # BPNT's amount is unverified in the registry: said with where to confirm it (issue 17).
    assert (
        "BPNT: periode Tahap 1 2026 (Januari–Maret), sedang diproses, Rp600.000 (belum dapat kami "
        "pastikan; silakan cek ke aplikasi Cek Bansos Kemensos atau Dinas Sosial setempat)"
    ) in text
    assert "/bansos_register" in payloads(dispatcher)
    assert slot_values(events) == CLEARED


async def test_not_a_recipient_says_how_to_apply(
    fake: FakeGateway, dispatcher: CollectingDispatcher, domain
) -> None:
    fake.answer({"name": "SITI A*****", "region": REGION, "programmes": []})

    await social.ActionBansosCheck().run(
        dispatcher, submit_tracker({"bansos_method": "nik", "nik": NIK, "birth_date": BORN}), domain
    )

    text = texts(dispatcher)
    assert "tidak tercatat sebagai penerima bansos" in text and NOT_A_RECIPIENT_NEXT in text


async def test_by_nik_mismatch_forgets_the_pair(
    fake: FakeGateway, dispatcher: CollectingDispatcher, domain
) -> None:
    fake.error(403, "identity_mismatch")

    events = await social.ActionBansosCheck().run(
        dispatcher, submit_tracker({"bansos_method": "nik", "nik": NIK, "birth_date": BORN}), domain
    )

    assert texts(dispatcher) == IDENTITY_MISMATCH
    assert SlotSet("nik", None) in events and SlotSet("birth_date", None) in events


async def test_by_nik_unknown(
    fake: FakeGateway, dispatcher: CollectingDispatcher, domain: DomainDict
) -> None:
    fake.error(404, "not_found")

    events = await social.ActionBansosCheck().run(
        dispatcher, submit_tracker({"bansos_method": "nik", "nik": NIK, "birth_date": BORN}), domain
    )

    assert texts(dispatcher) == wording("utter_bansos_nik_not_found")
    assert SlotSet("nik", None) in events


async def test_by_name_lists_the_masked_matches(
    fake: FakeGateway, dispatcher: CollectingDispatcher, domain
) -> None:
    fake.answer(
        {
            "items": [
                {"name": "SITI A*****", "region": REGION, "programmes": [PKH]},
                {"name": "SITI N*******", "region": REGION, "programmes": [BPNT]},
            ]
        }
    )

    events = await social.ActionBansosCheck().run(dispatcher, submit_tracker(BY_NAME), domain)

    assert fake.last.url.path == "/api/v1/social/recipients"
    assert dict(fake.last.url.params) == {"name": "Siti", "village": "32.73.01.1001"}
    text = texts(dispatcher)
    assert text.startswith('Hasil pencarian "Siti":')
    assert "SITI A*****" in text and "SITI N*******" in text and "PKH" in text and "BPNT" in text
    assert wording("utter_bansos_correction_next") in text
    assert slot_values(events) == CLEARED  # the name searched for is not kept


async def test_by_name_nobody_found(
    fake: FakeGateway, dispatcher: CollectingDispatcher, domain: DomainDict
) -> None:
    fake.answer({"items": []})

    await social.ActionBansosCheck().run(dispatcher, submit_tracker(BY_NAME), domain)

    assert texts(dispatcher) == wording("utter_bansos_no_match", name="Siti") + " " + NOT_A_RECIPIENT_NEXT


@pytest.mark.parametrize("failure", UNAVAILABLE)
async def test_check_unavailable(
    fake: FakeGateway,
    dispatcher: CollectingDispatcher,
    domain: DomainDict,
    failure: Callable[[FakeGateway], None],
) -> None:
    failure(fake)

    events = await social.ActionBansosCheck().run(dispatcher, submit_tracker(BY_NAME), domain)

    assert texts(dispatcher).startswith(
        "Mohon maaf, layanan Cek Bansos Kementerian Sosial sedang tidak dapat"
    )
    assert slot_values(events) == CLEARED


async def test_stopped_search_says_nothing(
    fake: FakeGateway, dispatcher: CollectingDispatcher, domain
) -> None:
    events = await social.ActionBansosCheck().run(dispatcher, submit_tracker({"bansos_method": None}), domain)

    assert dispatcher.messages == [] and fake.requests == []
    assert slot_values(events) == CLEARED
