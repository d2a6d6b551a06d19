"""Online applications to Dukcapil: `population_application_form` (type, NIK, date of birth,
the details the type needs, a confirmation) → `action_population_application`:
`POST /population/applications`, which gives an ADM case number. Offered after the requirements
of a KK change, a birth certificate or moving (actions/documents.py).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.answers import aside_intents, mask_nik, tanggal, typed_answer, word_pattern
from actions.conversation import Action
from actions.flows import is_answer, typed_choice, typed_yes_no
from actions.identity_dates import parse_birth_date
from actions.identity_form import IdentityFormValidation
from actions.lookups import Failure, verified_lookup
from actions.menu import MAIN_MENU_BUTTON, OFFICE_BUTTON, Button
from knowledge import facts

SlotValues = dict[str, Any]

SERVICE = "Dukcapil"
APPLICATION_FAILURE = Failure(
    SERVICE,
    "datang ke Dinas Dukcapil kabupaten/kota Anda (layanan ini gratis).",
    not_found="utter_application_nik_not_found",
    buttons=(OFFICE_BUTTON, MAIN_MENU_BUTTON),
)
STATUS_BUTTON: Button = {"title": "Cek status permohonan", "payload": "/id_application_status"}
OTHER_DOCUMENT_BUTTON: Button = {"title": "Syarat dokumen lain", "payload": "/id_document_requirements"}
YES_NO_BUTTONS: list[Button] = [
    {"title": "Ya, kirim", "payload": "/affirm"},
    {"title": "Tidak", "payload": "/deny"},
]
APPLICATION_TYPES = {"kk_change": "perubahan KK", "birth_certificate": "akta kelahiran"}
APPLICATION_SLOTS = (
    "application_type",
    "kk_change_reason",
    "child_name",
    "child_birth_date",
    "place_of_birth",
    "application_confirmed",
)


def forget_application() -> list[EventType]:
    return [SlotSet(slot, None) for slot in APPLICATION_SLOTS] + [SlotSet("application_offered", None)]


@dataclass(frozen=True)
class Choice:
    key: str
    title: str
    pattern: re.Pattern[str]


KK_REASONS: tuple[Choice, ...] = (
    Choice(
        "pisah_kk",
        "Pisah KK",
        word_pattern("pisah", "pecah", r"kk\s+(?:baru|sendiri)", r"(?:me)?nikah", "cerai"),
    ),
    Choice("pindah", "Pindah alamat", word_pattern(r"pindah\w*", r"alamat\s+baru", "domisili")),
    Choice(
        "tambah_anggota",
        "Tambah anggota keluarga",
        word_pattern("tambah", r"anggota\s+baru", "kelahiran", "lahir", "bayi", r"anak\s+baru", "numpang"),
    ),
    Choice(
        "perubahan_data",
        "Perubahan data",
        word_pattern(
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
    Choice("birth_certificate", "Akta kelahiran", word_pattern(r"akt[ae]", "kelahiran", "lahir", "bayi")),
    Choice("kk_change", "Perubahan KK", word_pattern("kk", r"kartu\s+keluarga")),
)
BIRTH_REPORT_DAYS = int(facts.get("birth_certificate.registration_deadline").number)
_NAME = re.compile(r"^[^\W\d_][^\W\d_ .,'’-]*(?:[ .,'’-]+[^\W\d_]+)*\.?$")
_NAME_PREFIX = re.compile(
    r"^(?:atas\s+nama|nama(?:\s+lengkap)?(?:\s+(?:anak|bayi))?(?:nya)?(?:\s+(?:saya|sy|anak|bayi))?)\b\s*[:=-]?\s*",
    re.IGNORECASE,
)
_PLACE_PREFIX = re.compile(r"^(?:(?:tempat\s+)?lahir(?:nya)?\s+(?:di\s+)?|di\s+)", re.IGNORECASE)
_POLITE_TAIL = re.compile(r"\s+(?:kak|min|ya|yah|dong|pak|bu|bapak|ibu|gan)\.?$", re.IGNORECASE)


def _reader(choices: tuple[Choice, ...]) -> Callable[[str], str | None]:
    """Reads a typed answer as the key of the first choice it names, or None."""
    return lambda text: next((choice.key for choice in choices if choice.pattern.search(text)), None)


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
        return typed_choice(
            dispatcher,
            tracker,
            "application_type",
            self.aside,
            _reader(APPLICATION_CHOICES),
            unknown="utter_unknown_application",
        )

    async def validate_application_type(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        if value is not None and value not in APPLICATION_TYPES:
            dispatcher.utter_message(response="utter_unknown_application")
            return {"application_type": None}
        return {"application_type": value}

    async def extract_kk_change_reason(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        return typed_choice(
            dispatcher,
            tracker,
            "kk_change_reason",
            self.aside,
            _reader(KK_REASONS),
            unknown="utter_unknown_kk_change_reason",
        )

    async def validate_kk_change_reason(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        if value is not None and value not in KK_REASON_TITLES:
            dispatcher.utter_message(response="utter_unknown_kk_change_reason")
            return {"kk_change_reason": None}
        return {"kk_change_reason": value}

    async def validate_child_name(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        if value is None:
            return {"child_name": None}
        name = clean_name(str(value))
        if name is None:
            dispatcher.utter_message(response="utter_invalid_child_name")
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
            dispatcher.utter_message(response="utter_invalid_child_birth_date")
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
            dispatcher.utter_message(response="utter_invalid_child_birth_date")
            return {"child_birth_date": None}
        today = dt.date.today()
        if born > today:
            dispatcher.utter_message(response="utter_future_child_birth_date")
            return {"child_birth_date": None}
        if (today - born).days > BIRTH_REPORT_DAYS:
            dispatcher.utter_message(response="utter_late_birth_report")
        return {"child_birth_date": born.isoformat()}

    async def validate_place_of_birth(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        if value is None:
            return {"place_of_birth": None}
        place = clean_place(str(value))
        if place is None:
            dispatcher.utter_message(response="utter_invalid_place_of_birth")
        return {"place_of_birth": place}

    async def extract_application_confirmed(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        return typed_yes_no(
            dispatcher,
            tracker,
            "application_confirmed",
            self.aside,
            unknown="utter_application_yes_or_no",
            buttons=YES_NO_BUTTONS,
        )

    async def validate_application_confirmed(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        return {"application_confirmed": None if value is None else bool(value)}


def application_summary(tracker: Tracker) -> str:
    """What will be sent, for the citizen to check (the NIK masked): `utter_application_summary`."""
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
    return "\n".join(lines)


class ActionAskApplicationConfirmed(Action):
    """The confirmation step: the summary, then yes or no."""

    def name(self) -> str:
        return "action_ask_application_confirmed"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        dispatcher.utter_message(
            response="utter_application_summary", summary=application_summary(tracker), buttons=YES_NO_BUTTONS
        )
        return []


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


def application_received(application: dict[str, Any]) -> dict[str, str]:
    """The values of `utter_application_received`."""
    steps = "\n".join(f"• {step}" for step in application.get("next_steps") or [])
    basis = application.get("legal_basis")
    return {
        "kind": APPLICATION_TYPES.get(str(application.get("type")), "dokumen kependudukan"),
        "case_number": str(application.get("case_number")),
        "submitted_at": tanggal(application.get("submitted_at")),
        "estimated_done_by": tanggal(application.get("estimated_done_by")),
        "next_steps": f"\n\nLangkah berikutnya:\n{steps}" if steps else "",
        "legal_basis": f" Dasar hukum: {basis}." if basis else "",
    }


class ActionPopulationApplication(Action):
    """Sends the confirmed application; answers with its case number and next steps."""

    def name(self) -> str:
        return "action_population_application"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        if tracker.get_slot("application_confirmed") is False:
            dispatcher.utter_message(
                response="utter_application_not_sent", buttons=[OTHER_DOCUMENT_BUTTON, MAIN_MENU_BUTTON]
            )
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
        application = await verified_lookup(
            dispatcher, tracker, "/population/applications", body, APPLICATION_FAILURE
        )
        if application.failed:
            return [*application.events, *forget_application()]
        dispatcher.utter_message(
            response="utter_application_received",
            buttons=[STATUS_BUTTON, MAIN_MENU_BUTTON],
            **application_received(application.data),
        )
        return [*forget_application(), SlotSet("ticket_id", application.data.get("case_number"))]
