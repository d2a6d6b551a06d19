"""LAPOR! (SP4N) complaints: file one and follow it by its case number.

- `complaint_form`: category (buttons from `GET /complaints/categories`, or typed), location
  (typed, or the region named in the request), description (typed, long enough to act on),
  then a summary to confirm; `action_complaint_submit` files it (`POST /complaints`) and
  gives the case number with the verification and follow-up deadlines.
- `complaint_status_form`: the case number (`ticket_id`: "LPR-2026-00042", or the 7-digit
  tracking number of a report filed on lapor.go.id); `action_complaint_status` says where the
  complaint is in the LAPOR! lifecycle and what happens next (`GET /complaints/{case_number}`).
"""

from __future__ import annotations

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
    free_text,
    is_recognisable,
    latest_intent,
    payload,
    read_yes_no,
    tanggal,
    typed_answer,
)
from actions.conversation import Action, FormValidationAction
from actions.flows import just_activated
from actions.gateway import GatewayError, apology, gateway
from actions.menu import MAIN_MENU_BUTTON
from bot.identifiers import normalize_ticket

SlotValues = dict[str, Any]

SERVICE = "LAPOR!"
FILE_ALTERNATIVE = "sampaikan pengaduan Anda langsung melalui lapor.go.id atau SMS 1708."
FOLLOW_ALTERNATIVE = "pantau pengaduan Anda langsung di lapor.go.id."
# The SP4N-LAPOR! deadlines (verification 3 working days, follow-up 5) when the API gives none.
LAPOR_LEGAL_BASIS = "Perpres 76/2013; PermenPANRB 62/2018"
COMPLAINT_SLOTS = ("complaint_category", "complaint_location", "complaint_description", "complaint_confirmed")

MIN_DESCRIPTION_CHARS = 30
MIN_DESCRIPTION_WORDS = 5
MAX_DESCRIPTION_CHARS = 2000
MAX_LOCATION_CHARS = 200
MIN_KNOWN_WORD_SHARE = 0.5

