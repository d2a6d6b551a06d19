import pytest

from bot.entities import find_entities


def found(text):
    return [(text[e.start : e.end], e.entity, e.value) for e in find_entities(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("nik 3171 0117 0845 0001 lahir 17-08-1945",
         [("3171 0117 0845 0001", "nik", "3171011708450001"), ("17-08-1945", "date", "1945-08-17")]),
        ("no kk saya 3273012301150003", [("3273012301150003", "kk_number", "3273012301150003")]),
        ("bpjs 0001234567891 aktif ga", [("0001234567891", "bpjs_number", "0001234567891")]),
        ("nisn anak sy 0081234567", [("0081234567", "nisn", "0081234567")]),
        ("pajak motor b1234xyz", [("b1234xyz", "plate_number", "B 1234 XYZ")]),
        ("plat D 4567 ABC", [("D 4567 ABC", "plate_number", "D 4567 ABC")]),
        ("status adm-2024-001234", [("adm-2024-001234", "ticket_id", "ADM-2024-001234")]),
        ("kode billing 820251234567890", [("820251234567890", "billing_code", "820251234567890")]),
        ("perpanjang sim c di polres", [("c", "sim_class", "C")]),
        ("biaya sim b ii umum", [("b ii umum", "sim_class", "B2 Umum")]),
        ("ipm jatim", [("jatim", "region", "Jawa Timur")]),
    ],
)
def test_entities_with_normalised_values(text, expected):
    assert found(text) == expected


@pytest.mark.parametrize(
    "text",
    ["hp sy 081234567890", "sim di polres mana", "di 2023 ya", "B 12 yg mana", "tahun 2024", "🙏🙏", "x" * 10_000],
)
def test_no_false_entities(text):
    assert found(text) == []


def test_nik_and_bpjs_number_side_by_side():
    assert [e.entity for e in find_entities("3171011708450001 0001234567891")] == ["nik", "bpjs_number"]
