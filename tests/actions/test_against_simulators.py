"""The actions against the real gateway and its simulated ministries (issue 3).

The other action tests fake the gateway at the HTTP transport; these run the submit actions
against `uvicorn api.main:app` (tests/actions/live_gateway.py) with the seed's personas, and
check that each reply carries the facts the gateway gives for that persona (read from the same
gateway), that a wrong birth date is refused and forgotten, and that a ministry that times out
or fails gets the apology with an alternative, quickly.

Locally the tests skip when `.venv/api` is missing; under CI=true they fail.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from rasa_sdk import Action
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import (
    application_status,
    applications,
    asn,
    case_replies,
    complaint_status,
    complaints,
    education,
    health,
    police,
    satudata,
    skck,
    social,
    vehicle_tax,
)
from actions.answers import rupiah, tanggal
from actions.gateway import Gateway, use_gateway
from actions.lookups import Failure
from knowledge import facts
from tests.actions.flow_helpers import submit_tracker, texts, wording
from tests.actions.live_gateway import JSON, LiveGateway, load_personas, require_api_venv, start_gateway

# The failure tests' gateway: BPJS hangs (the gateway gives up after 0.5 s), Korlantas answers
# 503. The actions must apologise well within the time a citizen waits.
FAULTS = "bpjs=timeout,korlantas=error"
MINISTRY_TIMEOUT_SECONDS = "0.5"
QUICK_SECONDS = 2.0

IDENTITY_MISMATCH = wording("utter_identity_mismatch")


def unavailable(failure: Failure) -> str:
    """The apology for `failure`'s ministry being down or slow."""
    return wording("utter_service_unavailable", service=failure.service, alternative=failure.alternative)


@pytest.fixture(scope="session")
def simulated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveGateway]:
    """The gateway with every simulated ministry working."""
    require_api_venv()
    # A persona verifies again in the next test at once: no resend interval here.
    gateway = start_gateway(tmp_path_factory.mktemp("gateway"), AW_OTP_RESEND_SECONDS="0")
    yield gateway
    gateway.stop()


@pytest.fixture(scope="session")
def faulty(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveGateway]:
    """A second gateway whose BPJS times out and whose Korlantas fails."""
    require_api_venv()
    gateway = start_gateway(
        tmp_path_factory.mktemp("faulty-gateway"),
        AW_SIMULATED_FAULTS=FAULTS,
        AW_MINISTRY_TIMEOUT_SECONDS=MINISTRY_TIMEOUT_SECONDS,
        AW_OTP_RESEND_SECONDS="0",
    )
    yield gateway
    gateway.stop()


@pytest.fixture(scope="session")
def personas() -> dict[str, JSON]:
    require_api_venv()
    return load_personas()


async def _pointed_at(live: LiveGateway) -> AsyncIterator[LiveGateway]:
    # One client per test: an httpx client belongs to the event loop it first ran in.
    client = Gateway(base_url=live.url, token=live.token)
    use_gateway(client)
    try:
        yield live
    finally:
        use_gateway(None)
        await client.aclose()
        live.conversation = None
        _conversation.clear()


@pytest.fixture()
async def gateway(simulated: LiveGateway) -> AsyncIterator[LiveGateway]:
    """The actions call the working gateway; the test reads expected facts from it."""
    async for live in _pointed_at(simulated):
        yield live


@pytest.fixture()
async def failing_gateway(faulty: LiveGateway) -> AsyncIterator[LiveGateway]:
    async for live in _pointed_at(faulty):
        yield live


# The conversation the actions run in: verified by `LiveGateway.verify()` (api/identity).
_conversation: dict[str, str] = {}


def verified(live: LiveGateway, person: JSON, *, family: bool = False) -> None:
    """The citizen proves `person`'s NIK by the SMS code; the actions and the expected facts
    then come from that conversation."""
    _conversation["id"] = live.verify(person, family=family)


async def run(action: Action, slots: dict[str, Any], domain: DomainDict) -> tuple[str, list[EventType]]:
    """Run a submit action on a tracker holding `slots`, in the verified conversation; what it
    said, and its events."""
    dispatcher = CollectingDispatcher()
    tracker = submit_tracker(slots, sender_id=_conversation.get("id", "test"))
    events = await action.run(dispatcher, tracker, domain)
    return texts(dispatcher), events


