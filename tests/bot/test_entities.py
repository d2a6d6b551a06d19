from pathlib import Path

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
        ("no laporan LPR/2026/00942 gmn", [("LPR/2026/00942", "ticket_id", "LPR-2026-00942")]),
        ("lpr 2026 00977 kak", [("lpr 2026 00977", "ticket_id", "LPR-2026-00977")]),
        ("adm2026000945", [("adm2026000945", "ticket_id", "ADM-2026-000945")]),
        ("bil - 2026 - 000932 lunas?", [("bil - 2026 - 000932", "ticket_id", "BIL-2026-000932")]),
        ("status lpr 2026-00955?", [("lpr 2026-00955", "ticket_id", "LPR-2026-00955")]),
        ("kabar casn-2026-000007 gmn", [("casn-2026-000007", "ticket_id", "CASN-2026-000007")]),
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
    [
        "hp sy 081234567890", "sim di polres mana", "di 2023 ya", "B 12 yg mana", "tahun 2024", "🙏🙏",
        "x" * 10_000,
    ],
)
def test_no_false_entities(text):
    assert found(text) == []


def test_nik_and_bpjs_number_side_by_side():
    assert [e.entity for e in find_entities("3171011708450001 0001234567891")] == ["nik", "bpjs_number"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("alamat kantor bpjs medan", [("medan", "region", "Kota Medan")]),
        ("how many people live in medan", [("medan", "region", "Kota Medan")]),
        ("bikin sim a dan c sekaligus", [("a", "sim_class", "A"), ("c", "sim_class", "C")]),
        ("sim c sama a habis berapa", [("c", "sim_class", "C"), ("a", "sim_class", "A")]),
        ("motor saya g 8890 jk", [("g 8890 jk", "plate_number", "G 8890 JK")]),
    ],
)
def test_context_marks_places_lists_and_plates(text, expected):
    assert found(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "aku pengen ngomong karo petugas", "cek bpjs ibu saya", "satpas polda metro jaya", "sim a 2024 ya",
        "saya P1 TL artinya apa", "bayar lewat bank jateng",
    ],
)
def test_everyday_words_stay_words(text):
    assert [e for e in found(text) if e[1] in ("region", "plate_number")] == []


def test_extractor_agrees_with_the_training_annotations():
    """The annotations of data/nlu are this rule-based extractor's development set."""
    from rasa.shared.nlu.training_data.loading import load_data

    tp = fp = fn = 0
    for example in load_data(str(Path(__file__).parents[2] / "data" / "nlu")).training_examples:
        gold = {(e["entity"], e["start"], e["end"]) for e in example.get("entities") or []}
        got = {(e.entity, e.start, e.end) for e in find_entities(example.get("text"))}
        tp, fp, fn = tp + len(gold & got), fp + len(got - gold), fn + len(gold - got)
    assert tp / (tp + (fp + fn) / 2) >= 0.98, (tp, fp, fn)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # The gateway's tokens (api/privacy/shapes.py) are the entities their originals were.
        ("nik saya 0001234567890123", [("0001234567890123", "nik", "0001234567890123")]),
        ("no kk saya 0021234567890123", [("0021234567890123", "kk_number", "0021234567890123")]),
        ("bpjs 9912345678901 aktif ga", [("9912345678901", "bpjs_number", "9912345678901")]),
        ("nisn anak sy 5123456789", [("5123456789", "nisn", "5123456789")]),
        # A phone number's token, like a phone number, is no NISN, card or NIK.
        ("hp saya 001234567890", []),
        ("peserta 00123456789012345", []),
    ],
)
def test_gateway_tokens_are_the_same_entities(text, expected):
    assert found(text) == expected
