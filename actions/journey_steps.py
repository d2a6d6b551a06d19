"""Life events as journeys across ministries (issue 18, section 4): which journeys there are,
their steps, and how a step is recognised as done.

A `Journey` is a life event ("anak saya baru lahir") with its ordered `Step`s. A step's text is
the domain response `utter_journey_<journey>_<step>` (requirements, deadline, fee and legal basis
from the fact registry); its `start` button opens the step's service in this assistant, with the
payload of that service's own intent; a step no service here covers has none. `done_by` lists
the actions (with a slot value, when the action serves several documents) whose run in this
conversation completes the step; actions/journey_progress.py records their runs in a slot as
they happen. The actions are in actions/journeys.py.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from actions.answers import payload, word_pattern
from actions.menu import Button

# (action name, slot, value): the step is done once `action` ran while `slot` held `value`;
# (action name, None, None): once `action` ran at all.
Marker = tuple[str, str | None, str | None]


@dataclass(frozen=True)
class Step:
    key: str
    title: str  # short: a button title and a checklist line
    pattern: re.Pattern[str]  # the step as citizens name it ("akta lahir", "kk")
    start: Button | None = None
    done_by: tuple[Marker, ...] = ()
    # Names the step even without its journey ("pensiun janda"): only words no service here
    # answers; "motor" or "bpjs" alone name a service, not a step of a journey.
    alone: bool = False


@dataclass(frozen=True)
class Journey:
    key: str  # the `life_event` entity's value
    title: str
    pattern: re.Pattern[str]  # the event as citizens tell it
    steps: tuple[Step, ...]

    def step(self, key: str | None) -> Step | None:
        return next((step for step in self.steps if step.key == key), None)

    def find_step(self, text: str) -> Step | None:
        """The step named in `text`, the first of the journey's order."""
        return next((step for step in self.steps if step.pattern.search(text)), None)

    def button(self) -> Button:
        return {"title": self.title, "payload": payload("journey_life_event", life_event=self.key)}


def document(key: str) -> Button:
    """The button that opens the requirements of a population document (actions/documents.py)."""
    titles = {
        "birth_certificate": "Syarat akta kelahiran",
        "death_certificate": "Syarat akta kematian",
        "kk": "Syarat KK baru",
        "moving": "Syarat surat pindah",
        "ktp_el": "Syarat KTP-el",
        "kia": "Syarat KIA",
    }
    return {"title": titles[key], "payload": payload("id_document_requirements", document_type=key)}


def health_topic(key: str, title: str) -> Button:
    """The button that answers a BPJS Kesehatan topic (actions/health_info.py)."""
    return {"title": title, "payload": payload("health_bpjs_info", health_topic=key)}


def document_done(key: str, application: str | None = None) -> tuple[Marker, ...]:
    """A document step is done when its requirements were shown or its application was sent."""
    markers: tuple[Marker, ...] = (("action_document_requirements", "document_type", key),)
    if application:
        markers += (("action_population_application", "application_type", application),)
    return markers


BIRTH_CERTIFICATE = word_pattern(r"akt[ae]\s*(?:ke)?lahir(?:an)?(?:nya)?", r"akt[ae]\s+(?:anak|bayi)")
DEATH_CERTIFICATE = word_pattern(r"akt[ae]\s*(?:ke)?mati(?:an)?(?:nya)?", r"akt[ae]\s+meninggal")
KK = word_pattern("kk", r"kartu\s+keluarga")
BPJS = word_pattern(r"bpjs(?:nya)?", "jkn", "kis", r"bpjs\s*kesehatan(?:nya)?")
BANSOS = word_pattern("bansos", "pkh", "bpnt", "dtks", "dtsen", r"bantuan\s+sosial")

