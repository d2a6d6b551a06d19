"""Filing a LAPOR! complaint (actions/complaints.py); the complaint rules."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import yaml
from rasa_sdk.events import ActiveLoop, SlotSet

from actions import complaints
from actions.answers import aside_intents
from actions.complaints import (
    ActionAskComplaintCategory,
    ActionAskComplaintConfirmed,
    ActionComplaintSubmit,
    ValidateComplaintForm,
)
from actions.flows import ActionCancelFlow
from actions.gateway import use_gateway
from tests.actions.builders import ROOT, user
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

CATEGORIES = {
    "items": [
        {"key": "pungli", "label": "Pungutan liar"},
        {"key": "infrastruktur", "label": "Jalan dan infrastruktur"},
        {"key": "pelayanan_publik", "label": "Pelayanan publik"},
    ]
}
DESCRIPTION = "Petugas kelurahan meminta uang Rp200.000 agar akta kelahiran anak saya cepat selesai"
FILED = {
    "case_number": "LPR-2026-00042",
    "tracking_id": "4821937",
    "status": "diterima",
    "verify_by": "2026-03-04",
    "follow_up_by": "2026-03-11",
    "legal_basis": "Perpres 76/2013",
}
ANSWERS = {
    "complaint_category": "pungli",
    "complaint_location": "Kelurahan Sukajadi, Kota Bandung",
    "complaint_description": DESCRIPTION,
    "complaint_confirmed": True,
}
FORGOTTEN = [SlotSet(slot, None) for slot in complaints.COMPLAINT_SLOTS]


@pytest.fixture()
def fake() -> Iterator[FakeGateway]:
    fake = FakeGateway()
    use_gateway(fake.client)
    yield fake
    use_gateway(None)


def slot_events(events: list[dict]) -> dict[str, object]:
    return {event["name"]: event["value"] for event in events if event.get("event") == "slot"}


async def validate_complaint(dispatcher, domain, requested, message, **kwargs) -> dict[str, object]:
    tracker = form_tracker("complaint_form", requested, message, **kwargs)
    return slot_events(await ValidateComplaintForm().run(dispatcher, tracker, domain))


# --- category ----------------------------------------------------------------------------


async def test_the_category_question_has_one_button_per_category(fake, dispatcher, domain) -> None:
    fake.answer(CATEGORIES)

    events = await ActionAskComplaintCategory().run(dispatcher, submit_tracker({}), domain)

    assert events == []
    assert fake.last.url.path == "/api/v1/complaints/categories"
    [message] = dispatcher.messages
    assert [button["title"] for button in message["buttons"]] == [
        "Pungutan liar",
        "Jalan dan infrastruktur",
        "Pelayanan publik",
    ]
    assert message["buttons"][0]["payload"] == '/inform{"complaint_category":"pungli"}'


@pytest.mark.parametrize("failure", UNAVAILABLE)
async def test_without_categories_the_form_ends_with_an_apology(fake, dispatcher, domain, failure) -> None:
    failure(fake)

    events = await ActionAskComplaintCategory().run(dispatcher, submit_tracker({}), domain)

    assert events == [SlotSet("requested_slot", None)]
    assert "Mohon maaf" in texts(dispatcher)
    assert "lapor.go.id" in texts(dispatcher) and "1708" in texts(dispatcher)


@pytest.mark.parametrize(
    ("message", "candidates", "expected"),
    [
        (
            user("inform", '/inform{"complaint_category":"pungli"}', [("complaint_category", "pungli")]),
            {"complaint_category": "pungli"},
            "pungli",
        ),
        (user("inform", "pungutan liar"), None, "pungli"),
        (user("complaint_submit", "jalan rusak parah"), None, "infrastruktur"),
        (user("inform", "Pelayanan Publik"), None, "pelayanan_publik"),
    ],
)
async def test_a_category_is_a_button_or_a_typed_name(
    fake, dispatcher, domain, message, candidates, expected
) -> None:
    fake.answer(CATEGORIES)

    slots = await validate_complaint(dispatcher, domain, "complaint_category", message, candidates=candidates)

    assert slots["complaint_category"] == expected
    assert dispatcher.messages == []


async def test_an_unknown_category_is_refused_with_the_buttons_again(fake, dispatcher, domain) -> None:
    fake.answer(CATEGORIES)

    slots = await validate_complaint(
        dispatcher, domain, "complaint_category", user("inform", "cuaca hari ini")
    )

    assert slots["complaint_category"] is None
    [message] = dispatcher.messages
    assert said(message).startswith('Kategori "cuaca hari ini" belum saya kenali.')
    assert len(message["buttons"]) == 3


async def test_a_question_asked_aside_is_not_taken_as_the_category(fake, dispatcher, domain) -> None:
    fake.answer(CATEGORIES)

    slots = await validate_complaint(
        dispatcher, domain, "complaint_category", user("office_info", "kantor buka jam brp")
    )

    assert "complaint_category" not in slots  # nothing extracted: the interruption rule answers it
    assert dispatcher.messages == []
    assert fake.requests == []


@pytest.mark.parametrize("failure", UNAVAILABLE)
async def test_categories_failing_during_validation_end_the_form(fake, dispatcher, domain, failure) -> None:
    failure(fake)

    slots = await validate_complaint(dispatcher, domain, "complaint_category", user("inform", "pungli"))

    assert slots["complaint_category"] is None
    assert slots["requested_slot"] is None
    assert "lapor.go.id" in texts(dispatcher)


# --- location and description -------------------------------------------------------------


async def test_a_region_named_in_the_request_is_the_location(fake, dispatcher, domain) -> None:
    message = user("complaint_submit", "jalan berlubang di kabupaten bogor", [("region", "Kabupaten Bogor")])

    slots = await validate_complaint(dispatcher, domain, None, message, activating=True)

    assert slots["complaint_location"] == "Kabupaten Bogor"


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        (user("inform", "Jl. Merdeka  depan pasar"), "Jl. Merdeka depan pasar"),
        (user("inform", "cileunyi", [("region", "Cileunyi")]), "cileunyi"),
        (user("inform", "sukamaju"), None),
        (user("inform", "12"), None),
        (user("inform", "jalan " * 60), None),
    ],
)
async def test_the_location_needs_a_region_or_two_words(fake, dispatcher, domain, message, expected) -> None:
    slots = await validate_complaint(dispatcher, domain, "complaint_location", message)

    assert slots["complaint_location"] == expected
    assert bool(dispatcher.messages) == (expected is None)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (DESCRIPTION, None),
        ("udh 3 bln jalan depan rmh sy rusak parah gak dibenerin", None),
        ("jalan rusak", wording("utter_short_description", words=str(complaints.MIN_DESCRIPTION_WORDS))),
        ("asdf qwer zxcv hjkl uiop tyui ghjk", wording("utter_garbled_description")),
        ("tolong tolong tolong tolong tolong tolong", wording("utter_garbled_description")),
        ("kata " * 500, wording("utter_long_description", limit="2.000")),
    ],
)
async def test_the_description_must_be_long_enough_and_readable(
    fake, dispatcher, domain, text, problem
) -> None:
    slots = await validate_complaint(dispatcher, domain, "complaint_description", user("inform", text))

    if problem is None:
        assert slots["complaint_description"] == " ".join(text.split())
        assert dispatcher.messages == []
    else:
        assert slots["complaint_description"] is None
        assert texts(dispatcher) == problem


@pytest.mark.parametrize(
    "message",
    [user("ask_menu", "/ask_menu"), user("cancel", "batal"), user("office_info", "/office_info")],
)
async def test_payloads_and_cancelling_are_no_description(fake, dispatcher, domain, message) -> None:
    slots = await validate_complaint(dispatcher, domain, "complaint_description", message)

    assert "complaint_description" not in slots  # the form is rejected: the rules take over
    assert dispatcher.messages == []


async def test_a_description_that_sounds_like_another_question_is_still_a_description(
    fake, dispatcher, domain
) -> None:
    text = "petugas samsat minta biaya sim lebih mahal dari tarif resmi tanpa kuitansi"

    slots = await validate_complaint(
        dispatcher, domain, "complaint_description", user("police_sim_fee", text)
    )

    assert slots["complaint_description"] == text


# --- confirmation --------------------------------------------------------------------------


async def test_the_summary_shows_the_category_label_and_asks_to_send(fake, dispatcher, domain) -> None:
    fake.answer(CATEGORIES)

    await ActionAskComplaintConfirmed().run(dispatcher, submit_tracker(ANSWERS), domain)

    text = texts(dispatcher)
    assert "• Kategori: Pungutan liar" in text
    assert "• Lokasi: Kelurahan Sukajadi, Kota Bandung" in text
    assert DESCRIPTION in text
    assert payloads(dispatcher) == ["/affirm", "/deny"]


@pytest.mark.parametrize(
    ("message", "candidates", "expected"),
    [
        (user("affirm", "ya"), {"complaint_confirmed": True}, True),
        (user("deny", "tidak"), {"complaint_confirmed": False}, False),
        (user("inform", "iyaa kirim aja"), None, True),
        (user("inform", "gak usah"), None, False),
        (user("inform", "hmm entahlah"), None, None),
    ],
)
async def test_the_confirmation_reads_yes_or_no(
    fake, dispatcher, domain, message, candidates, expected
) -> None:
    slots = await validate_complaint(
        dispatcher, domain, "complaint_confirmed", message, candidates=candidates
    )

    assert slots["complaint_confirmed"] is expected
    assert (texts(dispatcher) == wording("utter_complaint_yes_or_no")) == (expected is None)


async def test_a_confirmation_is_never_carried_into_a_new_complaint(fake, dispatcher, domain) -> None:
    slots = await validate_complaint(
        dispatcher,
        domain,
        None,
        user("complaint_submit", "mau lapor"),
        activating=True,
        slots=ANSWERS,
        candidates=ANSWERS,
    )

    assert slots["complaint_confirmed"] is None


async def test_cancelling_forgets_the_answers_but_not_the_identifiers(dispatcher, domain) -> None:
    tracker = submit_tracker(
        {**ANSWERS, "nik": "3273014102900001", "ticket_id": "LPR-2026-00042"}, user("cancel", "batal")
    )
    tracker.active_loop = {"name": "complaint_form"}

    events = await ActionCancelFlow().run(dispatcher, tracker, domain)

    assert events == [ActiveLoop(None), SlotSet("requested_slot", None), *FORGOTTEN]
    assert texts(dispatcher).startswith("Baik, permintaan tadi saya batalkan.")


# --- filing ----------------------------------------------------------------------------------


async def test_a_confirmed_complaint_is_filed_with_its_deadlines(fake, dispatcher, domain) -> None:
    fake.answer(FILED, status=201)

    events = await ActionComplaintSubmit().run(dispatcher, submit_tracker(ANSWERS), domain)

    assert fake.last.method == "POST" and fake.last.url.path == "/api/v1/complaints"
    assert fake.last_json() == {
        "category": "pungli",
        "location": "Kelurahan Sukajadi, Kota Bandung",
        "description": DESCRIPTION,
    }
    text = texts(dispatcher)
    assert text.startswith(
        "Pengaduan Anda sudah diterima LAPOR! dengan nomor LPR-2026-00042 (nomor pelacakan di "
        "lapor.go.id: 4821937)."
    )
    # LAPOR!'s days are its published procedure; no unconfirmed regulation is credited with them.
    assert "memverifikasi laporan paling lambat 4 Maret 2026 (3 hari kerja, prosedur SP4N-LAPOR!)" in text
    assert "menindaklanjutinya paling lambat 11 Maret 2026 (5 hari kerja, prosedur SP4N-LAPOR!)" in text
    assert "PermenPANRB" not in text
    assert '/complaint_status{"ticket_id":"LPR-2026-00042"}' in payloads(dispatcher)
    assert events == [*FORGOTTEN, SlotSet("ticket_id", "LPR-2026-00042")]


async def test_a_complaint_not_confirmed_is_not_filed(fake, dispatcher, domain) -> None:
    events = await ActionComplaintSubmit().run(
        dispatcher, submit_tracker({**ANSWERS, "complaint_confirmed": False}), domain
    )

    assert fake.requests == []
    assert texts(dispatcher) == wording("utter_complaint_not_sent")
    assert events == FORGOTTEN


async def test_a_form_that_ended_early_files_nothing_and_says_nothing(fake, dispatcher, domain) -> None:
    events = await ActionComplaintSubmit().run(
        dispatcher, submit_tracker({**ANSWERS, "complaint_category": None}), domain
    )

    assert fake.requests == [] and dispatcher.messages == []
    assert events == FORGOTTEN


@pytest.mark.parametrize("failure", UNAVAILABLE)
async def test_lapor_down_apologises_and_keeps_the_answers(fake, dispatcher, domain, failure) -> None:
    failure(fake)

    events = await ActionComplaintSubmit().run(dispatcher, submit_tracker(ANSWERS), domain)

    assert texts(dispatcher).startswith("Mohon maaf, layanan LAPOR! sedang tidak dapat dihubungi")
    assert "SMS 1708" in texts(dispatcher)
    assert "/complaint_submit" in payloads(dispatcher)
    assert events == [SlotSet("complaint_confirmed", None)]


async def test_a_refused_complaint_shows_the_gateways_reason(fake, dispatcher, domain) -> None:
    fake.error(422, "invalid_input", "Kategori pengaduan tidak dikenal.")

    events = await ActionComplaintSubmit().run(dispatcher, submit_tracker(ANSWERS), domain)

    assert texts(dispatcher) == "Kategori pengaduan tidak dikenal."
    assert events == FORGOTTEN


# --- rules -----------------------------------------------------------------------------------


def interruption_intents(rules_file: str, form: str) -> set[str]:
    rules = yaml.safe_load((ROOT / "data" / "rules" / rules_file).read_text())["rules"]
    [rule] = [
        rule
        for rule in rules
        if rule.get("condition") == [{"active_loop": form}] and "or" in rule["steps"][0]
    ]
    return {step["intent"] for step in rule["steps"][0]["or"]}


@pytest.mark.parametrize(
    ("form", "intent"),
    [("complaint_form", "complaint_submit"), ("complaint_status_form", "complaint_status")],
)
def test_interruption_rules_answer_the_intents_the_extractors_leave_alone(form: str, intent: str) -> None:
    assert interruption_intents("complaints.yml", form) == set(aside_intents(intent))


def test_every_action_of_the_domain_file_is_registered() -> None:
    from rasa_sdk.executor import ActionExecutor

    executor = ActionExecutor()
    executor.register_package("actions")
    declared = yaml.safe_load((ROOT / "domain" / "complaints.yml").read_text())["actions"]
    assert set(declared) <= set(executor.actions)


# --- the category inferred from the request, and corrected -----------------------------------


@pytest.mark.parametrize(
    ("text", "key", "label"),
    [
        ("saya dimintai uang sama petugas di kantor desa", "pungli", "Pungutan liar"),
        ("petugas kecamatan suruh bayar buat surat pindah, padahal gratis", "pungli", "Pungutan liar"),
        ("mau lapor jalan rusak di depan rumah, berlubang besar", "infrastruktur", "Jalan dan infrastruktur"),
    ],
)
async def test_a_request_that_names_its_subject_gets_its_category_inferred_and_said(
    fake, dispatcher, domain, text, key, label
) -> None:
    fake.route({"/complaints/categories": CATEGORIES})

    slots = await validate_complaint(
        dispatcher, domain, None, user("complaint_submit", text), activating=True
    )

    assert slots["complaint_category"] == key
    assert texts(dispatcher) == wording("utter_complaint_category_inferred", category=label)


@pytest.mark.parametrize("text", ["mau lapor", "saya mau bikin pengaduan"])
async def test_a_request_without_a_subject_is_asked_the_category(fake, dispatcher, domain, text) -> None:
    fake.route({"/complaints/categories": CATEGORIES})

    slots = await validate_complaint(
        dispatcher, domain, None, user("complaint_submit", text), activating=True
    )

    assert slots.get("complaint_category") is None
    assert dispatcher.messages == []


async def test_a_category_typed_while_the_location_is_asked_corrects_it(fake, dispatcher, domain) -> None:
    fake.route({"/complaints/categories": CATEGORIES})

    slots = await validate_complaint(
        dispatcher,
        domain,
        "complaint_location",
        user("inform", "pelayanan publik"),
        slots={"complaint_category": "pungli"},
    )

    assert slots["complaint_category"] == "pelayanan_publik"
    assert "complaint_location" not in slots or slots["complaint_location"] is None
    assert texts(dispatcher) == wording("utter_complaint_category_set", category="Pelayanan publik")


async def test_a_question_asked_aside_is_never_the_location(fake, dispatcher, domain) -> None:
    slots = await validate_complaint(
        dispatcher,
        domain,
        "complaint_location",
        user("office_info", "KUA buka jam berapa?"),
        slots={"complaint_category": "pungli"},
    )

    assert slots.get("complaint_location") is None
    assert dispatcher.messages == []


async def test_a_place_read_as_another_intent_is_still_the_location(fake, dispatcher, domain) -> None:
    slots = await validate_complaint(
        dispatcher,
        domain,
        "complaint_location",
        user("office_info", "Kantor Kecamatan Cibeber, Kabupaten Cianjur"),
        slots={"complaint_category": "pungli"},
    )

    assert slots["complaint_location"] == "Kantor Kecamatan Cibeber, Kabupaten Cianjur"

