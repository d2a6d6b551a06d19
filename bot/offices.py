"""Opening hours and addresses of a government office named in any usual way ("KPP", "kantor
pajak", "capil", "MPP", "Polres", "kantor desa", ...).

There is no office directory. The answer to `office_info` (`utter_office_info`, predicted as any
response) is worded for the office the latest message names: bot/nlg.py asks `response_for()`,
which picks `utter_office_hours_<kind>` with the office, the region named and where to confirm
its hours; the wording and the facts (knowledge/facts/offices.yml: the working days and hours of
government offices, which do not bind Polri; BPJS and Pos Indonesia set their own) are in
domain/offices.yml. Without a recognisable office, `utter_office_info` itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

RESPONSE = "utter_office_info"
MAPS = "atau cari nama kantornya di Google Maps"


@dataclass(frozen=True)
class Office:
    pattern: str  # words that name it, as a regex over the lower-cased message
    name: str  # as the reply names it
    # "government": the days and hours of offices.working_days; "polri": outside it; "own": sets its own.
    kind: str
    confirm: str  # where to confirm its hours and address

    def names(self, text: str) -> bool:
        return re.search(rf"\b(?:{self.pattern})\b", text) is not None


# The most specific first: "kantor pajak" before "kantor", "bpjs ketenagakerjaan" before "bpjs",
# "pajak daerah" (Bapenda) before "kantor pajak" (KPP).
OFFICES = (
    Office(r"kantor imigrasi|kanim|imigrasi", "kantor imigrasi", "government",
           "imigrasi.go.id atau aplikasi M-Paspor"),
    Office(r"bapenda|dispenda|bappenda|badan pendapatan(?: daerah)?|(?:kantor |dinas )?pajak daerah",
           "Bapenda", "government", "situs resmi Bapenda daerah Anda"),
    Office(r"kpp(?: pratama| madya)?|kantor (?:pelayanan )?pajak|kantor pajak|pajak pratama|kp2kp",
           "Kantor Pelayanan Pajak (KPP)", "government", "pajak.go.id"),
    Office(r"mpp|mal+ pelayanan publik|mal+ pelayanan", "Mal Pelayanan Publik (MPP)", "government",
           "situs atau media sosial resmi MPP/pemerintah kabupaten/kota Anda"),
    Office(r"dis ?dukcapil|dukcapil|disduk|capil|catpil|catatan sipil|dinas kependudukan",
           "Dinas Dukcapil", "government",
           "situs atau media sosial resmi Disdukcapil kabupaten/kota Anda"),
    Office(r"satpas|satlantas|(?:kantor |gerai )?pelayanan sim|layanan sim|gerai sim|sim keliling",
           "Satpas (layanan SIM)", "polri",
           "situs atau media sosial resmi Polres/Polda setempat"),
    Office(r"polres(?:ta|tabes)?|polsek|polda|kantor polisi", "kantor polisi (Polres/Polsek)", "polri",
           "situs atau media sosial resmi Polres setempat"),
    Office(r"samsat", "Samsat", "own",
           "situs, aplikasi, atau media sosial resmi Samsat/Bapenda provinsi Anda"),
    Office(r"bpjs (?:ketenagakerjaan|tk)|bpjamsostek|jamsostek", "kantor BPJS Ketenagakerjaan", "own",
           "bpjsketenagakerjaan.go.id"),
    Office(r"bpjs(?: kesehatan)?", "kantor BPJS Kesehatan", "own",
           "bpjs-kesehatan.go.id atau aplikasi Mobile JKN"),
    Office(r"kantor pos|pos indonesia", "Kantor Pos", "own", "posindonesia.co.id"),
    Office(r"kua|kantor urusan agama", "Kantor Urusan Agama (KUA)", "government",
           "situs atau media sosial resmi Kemenag kabupaten/kota Anda"),
    Office(r"dinsos|dinas sosial", "Dinas Sosial", "government",
           "situs atau media sosial resmi Dinas Sosial kabupaten/kota Anda"),
    Office(r"puskesmas", "puskesmas", "government",
           "media sosial resmi puskesmas atau Dinas Kesehatan setempat"),
    Office(r"bkn|badan kepegawaian negara|bkd|bkpsdm", "kantor kepegawaian (BKN/BKD)", "government",
           "bkn.go.id atau situs BKD/BKPSDM daerah Anda"),
    Office(r"kpu|komisi pemilihan umum", "kantor KPU", "government",
           "kpu.go.id atau situs KPU kabupaten/kota Anda"),
    Office(r"dinkes|dinas kesehatan", "Dinas Kesehatan", "government",
           "situs atau media sosial resmi Dinas Kesehatan setempat"),
    Office(r"disdik|dinas pendidikan", "Dinas Pendidikan", "government",
           "situs atau media sosial resmi Dinas Pendidikan setempat"),
    Office(r"bpn|atr ?/? ?bpn|badan pertanahan(?: nasional)?|kantor pertanahan|kantah|pertanahan",
           "Kantor Pertanahan (BPN)", "government", "situs atau aplikasi Sentuh Tanahku Kementerian ATR/BPN"),
    Office(r"disnaker\w*|dinas (?:tenaga kerja|ketenagakerjaan)|kantor tenaga kerja",
           "Dinas Ketenagakerjaan (Disnaker)", "government",
           "situs atau media sosial resmi Disnaker kabupaten/kota Anda"),
    Office(r"bps|badan pusat statistik", "kantor BPS (Badan Pusat Statistik)", "government",
           "bps.go.id atau situs BPS provinsi/kabupaten/kota Anda"),
    Office(r"pengadilan(?: agama| negeri| tinggi)?", "pengadilan", "government",
           "situs resmi pengadilan setempat"),
    Office(r"kemenag|kementerian agama|kantor agama", "kantor Kementerian Agama (Kemenag)", "government",
           "situs atau media sosial resmi Kemenag kabupaten/kota Anda"),
    Office(r"dpmptsp|ptsp|dinas perizinan|perizinan terpadu|kantor perizinan",
           "Dinas Penanaman Modal dan PTSP (perizinan)", "government",
           "situs atau media sosial resmi DPMPTSP kabupaten/kota Anda"),
    Office(r"kejaksaan|kejari|kejati", "kantor kejaksaan", "government", "situs resmi kejaksaan setempat"),
    Office(r"taspen", "kantor Taspen", "own", "taspen.co.id atau aplikasi Taspen"),
    Office(r"dishub|dinas perhubungan|uji kir|kir", "Dinas Perhubungan (Dishub)", "government",
           "situs atau media sosial resmi Dishub kabupaten/kota Anda"),
    Office(r"pemkot|pemkab|pemprov|pemda|balai ?kota|kantor (?:bupati|wali ?kota|gubernur)|setda",
           "kantor pemerintah daerah", "government", "situs resmi pemerintah kabupaten/kota/provinsi Anda"),
    Office(r"rsud|rumah sakit(?: umum)?(?: daerah)?", "rumah sakit", "own",
           "situs resmi rumah sakit atau aplikasi Mobile JKN (jadwal dokter)"),
    Office(r"pdam|perumda(?: air minum)?", "kantor PDAM", "own",
           "situs atau media sosial resmi PDAM setempat"),
    Office(r"pln|kantor listrik", "kantor PLN", "own", "aplikasi PLN Mobile atau pln.co.id"),
    # Places named with another office ("KUA kecamatan", "Disdukcapil kota") are that office: last.
    Office(r"kelurahan|kantor lurah", "kantor kelurahan", "government",
           "pengumuman di kantornya atau media sosial resmi kelurahan/kecamatan"),
    Office(r"kantor desa|balai desa|desa", "kantor desa", "government",
           "pengumuman di kantornya atau perangkat desa setempat"),
    Office(r"kecamatan|kantor camat|camat", "kantor kecamatan", "government",
           "media sosial resmi kecamatan atau pemerintah kabupaten/kota"),
)  # fmt: skip


def named_office(text: str) -> Office | None:
    """The office `text` names, the most specific first; None when it names none."""
    lowered = " ".join(text.lower().split())
    return next((office for office in OFFICES if office.names(lowered)), None)


def response_for(text: str | None, entities: Iterable[dict[str, Any]] = ()) -> tuple[str, dict[str, str]]:
    """The response that answers `office_info` for the office `text` names, and its values."""
    office = named_office(text or "")
    if office is None:
        return RESPONSE, {}
    region = next(
        (str(e.get("value")) for e in entities if e.get("entity") == "region" and e.get("value")), None
    )
    return f"utter_office_hours_{office.kind}", {
        "office": office.name,
        "region": f" di {region}" if region else "",
        "confirm": f"{office.confirm}, {MAPS}",
    }