JOURNEYS: tuple[Journey, ...] = (
    Journey(
        "death",
        "Keluarga meninggal",
        word_pattern(
            r"meninggal\w*",
            "wafat",
            r"almarhum\w*",
            r"alm\.?",
            "berpulang",
            r"tutup\s+usia",
            "kematian",
            r"mening(?:gal|gl)",
            r"(?:sudah|udah|telah)\s+(?:tiada|pergi)",
            "mendiang",
        ),
        (
            Step(
                "death_certificate",
                "Akta kematian",
                DEATH_CERTIFICATE,
                document("death_certificate"),
                document_done("death_certificate"),
            ),
            Step("kk", "Perbarui KK", KK, document("kk"), document_done("kk", "kk_change")),
            Step(
                "bpjs",
                "Lapor ke BPJS",
                BPJS,
                {"title": "Cek status BPJS", "payload": "/health_bpjs_status"},
                (("action_bpjs_status", None, None),),
            ),
            Step(
                "bansos",
                "Data bansos",
                BANSOS,
                {"title": "Cek bansos", "payload": "/bansos_check"},
                (("action_bansos_check", None, None),),
            ),
            Step(
                "taspen", "Pensiun (Taspen)", word_pattern("taspen", r"pensi\w*", "janda", "duda"), alone=True
            ),
        ),
    ),
    Journey(
        "birth",
        "Kelahiran anak",
        word_pattern(
            r"(?:baru|habis|udah|sudah|telah)\s+(?:lahir\w*|melahirkan|lahiran|brojol)",
            "melahirkan",
            "lahiran",
            r"bayi\w*",
            "newborn",
            r"kelahiran\s+anak",
            r"anak\s+(?:pertama|kedua|ketiga)\s+lahir",
            # "anak ketiga kami lahir di bidan", "cucu saya lahir tadi pagi": a birth told with when or where
            r"(?:anak|cucu|adik|keponakan|ponakan)\w*\s+(?:\w+\s+){0,2}lahir\s+"
            r"(?:di|tadi|td|kemarin|kemaren|kmrn|tgl|tanggal|pagi|siang|sore|malam|minggu|hari|bulan)",
            r"punya\s+(?:anak|bayi|momongan)",
            "persalinan",
            r"istri\w*\s+lahiran",
        ),
        (
            Step(
                "birth_certificate",
                "Akta kelahiran",
                BIRTH_CERTIFICATE,
                document("birth_certificate"),
                document_done("birth_certificate", "birth_certificate"),
            ),
            Step("kk", "Perbarui KK", KK, document("kk"), document_done("kk", "kk_change")),
            Step(
                "kia",
                "KIA",
                word_pattern("kia", r"kartu\s+identitas\s+anak", r"ktp\s+anak"),
                document("kia"),
                document_done("kia"),
            ),
            Step(
                "bpjs",
                "BPJS bayi",
                BPJS,
                health_topic("newborn", "Daftar BPJS bayi"),
                (("action_health_info", "health_topic", "newborn"),),
            ),
            Step(
                "immunization",
                "Imunisasi",
                word_pattern(r"imunisasi\w*", r"vaksin\w*"),
                {"title": "Riwayat imunisasi", "payload": "/health_immunization_record"},
                (("action_immunization_record", None, None),),
                alone=True,  # the schedule: the record service shows what was given, not when
            ),
        ),
    ),
    Journey(
        "job_loss",
        "Kena PHK",
        word_pattern(
            r"(?:di|ke|kena\s+)?-?\s*phk",
            "dipecat",
            r"di\s*-?\s*rumahkan",
            r"(?:ter|kena\s+)?layoff",
            r"kehilangan\s+(?:pekerjaan|kerjaan|kerja)",
            r"(?:me)?nganggur",
            r"pengangguran",
            r"berhenti\s+(?:kerja|bekerja)",
            r"(?:kontrak|kontrakan\s+kerja)\s+(?:habis|tidak\s+diperpanjang)",
            r"putus\s+kontrak",
            r"tidak\s+(?:punya|ada)\s+(?:kerjaan|pekerjaan)",
            r"pemutusan\s+hubungan\s+kerja",
        ),
        (
            Step(
                "jkn",
                "BPJS Kesehatan",
                BPJS,
                {"title": "Cek status BPJS", "payload": "/health_bpjs_status"},
                (
                    ("action_bpjs_status", None, None),
                    ("utter_health_bpjs_contribution", None, None),
                    ("action_health_info", "health_topic", "job_loss"),
                ),
            ),
            Step(
                "jkp",
                "JKP",
                word_pattern("jkp", r"bpjs\s*(?:tk|ketenagakerjaan)", "jamsostek", "bpjamsostek"),
                alone=True,
            ),
            Step(
                "bansos",
                "Bansos",
                BANSOS,
                {"title": "Cek bansos", "payload": "/bansos_check"},
                (("action_bansos_check", None, None), ("utter_bansos_register", None, None)),
            ),
            Step("prakerja", "Kartu Prakerja", word_pattern("prakerja", r"pelatihan\s+kerja"), alone=True),
        ),
    ),
    Journey(
        "school",
        "Anak masuk sekolah",
        word_pattern(
            r"masuk\s+(?:sd|smp|sma|smk|sekolah|tk)",
            r"daftar\w*\s+(?:sd|smp|sma|smk|sekolah)",
            "spmb",
            "ppdb",
            r"(?:mulai|baru)\s+sekolah",
            r"sekolah\s+(?:baru|pertama)",
            r"murid\s+baru",
            r"tahun\s+ajaran\s+baru",
        ),
        (
            Step(
                "documents",
                "Akta & KK anak",
                BIRTH_CERTIFICATE,
                document("birth_certificate"),
                document_done("birth_certificate", "birth_certificate"),
            ),
            Step(
                "spmb",
                "Daftar SPMB",
                word_pattern("spmb", "ppdb", r"pendaftaran(?:\s+sekolah)?", "jalur"),
                {"title": "Info SPMB", "payload": "/edu_school_admission"},
                (("action_spmb", None, None),),
            ),
            Step(
                "pip",
                "PIP / KIP",
                word_pattern("pip", "kip", r"indonesia\s+pintar"),
                {"title": "Cek PIP", "payload": "/edu_pip_status"},
                (("action_pip_status", None, None),),
            ),
        ),
    ),
    Journey(
        "moving",
        "Pindah rumah",
        word_pattern(
            r"pindah(?:an)?\s+(?:rumah|domisili|alamat|kota|provinsi|kabupaten|ke)",
            "pindahan",
            "boyongan",
            r"rumah\s+baru",
            r"ganti\s+alamat",
            r"alamat\s+baru",
            r"pindah\w*",
            "domisili",
        ),
        (
            Step(
                "moving_letter",
                "Surat pindah",
                word_pattern(r"surat\s+pindah", "skpwni", "skpd", r"pindah\s+keluar"),
                document("moving"),
                document_done("moving", None),
            ),
            Step(
                "ktp_kk",
                "KK & KTP-el baru",
                word_pattern("kk", r"kartu\s+keluarga", r"e-?\s?ktp", r"ktp(?:\s*-?\s*el)?"),
                document("kk"),
                document_done("kk", "kk_change") + document_done("ktp_el"),
            ),
            Step(
                "faskes",
                "Pindah faskes",
                word_pattern("faskes", "fktp", "puskesmas", "klinik", "bpjs"),
                {"title": "Cari faskes baru", "payload": "/health_facility_search"},
                (("action_facility_search", None, None),),
            ),
            Step(
                "vehicle",
                "Mutasi kendaraan",
                word_pattern(
                    "mutasi", "kendaraan", "motor", "mobil", "stnk", "bpkb", "samsat", r"plat\w*", "pelat"
                ),
                {"title": "Cek pajak kendaraan", "payload": "/pay_vehicle_tax"},
                (("action_vehicle_tax", None, None),),
            ),
        ),
    ),
)
JOURNEYS_BY_KEY = {journey.key: journey for journey in JOURNEYS}


