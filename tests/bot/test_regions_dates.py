import datetime as dt

import pytest

from bot.dates import find_dates
from bot.regions import find_regions


def names(text):
    return [(text[m.start : m.end], m.region.name) for m in find_regions(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("puskesmas di kota bandung dong", [("kota bandung", "Kota Bandung")]),
        ("penduduk jabar 2023", [("jabar", "Jawa Barat")]),
        ("kemiskinan NTT", [("NTT", "Nusa Tenggara Timur")]),
        ("Jogja", [("Jogja", "Daerah Istimewa Yogyakarta")]),
        ("faskes kecamatan menteng", [("kecamatan menteng", "Menteng")]),
        ("kab. bogor", [("kab. bogor", "Kabupaten Bogor")]),
        ("ipm provinsi jawa timur", [("provinsi jawa timur", "Jawa Timur")]),
        ("samsat di malang", [("malang", "Kota Malang")]),
        ("jaksel", [("jaksel", "Kota Administrasi Jakarta Selatan")]),
    ],
)
def test_regions_are_found_with_official_names(text, expected):
    assert names(text) == expected


@pytest.mark.parametrize(
    "text", ["nasib malang banget", "saya mau daftar", "batu ginjal", "mau serang siapa"]
)
def test_everyday_words_are_not_regions(text):
    assert names(text) == []


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("lahir 17-08-1990", dt.date(1990, 8, 17)),
        ("tgl lahir 17/8/90", dt.date(1990, 8, 17)),
        ("17 Agustus 1945", dt.date(1945, 8, 17)),
        ("5 mei 2001", dt.date(2001, 5, 5)),
        ("17 agt 1990", dt.date(1990, 8, 17)),
        ("12 des 99", dt.date(1999, 12, 12)),
    ],
)
def test_dates(text, date):
    assert [m.date for m in find_dates(text, today=dt.date(2026, 1, 1))] == [date]


def test_impossible_dates_and_long_numbers_are_not_dates():
    assert find_dates("31-02-2000") == []
    assert find_dates("3171011708450001") == []


def test_a_message_in_capitals_does_not_make_every_word_a_place():
    # "kulo" (Javanese "I") is also a district; capitals mark a name only in mixed case.
    assert find_regions("NIK KULO 1671234567890001") == []
    assert [m.region.name for m in find_regions("saya tinggal di Kulo")] == ["Kulo"]
