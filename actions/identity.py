"""Digital identity (IKD) and population documents (Dukcapil).

- `action_ikd_activation`: the activation steps, then the fix for the problem the citizen
  names (a button, or typed: "kode aktivasi gak masuk").
- `document_requirements_form` (`document_type`, buttons) → `action_document_requirements`:
  requirements and procedure per document (responses `utter_document_<type>`, free under
  UU 24/2013 art. 79A). For KK changes, birth certificates and moving it offers to apply
  online (`application_offered`; "ya" starts the next form, data/rules/identity.yml).
- `population_application_form` (type, NIK, date of birth, the details the type needs, a
  confirmation) → `action_population_application`: `POST /population/applications`, which
  gives an ADM case number.
- `application_status_form` (`ticket_id`) → `action_application_status`: `GET /cases/{n}`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.answers import (
    aside_intents,
    entity_value,
    latest_intent,
    mask_nik,
    payload,
    read_yes_no,
    rupiah,
    tanggal,
    typed_answer,
    waktu,
)
from actions.conversation import Action, FormValidationAction
from actions.flows import (
    IdentityFormValidation,
    identity_mismatch,
    is_answer,
    just_activated,
    lookup_failed,
    parse_birth_date,
)
from actions.gateway import GatewayError, gateway
from actions.menu import MAIN_MENU_BUTTON, Button
from bot.identifiers import normalize_ticket

SlotValues = dict[str, Any]

SERVICE = "Dukcapil"
ALTERNATIVE = "datang ke Dinas Dukcapil kabupaten/kota Anda (layanan ini gratis)."
FREE = "Layanan adminduk gratis (UU 24/2013 pasal 79A); jangan membayar kepada siapa pun."
OFFICE_BUTTON: Button = {"title": "Jam & alamat kantor", "payload": "/office_info"}
STATUS_BUTTON: Button = {"title": "Cek status permohonan", "payload": "/id_application_status"}
OTHER_DOCUMENT_BUTTON: Button = {"title": "Syarat dokumen lain", "payload": "/id_document_requirements"}
YES_NO_BUTTONS: list[Button] = [
    {"title": "Ya, kirim", "payload": "/affirm"},
    {"title": "Tidak", "payload": "/deny"},
]


def _words(*patterns: str) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(patterns) + r")\b", re.IGNORECASE)


# --- IKD ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class IkdProblem:
    """A known IKD activation problem; its fix is the response `utter_ikd_problem_<key>`."""

    key: str
    title: str
    pattern: re.Pattern[str]

    def button(self) -> Button:
        return {"title": self.title, "payload": payload("id_ikd_activation", ikd_problem=self.key)}


IKD_PROBLEMS: tuple[IkdProblem, ...] = (
    IkdProblem(
        "activation_code", "Kode aktivasi tidak masuk", _words(r"kode\s+aktivasi", r"e-?mail", "surel", "otp")
    ),
    IkdProblem("face_match", "Swafoto/wajah gagal", _words("wajah", "muka", "selfie", "swafoto", "foto")),
    IkdProblem("qr_scan", "Verifikasi QR oleh petugas", _words("qr", "barcode", "scan", "pindai", "petugas")),
    IkdProblem(
        "nik_rejected",
        "NIK/data ditolak",
        _words(
            r"nik\s+(?:tidak|tdk|gak|ga|nggak)",
            r"tidak\s+terdaftar",
            r"tidak\s+ditemukan",
            r"sudah\s+terdaftar",
            r"data\s+(?:tidak|tdk|gak|ga)",
            r"tidak\s+valid",
        ),
    ),
    IkdProblem(
        "device_pin",
        "Ganti HP atau lupa PIN",
        _words(
            "pin", r"ganti\s+(?:hp|ponsel|handphone)", r"hp\s+(?:baru|hilang|rusak)", "uninstall", "logout"
        ),
    ),
)
IKD_ASK_PROBLEM = "Ada kendala saat aktivasi? Pilih masalahnya, atau tuliskan kendala Anda."


def ikd_problem(tracker: Tracker) -> tuple[IkdProblem | None, bool]:
    """The problem the latest message names, and whether it named one we do not know."""
    value = entity_value(tracker, "ikd_problem")
    if value is not None:
        known = next((p for p in IKD_PROBLEMS if p.key == value), None)
        return known, known is None
    text = tracker.latest_message.get("text") or ""
    if text.startswith("/"):
        return None, False
    return next((p for p in IKD_PROBLEMS if p.pattern.search(text)), None), False


class ActionIkdActivation(Action):
    """IKD activation: the steps, or the fix for a named problem."""

    def name(self) -> str:
        return "action_ikd_activation"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        problem, unknown = ikd_problem(tracker)
        if problem is not None:
            others = [p.button() for p in IKD_PROBLEMS if p is not problem]
            dispatcher.utter_message(response=f"utter_ikd_problem_{problem.key}")
            dispatcher.utter_message(text="Kendala lain?", buttons=[*others, OFFICE_BUTTON, MAIN_MENU_BUTTON])
            return []
        if not unknown:
            dispatcher.utter_message(response="utter_id_ikd_activation")
        dispatcher.utter_message(
            text=IKD_ASK_PROBLEM, buttons=[p.button() for p in IKD_PROBLEMS] + [MAIN_MENU_BUTTON]
        )
        return []


# --- Document requirements ---------------------------------------------------------------


@dataclass(frozen=True)
class Document:
    """A population document whose requirements `utter_document_<key>` gives."""

    key: str
    title: str
    pattern: re.Pattern[str]
    application: str | None = None  # the online application offered after the requirements
    reason: str | None = None  # for a KK change: its reason, known from the document

    def button(self) -> Button:
        return {"title": self.title, "payload": payload("inform", document_type=self.key)}


# Checked in this order: "akta kelahiran untuk KK" is about the birth certificate.
DOCUMENTS: tuple[Document, ...] = (
    Document(
        "death_certificate",
        "Akta kematian",
        _words(r"akt[ae]\s+(?:ke)?mati(?:an)?", "kematian", "meninggal", "wafat", r"almarhum\w*"),
    ),
    Document(
        "birth_certificate",
        "Akta kelahiran",
        _words(r"akt[ae]\s+(?:ke)?lahir(?:an)?", "kelahiran", "lahir", "bayi"),
        application="birth_certificate",
    ),
    Document(
        "moving",
        "Pindah domisili",
        _words(r"pindah\w*", "skpwni", r"surat\s+pindah", "domisili"),
        application="kk_change",
        reason="pindah",
    ),
    Document("kk", "Kartu Keluarga (KK)", _words("kk", r"kartu\s+keluarga"), application="kk_change"),
    Document("ktp_el", "KTP-el", _words(r"e-?\s?ktp", r"ktp(?:\s*-?\s*el)?", r"kartu\s+tanda\s+penduduk")),
)
DOCUMENTS_BY_KEY = {document.key: document for document in DOCUMENTS}
UNKNOWN_DOCUMENT = (
    "Maaf, dokumen itu belum saya kenali. Pilih salah satu: KTP-el, Kartu Keluarga, akta "
    "kelahiran, akta kematian, atau pindah domisili."
)


def find_document(text: str) -> Document | None:
    return next((document for document in DOCUMENTS if document.pattern.search(text)), None)


class ValidateDocumentRequirementsForm(FormValidationAction):
    """Which document: a button, or typed ("akta lahir", "bikin ktp")."""

    aside = aside_intents("id_document_requirements")

    def name(self) -> str:
        return "validate_document_requirements_form"

    async def extract_document_type(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        if entity_value(tracker, "document_type"):
            return {}
        if just_activated(tracker, self.form_name()):
            # The question itself may name the document ("syarat akta kematian"); a new
            # question never reuses an earlier answer.
            found = find_document(tracker.latest_message.get("text") or "")
            return {"document_type": found.key if found else None}
        text = typed_answer(tracker, "document_type", self.aside)
        if text is None:
            return {}
        found = find_document(text)
        if found is None:
            dispatcher.utter_message(text=UNKNOWN_DOCUMENT)
        return {"document_type": found.key if found else None}

    async def validate_document_type(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        if value is None:
            return {"document_type": None}
        if value not in DOCUMENTS_BY_KEY:
            dispatcher.utter_message(text=UNKNOWN_DOCUMENT)
            return {"document_type": None}
        return {"document_type": value}


APPLICATION_TYPES = {"kk_change": "perubahan KK", "birth_certificate": "akta kelahiran"}
APPLICATION_SLOTS = (
    "application_type",
    "kk_change_reason",
    "child_name",
    "child_birth_date",
    "place_of_birth",
    "application_confirmed",
)
OFFER = "Ingin mengajukan permohonan {kind} secara daring sekarang? Anda akan mendapat nomor permohonan."


def forget_application() -> list[EventType]:
    return [SlotSet(slot, None) for slot in APPLICATION_SLOTS] + [SlotSet("application_offered", None)]


class ActionDocumentRequirements(Action):
    """The requirements of the chosen document; offers an online application where one exists."""

    def name(self) -> str:
        return "action_document_requirements"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        document = DOCUMENTS_BY_KEY.get(tracker.get_slot("document_type") or "")
        events: list[EventType] = [SlotSet("document_type", None), *forget_application()]
        if document is None:
            return events  # the form ended early and already said why
        dispatcher.utter_message(response=f"utter_document_{document.key}")
        if document.application is None:
            dispatcher.utter_message(
                text="Ada lagi yang ingin Anda ketahui?",
                buttons=[OTHER_DOCUMENT_BUTTON, OFFICE_BUTTON, MAIN_MENU_BUTTON],
            )
            return events
        dispatcher.utter_message(
            text=OFFER.format(kind=APPLICATION_TYPES[document.application]),
            buttons=[{"title": "Ya, ajukan", "payload": "/affirm"}, {"title": "Tidak", "payload": "/deny"}],
        )
        return [
            *events,
            SlotSet("application_type", document.application),
            SlotSet("kk_change_reason", document.reason),
            SlotSet("application_offered", True),
        ]


# --- Population application --------------------------------------------------------------


@dataclass(frozen=True)
class Choice:
    key: str
    title: str
    pattern: re.Pattern[str]


KK_REASONS: tuple[Choice, ...] = (
    Choice(
        "pisah_kk", "Pisah KK", _words("pisah", "pecah", r"kk\s+(?:baru|sendiri)", r"(?:me)?nikah", "cerai")
    ),
    Choice("pindah", "Pindah alamat", _words(r"pindah\w*", r"alamat\s+baru", "domisili")),
    Choice(
        "tambah_anggota",
        "Tambah anggota keluarga",
        _words("tambah", r"anggota\s+baru", "kelahiran", "lahir", "bayi", r"anak\s+baru", "numpang"),
    ),
    Choice(
        "perubahan_data",
        "Perubahan data",
        _words(
            r"(?:per)?ubah\w*",
            r"ganti\s+data",
            "salah",
            r"perbaik\w*",
            "koreksi",
            "data",
            "pendidikan",
            "pekerjaan",
        ),
    ),
)
KK_REASON_TITLES = {choice.key: choice.title for choice in KK_REASONS}
APPLICATION_CHOICES: tuple[Choice, ...] = (
    Choice("birth_certificate", "Akta kelahiran", _words(r"akt[ae]", "kelahiran", "lahir", "bayi")),
    Choice("kk_change", "Perubahan KK", _words("kk", r"kartu\s+keluarga")),
)
UNKNOWN_APPLICATION = (
    "Maaf, yang dapat diajukan di sini adalah perubahan KK atau akta kelahiran. Silakan pilih salah satu."
)
UNKNOWN_REASON = (
    "Maaf, alasan perubahan KK itu belum saya kenali. Pilih salah satu: tambah anggota keluarga, "
    "pindah alamat, perubahan data, atau pisah KK."
)
INVALID_CHILD_NAME = (
    "Nama anak hanya boleh berisi huruf, spasi, titik, koma, tanda petik, atau tanda hubung "
    "(2–100 karakter). Mohon tulis nama lengkap anak sesuai surat keterangan lahir."
)
INVALID_PLACE = (
    "Tempat lahir cukup berisi nama kota/kabupaten atau nama tempat, misalnya Bandung. Mohon tulis ulang."
)
INVALID_CHILD_BIRTH_DATE = (
    "Tanggal lahir anak belum dapat saya baca. Mohon tulis tanggal, bulan, dan tahun, misalnya 12-05-2026."
)
FUTURE_CHILD_BIRTH_DATE = "Tanggal lahir anak tidak boleh di masa depan. Mohon periksa kembali."
LATE_BIRTH_REPORT = (
    "Catatan: kelahiran ini dilaporkan lebih dari 60 hari setelah lahir. Permohonan tetap dapat "
    "diajukan; pencatatannya dilakukan setelah ada keputusan Kepala Dinas Dukcapil setempat "
    "(UU 24/2013 pasal 32)."
)
YES_OR_NO = "Mohon jawab “Ya” untuk mengirim permohonan, atau “Tidak” jika belum ingin mengirim."
BIRTH_REPORT_DAYS = 60
_NAME = re.compile(r"^[^\W\d_][^\W\d_ .,'’-]*(?:[ .,'’-]+[^\W\d_]+)*\.?$")
_NAME_PREFIX = re.compile(
    r"^(?:atas\s+nama|nama(?:\s+lengkap)?(?:\s+(?:anak|bayi))?(?:nya)?(?:\s+(?:saya|sy|anak|bayi))?)\b\s*[:=-]?\s*",
    re.IGNORECASE,
)
_PLACE_PREFIX = re.compile(r"^(?:(?:tempat\s+)?lahir(?:nya)?\s+(?:di\s+)?|di\s+)", re.IGNORECASE)
_POLITE_TAIL = re.compile(r"\s+(?:kak|min|ya|yah|dong|pak|bu|bapak|ibu|gan)\.?$", re.IGNORECASE)


def _choose(text: str, choices: tuple[Choice, ...]) -> str | None:
    return next((choice.key for choice in choices if choice.pattern.search(text)), None)


def clean_name(text: str) -> str | None:
    """ "namanya ahmad fauzi kak" → "Ahmad Fauzi"; None when it cannot be a person's name."""
    name = _POLITE_TAIL.sub("", _NAME_PREFIX.sub("", " ".join(text.split()))).strip()
    if not 2 <= len(name) <= 100 or not _NAME.match(name):
        return None
    return name.title() if name.islower() else name


