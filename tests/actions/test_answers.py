"""actions.answers: typed answers, yes/no, and the Indonesian formats of replies."""

from __future__ import annotations

import pytest

from actions.answers import (
    GENERAL_ASIDE_INTENTS,
    SERVICE_ASIDE_INTENTS,
    aside_intents,
    free_text,
    is_recognisable,
    mask_nik,
    payload,
    read_yes_no,
    rupiah,
    tanggal,
    typed_answer,
    waktu,
)
from tests.actions.builders import slot, tracker_from_events, user

ASIDE = aside_intents("complaint_submit")


def asked(slot_name: str | None, message: dict) -> object:
    return tracker_from_events([slot("requested_slot", slot_name), message])


def test_aside_intents_leave_out_the_forms_own_intent() -> None:
    assert "police_skck" not in aside_intents("police_skck")
    assert "police_skck" in aside_intents("complaint_submit")
    assert aside_intents("police_skck") >= GENERAL_ASIDE_INTENTS


@pytest.mark.parametrize(
    ("requested", "message", "expected"),
    [
        ("complaint_category", user("inform", " pungli "), "pungli"),
        ("complaint_category", user("complaint_submit", "mau lapor pungli"), "mau lapor pungli"),
        ("complaint_location", user("inform", "pungli"), None),  # another slot is asked
        ("complaint_category", user("inform", '/inform{"complaint_category":"pungli"}'), None),  # a button
        ("complaint_category", user("cancel", "batal"), None),
        ("complaint_category", user("office_info", "kantor buka jam berapa"), None),
        ("complaint_category", user("request_human", "mau bicara sama petugas aja"), None),
    ],
)
def test_typed_answer(requested: str, message: dict, expected: str | None) -> None:
    assert typed_answer(asked(requested, message), "complaint_category", ASIDE) == expected


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        (
            user("office_info", "kantor kelurahan tutup terus padahal jam kerja"),
            "kantor kelurahan tutup terus padahal jam kerja",
        ),
        (user("ask_menu", "/ask_menu"), None),
        (user("cancel", "gak jadi"), None),
        (user("bot_challenge", "ini robot ya?"), None),
        (user("request_human", "saya mau bicara dengan petugas"), None),
    ],
)
def test_free_text_is_any_typed_answer_but_cancel(message: dict, expected: str | None) -> None:
    assert free_text(asked("complaint_description", message), "complaint_description") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ya", True),
        ("iyaa kirim", True),
        ("ok", True),
        ("boleh", True),
        ("tidak", False),
        ("gak usah", False),
        ("nggak jadi kirim", False),
        ("jangan dulu", False),
        ("kirim saja, tidak ada tambahan", True),
        ("hmm", None),
        ("", None),
        ("Lubangnya dalam sekali dan sudah tiga motor jatuh, belum ada perbaikan.", None),
    ],
)
def test_read_yes_no(text: str, expected: bool | None) -> None:
    assert read_yes_no(text) is expected


def test_dates_times_and_amounts_as_citizens_read_them() -> None:
    assert tanggal("2026-05-12") == "12 Mei 2026"
    assert tanggal("2026-03-01T12:00:00+07:00") == "1 Maret 2026"
    assert tanggal("besok") == "besok"
    assert tanggal(None) == ""
    assert waktu("2026-03-01T08:05:00+07:00") == "1 Maret 2026 pukul 08.05 WIB"
    assert waktu("2026-02-28T22:30:00Z") == "1 Maret 2026 pukul 05.30 WIB"
    assert tanggal("2026-02-28T22:30:00+00:00") == "1 Maret 2026"
    assert waktu("2026-03-01T08:05:00") == "1 Maret 2026 pukul 08.05"
    assert waktu("2026-03-01") == "1 Maret 2026"
    assert rupiah(1250000) == "Rp1.250.000"
    assert rupiah(None) == ""


def test_a_nik_is_shown_masked() -> None:
    assert mask_nik("3273014102900001") == "3273********0001"
    assert mask_nik("12") == "**"
    assert mask_nik(None) == ""


def test_payloads_carry_entities_as_json() -> None:
    assert payload("ask_menu") == "/ask_menu"
    assert payload("inform", sim_class="B2 Umum") == '/inform{"sim_class":"B2 Umum"}'


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("jalan", True),
        ("diperbaiki", True),
        ("kelurahan", True),
        ("gak", True),
        ("asdf", False),
        ("qwerty", False),
    ],
)
def test_recognisable_words(word: str, expected: bool) -> None:
    assert is_recognisable(word) is expected


def test_every_intent_answered_aside_has_its_response(domain) -> None:
    """action_answer_aside answers with utter_<intent>; without it the citizen only hears
    "later" (utter_aside_later)."""
    for intent in GENERAL_ASIDE_INTENTS | SERVICE_ASIDE_INTENTS:
        assert f"utter_{intent}" in domain["responses"], intent
