"""Two questions in one message are played as two turns (api/conversations/two_questions.py)."""

from __future__ import annotations

from typing import Any

import pytest

from api.conversations.two_questions import candidate_parts, play, questions
from api.rasa_client import BotReply, Understanding

IURAN_DAN_KIA = "berapa iuran bpjs kelas 3 dan gimana cara bikin kia?"


class StubNlu:
    """Rasa's /model/parse: an intent and confidence per text; None is the API switched off."""

    def __init__(self, intents: dict[str, tuple[str, float]] | None) -> None:
        self.intents = intents
        self.parsed: list[str] = []

    async def parse(self, text: str) -> Understanding | None:
        self.parsed.append(text)
        if self.intents is None:
            return None
        name, confidence = self.intents.get(text, ("nlu_fallback", 0.2))
        return Understanding(intent={"name": name, "confidence": confidence})


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        (IURAN_DAN_KIA, ["berapa iuran bpjs kelas 3", "gimana cara bikin kia?"]),
        (
            "gimana cara perpanjang sim sama berapa biaya skck",
            ["gimana cara perpanjang sim", "berapa biaya skck"],
        ),
        (
            "berapa iuran kelas 1? terus jam buka disdukcapil kapan ya",
            ["berapa iuran kelas 1?", "jam buka disdukcapil kapan ya"],
        ),
        (
            "cara bikin kk baru, terus cara daftar bpjs bayi gimana",
            ["cara bikin kk baru", "cara daftar bpjs bayi gimana"],
        ),
        (
            "mau lapor jalan rusak, terus cek status bansos saya gimana",
            ["mau lapor jalan rusak", "cek status bansos saya gimana"],
        ),
        (  # a clause's joining word needs no question word after it
            "pip sma dpt brp setaun, trs aktivasi rekeningnya bawa apa aja",
            ["pip sma dpt brp setaun", "aktivasi rekeningnya bawa apa aja"],
        ),
        (  # an elliptical tail stays with the question before it
            "lapor bisa lewat sms? nomornya brp, terus apa bisa anonim kalau lapor",
            ["lapor bisa lewat sms? nomornya brp", "apa bisa anonim kalau lapor"],
        ),
    ],
)
def test_two_questions_are_found_by_their_joining_word_or_sentence_end(text: str, parts: list[str]) -> None:
    assert candidate_parts(text) == parts


@pytest.mark.parametrize(
    "text",
    [
        "syarat ktp dan kk apa aja",  # one question about two documents
        "cara daftar pip dan berapa biayanya",  # an elliptical tail belongs to the first question
        "mau daftar bpjs terus syaratnya apa aja",
        "jam buka kpp sama kantor imigrasi",
        "nama saya budi dan tanggal lahir 17 agustus 1990",  # data, not questions
        "cek status bpjs saya, nik 3201234567890001",
        "Saya tinggal di Jl. Sudirman no. 5. Cara lapor jalan rusak gimana",
    ],
)
def test_one_question_stays_one_message(text: str) -> None:
    assert candidate_parts(text) == [text]


async def test_the_nlu_confirms_two_different_requests() -> None:
    nlu = StubNlu({
        "berapa iuran bpjs kelas 3": ("health_bpjs_contribution", 0.93),
        "gimana cara bikin kia?": ("id_document_requirements", 0.88),
    })  # fmt: skip
    assert await questions(nlu, IURAN_DAN_KIA) == ["berapa iuran bpjs kelas 3", "gimana cara bikin kia?"]  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "intents",
    [
        None,  # Rasa's HTTP API is off: no confirmation, no split
        {
            "berapa iuran bpjs kelas 3": ("health_bpjs_contribution", 0.93)
        },  # the second part is not understood
        {  # a part read as small talk or out of scope is no question of its own
            "berapa iuran bpjs kelas 3": ("health_bpjs_contribution", 0.93),
            "gimana cara bikin kia?": ("out_of_scope", 0.9),
        },
        {  # an unsure reading
            "berapa iuran bpjs kelas 3": ("health_bpjs_contribution", 0.93),
            "gimana cara bikin kia?": ("id_document_requirements", 0.4),
        },
    ],
)
async def test_without_the_nlu_s_confirmation_the_message_stays_whole(intents: Any) -> None:
    assert await questions(StubNlu(intents), IURAN_DAN_KIA) == [IURAN_DAN_KIA]  # type: ignore[arg-type]


async def test_one_question_said_twice_in_other_words_stays_whole() -> None:
    text = "gimana cara daftar bpjs mandiri? daftar bpjs mandiri gimana ya"
    nlu = StubNlu({
        "gimana cara daftar bpjs mandiri?": ("health_registration", 0.9),
        "daftar bpjs mandiri gimana ya": ("health_registration", 0.9),
    })  # fmt: skip
    assert await questions(nlu, text) == [text]  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "parts", "intent"),
    [
        (
            "kls 1 brp sebulan? bayarnya paling telat tgl brp",
            ["kls 1 brp sebulan?", "bayarnya paling telat tgl brp"],
            "health_bpjs_contribution",
        ),
        (
            "bpnt sebulan dpt brp trs blt dana desa brp",
            ["bpnt sebulan dpt brp", "blt dana desa brp"],
            "bansos_amount",
        ),
    ],
)
async def test_two_questions_of_one_kind_about_different_things_are_two(
    text: str, parts: list[str], intent: str
) -> None:
    nlu = StubNlu({part: (intent, 0.9) for part in parts})
    assert await questions(nlu, text) == parts  # type: ignore[arg-type]


async def test_a_single_question_costs_no_parse() -> None:
    nlu = StubNlu({})
    assert await questions(nlu, "berapa iuran bpjs kelas 3") == ["berapa iuran bpjs kelas 3"]  # type: ignore[arg-type]
    assert nlu.parsed == []


TWO = {
    "berapa iuran bpjs kelas 3": ("health_bpjs_contribution", 0.93),
    "gimana cara bikin kia?": ("id_document_requirements", 0.88),
}


async def test_each_question_is_its_own_turn_and_both_answers_come_back_in_order() -> None:
    sent: list[str] = []

    async def send(message: str) -> list[BotReply]:
        sent.append(message)
        return [BotReply(text=f"jawaban: {message}")]

    replies = await play(StubNlu(TWO), IURAN_DAN_KIA, send, lambda reply: False)  # type: ignore[arg-type]
    assert sent == ["berapa iuran bpjs kelas 3", "gimana cara bikin kia?"]
    assert [reply.text for reply in replies] == [
        "jawaban: berapa iuran bpjs kelas 3",
        "jawaban: gimana cara bikin kia?",
    ]


async def test_after_a_hand_off_the_second_question_is_not_played() -> None:
    sent: list[str] = []

    async def send(message: str) -> list[BotReply]:
        sent.append(message)
        return [BotReply(custom={"type": "handoff"})]

    replies = await play(StubNlu(TWO), IURAN_DAN_KIA, send, lambda reply: reply.custom is not None)  # type: ignore[arg-type]
    assert sent == ["berapa iuran bpjs kelas 3"]
    assert len(replies) == 1
