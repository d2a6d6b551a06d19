"""Office hours of any government office named as citizens name it (actions/offices.py)."""

from __future__ import annotations

import pytest

from actions.offices import ActionOfficeInfo, named_office
from tests.actions.builders import user
from tests.actions.flow_helpers import submit_tracker, texts, wording


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


def test_no_office_named() -> None:
    assert named_office("jam buka kantornya jam berapa ya") is None


async def test_the_answer_names_the_office_and_region_and_where_to_confirm(dispatcher, domain) -> None:
    message = user("office_info", "kpp pratama kota bekasi buka jam berapa", [("region", "Kota Bekasi")])

    await ActionOfficeInfo().run(dispatcher, submit_tracker({}, message), domain)

    text = texts(dispatcher)
    assert "Kantor Pelayanan Pajak (KPP) di Kota Bekasi" in text
    assert "pajak.go.id" in text and "Google Maps" in text
    assert "Perpres 21/2023 Pasal 4" in text  # the start of the working day, with its basis


async def test_a_police_office_is_not_given_the_civil_service_hours(dispatcher, domain) -> None:
    await ActionOfficeInfo().run(
        dispatcher, submit_tracker({}, user("office_info", "polres buka jam berapa")), domain
    )

    text = texts(dispatcher)
    assert "tidak berlaku bagi Polri" in text
    assert "07.30" not in text


async def test_without_an_office_the_general_answer(dispatcher, domain) -> None:
    await ActionOfficeInfo().run(
        dispatcher, submit_tracker({}, user("office_info", "jam buka kantor")), domain
    )

    assert texts(dispatcher) == wording("utter_office_info")
