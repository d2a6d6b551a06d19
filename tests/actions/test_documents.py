"""Requirements of population documents and the offer to apply (actions/documents.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from rasa_sdk import Tracker

from actions.documents import ActionDocumentRequirements, ValidateDocumentRequirementsForm
from actions.gateway import use_gateway
from knowledge import facts
from tests.actions.builders import action, tracker_from_events, user
from tests.actions.flow_helpers import (
    FakeGateway,
    form_tracker,
    payloads,
    submit_tracker,
    texts,
    wording,
)


@pytest.fixture()
def fake() -> Iterator[FakeGateway]:
    fake = FakeGateway()
    use_gateway(fake.client)
    yield fake
    use_gateway(None)


def slot_events(events: list[dict]) -> dict[str, object]:
    return {event["name"]: event["value"] for event in events if event.get("event") == "slot"}


def responses(dispatcher) -> list[str]:
    return [message["response"] for message in dispatcher.messages if message.get("response")]


async def validate_document(dispatcher, domain, requested, message, **kwargs) -> dict[str, object]:
    tracker = form_tracker("document_requirements_form", requested, message, **kwargs)
    return slot_events(await ValidateDocumentRequirementsForm().run(dispatcher, tracker, domain))


@pytest.mark.parametrize(
    ("text", "document"),
    [
        ("syarat bikin akta kematian apa aja", "death_certificate"),
        ("syarat akte kelahiran anak", "birth_certificate"),
        ("mau pindah domisili ke kota lain", "moving"),
        ("cara ganti kartu keluarga", "kk"),
        ("syarat bikin e-ktp", "ktp_el"),
        ("syarat dokumen kependudukan", None),
    ],
)
async def test_document_named_in_the_question_is_used(dispatcher, domain, text, document) -> None:
    message = user("id_document_requirements", text)

    slots = await validate_document(dispatcher, domain, None, message, activating=True)

    assert slots["document_type"] == document
    assert dispatcher.messages == []


async def test_typed_document_answer_and_unknown_document(dispatcher, domain) -> None:
    slots = await validate_document(dispatcher, domain, "document_type", user("inform", "akta lahir"))
    assert slots["document_type"] == "birth_certificate"

    slots = await validate_document(dispatcher, domain, "document_type", user("inform", "paspor"))
    assert slots["document_type"] is None
    assert texts(dispatcher).startswith("Maaf, dokumen itu belum saya kenali.")


async def test_document_question_skips_asides_and_bad_button_values(dispatcher, domain) -> None:
    slots = await validate_document(
        dispatcher, domain, "document_type", user("office_info", "jam buka dukcapil")
    )
    assert "document_type" not in slots  # nothing extracted: the interruption rule answers

    button = user("inform", '/inform{"document_type":"sim"}', [("document_type", "sim")])
    slots = await validate_document(
        dispatcher, domain, "document_type", button, candidates={"document_type": "sim"}
    )
    assert slots["document_type"] is None
    assert "belum saya kenali" in texts(dispatcher)


async def test_kk_requirements_offer_an_application(dispatcher, domain) -> None:
    events = await ActionDocumentRequirements().run(
        dispatcher, submit_tracker({"document_type": "kk"}), domain
    )

    assert responses(dispatcher) == ["utter_document_kk", "utter_application_offer"]
    assert "perubahan KK secara daring" in texts(dispatcher)
    assert payloads(dispatcher) == ["/affirm", "/deny"]
    slots = slot_events(events)
    assert slots["application_type"] == "kk_change"
    assert slots["application_offered"] is True
    assert "document_type" not in slots  # kept: a follow-up may re-run the answer
    assert slots["child_name"] is None  # an earlier, unfinished application is forgotten


async def test_moving_offers_a_kk_change_for_moving(dispatcher, domain) -> None:
    events = await ActionDocumentRequirements().run(
        dispatcher, submit_tracker({"document_type": "moving"}), domain
    )

    assert slot_events(events)["kk_change_reason"] == "pindah"


async def test_ktp_requirements_offer_no_application(dispatcher, domain) -> None:
    events = await ActionDocumentRequirements().run(
        dispatcher, submit_tracker({"document_type": "ktp_el"}), domain
    )

    assert responses(dispatcher) == ["utter_document_ktp_el", "utter_document_anything_else"]
    assert slot_events(events)["application_offered"] is None
    assert "/office_info" in payloads(dispatcher)


ANSWERS = (
    "ktp_el",
    "kk",
    "birth_certificate",
    "death_certificate",
    "moving",
    "ktp_el_replacement",
    "kk_replacement",
    "kk_add_member",
    "kk_remove_member",
    "kk_split",
    "moving_out",
    "moving_in",
    "marriage_certificate",
    "divorce_certificate",
)


def test_every_document_response_says_it_is_free_with_its_legal_basis() -> None:
    for key in ANSWERS:
        text = wording(f"utter_document_{key}", document="Akta kelahiran")
        assert "Gratis (UU 24/2013 Pasal 79A)".lower() in text.lower(), key
        assert "Perpres 96/2018" in text, key
    for key in ("kia", "kia_replacement"):
        text = wording(f"utter_document_{key}")
        assert "gratis (uu 24/2013 pasal 79a)" in text.lower() and "Permendagri 2/2016" in text


def test_the_birth_certificate_needs_no_witnesses_ktp() -> None:
    """Perpres 96/2018 (issue 17): witnesses only sign an SPTJM when the birth letter is missing."""
    text = wording("utter_document_birth_certificate")
    assert "KTP-el 2 orang saksi" not in text and "KTP-el orang tua" not in text
    assert "SPTJM kebenaran data kelahiran dengan 2 orang saksi" in text
    assert "Fotokopi KTP-el saksi tidak diperlukan." in text
    assert "paling lambat 60 hari sejak kelahiran (UU 23/2006 Pasal 27 ayat (1))" in text


def test_requirements_not_confirmed_say_where_to_check() -> None:
    assert "pastikan" in wording("utter_document_kk")  # details differ between regencies
    assert "belum dapat kami pastikan" in wording("utter_document_ktp_el")
    # Moving house: said as unconfirmed exactly while the registry holds it unverified.
    moving = wording("utter_document_moving")
    assert ("pastikan" in moving) is (not facts.get("moving.requirements").confirmed)


@pytest.mark.parametrize(
    ("text", "document", "case"),
    [
        ("ktp saya ilang, gmn bikin lagi", "ktp_el", "lost"),
        ("kk rusak kena air", "kk", "damaged"),
        ("cara pecah kk setelah nikah", "kk", "split"),
        ("kk mau hapus anggota yang sudah meninggal", "kk", "remove_member"),
        ("nama bapak yang sudah meninggal masih ada di kk, cara hapusnya", "kk", "remove_member"),
        ("masukin bayi baru lahir ke kk", "kk", "add_member"),
        ("cara mendapatkan akta kematian", "death_certificate", None),
        ("bikin akte anak", "birth_certificate", None),
        ("urus surat pindah", "moving", None),
        ("pindah datang ke surabaya bawa apa", "moving", "moving_in"),
        ("syarat kia anak 6 tahun", "kia", None),
        ("syarat akta nikah kristen di capil", "marriage_certificate", None),
        ("ngurus akta cerai non muslim", "divorce_certificate", None),
        ("ganti alamat di ktp", "ktp_el", "change"),
        ("berapa lama bikin ktp jadinya", "ktp_el", "duration"),
        ("akte lahir saya hilang", "birth_certificate", "lost"),
        ("surat kematiannya minta ke siapa", "death_certificate", None),
    ],
)
async def test_the_question_names_the_document_and_the_situation(
    dispatcher, domain, text, document, case
) -> None:
    slots = await validate_document(
        dispatcher, domain, None, user("id_document_requirements", text), activating=True
    )

    assert (slots["document_type"], slots["document_case"]) == (document, case)
    assert dispatcher.messages == []


def follow_up(text: str, previous: str, turns_between: int = 0) -> Tracker:
    """The form activated by `text` after an answer about `previous`."""
    events = [user("id_document_requirements", "syarat ktp"), action("action_document_requirements")]
    for _ in range(turns_between):
        events += [user("greet", "halo"), action("utter_greet")]
    events += [
        action("action_listen"),
        user("id_document_requirements", text),
        {"event": "active_loop", "name": "document_requirements_form"},
        {"event": "slot", "name": "requested_slot", "value": None, "timestamp": None},
        action("document_requirements_form"),
    ]
    return tracker_from_events(events, {"document_type": previous}, active_loop="document_requirements_form")


@pytest.mark.parametrize(
    ("text", "document", "case"),
    [
        ("kalau yang rusak?", "ktp_el", "damaged"),
        ("kalau untuk anak?", "kia", None),
        ("syaratnya apa aja?", "ktp_el", None),
        ("kalau kk yang hilang?", "kk", "lost"),
        ("berapa lama jadinya?", "ktp_el", "duration"),
        ("jadinya brp lama", "ktp_el", "duration"),
    ],
)
async def test_a_follow_up_changes_one_parameter_of_the_last_answer(
    dispatcher, domain, text, document, case
) -> None:
    events = await ValidateDocumentRequirementsForm().run(dispatcher, follow_up(text, "ktp_el"), domain)

    assert {k: v for k, v in slot_events(events).items() if k.startswith("document")} == {
        "document_type": document,
        "document_case": case,
    }


async def test_an_old_answer_is_not_followed_up(dispatcher, domain) -> None:
    tracker = follow_up("syaratnya apa aja?", "ktp_el", turns_between=4)

    events = await ValidateDocumentRequirementsForm().run(dispatcher, tracker, domain)

    assert slot_events(events)["document_type"] is None  # the form asks which document


async def test_a_typed_answer_also_gives_the_situation(dispatcher, domain) -> None:
    slots = await validate_document(dispatcher, domain, "document_type", user("inform", "kk ilang"))

    assert (slots["document_type"], slots["document_case"]) == ("kk", "lost")


@pytest.mark.parametrize(
    ("document", "case", "response", "expected"),
    [
        (
            "ktp_el",
            "lost",
            "utter_document_ktp_el_replacement",
            "surat keterangan kehilangan dari kepolisian",
        ),
        ("ktp_el", "change", "utter_document_ktp_el", "Perubahan data"),
        ("kk", "split", "utter_document_kk_split", "Perpres 96/2018 Pasal 11 ayat (1)"),
        ("kk", "damaged", "utter_document_kk_replacement", "KK yang rusak"),
        ("birth_certificate", "lost", "utter_document_replacement", "Akta kelahiran yang hilang"),
        ("kia", None, "utter_document_kia", "2 lembar pas foto anak berwarna 2x3"),
        ("moving", "moving_in", "utter_document_moving_in", "SKPWNI dari daerah asal"),
        ("marriage_certificate", None, "utter_document_marriage_certificate", "KUA"),
        ("divorce_certificate", None, "utter_document_divorce_certificate", "Pengadilan Agama"),
        ("death_certificate", "duration", "utter_document_duration", "pengurusan akta kematian"),
    ],
)
async def test_the_answer_fits_the_situation(dispatcher, domain, document, case, response, expected) -> None:
    await ActionDocumentRequirements().run(
        dispatcher, submit_tracker({"document_type": document, "document_case": case}), domain
    )

    assert responses(dispatcher)[0] == response
    assert expected in texts(dispatcher)


async def test_how_long_it_takes_leaves_an_offer_to_apply_open(dispatcher, domain) -> None:
    slots = {"document_type": "moving", "document_case": "duration", "application_offered": True}
    events = await ActionDocumentRequirements().run(dispatcher, submit_tracker(slots), domain)

    assert responses(dispatcher)[0] == "utter_document_duration"
    assert events == []  # `application_offered` untouched: a later "ya" still applies


async def test_a_sim_lost_with_the_ktp_is_answered_too(dispatcher, domain) -> None:
    message = user("id_document_requirements", "dompet saya hilang, isinya ktp dan sim c")
    await ActionDocumentRequirements().run(
        dispatcher, submit_tracker({"document_type": "ktp_el", "document_case": "lost"}, message), domain
    )

    assert responses(dispatcher)[:2] == ["utter_document_ktp_el_replacement", "utter_topic_sim_lost"]


async def test_a_kk_situation_is_carried_into_the_application(dispatcher, domain) -> None:
    events = await ActionDocumentRequirements().run(
        dispatcher, submit_tracker({"document_type": "kk", "document_case": "split"}), domain
    )

    assert slot_events(events)["kk_change_reason"] == "pisah_kk"


def test_unconfirmed_facts_say_where_to_check() -> None:
    """A lost certificate's reissue and the service time are unverified: the answer says so."""
    replacement = wording("utter_document_replacement", document="Akta kelahiran")
    assert ("belum dapat kami pastikan" in replacement) is (
        not facts.get("civil_certificate.reissue.requirements").confirmed
    )
    duration = wording("utter_document_duration", document_lower="KTP-el")
    assert "Dinas Dukcapil setempat" in duration and facts.get("adminduk.call_center").value in duration


async def test_a_button_starting_the_form_names_document_and_situation(dispatcher, domain) -> None:
    """A journey's button: /id_document_requirements{"document_type":"kk","document_case":"split"}."""
    message = user(
        "id_document_requirements",
        '/id_document_requirements{"document_type":"kk","document_case":"split"}',
        [("document_type", "kk"), ("document_case", "split")],
    )

    slots = await validate_document(dispatcher, domain, None, message, activating=True)

    assert (slots["document_type"], slots["document_case"]) == ("kk", "split")