def find_journey(text: str) -> Journey | None:
    """The life event told in `text`; the first of JOURNEYS' order wins ("bapak meninggal, ibu
    mau pindah ke rumah kakak" is a death)."""
    return next((journey for journey in JOURNEYS if journey.pattern.search(text)), None)


def find_step(text: str) -> tuple[Journey, Step] | None:
    """The step named in `text` by words that name it alone (`Step.alone`), when only one step
    is so named: "pensiun janda" is the Taspen step of a death, "imunisasi bcg" the immunisation
    of a birth; "bpjs" or "motor" name a service, not a step."""
    named = [
        (journey, step)
        for journey in JOURNEYS
        for step in journey.steps
        if step.alone and step.pattern.search(text)
    ]
    return named[0] if len(named) == 1 else None


def step_response(text: str, journey_key: str | None) -> str | None:
    """The response of the step `text` names: a step of the journey under way (`journey_key`),
    else of the one journey with such a step; None when it names none."""
    current = JOURNEYS_BY_KEY.get(journey_key or "")
    step = current.find_step(text) if current else None
    if current and step:
        return f"utter_journey_{current.key}_{step.key}"
    named = find_step(text)
    return f"utter_journey_{named[0].key}_{named[1].key}" if named else None


def marker_key(marker: Marker) -> str:
    """How a marker is kept in the `journey_services` slot: "action", or "action:slot=value"."""
    action, slot, value = marker
    return action if slot is None else f"{action}:{slot}={value}"


# Every marker a step is done by: what `services_run` keeps of all the actions that ran.
MARKER_KEYS = frozenset(
    marker_key(marker) for journey in JOURNEYS for step in journey.steps for marker in step.done_by
)


def services_run(events: Iterable[dict[str, Any]]) -> set[str]:
    """The keys of the step markers (`MARKER_KEYS`) that `events` satisfy: each action (custom
    action or response) run in the current session, with the slot values it ran on or set (an
    action's own SlotSets follow its run: `action_health_info` sets the topic it answered)."""
    slots: dict[str, Any] = {}
    run: set[str] = set()
    last_action: str | None = None  # the action whose SlotSets may follow
    for event in events:
        kind = event.get("event")
        if kind in ("session_started", "restart"):
            run.clear()
            last_action = None
        elif kind == "slot":
            name, value = str(event.get("name")), event.get("value")
            slots[name] = value
            if last_action and isinstance(value, str):
                run.update({marker_key((last_action, name, value))} & MARKER_KEYS)
        elif kind == "action" and event.get("name"):
            last_action = str(event["name"])
            keys = {marker_key((last_action, None, None))}
            keys.update(
                marker_key((last_action, slot, value))
                for slot, value in slots.items()
                if isinstance(value, str)
            )
            run.update(keys & MARKER_KEYS)
        elif kind == "user":
            last_action = None
    return run


def done_steps(journey: Journey, services: Iterable[str], said_done: Iterable[str]) -> set[str]:
    """The keys of the journey's steps done: said so ("<journey>.<step>" in `said_done`), or whose
    service ran (a key of `MARKER_KEYS` in `services`)."""
    ran = set(services)
    said = set(said_done)
    return {
        step.key
        for step in journey.steps
        if f"{journey.key}.{step.key}" in said or any(marker_key(marker) in ran for marker in step.done_by)
    }
