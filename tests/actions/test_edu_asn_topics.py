"""Issue 18 for education, CASN and Satu Data: general questions answered from the registry,
values read from the first message, and answers that read their parameters from slots (so a
follow-up that changes one of them re-runs the same answer)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from rasa_sdk.events import SlotSet

from actions import pip_info
from actions.asn import ActionCasnInfo, ActionCasnResult, ValidateCasnResultForm, casn_topic, info_topic
from actions.education import ActionPipStatus, ValidatePipStatusForm
from actions.gateway import use_gateway
from actions.satudata import ActionStatistics, ValidateStatisticsForm, asked_year
from knowledge import facts
from tests.actions.builders import user
from tests.actions.flow_helpers import FakeGateway, form_tracker, payloads, submit_tracker, texts

NUMBER = "24200110110000123"


@pytest.fixture()
def fake() -> Iterator[FakeGateway]:
    fake = FakeGateway()
    use_gateway(fake.client)
    yield fake
    use_gateway(None)


def slot_events(events: list[dict]) -> dict[str, object]:
    return {event["name"]: event["value"] for event in events if event.get("event") == "slot"}


def fact(fact_id: str) -> str:
    return str(facts.template_values()[f"fact.{fact_id}"])


# --- PIP: topics and parameters -----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("Dana PIP untuk siswa SD berapa setahun?", "amount"),
        ("anak sy kls 4 SD, dpt PIP brp ya", "amount"),
        ("nominal pip sma berapa per tahun", "amount"),
        ("dana pip tahun ini kapan cair", "schedule"),
        ("gimana cara aktivasi rekening pip di bri", "activation"),
        ("kenapa pip anak saya belum cair padahal terdaftar", "not_received"),
        ("syarat dapat pip apa saja", "eligibility"),
        ("pip anak saya sudah cair belum", pip_info.STATUS),
        ("cek pip dong", pip_info.STATUS),
        ("saldo pip anak saya berapa", pip_info.STATUS),
    ],
)
def test_the_topic_of_a_pip_question(text: str, topic: str) -> None:
    assert pip_info.pip_topic(text) == topic


def test_a_nisn_always_asks_for_the_student_status() -> None:
    assert pip_info.pip_topic("berapa dana pip nisn 0087651234", has_nisn=True) == pip_info.STATUS


@pytest.mark.parametrize(
    ("text", "level", "grade"),
    [
        ("anak sy kls 4 SD", "sd", 4),
        ("kelas 8", "smp", 8),
        ("kalau kelas 2 SMP?", "smp", 8),
        ("anak saya SMK kelas XII", "sma", 12),
        ("pip smp berapa", "smp", None),
        ("pip berapa", None, None),
    ],
)
def test_school_level_and_grade_are_read_from_the_question(
    text: str, level: str | None, grade: int | None
) -> None:
    found = pip_info.school_level(text)
    assert found == level
    if level:
        assert pip_info.grade_in_level(pip_info.grade(text), level) == grade


async def test_an_amount_question_ends_the_form_at_once_with_its_parameters(dispatcher, domain) -> None:
    message = user("edu_pip_status", "anak sy kls 4 SD, dpt PIP brp ya")
    tracker = form_tracker("pip_status_form", None, message, activating=True)

    events = await ValidatePipStatusForm().run(dispatcher, tracker, domain)

    slots = slot_events(events)
    assert slots["pip_topic"] == "amount"
    assert slots["school_level"] == "sd" and slots["school_grade"] == "4"
    assert slots.get("requested_slot") is None  # nothing is asked: the answer comes next
    assert dispatcher.messages == []


async def test_a_status_check_asks_for_the_nisn_even_after_a_general_question(dispatcher, domain) -> None:
    message = user("edu_pip_status", "cek pip anak saya")
    earlier = {"pip_topic": "amount", "school_level": "sd"}
    tracker = form_tracker("pip_status_form", None, message, activating=True, slots=earlier)

    slots = slot_events(await ValidatePipStatusForm().run(dispatcher, tracker, domain))

    assert slots["pip_topic"] == pip_info.STATUS
    assert slots["requested_slot"] == "nisn"


async def test_nisn_and_birth_date_in_the_first_message_are_both_kept(dispatcher, domain) -> None:
    message = user("edu_pip_status", "cek pip nisn 0087651234 lahir 12-05-2012", [("nisn", "0087651234")])
    tracker = form_tracker(
        "pip_status_form",
        None,
        message,
        activating=True,
        extracted={"nisn": "0087651234"},
        candidates={"nisn": "0087651234"},
    )

    slots = slot_events(await ValidatePipStatusForm().run(dispatcher, tracker, domain))

    assert slots["nisn"] == "0087651234"
    assert slots["student_birth_date"] == "2012-05-12"
    assert slots["requested_slot"] == "nik"  # on to the verification of whoever asks


async def test_the_amount_answer_reads_level_and_grade_from_slots(fake, dispatcher, domain) -> None:
    slots = {"pip_topic": "amount", "school_level": "smp", "school_grade": "9"}

    events = await ActionPipStatus().run(dispatcher, submit_tracker(slots), domain)

    text = texts(dispatcher)
    assert fact("pip.amount.smp.full") in text and fact("pip.amount.smp.final_grade") in text
    assert "Kelas 9 adalah kelas akhir" in text
    assert "Persesjen Kemendikdasmen 10/2025" in text
    assert events == []  # the question's slots stay for a follow-up
    assert fake.requests == []  # from the registry, no lookup
    assert '/edu_pip_status{"pip_topic":"amount","school_level":"sd"}' in payloads(dispatcher)


async def test_a_follow_up_with_another_level_re_runs_the_same_answer(dispatcher, domain) -> None:
    slots = {"pip_topic": "amount", "school_level": "sma", "school_grade": None}

    await ActionPipStatus().run(dispatcher, submit_tracker(slots), domain)

    assert fact("pip.amount.sma.full") in texts(dispatcher)
    assert fact("pip.amount.sd.full") not in texts(dispatcher)


async def test_an_amount_question_without_a_level_lists_every_level(dispatcher, domain) -> None:
    await ActionPipStatus().run(dispatcher, submit_tracker({"pip_topic": "amount"}), domain)

    text = texts(dispatcher)
    for level in ("sd", "smp", "sma"):
        assert fact(f"pip.amount.{level}.full") in text


@pytest.mark.parametrize("topic", ["schedule", "activation", "not_received", "eligibility"])
async def test_other_pip_questions_are_answered_with_a_way_to_check(topic: str, dispatcher, domain) -> None:
    await ActionPipStatus().run(dispatcher, submit_tracker({"pip_topic": topic}), domain)

    assert texts(dispatcher)
    assert '/edu_pip_status{"pip_topic":"status"}' in payloads(dispatcher)


# --- CASN -----------------------------------------------------------------------------------


async def test_the_participant_number_in_the_first_message_is_not_asked_again(dispatcher, domain) -> None:
    message = user("asn_selection_result", f"cek hasil casn, nomor peserta saya {NUMBER}")
    tracker = form_tracker("casn_result_form", None, message, activating=True)

    slots = slot_events(await ValidateCasnResultForm().run(dispatcher, tracker, domain))

    assert slots["participant_number"] == NUMBER
    assert slots["requested_slot"] == "birth_date"
    assert dispatcher.messages == []


async def test_the_birth_date_typed_next_is_taken_as_the_birth_date(dispatcher, domain) -> None:
    tracker = form_tracker(
        "casn_result_form",
        "birth_date",
        user("inform", "12.03.1998"),
        slots={"participant_number": NUMBER, "casn_topic": "result"},
    )

    slots = slot_events(await ValidateCasnResultForm().run(dispatcher, tracker, domain))

    assert slots["birth_date"] == "1998-03-12"
    assert "participant_number" not in slots or slots["participant_number"] == NUMBER
    assert "17 digit" not in texts(dispatcher)


async def test_number_and_birth_date_in_the_first_message(dispatcher, domain) -> None:
    message = user("asn_selection_result", f"hasil cpns no peserta {NUMBER} tgl lahir 12-03-1998")
    tracker = form_tracker("casn_result_form", None, message, activating=True)

    slots = slot_events(await ValidateCasnResultForm().run(dispatcher, tracker, domain))

    assert slots["participant_number"] == NUMBER and slots["birth_date"] == "1998-03-12"


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("Batas umur maksimal daftar CPNS berapa?", "age"),
        ("Passing grade SKD 2024 untuk TWK dan TIU berapa?", "passing_grade"),
        ("dokumen apa saja yang diupload saat daftar cpns", "documents"),
        ("cara sanggah hasil seleksi administrasi", "objection"),
        ("info pendaftaran cpns", None),
    ],
)
def test_the_topic_of_a_casn_question(text: str, topic: str | None) -> None:
    assert casn_topic(text) == topic


async def test_a_topic_asked_as_a_result_check_is_answered_without_a_number(dispatcher, domain) -> None:
    message = user("asn_selection_result", "Passing grade SKD 2024 untuk TWK dan TIU berapa?")
    tracker = form_tracker("casn_result_form", None, message, activating=True)

    slots = slot_events(await ValidateCasnResultForm().run(dispatcher, tracker, domain))
    assert slots["casn_topic"] == "passing_grade" and slots.get("requested_slot") is None

    await ActionCasnResult().run(dispatcher, submit_tracker({"casn_topic": "passing_grade"}), domain)
    text = texts(dispatcher)
    assert fact("casn.skd.passing_grade.2024.twk") in text and fact("casn.skd.passing_grade.2024.tiu") in text


async def test_an_age_question_gives_both_cpns_and_pppk_limits(fake, dispatcher, domain) -> None:
    message = user("asn_casn_registration", "Batas umur maksimal daftar CPNS berapa?")

    events = await ActionCasnInfo().run(dispatcher, submit_tracker({}, message), domain)

    text = texts(dispatcher)
    assert fact("casn.age.cpns_max") in text and fact("casn.age.pppk_min") in text
    assert "PP 11/2017" in text
    assert events == [SlotSet("casn_topic", "age")]
    assert fake.requests == []


async def test_a_follow_up_without_a_topic_keeps_the_previous_one(fake, dispatcher, domain) -> None:
    message = user("asn_casn_registration", "kalau PPPK?")

    await ActionCasnInfo().run(dispatcher, submit_tracker({"casn_topic": "age"}, message), domain)

    assert fact("casn.age.pppk_min") in texts(dispatcher)
    assert fake.requests == []


async def test_a_longer_follow_up_asks_something_new(dispatcher, domain) -> None:
    message = user("asn_casn_registration", "kalo pernah dipenjara boleh daftar ga")
    tracker = submit_tracker({"casn_topic": "age"}, message)

    assert info_topic(tracker) is None  # the general answer, with every requirement


async def test_an_objection_question_names_the_channel_and_period(dispatcher, domain) -> None:
    message = user("asn_casn_registration", "gimana cara sanggah hasil cpns")

    await ActionCasnInfo().run(dispatcher, submit_tracker({}, message), domain)

    text = texts(dispatcher)
    assert "Ajukan Sanggah" in text and fact("casn.objection.days") in text
    assert "PermenPANRB 27/2021" in text


# --- Satu Data: follow-ups --------------------------------------------------------------------


def test_asked_year() -> None:
    assert asked_year("tahun 2022", 2024, 2026) == 2022
    assert asked_year("tahun lalu?", 2024, 2026) == 2023
    assert asked_year("kalau tahun lalu", None, 2026) == 2025
    assert asked_year("yang terbaru", 2024, 2026) is None
    assert asked_year("kalau provinsi Bali?", 2024, 2026) is False


async def test_a_follow_up_naming_only_a_region_keeps_indicator_and_year(dispatcher, domain) -> None:
    earlier = {"statistic_indicator": "unemployment_rate", "region": "Jawa Barat", "statistics_year": "2023"}
    message = user("data_statistics", "kalau provinsi Bali?", [("region", "Bali")])
    tracker = form_tracker(
        "statistics_form",
        None,
        message,
        activating=True,
        slots=earlier,
        extracted={"region": "Bali"},
        candidates={"region": "Bali"},
    )

    slots = slot_events(await ValidateStatisticsForm().run(dispatcher, tracker, domain))

    assert slots.get("statistic_indicator", "unemployment_rate") == "unemployment_rate"
    assert slots["region"] == "Bali"
    assert "statistics_year" not in slots  # 2023 carried over


async def test_last_year_is_the_year_before_the_figure_shown(dispatcher, domain) -> None:
    earlier = {
        "statistic_indicator": "unemployment_rate",
        "region": "Jawa Barat",
        "statistics_shown_year": "2025",
    }
    tracker = form_tracker(
        "statistics_form", None, user("data_statistics", "tahun lalu?"), activating=True, slots=earlier
    )

    slots = slot_events(await ValidateStatisticsForm().run(dispatcher, tracker, domain))

    assert slots["statistics_year"] == "2024"
    assert slots.get("statistic_indicator", "unemployment_rate") == "unemployment_rate"
    assert slots.get("region", "Jawa Barat") == "Jawa Barat"


async def test_a_new_question_forgets_the_previous_year(dispatcher, domain) -> None:
    earlier = {"statistic_indicator": "hdi", "region": "Aceh", "statistics_year": "2023"}
    message = user("data_statistics", "jumlah penduduk jawa timur", [("region", "Jawa Timur")])
    tracker = form_tracker(
        "statistics_form", None, message, activating=True, slots=earlier, extracted={"region": "Jawa Timur"}
    )

    slots = slot_events(await ValidateStatisticsForm().run(dispatcher, tracker, domain))

    assert slots["statistics_year"] is None
    assert slots["statistic_indicator"] == "population"


async def test_the_statistic_answer_re_runs_from_slots(fake, dispatcher, domain) -> None:
    fake.answer(
        {
            "label": "Tingkat pengangguran terbuka",
            "region": {"name": "Bali"},
            "year": 2023,
            "value": 1.5,
            "unit": "persen",
            "source": "BPS",
        }
    )
    slots = {"statistic_indicator": "unemployment_rate", "region": "Bali", "statistics_year": "2023"}

    events = await ActionStatistics().run(dispatcher, submit_tracker(slots), domain)

    assert dict(fake.last.url.params) == {"indicator": "unemployment_rate", "region": "Bali", "year": "2023"}
    assert slot_events(events) == {"statistics_shown_year": "2023"}


async def test_a_level_named_in_a_follow_up_is_checked_by_the_form(dispatcher, domain) -> None:
    validate = ValidatePipStatusForm().validate_school_level
    tracker = submit_tracker({})

    assert await validate("smk", dispatcher, tracker, domain) == {"school_level": "sma"}
    assert await validate("SMP", dispatcher, tracker, domain) == {"school_level": "smp"}
    assert await validate("kuliah", dispatcher, tracker, domain) == {"school_level": None}
    assert "SD, SMP, atau SMA" in texts(dispatcher)


async def test_a_grade_of_another_level_is_not_carried_into_the_answer(dispatcher, domain) -> None:
    slots = {"pip_topic": "amount", "school_level": "smp", "school_grade": "4"}

    await ActionPipStatus().run(dispatcher, submit_tracker(slots), domain)

    assert fact("pip.amount.smp.full") in texts(dispatcher)
    assert "kelas 4" not in texts(dispatcher).lower()
