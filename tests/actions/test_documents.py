"""Requirements of population documents and the offer to apply (actions/documents.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from actions.documents import ActionDocumentRequirements, ValidateDocumentRequirementsForm
from actions.gateway import use_gateway
from knowledge import facts
from tests.actions.builders import user
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

    slots = await validate_document(dispatcher, domain, "document_type", user("inform", "surat nikah"))
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
    assert slots["document_type"] is None
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


def test_every_document_response_says_it_is_free_with_its_legal_basis() -> None:
    for key in ("ktp_el", "kk", "birth_certificate", "death_certificate", "moving"):
        text = wording(f"utter_document_{key}")
        assert "gratis (UU 24/2013 Pasal 79A)" in text
        assert "Perpres 96/2018" in text


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
