"""Questions about the assistant itself (bot/assistant_topics.py), worded by bot/nlg.py in place of
utter_assistant_info; and offices named in more ways (bot/offices.py)."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.assistant_topics import response_for
from bot.nlg import FactNaturalLanguageGenerator
from bot.offices import named_office
from knowledge import facts

ROOT = Path(__file__).parents[2]


@pytest.mark.parametrize(
    ("text", "response"),
    [
        ("data pribadi saya aman tidak kalau saya kasih NIK di sini?", "utter_assistant_privacy"),
        ("nik saya nanti disimpan di mana?", "utter_assistant_privacy"),
        ("can you speak english?", "utter_assistant_language"),
        ("iso nganggo boso jowo ora?", "utter_assistant_language"),
        ("pakai asisten ini bayar gak?", "utter_assistant_cost"),
        ("kamu aktif 24 jam?", "utter_assistant_availability"),
        ("asisten warga itu apa sih", "utter_assistant_info"),
    ],
)
def test_the_topic_of_a_question_about_the_assistant(text: str, response: str) -> None:
    assert response_for(text) == response


@pytest.mark.parametrize(
    ("text", "office"),
    [
        ("KUA kecamatan buka hari apa saja?", "Kantor Urusan Agama (KUA)"),
        ("kantor pajak daerah bapenda jam berapa bukanya?", "Bapenda"),
        ("kantor catpil buka jam brp", "Dinas Dukcapil"),
        ("jam operasional kantor BPN (pertanahan) hari Jumat", "Kantor Pertanahan (BPN)"),
        ("disnaker buka jam brp, mau lapor phk", "Dinas Ketenagakerjaan (Disnaker)"),
        ("kantor bps buka jam brp ya", "kantor BPS (Badan Pusat Statistik)"),
        ("pengadilan agama buka jam berapa", "pengadilan"),
        ("gerai layanan sim buka jam berapa", "Satpas (layanan SIM)"),
    ],
)
def test_more_offices_as_citizens_name_them(text: str, office: str) -> None:
    found = named_office(text)
    assert found is not None and found.name == office


@pytest.fixture(scope="module")
def nlg() -> FactNaturalLanguageGenerator:
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Slot auto-fill", category=UserWarning)
        domain = Domain.load(str(ROOT / "domain"))
    return FactNaturalLanguageGenerator(domain=domain)


async def answer(nlg: FactNaturalLanguageGenerator, text: str) -> str:
    tracker = DialogueStateTracker("assistant-test", [])
    tracker.update(UserUttered(text, {"name": "assistant_info", "confidence": 1.0}, []))
    message = await nlg.generate("utter_assistant_info", tracker, "rest")
    assert message is not None
    return str(message["text"])


async def test_privacy_names_the_law_from_the_registry(nlg: FactNaturalLanguageGenerator) -> None:
    said = await answer(nlg, "data saya aman gak di sini?")
    assert facts.get("privacy.pdp_law").basis in said and "terenkripsi" in said


async def test_no_topic_says_what_the_assistant_does(nlg: FactNaturalLanguageGenerator) -> None:
    said = await answer(nlg, "ini layanan apa ya")
    assert "BPJS Kesehatan" in said and "LAPOR!" in said


@pytest.mark.parametrize(
    ("text", "office"),
    [
        ("rsud buka jam berapa", "rumah sakit"),
        ("jam buka balai kota", "kantor pemerintah daerah"),
        ("dishub uji kir buka jam", "Dinas Perhubungan (Dishub)"),
    ],
)
def test_public_service_offices_beyond_the_nine_services(text: str, office: str) -> None:
    found = named_office(text)
    assert found is not None and found.name == office
