import pytest

from bot.identifiers import (
    check_bpjs_number,
    check_kk_number,
    check_nik,
    check_nisn,
    is_phone_number,
    normalize_plate,
    normalize_sim_class,
    normalize_ticket,
)


@pytest.mark.parametrize(
    "nik",
    [
        "3171011708450001", "3171 0117 0845 0001", "3171.0117.0845.0001", "3273015708900002",
        "9301010101010001",
    ],
)
def test_plausible_niks_pass(nik):
    assert check_nik(nik) is None


@pytest.mark.parametrize(
    ("nik", "says"),
    [
        ("317101170845", "16 digit"),
        ("3171011708450001999", "16 digit"),
        ("9971011708450001", 'provinsi "99"'),
        ("3171013002901234", "(30-02-90) tidak ada"),
        ("3171017013901234", "(30-13-90)"),  # a woman's day (70 → 30) in month 13
        ("3171015708450000", "0000"),
        ("31710117084500O1", "16 digit"),
    ],
)
def test_impossible_niks_say_what_is_wrong(nik, says):
    problem = check_nik(nik)
    assert problem is not None and says in problem


def test_other_identifiers():
    assert check_kk_number("3273012301150003") is None
    assert "provinsi 99" in check_kk_number("9973012301150003")
    assert check_bpjs_number("0001234567891") is None
    assert "13 digit" in check_bpjs_number("000123456789")
    assert check_nisn("0081234567") is None
    assert "10 digit" in check_nisn("008123456")


@pytest.mark.parametrize(
    ("typed", "plate"),
    [("b1234xyz", "B 1234 XYZ"), ("B 1234 XYZ", "B 1234 XYZ"), ("ab 12 c", "AB 12 C"), ("L99AA", "L 99 AA")],
)
def test_plates_are_normalised(typed, plate):
    assert normalize_plate(typed) == plate


def test_non_plates_and_tickets():
    assert normalize_plate("12345") is None
    assert normalize_ticket("lpr-2025-00421") == "LPR-2025-00421"
    assert normalize_ticket("casn-2026-000007") == "CASN-2026-000007"
    assert normalize_ticket("XYZ-2025-00421") is None


def test_phone_numbers():
    assert is_phone_number("0812-3456-7890")
    assert is_phone_number("+62 812 3456 7890")
    assert not is_phone_number("0081234567")


@pytest.mark.parametrize(
    ("typed", "sim_class"),
    [("a", "A"), ("B II umum", "B2 Umum"), ("b1", "B1"), ("sim c2", "C2"), ("CI", "C1"), ("d1", "D1"),
     ("DI", "D1"), ("internasional", "Internasional"), ("E", None), ("c umum", None), ("B", None)],
)
def test_sim_classes_are_normalised(typed, sim_class):
    assert normalize_sim_class(typed) == sim_class
