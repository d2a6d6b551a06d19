"""Civil service (CASN): registration information and selection results."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
import yaml
from rasa_sdk.events import SlotSet

from actions import asn
from actions.answers import aside_intents
from actions.asn import ActionCasnInfo, ActionCasnResult, ValidateCasnResultForm
from actions.gateway import use_gateway
from tests.actions.builders import ROOT, user
from tests.actions.flow_helpers import (
    UNAVAILABLE,
    FakeGateway,
    form_tracker,
    payloads,
    submit_tracker,
    texts,
    wording,
)

NUMBER = "24200110110000123"
TODAY = dt.date.today()


@pytest.fixture()
def fake() -> Iterator[FakeGateway]:
    fake = FakeGateway()
    use_gateway(fake.client)
    yield fake
    use_gateway(None)


def slot_events(events: list[dict]) -> dict[str, object]:
    return {event["name"]: event["value"] for event in events if event.get("event") == "slot"}


def casn() -> dict[str, object]:
    return {
        "year": 2026,
        "requirements": ["WNI berusia 18–35 tahun saat melamar", "Ijazah sesuai formasi"],
        "schedule": [
            {
                "stage": "Pendaftaran",
                "start": (TODAY - dt.timedelta(days=3)).isoformat(),
                "end": (TODAY + dt.timedelta(days=10)).isoformat(),
            },
            {"stage": "Seleksi kompetensi dasar", "start": "2099-01-10", "end": "2099-01-20"},
        ],
        "schedule_note": "Jadwal dapat berubah; ikuti pengumuman resmi.",
        "legal_basis": "PermenPANRB 6/2024",
    }


async def test_registration_information_lists_requirements_and_dates(fake, dispatcher, domain) -> None:
    fake.answer(casn())

    events = await ActionCasnInfo().run(dispatcher, submit_tracker({}), domain)

    assert fake.last.url.path == "/api/v1/civil-service/casn"
    text = texts(dispatcher)
    assert text.startswith("Seleksi CASN 2026 (PermenPANRB 6/2024).")
    assert "• WNI berusia 18–35 tahun saat melamar" in text
    assert "• Pendaftaran: " in text and "(sedang berlangsung)" in text
    assert "• Seleksi kompetensi dasar: 10 Januari 2099 – 20 Januari 2099" in text
    assert "• Seleksi kompetensi dasar: 10 Januari 2099 – 20 Januari 2099\nJadwal dapat berubah" in text
    assert "tidak dipungut biaya" in text
    assert "/asn_selection_result" in payloads(dispatcher)
    assert events == []


@pytest.mark.parametrize("failure", UNAVAILABLE)
async def test_registration_information_with_sscasn_down_apologises(
    fake, dispatcher, domain, failure
) -> None:
    failure(fake)

    await ActionCasnInfo().run(dispatcher, submit_tracker({}), domain)

    assert texts(dispatcher).startswith("Mohon maaf, layanan SSCASN BKN sedang tidak dapat dihubungi")
    assert "sscasn.bkn.go.id" in texts(dispatcher)


async def validate(dispatcher, domain, requested, message, **kwargs) -> dict[str, object]:
    tracker = form_tracker("casn_result_form", requested, message, **kwargs)
    return slot_events(await ValidateCasnResultForm().run(dispatcher, tracker, domain))


@pytest.mark.parametrize(
    "text", [NUMBER, f"no peserta saya {NUMBER}", "2420 0110 1100 00123", "24200110-110000123"]
)
async def test_a_typed_participant_number_is_read(dispatcher, domain, text) -> None:
    slots = await validate(dispatcher, domain, "participant_number", user("inform", text))

    assert slots["participant_number"] == NUMBER
    assert dispatcher.messages == []


async def test_a_nik_is_no_participant_number(dispatcher, domain) -> None:
    message = user("inform", "3273014102900001", [("nik", "3273014102900001")])

    slots = await validate(
        dispatcher, domain, "participant_number", message, extracted={"nik": "3273014102900001"}
    )

    assert slots["participant_number"] is None
    assert texts(dispatcher) == wording("utter_invalid_participant_number", digits="17", got="16")
    assert "bukan NIK" in texts(dispatcher)


async def test_an_answer_without_digits_asks_for_the_number(dispatcher, domain) -> None:
    slots = await validate(dispatcher, domain, "participant_number", user("inform", "lupa nomornya"))

    assert slots["participant_number"] is None
    assert texts(dispatcher) == wording("utter_no_participant_number", digits="17")


async def test_a_question_asked_aside_is_not_taken_as_the_number(dispatcher, domain) -> None:
    slots = await validate(
        dispatcher, domain, "participant_number", user("asn_casn_registration", "syarat cpns apa")
    )

    assert "participant_number" not in slots
    assert dispatcher.messages == []


async def test_the_birth_date_is_read_while_asked(dispatcher, domain) -> None:
    slots = await validate(
        dispatcher,
        domain,
        "birth_date",
        user("inform", "17 Agustus 1998"),
        slots={"participant_number": NUMBER},
    )

    assert slots["birth_date"] == "1998-08-17"


RESULT = {
    "name": "SITI R*******",
    "position": "Analis Kebijakan Ahli Pertama",
    "agency": "Kementerian PANRB",
    "stages": [
        {"stage": "Seleksi administrasi", "score": None, "passing_grade": None, "passed": True},
        {"stage": "SKD", "score": 412.0, "passing_grade": 311, "passed": True},
        {"stage": "SKB", "score": 78.5, "passing_grade": None, "passed": True},
    ],
    "final": "lulus",
}
ASKED = {"participant_number": NUMBER, "birth_date": "1998-08-17"}


async def test_results_show_each_stage_and_the_next_step(fake, dispatcher, domain) -> None:
    fake.answer(RESULT)

    events = await ActionCasnResult().run(dispatcher, submit_tracker(ASKED), domain)

    assert fake.last.url.path == "/api/v1/civil-service/results"
    assert fake.last_json() == ASKED
    text = texts(dispatcher)
    assert text.startswith(
        "Hasil seleksi CASN atas nama SITI R*******, formasi Analis Kebijakan Ahli Pertama "
        "di Kementerian PANRB:"
    )
    assert "• Seleksi administrasi: lulus" in text
    assert "• SKD: nilai 412 (ambang batas 311) — lulus" in text
    assert "• SKB: nilai 78,5 — lulus" in text
    assert wording("utter_casn_final_lulus") in text
    assert "kami pantau" not in text  # the gateway opened no case: nothing promised
    assert events == [SlotSet("participant_number", None)]


async def test_a_followed_result_names_its_case_number(fake, dispatcher, domain) -> None:
    fake.answer({**RESULT, "case_number": "CASN-2026-000007"})

    await ActionCasnResult().run(dispatcher, submit_tracker(ASKED), domain)

    text = texts(dispatcher)
    assert "Hasil ini kami pantau dengan nomor CASN-2026-000007" in text
    assert text.index("CASN-2026-000007") > text.index(wording("utter_casn_final_lulus"))


@pytest.mark.parametrize("final", ["tidak_lulus", "proses"])
async def test_results_not_passed_or_pending_say_what_to_do(fake, dispatcher, domain, final) -> None:
    fake.answer(
        {
            **RESULT,
            "final": final,
            "stages": [
                {
                    "stage": "SKD",
                    "score": 250,
                    "passing_grade": 311,
                    "passed": False if final == "tidak_lulus" else None,
                }
            ],
        }
    )

    await ActionCasnResult().run(dispatcher, submit_tracker(ASKED), domain)

    text = texts(dispatcher)
    assert wording(f"utter_casn_final_{final}") in text
    assert ("tidak lulus" if final == "tidak_lulus" else "menunggu hasil") in text


async def test_a_birth_date_of_someone_else_shows_nothing(fake, dispatcher, domain) -> None:
    fake.error(403, "identity_mismatch", "Tanggal lahir tidak sesuai.")

    events = await ActionCasnResult().run(dispatcher, submit_tracker(ASKED), domain)

    assert texts(dispatcher) == wording("utter_participant_mismatch")
    assert "SITI" not in texts(dispatcher)
    assert events == [SlotSet("participant_number", None), SlotSet("birth_date", None)]


async def test_an_unknown_participant_number_is_said(fake, dispatcher, domain) -> None:
    fake.error(404, "not_found", "Peserta tidak ditemukan.")

    events = await ActionCasnResult().run(dispatcher, submit_tracker(ASKED), domain)

    assert texts(dispatcher) == wording("utter_participant_not_found")
    assert "/asn_selection_result" in payloads(dispatcher)
    assert events == [SlotSet("participant_number", None)]


@pytest.mark.parametrize("failure", UNAVAILABLE)
async def test_results_with_sscasn_down_apologise(fake, dispatcher, domain, failure) -> None:
    failure(fake)

    events = await ActionCasnResult().run(dispatcher, submit_tracker(ASKED), domain)

    assert texts(dispatcher).startswith("Mohon maaf, layanan SSCASN BKN sedang tidak dapat dihubungi")
    assert asn.RESULT_FAILURE.alternative in texts(dispatcher)
    assert events == [SlotSet("participant_number", None)]


def test_the_interruption_rule_answers_the_intents_the_extractor_leaves_alone() -> None:
    rules = yaml.safe_load((ROOT / "data" / "rules" / "asn.yml").read_text())["rules"]
    [rule] = [
        r
        for r in rules
        if r.get("condition") == [{"active_loop": "casn_result_form"}] and "or" in r["steps"][0]
    ]
    assert {step["intent"] for step in rule["steps"][0]["or"]} == set(aside_intents("asn_selection_result"))