def slot_value(events: list[EventType], name: str) -> Any:
    values = [event["value"] for event in events if event.get("event") == "slot" and event["name"] == name]
    assert values, f"no SlotSet({name!r}) in {events}"
    return values[-1]


def day_after(birth_date: str) -> str:
    return (dt.date.fromisoformat(birth_date) + dt.timedelta(days=1)).isoformat()


# --- Health ------------------------------------------------------------------------------------


async def test_bpjs_membership_by_nik_gives_the_members_data(
    gateway: LiveGateway, personas: dict[str, JSON], domain: DomainDict
) -> None:
    person = personas["bpjs_active"]
    verified(gateway, person)
    identity_pair = {"nik": person["nik"], "birth_date": person["birth_date"]}
    member = gateway.post("/health/bpjs/membership", identity_pair)

    text, events = await run(health.ActionBpjsStatus(), identity_pair, domain)

    assert events == []
    assert member["status"] == "aktif" and "Status: Aktif" in text
    for fact in (
        member["name"],
        member["card_number"],  # masked: *********1234
        member["facility"]["name"],
        rupiah(member["monthly_contribution"]),
        member["legal_basis"],
    ):
        assert fact in text


async def test_bpjs_membership_by_card_gives_the_arrears(
    gateway: LiveGateway, personas: dict[str, JSON], domain: DomainDict
) -> None:
    person = personas["bpjs_inactive_arrears"]
    verified(gateway, person)
    member = gateway.post(
        "/health/bpjs/membership", {"card_number": person["card_number"], "birth_date": person["birth_date"]}
    )
    arrears = member["arrears"]
    assert arrears["months"] > 0  # the persona this test is about

    text, _ = await run(
        health.ActionBpjsStatus(),
        {"bpjs_number": person["card_number"], "birth_date": person["birth_date"]},
        domain,
    )

    assert "Status: Tidak aktif" in text
    assert f"{arrears['months']} bulan, total {rupiah(arrears['amount'])}" in text
    assert wording("utter_bpjs_how_to_pay_arrears") in text


# --- Education ---------------------------------------------------------------------------------


async def test_pip_status_gives_the_students_award(
    gateway: LiveGateway, personas: dict[str, JSON], domain: DomainDict
) -> None:
    student = personas["pip_recipient"]
    verified(gateway, student, family=True)  # the code goes to a parent, who is verified
    pip = gateway.post("/education/pip", {"nisn": student["nisn"], "birth_date": student["birth_date"]})
    assert pip["recipient"]

    text, events = await run(
        education.ActionPipStatus(),
        {"nisn": student["nisn"], "student_birth_date": student["birth_date"]},
        domain,
    )

    assert events == [SlotSet("student_birth_date", None)]
    for fact in (pip["name"], pip["school"], f"tahun {pip['year']}", rupiah(pip["amount"])):
        assert fact in text
    assert f"Dasar hukum: {pip['legal_basis']}." in text


# --- Social assistance -------------------------------------------------------------------------


async def test_bansos_by_nik_lists_the_programmes(
    gateway: LiveGateway, personas: dict[str, JSON], domain: DomainDict
) -> None:
    person = personas["bansos_pkh"]
    verified(gateway, person)
    record = gateway.post(
        "/social/recipients/by-nik", {"nik": person["nik"], "birth_date": person["birth_date"]}
    )
    assert record["programmes"]

    text, events = await run(
        social.ActionBansosCheck(),
        {"bansos_method": "nik", "nik": person["nik"], "birth_date": person["birth_date"]},
        domain,
    )

    assert SlotSet("bansos_method", None) in events
    assert record["name"] in text and record["region"]["village"] in text
    for programme in record["programmes"]:
        assert f"• {programme['programme']}: periode {programme['period']}" in text
        assert rupiah(programme["amount"]) in text


# --- Population documents ----------------------------------------------------------------------


