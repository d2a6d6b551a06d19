"""Knowledge breadth (issue 18 §3): the questions that reach a form or a lookup but ask a fact of
the registry, answered instead of asking for data: LAPOR! questions (actions/lapor_topics.py),
BPJS emergencies and payment (health_info.py), a first SIM, moving a vehicle and a loss report
(road_topics.py), SPMB age and documents (spmb_topics.py), the deadline to report a civil event
(documents.py), PIP amounts asked as bansos (social_info.py)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from actions import documents, health_info, lapor_topics, road_topics, social_info, spmb_topics
from actions.complaint_status import ActionComplaintStatus, ValidateComplaintStatusForm
from actions.complaints import ActionComplaintSubmit, ValidateComplaintForm
from actions.documents import ActionDocumentRequirements, ValidateDocumentRequirementsForm
from actions.health import ActionBpjsStatus, ActionFacilitySearch, ValidateFacilitySearchForm
from knowledge import facts
from tests.actions.builders import action, slot, tracker_from_events, user
from tests.actions.flow_helpers import form_tracker, payloads, texts


def run(act: Any, dispatcher: Any, tracker: Any, domain: Any) -> list[dict[str, Any]]:
    return asyncio.run(act.run(dispatcher, tracker, domain))


def opened(form: str, intent: str, text: str, entities: tuple[tuple[str, str], ...] = ()) -> Any:
    """The tracker of a submit action right after `form` opened and ended on `text`."""
    return tracker_from_events(
        [
            action("action_listen"),
            user(intent, text, entities),
            action(form),
            {"event": "active_loop", "name": form},
            slot("requested_slot", None),
            {"event": "active_loop", "name": None},
        ]
    )


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("Kalau saya lapor lewat LAPOR!, berapa lama sampai ditanggapi?", "time"),
        ("lapor di lapor.go.id biasanya brp lama baru ditanggapi", "time"),
        ("bs lapor tanpa nama ga? takut ketauan", "anonymity"),
        ("apakah identitas pelapor dirahasiakan?", "anonymity"),
        ("Bisa nggak lapor pengaduan lewat SMS?", "channels"),
        ("kalau instansinya tidak menindaklanjuti laporan, saya bisa eskalasi ke mana?", "escalation"),
        ("laporan saya gak ditanggapi, lapor ke ombudsman bisa?", "escalation"),
    ],
)
def test_a_question_about_lapor_is_recognised(text: str, topic: str) -> None:
    assert lapor_topics.topic_in(text) == topic


@pytest.mark.parametrize(
    "text",
    [
        "mau lapor jalan rusak di depan rumah",
        "lapor sampah menumpuk berapa lama ditanggapi?",  # a complaint that also asks
        "saya mau lapor pungli di kantor desa, sudah lapor tidak ditanggapi",
        "mau buat pengaduan",
    ],
)
def test_a_complaint_is_no_lapor_question(text: str) -> None:
    assert lapor_topics.topic_in(text) is None


def test_the_complaint_form_answers_a_lapor_question_instead_of_asking(dispatcher, domain) -> None:
    slots = ["complaint_category", "complaint_location", "complaint_description", "complaint_confirmed"]
    asked = form_tracker(
        "complaint_form", None, user("complaint_submit", "bisa lapor tanpa nama?"), activating=True
    )
    assert asyncio.run(ValidateComplaintForm().required_slots(slots, dispatcher, asked, domain)) == []
    plain = form_tracker("complaint_form", None, user("complaint_submit", "mau lapor"), activating=True)
    assert asyncio.run(ValidateComplaintForm().required_slots(slots, dispatcher, plain, domain)) == slots
    run(
        ActionComplaintSubmit(),
        dispatcher,
        opened("complaint_form", "complaint_submit", "bisa lapor tanpa nama?"),
        domain,
    )
    assert "anonim" in texts(dispatcher)


def test_the_complaint_form_answers_a_police_fee_question(dispatcher, domain) -> None:
    tracker = opened("complaint_form", "complaint_submit", "minta surat kehilangan di polsek bayar tidak?")
    run(ActionComplaintSubmit(), dispatcher, tracker, domain)
    assert facts.get("police.loss_report.fee").text in texts(dispatcher)


def test_a_bribe_asked_as_a_question_stays_a_complaint(dispatcher, domain) -> None:
    slots = ["complaint_category"]
    text = "polisi minta uang damai pas bikin surat kehilangan, berapa sih resminya?"
    asked = form_tracker("complaint_form", None, user("complaint_submit", text), activating=True)
    assert asyncio.run(ValidateComplaintForm().required_slots(slots, dispatcher, asked, domain)) == slots


def test_the_status_form_answers_where_to_escalate(dispatcher, domain) -> None:
    text = "kalau instansinya tidak menindaklanjuti laporan, saya bisa eskalasi ke mana?"
    asked = form_tracker("complaint_status_form", None, user("complaint_status", text), activating=True)
    assert (
        asyncio.run(ValidateComplaintStatusForm().required_slots(["ticket_id"], dispatcher, asked, domain))
        == []
    )
    run(
        ActionComplaintStatus(), dispatcher, opened("complaint_status_form", "complaint_status", text), domain
    )
    said = texts(dispatcher)
    assert "Ombudsman" in said and facts.get("ombudsman.escalation").basis in said
    with_number = form_tracker(
        "complaint_status_form",
        None,
        user("complaint_status", f"{text} LPR-2026-00042", [("ticket_id", "LPR-2026-00042")]),
        activating=True,
    )
    assert asyncio.run(
        ValidateComplaintStatusForm().required_slots(["ticket_id"], dispatcher, with_number, domain)
    ) == ["ticket_id"]


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("kalau gawat darurat ke IGD tanpa rujukan ditanggung BPJS?", "emergency"),
        ("bayar iuran bpjs mandiri bs lewat mana aja sih", "payment"),
        ("bayar bpjs paling lambat tanggal berapa", "payment"),
        ("abis kena phk, bpjs kesehatan dr kantor msh aktif ga?", "job_loss"),
        ("saya baru 2 bulan di puskesmas ini, sudah boleh pindah faskes belum?", "facility_change"),
    ],
)
def test_a_bpjs_question_is_answered_not_looked_up(text: str, topic: str) -> None:
    tracker = tracker_from_events([action("action_listen"), user("health_bpjs_status", text)])
    assert health_info.question_topic(tracker) == topic


def test_a_lookup_request_is_no_bpjs_question() -> None:
    for text in ("cek status bpjs saya kena phk 3273010101010001", "cek bpjs saya masih aktif ga"):
        tracker = tracker_from_events([action("action_listen"), user("health_bpjs_status", text)])
        assert health_info.question_topic(tracker) is None


def test_the_membership_check_answers_job_loss_from_the_registry(dispatcher, domain) -> None:
    tracker = opened(
        "bpjs_status_form", "health_bpjs_status", "abis kena phk, bpjs kesehatan dr kantor msh aktif ga?"
    )
    run(ActionBpjsStatus(), dispatcher, tracker, domain)
    assert facts.get("bpjs.job_loss.free_months").text in texts(dispatcher)


def test_the_facility_search_answers_an_emergency_question(dispatcher, domain) -> None:
    text = "kalau gawat darurat langsung ke IGD rumah sakit tanpa rujukan, ditanggung BPJS tidak?"
    asked = form_tracker("facility_search_form", None, user("health_facility_search", text), activating=True)
    form = ValidateFacilitySearchForm()
    assert asyncio.run(form.required_slots(["facility_region"], dispatcher, asked, domain)) == []
    named = form_tracker(
        "facility_search_form",
        None,
        user("health_facility_search", "igd di bandung", [("region", "Kota Bandung")]),
        activating=True,
    )
    assert asyncio.run(form.required_slots(["facility_region"], dispatcher, named, domain)) == [
        "facility_region"
    ]
    run(
        ActionFacilitySearch(),
        dispatcher,
        opened("facility_search_form", "health_facility_search", text),
        domain,
    )
    said = texts(dispatcher)
    assert "tanpa surat rujukan" in said and facts.get("bpjs.emergency.no_referral").basis in said


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("umur brp boleh bikin sim motor", "sim_age"),
        ("anak saya 16 tahun boleh bikin sim?", "sim_age"),
        ("syarat bikin sim c baru apa aja?", "sim_requirements"),
        ("mutasi mobil keluar provinsi biayanya berapa dan syaratnya apa", "vehicle_mutation"),
        ("minta surat kehilangan di polsek bayar tidak?", "loss_report"),
        ("sim berlaku berapa tahun", "sim_validity"),
    ],
)
def test_new_rule_questions_are_recognised(text: str, topic: str) -> None:
    found = road_topics.find_topic(text)
    assert found is not None and found.name == topic


def test_the_documents_form_answers_a_vehicle_question(dispatcher, domain) -> None:
    text = "mutasi mobil keluar provinsi biayanya berapa dan syaratnya apa"
    asked = form_tracker(
        "document_requirements_form", None, user("id_document_requirements", text), activating=True
    )
    form = ValidateDocumentRequirementsForm()
    assert asyncio.run(form.required_slots(["document_type"], dispatcher, asked, domain)) == []
    run(
        ActionDocumentRequirements(),
        dispatcher,
        opened("document_requirements_form", "id_document_requirements", text),
        domain,
    )
    assert facts.get("vehicle.mutation.fee").text_of("roda_4_atau_lebih") in texts(dispatcher)


def test_the_deadline_to_report_a_death(dispatcher, domain) -> None:
    values = documents.read_question(
        "bapak meninggal minggu lalu, ngelapor ke capil paling telat kapan", None
    )
    assert values == {"document_type": "death_certificate", "document_case": "deadline"}
    response = documents.answer_response("death_certificate", "deadline", domain["responses"])
    assert response == "utter_document_death_certificate_deadline"
    assert documents.answer_response("ktp_el", "deadline", domain["responses"]) == "utter_document_deadline"


def test_spmb_topics_of_the_opening_request() -> None:
    assert spmb_topics.topic_in("umur minimal masuk sd brp thn skrg") == "age"
    assert spmb_topics.topic_in("syarat daftar sd apa aja") == "documents"
    assert spmb_topics.topic_in("jalur spmb smp ada apa aja?") is None
    tracker = tracker_from_events(
        [
            action("action_listen"),
            user("edu_school_admission", "umur minimal masuk sekolah berapa"),
            action("spmb_form"),
            {"event": "active_loop", "name": "spmb_form"},
            slot("requested_slot", "school_level"),
            action("action_listen"),
            user("inform", "sd"),
        ]
    )
    assert spmb_topics.topic_of_request(tracker) == "age"


def test_a_pip_amount_asked_as_bansos_gives_the_level_asked(dispatcher) -> None:
    social_info.answer(dispatcher, "amount", "pip", "Dana PIP untuk siswa SD berapa setahun?")
    assert dispatcher.messages[0]["response"] == "utter_pip_amount_sd"
    assert "/edu_pip_status" in payloads(dispatcher)


def test_the_complaint_form_answers_the_deadline_to_report_a_death(dispatcher, domain) -> None:
    text = "bapak meninggal minggu lalu, ngelapor ke capil paling telat kapan"
    asked = form_tracker("complaint_form", None, user("complaint_submit", text), activating=True)
    assert (
        asyncio.run(ValidateComplaintForm().required_slots(["complaint_category"], dispatcher, asked, domain))
        == []
    )
    run(ActionComplaintSubmit(), dispatcher, opened("complaint_form", "complaint_submit", text), domain)
    assert dispatcher.messages[0]["response"] == "utter_document_death_certificate_deadline"
    complaint = "akta kematian bapak sudah 3 bulan belum jadi, petugas capil lambat sekali"
    filed = form_tracker("complaint_form", None, user("complaint_submit", complaint), activating=True)
    assert asyncio.run(
        ValidateComplaintForm().required_slots(["complaint_category"], dispatcher, filed, domain)
    ) == ["complaint_category"]


def test_a_pip_amount_asked_as_bansos_offers_the_other_levels(dispatcher) -> None:
    social_info.answer(dispatcher, "amount", "pip", "nominal pip sd berapa")
    titles = [button["title"] for button in dispatcher.messages[0]["buttons"]]
    assert titles[:2] == ["SMP", "SMA/SMK"]
