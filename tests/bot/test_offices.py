"""Office hours of any government office named as citizens name it (bot/offices.py), worded by
bot/nlg.py in place of utter_office_info."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.nlg import FactNaturalLanguageGenerator
from bot.offices import named_office, response_for

ROOT = Path(__file__).parents[2]


@pytest.mark.parametrize(
    ("text", "office", "kind"),
    [
        ("kpp buka jam berapa", "Kantor Pelayanan Pajak (KPP)", "government"),
        ("jam buka kantor pajak pratama", "Kantor Pelayanan Pajak (KPP)", "government"),
        ("Disdukcapil buka sabtu?", "Dinas Dukcapil", "government"),
        ("capil tutup jam brp", "Dinas Dukcapil", "government"),
        ("mal pelayanan publik buka jam berapa", "Mal Pelayanan Publik (MPP)", "government"),
        ("MPP buka sampai jam berapa", "Mal Pelayanan Publik (MPP)", "government"),
        ("kantor imigrasi buka jam berapa", "kantor imigrasi", "government"),
        ("Polres buka jam brp buat skck", "kantor polisi (Polres/Polsek)", "polri"),
        ("satpas polresta buka jam berapa", "Satpas (layanan SIM)", "polri"),
        ("samsat buka hari sabtu?", "Samsat", "own"),
        ("kantor bpjs buka jam berapa", "kantor BPJS Kesehatan", "own"),
        ("kantor bpjs ketenagakerjaan buka jam berapa", "kantor BPJS Ketenagakerjaan", "own"),
        ("kelurahan buka jam berapa", "kantor kelurahan", "government"),
        ("kantor desa buka jam berapa", "kantor desa", "government"),
        ("kecamatan tutup jam brp", "kantor kecamatan", "government"),
        ("KUA buka jam berapa", "Kantor Urusan Agama (KUA)", "government"),
        ("dinsos buka jam brp", "Dinas Sosial", "government"),
        ("puskesmas buka jam berapa", "puskesmas", "government"),
        ("kantor pos buka hari minggu?", "Kantor Pos", "own"),
        ("kantor BKN buka jam berapa", "kantor kepegawaian (BKN/BKD)", "government"),
        ("kpu buka jam berapa", "kantor KPU", "government"),
    ],
)
def test_the_office_is_read_as_citizens_name_it(text, office, kind) -> None:
    found = named_office(text)
    assert found is not None and (found.name, found.kind) == (office, kind)


def test_no_office_named_keeps_the_general_answer() -> None:
    assert named_office("jam buka kantornya jam berapa ya") is None
    assert response_for("jam buka kantornya jam berapa ya") == ("utter_office_info", {})


@pytest.fixture(scope="module")
def nlg() -> FactNaturalLanguageGenerator:
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Slot auto-fill", category=UserWarning)
        domain = Domain.load(str(ROOT / "domain"))
    return FactNaturalLanguageGenerator(domain=domain)


async def answer(nlg, text: str, entities: list[dict] | None = None) -> str:
    tracker = DialogueStateTracker("office-test", [])
    tracker.update(UserUttered(text, {"name": "office_info", "confidence": 1.0}, entities or []))
    message = await nlg.generate("utter_office_info", tracker, "rest")
    assert message is not None
    return str(message["text"])


async def test_the_answer_names_the_office_and_region_and_where_to_confirm(nlg) -> None:
    text = await answer(
        nlg, "kpp pratama kota bekasi buka jam berapa", [{"entity": "region", "value": "Kota Bekasi"}]
    )

    assert "Kantor Pelayanan Pajak (KPP) di Kota Bekasi" in text
    assert "pajak.go.id" in text and "Google Maps" in text
    assert "pukul 07.30 waktu setempat (Perpres 21/2023 Pasal 4)" in text  # the start, with its basis


async def test_a_police_office_is_not_given_the_civil_service_hours(nlg) -> None:
    text = await answer(nlg, "polres buka jam berapa")

    assert "tidak berlaku bagi Polri" in text
    assert "07.30" not in text


async def test_without_an_office_the_general_answer(nlg) -> None:
    text = await answer(nlg, "jam buka kantor")

    assert text.startswith("Jam layanan dan alamat berbeda-beda di tiap kantor dan daerah")
    assert "{" not in text
