"""Life events as journeys (actions/journeys.py, actions/journey_steps.py): the checklist with
its facts and service buttons, progress from services run and steps said done, the next step."""

from __future__ import annotations

import re
from typing import Any

import pytest
from rasa.shared.core.domain import Domain

from actions.journey_progress import ActionRecordJourneyServices
from actions.journey_steps import JOURNEYS, JOURNEYS_BY_KEY, done_steps, find_journey, services_run
from actions.journeys import ActionJourney, ActionJourneyNextStep, ActionJourneyStepDone
from knowledge import facts
from tests.actions.builders import ROOT, action, session_start, slot, tracker_from_events, user
from tests.actions.flow_helpers import payloads, texts


def slot_events(events: list[dict[str, Any]]) -> dict[str, Any]:
    return {event["name"]: event["value"] for event in events if event.get("event") == "slot"}


async def run(
    action_class: type, dispatcher, domain, events: list[dict[str, Any]], **slots: Any
) -> dict[str, Any]:
    tracker = tracker_from_events([*session_start(), *events], slots)
    return slot_events(await action_class().run(dispatcher, tracker, domain))


@pytest.mark.parametrize(
    ("text", "journey"),
    [
        ("anak saya baru lahir", "birth"),
        ("istri baru melahirkan, urus apa aja", "birth"),
        ("baru pindah rumah", "moving"),
        ("kami pindahan ke kota lain", "moving"),
        ("bapak saya meninggal", "death"),
        ("ibu wafat kemarin, mau pindah ke rumah kakak", "death"),
        ("saya kena PHK", "job_loss"),
        ("baru di-phk dari pabrik", "job_loss"),
        ("anak mau masuk SD", "school"),
        ("anak ketiga kami lahir di bidan kemarin", "birth"),
        ("cek progres urusan saya", None),
    ],
)
def test_life_events_are_recognised_as_citizens_tell_them(text, journey) -> None:
    found = find_journey(text)
    assert (found.key if found else None) == journey


def test_every_step_has_a_response_and_every_start_button_an_intent_of_the_domain() -> None:
    data = Domain.load(str(ROOT / "domain"))
    for journey in JOURNEYS:
        assert f"utter_journey_{journey.key}" in data.responses
        for step in journey.steps:
            assert f"utter_journey_{journey.key}_{step.key}" in data.responses, step.key
            if step.start:
                intent = re.match(r"/(\w+)", step.start["payload"])
                assert intent and intent.group(1) in data.intents, step.start
            for name, _, _ in step.done_by:
                assert name in data.action_names_or_texts, name


async def test_a_birth_opens_the_checklist_with_its_deadlines_facts_and_service_buttons(
    dispatcher, domain
) -> None:
    slots = await run(ActionJourney, dispatcher, domain, [user("journey_life_event", "anak saya baru lahir")])

    said = texts(dispatcher)
    assert facts.get("birth_certificate.registration_deadline").text in said
    assert facts.get("bpjs.newborn.registration_deadline").text in said
    assert facts.get("bpjs.newborn.registration_deadline").basis in said
    assert "Akta kelahiran" in said and "KIA" in said and "Imunisasi" in said
    assert '/id_document_requirements{"document_type":"birth_certificate"}' in payloads(dispatcher)
    assert "/health_immunization_record" in payloads(dispatcher)
    assert "{" not in said.replace("{{", "")  # every placeholder filled
    assert slots == {"journey": "birth", "journey_step": None}


async def test_a_death_names_the_deadline_of_the_death_certificate_and_the_pension(
    dispatcher, domain
) -> None:
    await run(
        ActionJourney, dispatcher, domain, [user("journey_life_event", "bapak saya meninggal tadi malam")]
    )

    said = texts(dispatcher)
    assert facts.get("death_certificate.registration_deadline").text in said
    assert "Taspen" in said
    assert "/bansos_check" in payloads(dispatcher)


@pytest.mark.parametrize(
    ("text", "step", "fact"),
    [
        ("ibu saya penerima pkh meninggal bulan lalu, bansosnya gimana?", "bansos", "bansos.death.update"),
        ("abis kena phk, katanya ada uang dari bpjs ketenagakerjaan, brp persen", "jkp", "jkp.cash_benefit"),
    ],
)
async def test_a_step_told_with_the_event_is_shown_in_full_after_the_checklist(
    dispatcher, domain, text, step, fact
) -> None:
    slots = await run(ActionJourney, dispatcher, domain, [user("journey_life_event", text)])

    assert len(dispatcher.messages) == 2  # the checklist, then the step asked about
    assert facts.get(fact).text in dispatcher.messages[1]["text"]
    assert slots["journey_step"] == step


@pytest.mark.parametrize(
    "text", ["anak saya mau masuk SD tahun depan, apa saja yang perlu disiapkan?", "bapak saya meninggal"]
)
async def test_the_words_of_the_event_itself_name_no_step(dispatcher, domain, text) -> None:
    slots = await run(ActionJourney, dispatcher, domain, [user("journey_life_event", text)])

    assert len(dispatcher.messages) == 1
    assert slots["journey_step"] is None


