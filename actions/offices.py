"""Opening hours and addresses of a government office named in any usual way ("KPP", "kantor
pajak", "capil", "MPP", "Polres", "kantor desa", ...).

There is no office directory: `action_office_info` names the office the citizen named (and the
region, if given), says what is typical for that kind of office from the fact registry
(knowledge/facts/offices.yml: the working days and hours of government offices, which do not
bind Polri; BPJS and Pos Indonesia set their own), and where to confirm the
office's own hours. Without a recognisable office, the general answer `utter_office_info`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.answers import entity_value
from actions.conversation import Action
from actions.menu import MAIN_MENU_BUTTON

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


# The most specific first: "kantor pajak" before "kantor", "bpjs ketenagakerjaan" before "bpjs".
OFFICES = (
    Office(r"kantor imigrasi|kanim|imigrasi", "kantor imigrasi", "government",
           "imigrasi.go.id atau aplikasi M-Paspor"),
    Office(r"kpp(?: pratama| madya)?|kantor (?:pelayanan )?pajak|kantor pajak|pajak pratama|kp2kp",
           "Kantor Pelayanan Pajak (KPP)", "government", "pajak.go.id"),
    Office(r"mpp|mal+ pelayanan publik|mal+ pelayanan", "Mal Pelayanan Publik (MPP)", "government",
           "situs atau media sosial resmi MPP/pemerintah kabupaten/kota Anda"),
    Office(r"dis ?dukcapil|dukcapil|capil|catatan sipil|dinas kependudukan", "Dinas Dukcapil", "government",
           "situs atau media sosial resmi Disdukcapil kabupaten/kota Anda"),
    Office(r"satpas|satlantas", "Satpas (layanan SIM)", "polri",
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
    Office(r"kelurahan|kantor lurah", "kantor kelurahan", "government",
           "pengumuman di kantornya atau media sosial resmi kelurahan/kecamatan"),
    Office(r"kantor desa|balai desa|desa", "kantor desa", "government",
           "pengumuman di kantornya atau perangkat desa setempat"),
    Office(r"kecamatan|kantor camat|camat", "kantor kecamatan", "government",
           "media sosial resmi kecamatan atau pemerintah kabupaten/kota"),
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
    Office(r"bapenda|dispenda", "Bapenda", "government", "situs resmi Bapenda daerah Anda"),
)  # fmt: skip


def named_office(text: str) -> Office | None:
    """The office `text` names, the most specific first; None when it names none."""
    lowered = " ".join(text.lower().split())
    return next((office for office in OFFICES if office.names(lowered)), None)


class ActionOfficeInfo(Action):
    """The hours and where to confirm them, for the office the citizen named."""

    def name(self) -> str:
        return "action_office_info"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        office = named_office(tracker.latest_message.get("text") or "")
        if office is None:
            dispatcher.utter_message(response="utter_office_info")
            return []
        region = entity_value(tracker, "region")
        dispatcher.utter_message(
            response=f"utter_office_hours_{office.kind}",
            office=office.name,
            region=f" di {region}" if region else "",
            confirm=f"{office.confirm}, {MAPS}",
            buttons=[MAIN_MENU_BUTTON],
        )
        return []