ASK_CATEGORY = "Pengaduan Anda termasuk kategori apa? Silakan pilih salah satu, atau ketik kategorinya."
UNKNOWN_CATEGORY = (
    'Kategori "{text}" belum saya kenali. Silakan pilih salah satu tombol kategori, '
    "atau ketik nama kategorinya."
)
SHORT_DESCRIPTION = (
    "Uraian pengaduan terlalu singkat. Mohon ceritakan lebih lengkap (minimal {words} kata): "
    "apa yang terjadi, kapan, di mana, dan instansi atau petugas yang terkait."
)
GARBLED_DESCRIPTION = (
    "Uraian pengaduan belum dapat saya pahami. Mohon tuliskan dalam kalimat yang jelas: "
    "apa yang terjadi, kapan, di mana, dan instansi atau petugas yang terkait."
)
LONG_DESCRIPTION = (
    "Uraian pengaduan terlalu panjang (lebih dari {limit} karakter). Mohon ringkas pokok "
    "masalahnya; bukti dan rincian lain dapat Anda tambahkan di lapor.go.id."
)
UNCLEAR_LOCATION = (
    "Lokasi kejadian belum jelas. Mohon sebutkan lebih lengkap, misalnya nama jalan, "
    'desa/kelurahan, dan kabupaten/kota, seperti "Jl. Merdeka, Kelurahan Sukajadi, Kota Bandung".'
)
LONG_LOCATION = "Lokasi terlalu panjang. Mohon tulis singkat: nama jalan, desa/kelurahan, dan kabupaten/kota."
CONFIRM = (
    "Mohon periksa pengaduan Anda sebelum saya kirim ke LAPOR!:\n"
    "• Kategori: {category}\n"
    "• Lokasi: {location}\n"
    "• Uraian: {description}\n\n"
    "Kirim pengaduan ini sekarang?"
)
CONFIRM_BUTTONS = [{"title": "Ya, kirim", "payload": "/affirm"}, {"title": "Tidak", "payload": "/deny"}]
YES_OR_NO = 'Mohon jawab "Ya" untuk mengirim pengaduan atau "Tidak" untuk tidak mengirimnya.'
NOT_SENT = "Baik, pengaduan tidak saya kirim. Anda dapat membuat pengaduan baru kapan saja."
FILED = (
    "Pengaduan Anda sudah diterima LAPOR! dengan nomor {case_number}{tracking}. Simpan nomor ini "
    "untuk memantau perkembangannya.\n\n"
    "Berikutnya: admin LAPOR! memverifikasi laporan {verify_by}, lalu instansi yang berwenang "
    "menindaklanjutinya {follow_up_by}."
)
ASK_TICKET_HINT = (
    "Nomor pengaduan belum saya kenali. Nomor pengaduan dari asisten ini berbentuk LPR-tahun-nomor, "
    "misalnya LPR-2026-00042; nomor pelacakan dari lapor.go.id terdiri dari 7 digit."
)
NOT_A_COMPLAINT = (
    "Nomor {case_number} bukan nomor pengaduan LAPOR!. Mohon kirim nomor pengaduan yang "
    "diawali LPR, misalnya LPR-2026-00042."
)
CASE_NOT_FOUND = (
    "Pengaduan dengan nomor {case_number} tidak ditemukan. Mohon periksa kembali nomornya; "
    "pengaduan yang dibuat di luar asisten ini dapat dipantau di lapor.go.id."
)
STATUS = "Pengaduan {case_number} ({category}): status saat ini {status_label}{agency}.\n\n{next_step}"
NEXT_STEPS: dict[str, str] = {
    "diterima": "Berikutnya: admin LAPOR! memverifikasi laporan Anda {verify_by}.",
    "terverifikasi": (
        "Laporan Anda sudah diverifikasi. Berikutnya laporan diteruskan ke instansi yang "
        "berwenang, yang menindaklanjutinya {follow_up_by}."
    ),
    "diteruskan": (
        "Laporan Anda sudah diteruskan ke instansi yang berwenang. Instansi menindaklanjutinya "
        "{follow_up_by}."
    ),
    "ditindaklanjuti": (
        "Instansi sedang menindaklanjuti laporan Anda. Tanggapannya dapat Anda baca di "
        "lapor.go.id; status menjadi selesai setelah tindak lanjut tuntas."
    ),
    "selesai": (
        "Tindak lanjut laporan Anda sudah selesai. Jika masalahnya belum teratasi, Anda dapat "
        "menanggapi di lapor.go.id atau membuat pengaduan baru."
    ),
    "bukan_kewenangan": (
        "Laporan Anda dinyatakan bukan kewenangan instansi yang dituju. Anda dapat membuat "
        "pengaduan baru dengan keterangan yang lebih lengkap agar diteruskan ke instansi yang tepat."
    ),
    "diarsipkan": (
        "Laporan Anda diarsipkan, biasanya karena keterangannya kurang lengkap. Anda dapat "
        "membuat pengaduan baru dengan uraian yang lebih jelas."
    ),
}
UNKNOWN_STEP = "Perkembangan lengkapnya dapat Anda pantau di lapor.go.id."

NEW_COMPLAINT_BUTTON = {"title": "Buat pengaduan", "payload": "/complaint_submit"}

_WORDS = re.compile(r"[^\W\d_]+")
_TRACKING_NUMBER = re.compile(r"(?<!\d)#?(\d{7})(?!\d)")
_KEY_WORDS = re.compile(r"[a-z0-9]+")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Category:
    key: str
    label: str

    def button(self) -> dict[str, str]:
        return {"title": self.label, "payload": payload("inform", complaint_category=self.key)}


async def fetch_categories() -> list[Category]:
    """The LAPOR! categories, in the API's order."""
    body = await gateway().get("/complaints/categories")
    return [
        Category(str(item["key"]), str(item.get("label") or item["key"]))
        for item in body.get("items", [])
        if item.get("key")
    ]


def _key_words(text: str) -> list[str]:
    return _KEY_WORDS.findall(text.lower())


