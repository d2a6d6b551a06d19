"""Vehicle registration plates (NRKB): parsing, the canonical `B 1234 XYZ` form, and the area
letters of the Samsat region where a vehicle is registered.

An NRKB is 1–2 area letters, a number of 1–4 digits (no leading zero) and a suffix of up to
three letters: `B 1234 XYZ`, `AB 12 C`, `D 1 A`. Citizens type it with or without spaces,
dots or dashes, in any case.
"""

from __future__ import annotations

import re

_PLATE = re.compile(r"^([A-Z]{1,2})([1-9][0-9]{0,3})([A-Z]{0,3})$")
_SEPARATORS = re.compile(r"[\s.\-]")

# Area letters by province code (Kemendagri), for vehicles registered at the provincial
# Samsat; `_REGENCY_LETTERS` refines the provinces whose areas use several letters.
PROVINCE_LETTERS: dict[str, str] = {
    "11": "BL", "12": "BK", "13": "BA", "14": "BM", "15": "BH", "16": "BG", "17": "BD",
    "18": "BE", "19": "BN", "21": "BP", "31": "B", "32": "D", "33": "H", "34": "AB",
    "35": "L", "36": "A", "51": "DK", "52": "DR", "53": "DH", "61": "KB", "62": "KH",
    "63": "DA", "64": "KT", "65": "KU", "71": "DB", "72": "DN", "73": "DD", "74": "DT",
    "75": "DM", "76": "DC", "81": "DE", "82": "DG", "91": "PA", "92": "PB", "93": "PA",
    "94": "PA", "95": "PA", "96": "PB",
}  # fmt: skip

# Regency/city code (PP.KK without the dot) → area letters, where they differ from the
# province's default.
_REGENCY_LETTERS: dict[str, str] = {
    # Jawa Barat: Bogor/Sukabumi/Cianjur F, Cirebon area E, Purwakarta/Karawang/Subang T,
    # Priangan Timur Z, Bekasi and Depok B.
    **dict.fromkeys(["3201", "3202", "3203", "3271", "3272"], "F"),
    **dict.fromkeys(["3208", "3209", "3210", "3212", "3274"], "E"),
    **dict.fromkeys(["3213", "3214", "3215"], "T"),
    **dict.fromkeys(["3205", "3206", "3207", "3211", "3218", "3278", "3279"], "Z"),
    **dict.fromkeys(["3216", "3275", "3276"], "B"),
    # Jawa Tengah: Surakarta AD, Kedu AA, Banyumas R, Pekalongan/Tegal G, Pati K.
    **dict.fromkeys(["3309", "3310", "3311", "3312", "3313", "3314", "3372"], "AD"),
    **dict.fromkeys(["3305", "3306", "3307", "3308", "3323", "3371"], "AA"),
    **dict.fromkeys(["3301", "3302", "3303", "3304"], "R"),
    **dict.fromkeys(["3325", "3326", "3327", "3328", "3329", "3375", "3376"], "G"),
    **dict.fromkeys(["3316", "3317", "3318", "3319", "3320"], "K"),
    # Jawa Timur: Sidoarjo/Gresik W, Malang N, Besuki P, Kediri AG, Madiun AE,
    # Bojonegoro/Mojokerto S, Madura M.
    **dict.fromkeys(["3515", "3525"], "W"),
    **dict.fromkeys(["3507", "3508", "3513", "3514", "3573", "3574", "3575", "3579"], "N"),
    **dict.fromkeys(["3509", "3510", "3511", "3512"], "P"),
    **dict.fromkeys(["3503", "3504", "3505", "3506", "3518", "3571", "3572"], "AG"),
    **dict.fromkeys(["3501", "3502", "3519", "3520", "3521", "3577"], "AE"),
    **dict.fromkeys(["3516", "3517", "3522", "3523", "3524", "3576"], "S"),
    **dict.fromkeys(["3526", "3527", "3528", "3529"], "M"),
    # Banten: Tangerang B. Sumatera Utara: Tapanuli BB. NTB: Sumbawa EA.
    # NTT: Flores EB, Sumba ED.
    **dict.fromkeys(["3603", "3671", "3674"], "B"),
    **dict.fromkeys(
        ["1201", "1202", "1203", "1212", "1213", "1216", "1217", "1220", "1221", "1273", "1277"], "BB"
    ),
    **dict.fromkeys(["5204", "5205", "5206", "5207", "5272"], "EA"),
    **dict.fromkeys(["5306", "5307", "5308", "5309", "5310", "5313", "5315", "5316", "5319"], "EB"),
    **dict.fromkeys(["5311", "5312", "5317", "5318"], "ED"),
}


def area_letters(region_code: str) -> str:
    """The plate area letters for a region code (`"32.73"`, `"3273"`, `"3273010001"`...)."""
    digits = region_code.replace(".", "")
    return _REGENCY_LETTERS.get(digits[:4]) or PROVINCE_LETTERS.get(digits[:2], "B")


def parse_plate(value: str) -> tuple[str, str, str] | None:
    """`"b1234xyz"` → `("B", "1234", "XYZ")`; None when it is not a plate."""
    match = _PLATE.fullmatch(_SEPARATORS.sub("", value.upper()))
    return (match[1], match[2], match[3]) if match else None


def format_plate(letters: str, number: str, suffix: str) -> str:
    return " ".join(part for part in (letters, number, suffix) if part)


def plate_key(plate: str) -> str:
    """The plate without spaces (`B1234XYZ`): how records are keyed."""
    return plate.replace(" ", "")