async def test_without_a_life_event_it_asks_which_one_with_a_button_each(dispatcher, domain) -> None:
    slots = await run(
        ActionJourney, dispatcher, domain, [user("journey_life_event", "daftar urusan saya apa aja")]
    )

    assert [message.get("response") for message in dispatcher.messages] == ["utter_journey_ask"]
    assert payloads(dispatcher) == [f'/journey_life_event{{"life_event":"{j.key}"}}' for j in JOURNEYS]
    assert slots == {}


def test_a_step_is_done_when_its_service_ran_with_its_document_in_this_session() -> None:
    birth = JOURNEYS_BY_KEY["birth"]
    requirements = [slot("document_type", "birth_certificate"), action("action_document_requirements")]

    assert services_run([*session_start(), *requirements]) == {
        "action_document_requirements:document_type=birth_certificate"
    }
    assert services_run([*requirements, *session_start()]) == set()  # a new session forgets
    other = [slot("document_type", "marriage_certificate"), action("action_document_requirements")]
    assert services_run([*session_start(), *other]) == set()  # no step of any journey
    services = services_run([*session_start(), *requirements])
    assert done_steps(birth, services, []) == {"birth_certificate"}
    assert done_steps(birth, [], ["birth.kia", "death.kk"]) == {"kia"}


def test_a_slot_an_action_sets_after_its_run_is_the_value_it_ran_on() -> None:
    """`action_health_info` answers the topic of the button, then sets `health_topic`."""
    answered = [
        user("health_bpjs_info", "/health_bpjs_info", [("health_topic", "newborn")]),
        action("action_health_info"),
        slot("health_topic", "newborn"),
    ]
    assert services_run([*session_start(), *answered]) == {"action_health_info:health_topic=newborn"}
    assert done_steps(JOURNEYS_BY_KEY["birth"], services_run(answered), []) == {"bpjs"}
    # a slot the next message's reading sets is no value of the action before it
    later = [action("action_health_info"), user("inform", "halo"), action("action_extract_slots"),
             slot("health_topic", "newborn")]  # fmt: skip
    assert services_run(later) == set()


async def test_the_recorder_keeps_the_services_run_in_a_slot(dispatcher, domain) -> None:
    ran = [
        slot("document_type", "birth_certificate"),
        action("action_document_requirements"),
        action("utter_bansos_register"),
        user("inform", "halo"),
    ]
    slots = await run(
        ActionRecordJourneyServices, dispatcher, domain, ran, journey_services=["action_pip_status"]
    )
    assert slots == {
        "journey_services": [
            "action_document_requirements:document_type=birth_certificate",
            "action_pip_status",
            "utter_bansos_register",
        ]
    }
    assert dispatcher.messages == []
    # nothing new: no event; a value that is no marker is dropped
    assert await run(ActionRecordJourneyServices, dispatcher, domain, [user("inform", "halo")],
                     journey_services=["action_pip_status"]) == {}  # fmt: skip
    assert await run(ActionRecordJourneyServices, dispatcher, domain, [user("inform", "halo")],
                     journey_services=["x", 3]) == {"journey_services": []}  # fmt: skip


async def test_a_service_recorded_before_the_turns_read_still_marks_its_step(dispatcher, domain) -> None:
    """The window a turn reads has no trace of the service: the slot remembers it."""
    events = [user("journey_life_event", "terus apa lagi yang harus diurus?")]
    recorded = ["action_document_requirements:document_type=birth_certificate"]
    await run(ActionJourney, dispatcher, domain, events, journey="birth", journey_services=recorded)

    assert "✅ 1. Akta kelahiran (selesai)" in texts(dispatcher)


async def test_the_checklist_asked_again_marks_the_done_steps_and_drops_their_buttons(
    dispatcher, domain
) -> None:
    events = [
        user("journey_life_event", "anak saya baru lahir"),
        slot("journey", "birth"),
        slot("document_type", "birth_certificate"),
        action("action_document_requirements"),
        slot("document_type", None),
        user("journey_life_event", "cek progres urusan saya"),
    ]
    await run(ActionJourney, dispatcher, domain, events, journey_done=["birth.kia"])

    said = texts(dispatcher)
    assert "✅ 1. Akta kelahiran (selesai)" in said
    assert "✅ 3. KIA (selesai)" in said
    assert facts.get("birth_certificate.registration_deadline").text not in said
    assert '/id_document_requirements{"document_type":"birth_certificate"}' not in payloads(dispatcher)
    assert '/id_document_requirements{"document_type":"kk"}' in payloads(dispatcher)