async def test_population_application_is_filed_and_its_case_followed(
    gateway: LiveGateway, personas: dict[str, JSON], domain: DomainDict
) -> None:
    person = personas["adult"]
    verified(gateway, person)
    slots = {
        "application_type": "kk_change",
        "kk_change_reason": "perubahan_data",
        "nik": person["nik"],
        "birth_date": person["birth_date"],
        "application_confirmed": True,
    }

    filed, events = await run(applications.ActionPopulationApplication(), slots, domain)

    case_number = slot_value(events, "ticket_id")
    assert re.fullmatch(r"ADM-\d{4}-\d{6}", case_number)
    assert case_number in filed and "Dasar hukum:" in filed
    assert slot_value(events, "application_type") is None  # the next application starts afresh
    case = gateway.get(f"/cases/{case_number}")
    assert case["kind"] == "population_application"
    assert f"Diajukan {tanggal(case['created_at'])}; perkiraan selesai" in filed

    status, _ = await run(application_status.ActionApplicationStatus(), {"ticket_id": case_number}, domain)

    assert status.startswith(f"Permohonan {case_number}: {case['status_label']}.")
    assert case_replies.summary_text(case["summary"]) in status
    assert f"Diajukan {tanggal(case['created_at'])}" in status


# --- Satu Data ---------------------------------------------------------------------------------


async def test_statistics_give_the_published_figure_and_its_source(
    gateway: LiveGateway, domain: DomainDict
) -> None:
    figure = gateway.get("/statistics", indicator="poverty_rate", region="Jawa Barat")

    text, events = await run(
        satudata.ActionStatistics(), {"statistic_indicator": "poverty_rate", "region": "Jawa Barat"}, domain
    )

    assert events == [SlotSet("statistics_shown_year", str(figure["year"]))]  # "tahun lalu?" counts from it
    assert f"{figure['label']} — Jawa Barat, {figure['period']} {figure['year']}" in text
    assert f"{satudata.number(figure['value'])} {figure['unit']}" in text
    assert figure["source"] in text and figure["published"] in text and figure["url"] in text
    assert ("Catatan: angka ini" in text) is not figure["verified"]


# --- Payments ----------------------------------------------------------------------------------


async def test_vehicle_tax_and_its_billing_code(
    gateway: LiveGateway, personas: dict[str, JSON], domain: DomainDict
) -> None:
    plate = personas["vehicle_owner_overdue"]["plate"]
    tax = gateway.get(f"/payments/vehicle-tax/{plate.replace(' ', '')}")
    assert tax["total"] > 0 and tax["overdue_days"] > 0

    text, events = await run(vehicle_tax.ActionVehicleTax(), {"plate_number": plate}, domain)

    assert events == [SlotSet("tax_billing_offered", True)]
    for fact in (
        f"Pajak kendaraan {tax['plate']}",
        f"PKB: {rupiah(tax['pkb'])}",
        f"SWDKLLJ: {rupiah(tax['swdkllj'])}",
        f"Denda: {rupiah(tax['fine'])}",
        f"Total: {rupiah(tax['total'])}",
        f"Jatuh tempo: {tanggal(tax['due_date'])} (terlambat {tax['overdue_days']} hari)",
        tax["legal_basis"],
    ):
        assert fact in text

    text, events = await run(
        vehicle_tax.ActionVehicleTaxBilling(), {"plate_number": plate, "tax_billing_offered": True}, domain
    )

    code = slot_value(events, "billing_code")
    billing = gateway.get(f"/payments/billings/{code}")
    assert billing["amount"] == tax["total"] and billing["status"] == "belum_dibayar"
    assert f"Kode billing Anda: {code}" in text
    assert f"{billing['description']}: {rupiah(billing['amount'])}" in text
    assert f"Nomor kasus: {billing['case_number']}" in text


# --- Complaints --------------------------------------------------------------------------------


async def test_complaint_is_filed_and_its_status_followed(gateway: LiveGateway, domain: DomainDict) -> None:
    category = gateway.get("/complaints/categories")["items"][0]
    slots = {
        "complaint_category": category["key"],
        "complaint_location": "Jalan Merdeka depan pasar, Kota Bandung",
        "complaint_description": "Jalan berlubang besar sudah dua bulan dan membahayakan pengendara motor.",
        "complaint_confirmed": True,
    }

    filed, events = await run(complaints.ActionComplaintSubmit(), slots, domain)

    case_number = slot_value(events, "ticket_id")
    assert re.fullmatch(r"LPR-\d{4}-\d{5}", case_number)
    complaint = gateway.get(f"/complaints/{case_number}")
    assert f"dengan nomor {case_number} (nomor pelacakan di lapor.go.id: {complaint['tracking_id']})" in filed
    assert f"paling lambat {tanggal(complaint['verify_by'])}" in filed
    assert f"({facts.get('lapor.verify_working_days').text}, {facts.get('lapor.procedure').text})" in filed

    status, events = await run(complaint_status.ActionComplaintStatus(), {"ticket_id": case_number}, domain)

    assert events == []
    assert status.startswith(
        f"Pengaduan {case_number} ({category['label']}): status saat ini {complaint['status_label'].lower()}"
    )