def clean_place(text: str) -> str | None:
    """ "lahir di rsud bandung" → "Rsud Bandung"; None when it cannot be a place."""
    place = _POLITE_TAIL.sub("", _PLACE_PREFIX.sub("", " ".join(text.split()))).strip(" .,")
    if not 2 <= len(place) <= 80 or not re.fullmatch(r"[^\W_][\w .,'’()/-]*", place) or place.isdigit():
        return None
    return place.title() if place.islower() else place


class ValidatePopulationApplicationForm(IdentityFormValidation):
    """Type, NIK and date of birth, the details the type needs, then a confirmation."""

    aside = aside_intents("id_document_requirements")

    def name(self) -> str:
        return "validate_population_application_form"

    async def required_slots(
        self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[str]:
        details = {
            "kk_change": ["kk_change_reason"],
            "birth_certificate": ["child_name", "child_birth_date", "place_of_birth"],
        }.get(tracker.get_slot("application_type"), [])
        return ["application_type", "nik", "birth_date", *details, "application_confirmed"]

    async def extract_application_type(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        return self._choice(dispatcher, tracker, "application_type", APPLICATION_CHOICES, UNKNOWN_APPLICATION)

    async def validate_application_type(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        if value is not None and value not in APPLICATION_TYPES:
            dispatcher.utter_message(text=UNKNOWN_APPLICATION)
            return {"application_type": None}
        return {"application_type": value}

    async def extract_kk_change_reason(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        return self._choice(dispatcher, tracker, "kk_change_reason", KK_REASONS, UNKNOWN_REASON)

    async def validate_kk_change_reason(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        if value is not None and value not in KK_REASON_TITLES:
            dispatcher.utter_message(text=UNKNOWN_REASON)
            return {"kk_change_reason": None}
        return {"kk_change_reason": value}

    async def validate_child_name(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        if value is None:
            return {"child_name": None}
        name = clean_name(str(value))
        if name is None:
            dispatcher.utter_message(text=INVALID_CHILD_NAME)
        return {"child_name": name}

    async def extract_child_birth_date(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        text = typed_answer(tracker, "child_birth_date", self.aside)
        if text is None:
            return {}
        born = parse_birth_date(text)
        if born is None:
            if not is_answer(tracker):
                return {}
            dispatcher.utter_message(text=INVALID_CHILD_BIRTH_DATE)
            return {"child_birth_date": None}
        return {"child_birth_date": born.isoformat()}

    async def validate_child_birth_date(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        if value is None:
            return {"child_birth_date": None}
        try:
            born = dt.date.fromisoformat(str(value))
        except ValueError:
            dispatcher.utter_message(text=INVALID_CHILD_BIRTH_DATE)
            return {"child_birth_date": None}
        today = dt.date.today()
        if born > today:
            dispatcher.utter_message(text=FUTURE_CHILD_BIRTH_DATE)
            return {"child_birth_date": None}
        if (today - born).days > BIRTH_REPORT_DAYS:
            dispatcher.utter_message(text=LATE_BIRTH_REPORT)
        return {"child_birth_date": born.isoformat()}

    async def validate_place_of_birth(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        if value is None:
            return {"place_of_birth": None}
        place = clean_place(str(value))
        if place is None:
            dispatcher.utter_message(text=INVALID_PLACE)
        return {"place_of_birth": place}

    async def extract_application_confirmed(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        """Typed answers other than a plain yes/no (those come through the intent mappings)."""
        if latest_intent(tracker) in {"affirm", "deny"}:
            return {}
        text = typed_answer(tracker, "application_confirmed", self.aside)
        if text is None:
            return {}
        answer = read_yes_no(text)
        if answer is None:
            dispatcher.utter_message(text=YES_OR_NO, buttons=YES_NO_BUTTONS)
        return {"application_confirmed": answer}

    async def validate_application_confirmed(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        return {"application_confirmed": None if value is None else bool(value)}

    def _choice(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        slot: str,
        choices: tuple[Choice, ...],
        unknown: str,
    ) -> SlotValues:
        """A typed answer to a question asked with buttons."""
        if entity_value(tracker, slot):
            return {}
        text = typed_answer(tracker, slot, self.aside)
        if text is None:
            return {}
        key = _choose(text, choices)
        if key is None:
            dispatcher.utter_message(text=unknown)
        return {slot: key}


def application_summary(tracker: Tracker) -> str:
    """What will be sent, for the citizen to check (the NIK masked)."""
    kind = tracker.get_slot("application_type")
    lines = [f"• Jenis: {APPLICATION_TYPES.get(kind, kind)}"]
    if kind == "kk_change":
        lines.append(f"• Alasan: {KK_REASON_TITLES.get(tracker.get_slot('kk_change_reason'), '-').lower()}")
    lines.append(f"• NIK pemohon: {mask_nik(tracker.get_slot('nik'))}")
    if kind == "birth_certificate":
        lines += [
            f"• Nama anak: {tracker.get_slot('child_name')}",
            f"• Tanggal lahir anak: {tanggal(tracker.get_slot('child_birth_date'))}",
            f"• Tempat lahir: {tracker.get_slot('place_of_birth')}",
        ]
    return (
        "Mohon periksa data permohonan Anda:\n"
        + "\n".join(lines)
        + "\n\nKirim permohonan ini ke Dinas Dukcapil sekarang?"
    )


class ActionAskApplicationConfirmed(Action):
    """The confirmation step: the summary, then yes or no."""

    def name(self) -> str:
        return "action_ask_application_confirmed"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        dispatcher.utter_message(text=application_summary(tracker), buttons=YES_NO_BUTTONS)
        return []


NOT_SENT = "Baik, permohonan tidak saya kirim. Anda dapat mengajukannya lagi kapan saja."
NIK_NOT_FOUND = (
    "NIK tersebut tidak ditemukan dalam data kependudukan. Mohon periksa kembali NIK Anda, atau "
    "datang ke Dinas Dukcapil kabupaten/kota Anda."
)


def application_details(tracker: Tracker) -> dict[str, Any] | None:
    """The `details` the contract asks for, per type; None when an answer is missing."""
    kind = tracker.get_slot("application_type")
    if kind == "kk_change":
        reason = tracker.get_slot("kk_change_reason")
        return {"reason": reason} if reason else None
    if kind == "birth_certificate":
        details = {
            "child_name": tracker.get_slot("child_name"),
            "child_birth_date": tracker.get_slot("child_birth_date"),
            "place_of_birth": tracker.get_slot("place_of_birth"),
        }
        return details if all(details.values()) else None
    return None


def application_reply(application: dict[str, Any]) -> str:
    kind = APPLICATION_TYPES.get(application.get("type"), "dokumen kependudukan")
    steps = "\n".join(f"• {step}" for step in application.get("next_steps") or [])
    lines = [
        f"Permohonan {kind} Anda sudah diterima Dinas Dukcapil.",
        f"Nomor permohonan: {application.get('case_number')} (simpan untuk mengecek status).",
        f"Diajukan {tanggal(application.get('submitted_at'))}; "
        f"perkiraan selesai {tanggal(application.get('estimated_done_by'))}.",
    ]
    if steps:
        lines.append(f"\nLangkah berikutnya:\n{steps}")
    basis = application.get("legal_basis")
    lines.append(f"\n{FREE}" + (f" Dasar hukum: {basis}." if basis else ""))
    return "\n".join(lines)


class ActionPopulationApplication(Action):
    """Sends the confirmed application; answers with its case number and next steps."""

    def name(self) -> str:
        return "action_population_application"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        if tracker.get_slot("application_confirmed") is False:
            dispatcher.utter_message(text=NOT_SENT, buttons=[OTHER_DOCUMENT_BUTTON, MAIN_MENU_BUTTON])
            return forget_application()
        details = application_details(tracker)
        nik, born = tracker.get_slot("nik"), tracker.get_slot("birth_date")
        if not (tracker.get_slot("application_confirmed") and details and nik and born):
            return forget_application()  # the form ended early and already said why
        body = {
            "type": tracker.get_slot("application_type"),
            "nik": nik,
            "birth_date": born,
            "details": details,
        }
        try:
            application = await gateway().post("/population/applications", body)
        except GatewayError as error:
            if error.code == "identity_mismatch":
                return [*identity_mismatch(dispatcher, tracker), *forget_application()]
            lookup_failed(
                dispatcher,
                error,
                service=SERVICE,
                alternative=ALTERNATIVE,
                not_found=NIK_NOT_FOUND,
                buttons=(OFFICE_BUTTON, MAIN_MENU_BUTTON),
            )
            return forget_application()
        dispatcher.utter_message(
            text=application_reply(application), buttons=[STATUS_BUTTON, MAIN_MENU_BUTTON]
        )
        return [*forget_application(), SlotSet("ticket_id", application.get("case_number"))]


# --- Application status ------------------------------------------------------------------

CASE_NOUNS = {
    "population_application": "Permohonan",
    "complaint": "Pengaduan",
    "skck": "Permohonan SKCK",
    "billing": "Tagihan",
    "contact_request": "Tiket layanan petugas",
}
INVALID_TICKET = (
    "Nomor permohonan belum saya kenali. Nomornya tertulis seperti ADM-2026-000123 (huruf, "
    "tahun, lalu nomor urut)."
)
TICKET_NOT_FOUND = (
    "Nomor {ticket} tidak ditemukan. Mohon periksa kembali nomornya, atau tanyakan ke Dinas "
    "Dukcapil tempat Anda mengajukan."
)
STATUS_ALTERNATIVE = "tanyakan langsung ke Dinas Dukcapil tempat Anda mengajukan."
HISTORY_LINES = 5


class ValidateApplicationStatusForm(FormValidationAction):
    """The case number (the `ticket_id` entity: ADM-2026-000123)."""

    aside = aside_intents("id_application_status")

    def name(self) -> str:
        return "validate_application_status_form"

    async def extract_ticket_id(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        if entity_value(tracker, "ticket_id"):
            return {}
        text = typed_answer(tracker, "ticket_id", self.aside)
        if text is None:
            return {}
        dispatcher.utter_message(text=INVALID_TICKET)
        return {"ticket_id": None}

    async def validate_ticket_id(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        if value is None:
            return {"ticket_id": None}
        ticket = normalize_ticket(str(value))
        if ticket is None:
            dispatcher.utter_message(text=INVALID_TICKET)
        return {"ticket_id": ticket}


def summary_text(summary: Any) -> str:
    """What the case is about, from the gateway's `summary` (a dict whose fields depend on the
    kind of case): "Perubahan Kartu Keluarga (perubahan data)", "Kategori: Kesehatan", ..."""
    if not isinstance(summary, dict):
        return str(summary or "")
    if summary.get("label"):  # population application: type, label, reason of a KK change
        reason = KK_REASON_TITLES.get(str(summary.get("reason")))
        return f"{summary['label']} ({reason.lower()})" if reason else str(summary["label"])
    if summary.get("category_label"):  # complaint
        return f"Kategori: {summary['category_label']}"
    if summary.get("purpose"):  # SKCK
        station = f"; diambil di {summary['police_station']}" if summary.get("police_station") else ""
        return f"Keperluan: {summary['purpose']}{station}"
    if summary.get("description"):  # billing
        return f"{summary['description']}: {rupiah(summary.get('amount'))}"
    return ""


def case_reply(case: dict[str, Any]) -> str:
    noun = CASE_NOUNS.get(case.get("kind"), "Permohonan")
    lines = [f"{noun} {case.get('case_number')}: {case.get('status_label') or case.get('status')}."]
    summary = summary_text(case.get("summary"))
    if summary:
        lines.append(summary)
    lines.append(
        f"Diajukan {tanggal(case.get('created_at'))}; terakhir diperbarui {waktu(case.get('updated_at'))}."
    )
    history = (case.get("history") or [])[-HISTORY_LINES:]
    if history:
        lines.append(
            "\nRiwayat:\n" + "\n".join(f"• {tanggal(h.get('at'))}: {h.get('status_label')}" for h in history)
        )
    return "\n".join(lines)


class ActionApplicationStatus(Action):
    """The status and history of a case followed by its number."""

    def name(self) -> str:
        return "action_application_status"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        ticket = tracker.get_slot("ticket_id")
        if not ticket:
            return []
        try:
            case = await gateway().get(f"/cases/{ticket}")
        except GatewayError as error:
            lookup_failed(
                dispatcher,
                error,
                service=SERVICE,
                alternative=STATUS_ALTERNATIVE,
                not_found=TICKET_NOT_FOUND.format(ticket=ticket),
                buttons=(STATUS_BUTTON, MAIN_MENU_BUTTON),
            )
            return [SlotSet("ticket_id", None)] if error.status == 404 else []
        dispatcher.utter_message(text=case_reply(case), buttons=[OFFICE_BUTTON, MAIN_MENU_BUTTON])
        return []