async def test_the_next_step_is_the_first_not_done_with_its_service_and_a_done_button(
    dispatcher, domain
) -> None:
    events = [user("journey_next_step", "langkah berikutnya apa?")]
    slots = await run(
        ActionJourneyNextStep,
        dispatcher,
        domain,
        events,
        journey="moving",
        journey_done=["moving.moving_letter"],
    )

    said = texts(dispatcher)
    assert said.startswith("Langkah 2 dari 4: KK & KTP-el baru")
    assert payloads(dispatcher)[:2] == [
        '/id_document_requirements{"document_type":"kk"}',
        '/journey_step_done{"journey_step":"ktp_kk"}',
    ]
    assert slots == {"journey": "moving", "journey_step": "ktp_kk"}


async def test_a_step_without_a_service_here_is_shown_with_its_facts(dispatcher, domain) -> None:
    events = [user("journey_next_step", "/journey_next_step", [("journey_step", "vehicle")])]
    await run(ActionJourneyNextStep, dispatcher, domain, events, journey="moving")

    said = texts(dispatcher)
    assert facts.get("vehicle.mutation.fee").text_of("roda_4_atau_lebih") in said
    assert facts.get("vehicle.mutation.fee").basis in said


async def test_sudah_marks_the_step_shown_last_and_shows_the_next(dispatcher, domain) -> None:
    events = [user("affirm", "sudah")]
    slots = await run(
        ActionJourneyStepDone, dispatcher, domain, events, journey="job_loss", journey_step="jkn"
    )

    assert slots["journey_done"] == ["job_loss.jkn"]
    assert slots["journey_step"] == "jkp"
    said = texts(dispatcher)
    assert 'langkah "BPJS Kesehatan" saya tandai selesai' in said
    assert facts.get("jkp.claim_deadline").text in said


async def test_a_step_named_in_the_text_is_marked_whatever_was_shown(dispatcher, domain) -> None:
    events = [user("journey_step_done", "akta kematian sudah jadi")]
    slots = await run(
        ActionJourneyStepDone, dispatcher, domain, events, journey="death", journey_step="bansos"
    )

    assert slots["journey_done"] == ["death.death_certificate"]


async def test_when_every_step_is_done_it_says_so(dispatcher, domain) -> None:
    events = [user("journey_step_done", "/journey_step_done", [("journey_step", "pip")])]
    done = ["school.documents", "school.spmb"]
    slots = await run(ActionJourneyStepDone, dispatcher, domain, events, journey="school", journey_done=done)

    assert slots["journey_done"] == ["school.documents", "school.pip", "school.spmb"]
    assert "utter_journey_all_done" in [message.get("response") for message in dispatcher.messages]


@pytest.mark.parametrize("text", ["ya", "oke", "belum", "belum selesai"])
async def test_a_yes_or_not_yet_to_the_step_shown_offers_its_buttons_without_marking_it(
    dispatcher, domain, text
) -> None:
    events = [user("deny" if text.startswith("belum") else "affirm", text)]
    slots = await run(ActionJourneyStepDone, dispatcher, domain, events, journey="birth", journey_step="kia")

    assert slots == {}
    assert [message.get("response") for message in dispatcher.messages] == ["utter_journey_start_or_done"]
    assert '/journey_step_done{"journey_step":"kia"}' in payloads(dispatcher)


async def test_sudah_read_as_goodbye_marks_the_step_but_a_thank_you_takes_leave(dispatcher, domain) -> None:
    slots = await run(
        ActionJourneyStepDone,
        dispatcher,
        domain,
        [user("goodbye", "udah")],
        journey="birth",
        journey_step="kia",
    )
    assert slots["journey_done"] == ["birth.kia"]

    dispatcher.messages.clear()
    events = [user("goodbye", "sudah cukup, makasih")]
    slots = await run(ActionJourneyStepDone, dispatcher, domain, events, journey="birth", journey_step="kia")
    assert slots == {}
    assert [message.get("response") for message in dispatcher.messages] == ["utter_goodbye"]


@pytest.mark.parametrize(
    ("text", "journey", "header"),
    [
        ("pensiun janda syaratnya apa saja?", None, "Langkah 5 dari 5: Pensiun (Taspen)"),
        ("imunisasi bcg diberikan umur berapa?", None, "Langkah 5 dari 5: Imunisasi"),
        ("syarat ikut kartu prakerja apa aja?", "birth", "Langkah 4 dari 4: Kartu Prakerja"),
        ("bpjsnya gimana?", "death", "Langkah 3 dari 5: Lapor ke BPJS"),
    ],
)
async def test_a_step_asked_about_is_shown_of_the_journey_that_has_it(
    dispatcher, domain, text, journey, header
) -> None:
    """The journey under way when it has the step, else the one journey with such a step."""
    await run(ActionJourneyNextStep, dispatcher, domain, [user("journey_next_step", text)], journey=journey)

    assert texts(dispatcher).startswith(header)
    assert "{" not in texts(dispatcher)


async def test_a_step_of_several_journeys_without_a_journey_asks_which(dispatcher, domain) -> None:
    await run(ActionJourneyNextStep, dispatcher, domain, [user("journey_next_step", "bpjsnya gimana?")])

    assert [message.get("response") for message in dispatcher.messages] == ["utter_journey_ask"]