# --- Civil service -----------------------------------------------------------------------------


async def test_casn_result_gives_every_stage(
    gateway: LiveGateway, personas: dict[str, JSON], domain: DomainDict
) -> None:
    person = personas["casn_passed"]
    verified(gateway, person)
    body = {"participant_number": person["participant_number"], "birth_date": person["birth_date"]}
    result = gateway.post("/civil-service/results", body)

    text, events = await run(asn.ActionCasnResult(), body, domain)

    assert events == [SlotSet("participant_number", None)]
    assert result["name"] in text and result["position"] in text and result["agency"] in text
    for stage in result["stages"]:
        assert asn.stage_line(stage) in text
    assert wording(f"utter_casn_final_{result['final']}") in text


# --- Police ------------------------------------------------------------------------------------


async def test_sim_renewal_gives_each_licence(
    gateway: LiveGateway, personas: dict[str, JSON], domain: DomainDict
) -> None:
    person = personas["sim_renewable"]
    verified(gateway, person)
    holder = gateway.post("/police/sim", {"nik": person["nik"], "birth_date": person["birth_date"]})
    assert holder["licences"]

    text, events = await run(
        police.ActionSimRenewal(), {"nik": person["nik"], "birth_date": person["birth_date"]}, domain
    )

    assert events == []
    assert holder["name"] in text
    for licence in holder["licences"]:
        sim = f"SIM {police.display_class(licence['class'])}"
        assert f"• {sim} (nomor berakhiran {licence['number'][-4:]})" in text
        assert tanggal(licence["expires_on"]) in text
    assert facts.get("sim.validity").basis in text


async def test_skck_application_gives_its_case_and_billing(
    gateway: LiveGateway, personas: dict[str, JSON], domain: DomainDict
) -> None:
    person = personas["adult"]
    verified(gateway, person)
    slots = {
        "skck_apply": True,
        "nik": person["nik"],
        "birth_date": person["birth_date"],
        "skck_purpose": "melamar pekerjaan",
        "skck_confirmed": True,
    }
    fee = next(item for item in gateway.get("/police/fees")["items"] if item["service"] == "skck")

    text, events = await run(skck.ActionSkckApply(), slots, domain)

    case_number, code = slot_value(events, "ticket_id"), slot_value(events, "billing_code")
    assert re.fullmatch(r"SKCK-\d{4}-\d{6}", case_number)
    assert gateway.get(f"/cases/{case_number}")["kind"] == "skck"
    billing = gateway.get(f"/payments/billings/{code}")
    assert billing["amount"] == fee["amount"]
    assert f"nomor {case_number}" in text
    assert f"Kode billing PNBP SKCK: {code}, sebesar {rupiah(fee['amount'])}" in text


# --- A wrong birth date ------------------------------------------------------------------------


@dataclass(frozen=True)
class Mismatch:
    """A lookup with the persona's identifier and the wrong birth date: the refusal and the
    slots it forgets."""

    action: Action
    persona: str
    slots: dict[str, str]  # slot → persona field ("birth_date" is replaced by the day after)
    refusal: str
    forgotten: tuple[str, ...]