def match_category(text: str, categories: list[Category]) -> Category | None:
    """The category the citizen means: its key or label as typed, else the only category
    sharing the most words (of three letters or more) with `text`."""
    wanted = " ".join(_key_words(text))
    for category in categories:
        if wanted in (" ".join(_key_words(category.key)), " ".join(_key_words(category.label))):
            return category
    words = {word for word in _key_words(text) if len(word) >= 3}
    scores = [
        (len(words & {w for w in _key_words(f"{c.key} {c.label}") if len(w) >= 3}), c) for c in categories
    ]
    best = max((score for score, _ in scores), default=0)
    matches = [category for score, category in scores if score == best]
    return matches[0] if best > 0 and len(matches) == 1 else None


def clean_text(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


def deadline(day: Any, working_days: int, legal_basis: str) -> str:
    """The deadline phrase: "paling lambat 4 Maret 2026 (3 hari kerja, <basis>)", or without a date."""
    if not day:
        return f"dalam {working_days} hari kerja ({legal_basis})"
    return f"paling lambat {tanggal(day)} ({working_days} hari kerja, {legal_basis})"


def description_problem(text: str) -> str | None:
    """Why `text` cannot be filed as a complaint's description, or None."""
    words = [word.lower() for word in _WORDS.findall(text)]
    if len(text) > MAX_DESCRIPTION_CHARS:
        return LONG_DESCRIPTION.format(limit=f"{MAX_DESCRIPTION_CHARS:,}".replace(",", "."))
    if len(text) < MIN_DESCRIPTION_CHARS or len(words) < MIN_DESCRIPTION_WORDS:
        return SHORT_DESCRIPTION.format(words=MIN_DESCRIPTION_WORDS)
    distinct = set(words)
    known = sum(1 for word in distinct if is_recognisable(word))
    if len(distinct) < MIN_DESCRIPTION_WORDS - 1 or known < MIN_KNOWN_WORD_SHARE * len(distinct):
        return GARBLED_DESCRIPTION
    return None


def location_problem(text: str, names_a_region: bool) -> str | None:
    """Why `text` is not a usable location, or None: a named region, or two words or more."""
    if len(text) > MAX_LOCATION_CHARS:
        return LONG_LOCATION
    if names_a_region:
        return None
    words = [word for word in _WORDS.findall(text) if len(word) >= 2]
    if len(words) < 2 or sum(len(word) for word in words) < 6:
        return UNCLEAR_LOCATION
    return None


def _lapor_unavailable(dispatcher: CollectingDispatcher) -> None:
    """LAPOR! cannot be reached. The caller ends the form (`requested_slot` None); its submit
    action then sees missing answers and says nothing more."""
    dispatcher.utter_message(text=apology(SERVICE, FILE_ALTERNATIVE), buttons=[MAIN_MENU_BUTTON])


class ActionAskComplaintCategory(Action):
    """Asks for the category with one button per LAPOR! category."""

    def name(self) -> str:
        return "action_ask_complaint_category"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        try:
            categories = await fetch_categories()
        except GatewayError:
            _lapor_unavailable(dispatcher)
            return [SlotSet("requested_slot", None)]
        dispatcher.utter_message(text=ASK_CATEGORY, buttons=[category.button() for category in categories])
        return []


class ActionAskComplaintConfirmed(Action):
    """Shows the complaint as it will be filed and asks to send it."""

    def name(self) -> str:
        return "action_ask_complaint_confirmed"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        key = tracker.get_slot("complaint_category")
        try:
            labels = {category.key: category.label for category in await fetch_categories()}
        except GatewayError:
            labels = {}
        dispatcher.utter_message(
            text=CONFIRM.format(
                category=labels.get(key, key),
                location=tracker.get_slot("complaint_location"),
                description=tracker.get_slot("complaint_description"),
            ),
            buttons=CONFIRM_BUTTONS,
        )
        return []


class ValidateComplaintForm(FormValidationAction):
    """Checks each answer of `complaint_form` and says what was wrong."""

    aside = aside_intents("complaint_submit")

    def name(self) -> str:
        return "validate_complaint_form"

    async def extract_complaint_category(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        text = typed_answer(tracker, "complaint_category", self.aside)
        return {"complaint_category": text} if text else {}

    async def validate_complaint_category(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        if not value:
            return {"complaint_category": None}
        try:
            categories = await fetch_categories()
        except GatewayError:
            _lapor_unavailable(dispatcher)
            return {"complaint_category": None, "requested_slot": None}
        category = match_category(str(value), categories)
        if category is None:
            dispatcher.utter_message(
                text=UNKNOWN_CATEGORY.format(text=clean_text(str(value))[:60]),
                buttons=[c.button() for c in categories],
            )
            return {"complaint_category": None}
        return {"complaint_category": category.key}

    async def extract_complaint_location(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        """The typed answer; when the form starts, a region named in the request ("jalan rusak
        di Kabupaten Bogor")."""
        region = entity_value(tracker, "region")
        if (
            region
            and just_activated(tracker, self.form_name())
            and latest_intent(tracker) == "complaint_submit"
        ):
            return {"complaint_location": region}
        text = free_text(tracker, "complaint_location")
        return {"complaint_location": text} if text else {}

    async def validate_complaint_location(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        text = clean_text(str(value or ""))
        names_a_region = entity_value(tracker, "region") is not None
        problem = location_problem(text, names_a_region)
        if problem:
            dispatcher.utter_message(text=problem)
            return {"complaint_location": None}
        return {"complaint_location": text}

    async def extract_complaint_description(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        text = free_text(tracker, "complaint_description")
        return {"complaint_description": text} if text else {}

    async def validate_complaint_description(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        text = clean_text(str(value or ""))
        problem = description_problem(text)
        if problem:
            dispatcher.utter_message(text=problem)
            return {"complaint_description": None}
        return {"complaint_description": text}

    async def extract_complaint_confirmed(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        """Typed answers other than a plain yes/no (those are the slot's intent mappings)."""
        if latest_intent(tracker) in {"affirm", "deny"}:
            return {}
        text = typed_answer(tracker, "complaint_confirmed", self.aside)
        if text is None:
            return {}
        answer = read_yes_no(text)
        if answer is None:
            dispatcher.utter_message(text=YES_OR_NO, buttons=CONFIRM_BUTTONS)
        return {"complaint_confirmed": answer}

    async def validate_complaint_confirmed(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        """A confirmation is never carried into a new complaint: it is asked every time."""
        if value is None or just_activated(tracker, self.form_name()):
            return {"complaint_confirmed": None}
        return {"complaint_confirmed": bool(value)}


def _forget_complaint() -> list[EventType]:
    return [SlotSet(slot, None) for slot in COMPLAINT_SLOTS]


class ActionComplaintSubmit(Action):
    """Files the confirmed complaint and gives its case number and deadlines."""

    def name(self) -> str:
        return "action_complaint_submit"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        answers = {slot: tracker.get_slot(slot) for slot in COMPLAINT_SLOTS}
        if answers["complaint_confirmed"] is False:
            dispatcher.utter_message(text=NOT_SENT, buttons=[NEW_COMPLAINT_BUTTON, MAIN_MENU_BUTTON])
            return _forget_complaint()
        if not all(answers.values()):
            return _forget_complaint()  # the form ended early and already said why
        body = {
            "category": answers["complaint_category"],
            "location": answers["complaint_location"],
            "description": answers["complaint_description"],
        }
        try:
            filed = await gateway().post("/complaints", body)
        except GatewayError as error:
            if error.unavailable:
                # Keep the answers: trying again shows the summary once more.
                dispatcher.utter_message(
                    text=apology(SERVICE, FILE_ALTERNATIVE),
                    buttons=[{"title": "Coba kirim lagi", "payload": "/complaint_submit"}, MAIN_MENU_BUTTON],
                )
                return [SlotSet("complaint_confirmed", None)]
            dispatcher.utter_message(text=error.detail, buttons=[NEW_COMPLAINT_BUTTON, MAIN_MENU_BUTTON])
            return _forget_complaint()
        case_number = filed["case_number"]
        legal_basis = filed.get("legal_basis") or LAPOR_LEGAL_BASIS
        tracking = filed.get("tracking_id")
        dispatcher.utter_message(
            text=FILED.format(
                case_number=case_number,
                tracking=f" (nomor pelacakan di lapor.go.id: {tracking})" if tracking else "",
                verify_by=deadline(filed.get("verify_by"), 3, legal_basis),
                follow_up_by=deadline(filed.get("follow_up_by"), 5, legal_basis),
            ),
            buttons=[
                {
                    "title": "Cek status pengaduan",
                    "payload": payload("complaint_status", ticket_id=case_number),
                },
                MAIN_MENU_BUTTON,
            ],
        )
        return [*_forget_complaint(), SlotSet("ticket_id", case_number)]


class ValidateComplaintStatusForm(FormValidationAction):
    """Checks the case number asked by `complaint_status_form`."""

    aside = aside_intents("complaint_status")

    def name(self) -> str:
        return "validate_complaint_status_form"

    async def extract_ticket_id(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        """A typed answer in which the NLU found no case number: a lapor.go.id tracking
        number (7 digits), or the format to use."""
        if entity_value(tracker, "ticket_id"):
            return {}
        text = typed_answer(tracker, "ticket_id", self.aside)
        if text is None:
            return {}
        tracking = _TRACKING_NUMBER.search(text)
        if tracking:
            return {"ticket_id": tracking[1]}
        dispatcher.utter_message(text=ASK_TICKET_HINT)
        return {"ticket_id": None}

    async def validate_ticket_id(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        if value and _TRACKING_NUMBER.fullmatch(str(value)):
            return {"ticket_id": str(value).lstrip("#")}
        case_number = normalize_ticket(str(value)) if value else None
        if case_number is None:
            return {"ticket_id": None}
        if not case_number.startswith("LPR-"):
            # A case number from another service: refuse it only if the citizen just sent it.
            mentioned = {normalize_ticket(str(v)) for v in tracker.get_latest_entity_values("ticket_id")}
            if case_number in mentioned:
                dispatcher.utter_message(text=NOT_A_COMPLAINT.format(case_number=case_number))
            return {"ticket_id": None}
        return {"ticket_id": case_number}


def status_reply(complaint: dict[str, Any], labels: dict[str, str]) -> str:
    """Where the complaint is in the LAPOR! lifecycle, and what happens next; `labels` names
    the categories (the API gives the key)."""
    status = str(complaint.get("status") or "")
    agency = complaint.get("agency")
    legal_basis = complaint.get("legal_basis") or LAPOR_LEGAL_BASIS
    next_step = NEXT_STEPS.get(status, UNKNOWN_STEP).format(
        verify_by=deadline(complaint.get("verify_by"), 3, legal_basis),
        follow_up_by=deadline(complaint.get("follow_up_by"), 5, legal_basis),
    )
    category = str(complaint.get("category") or "")
    return STATUS.format(
        case_number=complaint.get("case_number") or f"nomor pelacakan {complaint.get('tracking_id')}",
        category=labels.get(category) or category.replace("_", " ") or "tanpa kategori",
        status_label=(complaint.get("status_label") or status.replace("_", " ")).lower(),
        agency=f", ditangani {agency}" if agency else "",
        next_step=next_step,
    )


class ActionComplaintStatus(Action):
    """Says where a complaint stands and what happens next."""

    def name(self) -> str:
        return "action_complaint_status"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        case_number = tracker.get_slot("ticket_id")
        if not case_number:
            return []
        try:
            complaint = await gateway().get(f"/complaints/{case_number}")
        except GatewayError as error:
            if error.unavailable:
                dispatcher.utter_message(
                    text=apology(SERVICE, FOLLOW_ALTERNATIVE), buttons=[MAIN_MENU_BUTTON]
                )
                return []
            if error.status == 404:
                dispatcher.utter_message(
                    text=CASE_NOT_FOUND.format(case_number=case_number),
                    buttons=[{"title": "Cek nomor lain", "payload": "/complaint_status"}, MAIN_MENU_BUTTON],
                )
                return [SlotSet("ticket_id", None)]
            dispatcher.utter_message(text=error.detail, buttons=[MAIN_MENU_BUTTON])
            return [SlotSet("ticket_id", None)]
        try:
            labels = {category.key: category.label for category in await fetch_categories()}
        except GatewayError:
            labels = {}
        dispatcher.utter_message(
            text=status_reply(complaint, labels), buttons=[NEW_COMPLAINT_BUTTON, MAIN_MENU_BUTTON]
        )
        return []
