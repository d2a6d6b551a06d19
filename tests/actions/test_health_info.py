"""BPJS Kesehatan questions by topic and the contribution per class (actions/health_info.py), and
the membership form's handling of a how-to question (actions/health.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import health, health_info
from actions.gateway import use_gateway
from knowledge import facts
from tests.actions.builders import ROOT, tracker_from_events, user
from tests.actions.flow_helpers import FakeGateway, form_tracker, payloads, submit_tracker, texts

NIK = "3273014102900001"
BORN = "1990-02-01"


@pytest.fixture()
def fake() -> Iterator[FakeGateway]:
    gateway = FakeGateway()
    use_gateway(gateway.client)
    yield gateway
    use_gateway(None)


async def run(dispatcher: CollectingDispatcher, domain: DomainDict, message: dict, **slots: str) -> list:
    tracker = tracker_from_events([message], slots)
    return await health_info.ActionHealthInfo().run(dispatcher, tracker, domain)


def contribution_answer(asked: str | None) -> dict:
    """utter_health_bpjs_contribution as bot/nlg.py renders it when `bpjs_asked` is `asked`."""
    from rasa.shared.core.domain import Domain

    from bot.nlg import FactNaturalLanguageGenerator

    generator = FactNaturalLanguageGenerator(domain=Domain.load(str(ROOT / "domain")))
    answer = generator.generate_from_slots("utter_health_bpjs_contribution", {"bpjs_asked": asked}, "rest")
    assert answer is not None
    return answer


async def read(dispatcher: CollectingDispatcher, domain: DomainDict, message: dict, **slots: str) -> list:
    tracker = tracker_from_events([message], slots)
    return await health_info.ActionReadBpjsQuestion().run(dispatcher, tracker, domain)


@pytest.mark.parametrize(
    ("text", "entities", "asked"),
    [
        ("berapa iuran bpjs kelas 1 sebulan?", [], "1"),
        ("iuran kls II brp", [], "2"),
        ("kalau kelas tiga?", [], "3"),
        ('/health_bpjs_contribution{"bpjs_class":"2"}', [("bpjs_class", "2")], "2"),
        ("denda bpjs kalau telat bayar berapa", [], "penalty"),
        ("mau turun kelas bpjs dari kelas 1 ke kelas 3, syaratnya apa?", [], "class_change"),
        ("berapa yang harus dibayar biar kartu aktif lagi", [], "reactivate"),
        ("cara bayar iuran bpjs lewat atm", [], "payment"),
        ("iuran bulanannya paling telat dibayar tgl brp", [], "payment"),
        ("berapa iuran bpjs mandiri sekarang", [], None),
    ],
)
async def test_what_a_contribution_question_asks_is_read_from_every_message(
    dispatcher: CollectingDispatcher, domain: DomainDict, text: str, entities: list, asked: str | None
) -> None:
    events = await read(dispatcher, domain, user("health_bpjs_contribution", text, entities), bpjs_asked="x")

    assert events == [SlotSet("bpjs_asked", asked)]
    assert dispatcher.messages == []


async def test_an_unchanged_reading_sets_nothing(
    dispatcher: CollectingDispatcher, domain: DomainDict
) -> None:
    assert await read(dispatcher, domain, user("inform", "ok")) == []


@pytest.mark.parametrize("number", ["1", "2", "3"])
def test_the_contribution_answer_follows_the_class_asked(number: str) -> None:
    answer = contribution_answer(number)

    fact = facts.get(f"bpjs.contribution.class{number}")
    assert fact.text in answer["text"] and fact.basis in answer["text"]
    others = {"1", "2", "3"} - {number}
    assert not any(
        facts.get(f"bpjs.contribution.class{other}").value_text in answer["text"] for other in others
    )
    assert all(
        f'"bpjs_class":"{other}"' in " ".join(b["payload"] for b in answer["buttons"]) for other in others
    )


def test_the_contribution_answer_gives_the_penalty_or_the_table() -> None:
    penalty = contribution_answer("penalty")["text"]
    table = contribution_answer(None)["text"]

    assert (
        facts.get("bpjs.late.penalty_rate").text in penalty
        and facts.get("bpjs.late.penalty_cap").text in penalty
    )
    assert all(facts.get(f"bpjs.contribution.class{number}").text in table for number in "123")


async def test_a_class_named_alone_after_a_topic_is_a_contribution_question(
    dispatcher: CollectingDispatcher, domain: DomainDict
) -> None:
    events = await run(dispatcher, domain, user("inform", "kalau kelas 2?"), health_topic="newborn")

    assert dispatcher.messages[0]["response"] == "utter_health_bpjs_contribution"
    assert SlotSet("health_topic", "contribution") in events


@pytest.mark.parametrize(
    ("text", "topic", "fact_id"),
    [
        (
            "kartu bpjs ibu saya tidak aktif, bagaimana cara mengaktifkan lagi?",
            "reactivate",
            "bpjs.arrears.max_months",
        ),
        ("kalau telat bayar iuran terus dirawat inap dendanya berapa", "penalty", "bpjs.late.penalty_rate"),
        (
            "anak saya baru lahir, daftar bpjsnya paling lambat kapan",
            "newborn",
            "bpjs.newborn.registration_days",
        ),
        ("bpjs bayinya paling lambat didaftarkan kapan?", "newborn", "bpjs.newborn.registration_days"),
        ("mau ganti faskes ke klinik dekat rumah", "facility_change", "bpjs.facility_change.min_months"),
        ("syarat naik kelas bpjs dari kelas 3 ke kelas 1", "class_change", "bpjs.class_change.min_months"),
        ("saya kena phk, bpjs saya gimana", "job_loss", "bpjs.job_loss.free_months"),
        ("beda pbi sama mandiri apa", "register", "bansos.dtsen"),
        ("bapak sudah meninggal, kartu bpjsnya harus dilaporkan ke mana", "death", "bpjs.death.report"),
    ],
)
async def test_each_topic_is_answered_from_the_registry(
    dispatcher: CollectingDispatcher, domain: DomainDict, text: str, topic: str, fact_id: str
) -> None:
    events = await run(dispatcher, domain, user("health_bpjs_info", text))

    assert dispatcher.messages[0]["response"] == f"utter_bpjs_info_{topic}"
    assert facts.get(fact_id).text in texts(dispatcher)
    assert SlotSet("health_topic", topic) in events


async def test_a_journey_button_opens_a_topic(dispatcher: CollectingDispatcher, domain: DomainDict) -> None:
    message = user(
        "health_bpjs_info", '/health_bpjs_info{"health_topic":"newborn"}', [("health_topic", "newborn")]
    )

    await run(dispatcher, domain, message)

    assert dispatcher.messages[0]["response"] == "utter_bpjs_info_newborn"


async def test_no_topic_offers_every_topic(dispatcher: CollectingDispatcher, domain: DomainDict) -> None:
    await run(dispatcher, domain, user("health_bpjs_info", "mau tanya soal bpjs"))

    offered = payloads(dispatcher)
    assert all(f'"health_topic":"{topic.key}"' in " ".join(offered) for topic in health_info.TOPICS)
    for topic in health_info.TOPICS:  # every topic has its answer and next steps
        assert f"utter_bpjs_info_{topic.key}" in domain["responses"]
        assert topic.key in health_info.NEXT


def test_howto_is_told_from_whether() -> None:
    def howto(text: str) -> str | None:
        return health_info.howto_topic(tracker_from_events([user("health_bpjs_status", text)]))

    assert howto("kartu bpjs ibu saya tidak aktif, bagaimana cara mengaktifkan lagi?") == "reactivate"
    assert howto("gimana caranya pindah faskes") == "facility_change"
    assert howto("kartu bpjs saya masih aktif ga?") is None
    assert howto("cek status bpjs nik 3273014102900001") is None


async def test_the_membership_form_asks_nothing_for_a_howto_question(
    dispatcher: CollectingDispatcher, domain: DomainDict
) -> None:
    text = "kartu bpjs ibu saya tidak aktif, bagaimana cara mengaktifkan lagi?"
    tracker = form_tracker("bpjs_status_form", None, user("health_bpjs_status", text), activating=True)

    slots = await health.ValidateBpjsStatusForm().required_slots(
        ["nik", "birth_date"], dispatcher, tracker, domain
    )

    assert slots == []


async def test_a_howto_question_shows_no_record_even_when_a_member_is_known(
    fake: FakeGateway, dispatcher: CollectingDispatcher, domain: DomainDict
) -> None:
    # The verified person's NIK and birth date are still known: the question is about someone else.
    text = "kartu bpjs ibu saya tidak aktif, bagaimana cara mengaktifkan lagi?"
    tracker = submit_tracker({"nik": NIK, "birth_date": BORN}, user("health_bpjs_status", text))

    events = await health.ActionBpjsStatus().run(dispatcher, tracker, domain)

    assert fake.requests == []
    assert dispatcher.messages[0]["response"] == "utter_bpjs_info_reactivate"
    assert events == [SlotSet("health_topic", "reactivate")]