MISMATCHES = [
    Mismatch(health.ActionBpjsStatus(), "bpjs_active", {"nik": "nik", "birth_date": "birth_date"},
             IDENTITY_MISMATCH, ("nik", "birth_date")),
    Mismatch(social.ActionBansosCheck(), "bansos_pkh", {"nik": "nik", "birth_date": "birth_date"},
             IDENTITY_MISMATCH, ("nik", "birth_date")),
    Mismatch(police.ActionSimRenewal(), "sim_renewable", {"nik": "nik", "birth_date": "birth_date"},
             IDENTITY_MISMATCH, ("nik", "birth_date")),
    Mismatch(applications.ActionPopulationApplication(), "adult", {"nik": "nik", "birth_date": "birth_date"},
             IDENTITY_MISMATCH, ("nik", "birth_date", "application_type")),
    Mismatch(skck.ActionSkckApply(), "adult", {"nik": "nik", "birth_date": "birth_date"},
             IDENTITY_MISMATCH, ("nik", "birth_date", "skck_purpose")),
    Mismatch(education.ActionPipStatus(), "pip_recipient",
             {"nisn": "nisn", "student_birth_date": "birth_date"},
             wording("utter_identity_not_verified"), ("nisn", "student_birth_date", "verified_for")),
    Mismatch(asn.ActionCasnResult(), "casn_passed",
             {"participant_number": "participant_number", "birth_date": "birth_date"},
             wording("utter_identity_not_verified"), ("participant_number", "birth_date", "verified_for")),
]  # fmt: skip
# What the flows that file something need besides the identity.
FLOW_SLOTS: dict[str, dict[str, Any]] = {
    "action_bansos_check": {"bansos_method": "nik"},
    "action_population_application": {
        "application_type": "kk_change",
        "kk_change_reason": "pindah",
        "application_confirmed": True,
    },
    "action_skck_apply": {"skck_apply": True, "skck_purpose": "melamar pekerjaan", "skck_confirmed": True},
}


@pytest.mark.parametrize("case", MISMATCHES, ids=lambda case: case.action.name())
async def test_wrong_birth_date_is_refused_and_forgotten(
    gateway: LiveGateway, personas: dict[str, JSON], domain: DomainDict, case: Mismatch
) -> None:
    person = personas[case.persona]
    verified(gateway, person, family=case.persona == "pip_recipient")
    slots = {slot: person[field] for slot, field in case.slots.items()}
    for slot, field in case.slots.items():
        if field == "birth_date":
            slots[slot] = day_after(person["birth_date"])
    slots |= FLOW_SLOTS.get(case.action.name(), {})

    text, events = await run(case.action, slots, domain)

    assert text == case.refusal
    for slot in case.forgotten:
        assert slot_value(events, slot) is None
    assert not any(event.get("name") == "ticket_id" for event in events)


# --- A ministry that times out or fails --------------------------------------------------------


async def test_bpjs_timing_out_gets_the_apology_quickly(
    failing_gateway: LiveGateway, personas: dict[str, JSON], domain: DomainDict
) -> None:
    person = personas["bpjs_active"]
    verified(failing_gateway, person)
    identity_pair = {"nik": person["nik"], "birth_date": person["birth_date"]}
    answer = failing_gateway.response("POST", "/health/bpjs/membership", json=identity_pair)
    assert (answer.status_code, answer.json()["code"]) == (504, "ministry_timeout")
    started = time.monotonic()

    text, events = await run(health.ActionBpjsStatus(), identity_pair, domain)

    assert time.monotonic() - started < QUICK_SECONDS
    assert text == unavailable(health.BPJS_FAILURE)
    assert events == []  # the identity stays: trying again needs no retyping


async def test_korlantas_failing_gets_the_apology_quickly(
    failing_gateway: LiveGateway, personas: dict[str, JSON], domain: DomainDict
) -> None:
    person = personas["sim_renewable"]
    verified(failing_gateway, person)
    identity_pair = {"nik": person["nik"], "birth_date": person["birth_date"]}
    answer = failing_gateway.response("POST", "/police/sim", json=identity_pair)
    assert (answer.status_code, answer.json()["code"]) == (503, "ministry_unavailable")
    started = time.monotonic()

    text, events = await run(police.ActionSimRenewal(), identity_pair, domain)

    assert time.monotonic() - started < QUICK_SECONDS
    assert text == unavailable(police.SIM_FAILURE)
    assert events == []


async def test_the_other_ministries_still_answer_beside_the_failing_ones(
    failing_gateway: LiveGateway, personas: dict[str, JSON], domain: DomainDict
) -> None:
    student = personas["pip_recipient"]
    verified(failing_gateway, student, family=True)
    body = {"nisn": student["nisn"], "birth_date": student["birth_date"]}
    pip = failing_gateway.post("/education/pip", body)

    text, _ = await run(
        education.ActionPipStatus(),
        {"nisn": student["nisn"], "student_birth_date": student["birth_date"]},
        domain,
    )

    assert pip["name"] in text and rupiah(pip["amount"]) in text
