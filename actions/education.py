"""Education flows: PIP recipients and KIP Kuliah (SPMB school admission: actions/spmb.py).

- `pip_status_form`: first the question's topic (actions/pip_info.py); for one student's status
  the NISN and birth date, and `action_pip_status` says whether the student receives PIP this
  year, how much and whether it was paid out (`POST /education/pip`); for a general question
  (amounts per level, payment, activation, why not received, who can get it) the form ends at
  once and `action_pip_status` answers from the registry, reading its parameters from slots.
- `kip_kuliah_form`: requirements and dates (`GET /education/kip-kuliah`) or, with NIK and
  birth date, the registration status (`POST /education/kip-kuliah/registration`).
A choice named in the request itself ("syarat KIP Kuliah") is read when the
form starts, so the form does not ask it again.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.answers import entity_value, payload, phrase, rupiah, tanggal
from actions.conversation import Action
from actions.flows import fresh_answer, is_answer, just_activated
from actions.gateway import gateway
from actions.identity_dates import parse_birth_date
from actions.identity_form import IdentityFormValidation
from actions.lookups import Failure, Refusal, lookup, verified_lookup
from actions.menu import MAIN_MENU_BUTTON
from actions.pip_info import INFO_TOPICS, answer_pip_info, pip_parameters, request_topic, school_level
from actions.pip_info import LEVELS as PIP_LEVELS
from actions.validation import IDENTIFIERS
from bot import identifiers

SlotValues = dict[str, Any]

PIP_FAILURE = Failure(
    "PIP",
    "cek di laman resmi PIP Kementerian Pendidikan Dasar dan Menengah dengan NISN dan NIK siswa, "
    "atau tanyakan ke operator sekolah.",
    not_found="utter_pip_not_found",
)
PIP_REFUSAL = Refusal("utter_pip_mismatch", forget=("nisn", "student_birth_date"))
KIP_ALTERNATIVE = "lihat laman resmi KIP Kuliah, atau tanyakan ke sekolah atau perguruan tinggi tujuan."
# The disbursement's label; what to do next is `utter_pip_disbursement_<key>`.
DISBURSEMENT: dict[str, str] = {
    "sudah_cair": "sudah cair",
    "proses": "sedang diproses",
    "belum_cair": "belum cair",
    "unknown": "belum ada informasi",
}

KIP_TOPICS = ("info", "status")
KIP_SLOTS = ("kip_kuliah_topic", "nik", "birth_date")
KIP_STATUS_WORDS = ("cek", "hasil", "lolos", "lulus", "diterima", "registrasi")
KIP_INFO_WORDS = (
    "syarat",
    "persyaratan",
    "jadwal",
    "kapan",
    "info",
    "cara",
    "daftar",
    "pendaftaran",
    "dokumen",
    "berkas",
    "tanggal",
    "tahap",
)
KIP_STATUS_LABELS = {
    "terdaftar": "terdaftar",
    "seleksi": "dalam seleksi",
    "ditetapkan": "ditetapkan sebagai penerima",
    "tidak_lolos": "tidak lolos",
}
KIP_INFO_BUTTON = {"title": "Syarat & jadwal", "payload": payload("edu_kip_kuliah", kip_kuliah_topic="info")}
KIP_STATUS_BUTTON = {
    "title": "Cek status pendaftaran",
    "payload": payload("edu_kip_kuliah", kip_kuliah_topic="status"),
}
KIP_INFO_FAILURE = Failure("KIP Kuliah", KIP_ALTERNATIVE, not_found="utter_kip_info_not_found")
KIP_STATUS_FAILURE = Failure(
    "KIP Kuliah",
    KIP_ALTERNATIVE,
    not_found="utter_kip_not_registered",
    buttons=(KIP_INFO_BUTTON, MAIN_MENU_BUTTON),
)

_WORDS = re.compile(r"[a-z]+")


def message_text(tracker: Tracker) -> str:
    """The latest message's text; "" for a button payload."""
    text = tracker.latest_message.get("text") or ""
    return "" if text.startswith("/") else text


def lower_words(text: str) -> list[str]:
    """The words of `text`, lower-cased, without digits or punctuation."""
    return _WORDS.findall(text.lower())


# --- PIP -------------------------------------------------------------------------------------


class ValidatePipStatusForm(IdentityFormValidation):
    """The student's NISN and birth date (a first check), then the verification of the citizen
    asking: the student, or a member of the student's KK (IdentityFormValidation)."""

    family_records = True  # a child's PIP: a verified member of the same KK sees it

    def name(self) -> str:
        return "validate_pip_status_form"

    async def required_slots(
        self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[str]:
        """A general question needs nothing more than its topic; a status check the rest."""
        topic = request_topic(tracker) if just_activated(tracker, self.form_name()) else None
        if (topic or tracker.get_slot("pip_topic")) in INFO_TOPICS:
            return ["pip_topic"]
        return [slot for slot in domain_slots if slot != "pip_topic"]

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """When the form starts: the topic of the request, replacing the previous question's,
        and its parameters (school level and grade), kept for the answer and never asked."""
        events = await super().run(dispatcher, tracker, domain)
        if not just_activated(tracker, self.form_name()):
            return events
        return [SlotSet("pip_topic", request_topic(tracker)), *pip_parameters(tracker), *events]

    async def validate_school_level(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        """A level named in a follow-up ("kalau SMK?"): SMK and MA pay as SMA."""
        level = value if value in PIP_LEVELS else school_level(str(value or ""))
        if level is None:
            dispatcher.utter_message(response="utter_unknown_school_level")
        return {"school_level": level}

    async def extract_pip_topic(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        """Read when the form starts (a button's topic, or the request's text)."""
        return {"pip_topic": request_topic(tracker)} if just_activated(tracker, self.form_name()) else {}

    async def extract_student_birth_date(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        """While the form asks for it, from the typed text (any format bot.dates reads); a date
        in the request that starts a status check together with the NISN is the birth date too."""
        if just_activated(tracker, self.form_name()) and entity_value(tracker, "nisn"):
            parsed = parse_birth_date(message_text(tracker))
            return {"student_birth_date": parsed.isoformat()} if parsed else {}
        return await self._typed_birth_date(dispatcher, tracker)

    async def extract_nisn(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        """Digits that are no NISN, typed when it was asked, get a reason and the question again."""
        if tracker.get_slot("requested_slot") != "nisn" or not fresh_answer(tracker, self.form_name()):
            return {}
        text = message_text(tracker)
        if entity_value(tracker, "nisn") is not None or not any(char.isdigit() for char in text):
            return {}
        if not is_answer(tracker):
            return {}  # a question asked in passing ("berapa iuran kelas 1?"): the aside rules
        problem = identifiers.check_nisn(text)
        if problem is None:
            return {}
        IDENTIFIERS["nisn"].refuse(dispatcher, problem)
        return {"nisn": None}

    async def validate_nisn(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        if value is None:
            return {"nisn": None}
        problem = identifiers.check_nisn(str(value).strip())
        if problem:
            IDENTIFIERS["nisn"].refuse(dispatcher, problem)
            return {"nisn": None}
        return {"nisn": identifiers.digits(str(value))}

    async def _typed_birth_date(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> SlotValues:
        """Only while the form asks for it, from the typed text (any format bot.dates reads)."""
        if tracker.get_slot("requested_slot") != "student_birth_date" or not fresh_answer(
            tracker, self.form_name()
        ):
            return {}
        text = message_text(tracker)
        if not text:
            return {}
        parsed = parse_birth_date(text)
        if parsed is None:
            dispatcher.utter_message(response="utter_invalid_birth_date")
            return {"student_birth_date": None}
        return {"student_birth_date": parsed.isoformat()}

    async def validate_student_birth_date(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        if value is None:
            return {"student_birth_date": None}
        try:
            born = dt.date.fromisoformat(str(value))
        except ValueError:
            dispatcher.utter_message(response="utter_invalid_birth_date")
            return {"student_birth_date": None}
        if born > dt.date.today():
            dispatcher.utter_message(response="utter_impossible_birth_date")
            return {"student_birth_date": None}
        return {"student_birth_date": born.isoformat()}


def pip_status(pip: dict[str, Any], domain: DomainDict) -> tuple[str, dict[str, str]]:
    """Recipient or not (the response), with the amount, the disbursement and the legal basis."""
    level = str(pip.get("level") or "")
    level = level.upper() if len(level) <= 4 else level
    grade = f"kelas {pip['grade']} {level}".strip() if pip.get("grade") else level
    values = {
        "student": f"{pip.get('name', '-')} ({pip.get('school', '-')}{', ' + grade if grade else ''})",
        "year": str(pip.get("year", "")),
        "legal_basis": f"\n\nDasar hukum: {pip['legal_basis']}." if pip.get("legal_basis") else "",
    }
    if not pip.get("recipient"):
        return "utter_pip_not_recipient", values
    disbursement = pip.get("disbursement")
    key = disbursement if disbursement in DISBURSEMENT else "unknown"
    return "utter_pip_recipient", values | {
        "amount": rupiah(pip.get("amount")),
        "disbursement": DISBURSEMENT[key],
        "next_step": phrase(domain, f"utter_pip_disbursement_{key}"),
    }


class ActionPipStatus(Action):
    """The PIP status of the NISN, after the student's birth date matched; or the answer to a
    general PIP question (actions/pip_info.py), whose slots stay for a follow-up."""

    def name(self) -> str:
        return "action_pip_status"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        if tracker.get_slot("pip_topic") in INFO_TOPICS:
            answer_pip_info(dispatcher, tracker, domain)
            return []
        nisn, born = tracker.get_slot("nisn"), tracker.get_slot("student_birth_date")
        if not nisn or not born:
            return []
        forget = [SlotSet("student_birth_date", None)]
        body = {"nisn": nisn, "birth_date": born}
        pip = await verified_lookup(dispatcher, tracker, "/education/pip", body, PIP_FAILURE, PIP_REFUSAL)
        if pip.refused:
            return pip.events
        if pip.failed:
            return [SlotSet("nisn", None), *forget] if pip.not_found else forget
        response, values = pip_status(pip.data, domain)
        dispatcher.utter_message(response=response, buttons=[KIP_INFO_BUTTON, MAIN_MENU_BUTTON], **values)
        return forget


# --- KIP Kuliah --------------------------------------------------------------------------------


def kip_topic_in(text: str) -> str | None:
    """ "status" (the citizen's own registration) or "info" (requirements and dates)."""
    words = lower_words(text)
    if any(word.startswith("status") for word in words):
        return "status"
    if any(word.startswith(KIP_INFO_WORDS) for word in words):
        return "info"  # "cek syarat", "kapan pengumuman hasil": information first
    if any(word.startswith(KIP_STATUS_WORDS) for word in words):
        return "status"
    return None


class ValidateKipKuliahForm(IdentityFormValidation):
    """The topic; for the registration status also NIK and birth date."""

    def name(self) -> str:
        return "validate_kip_kuliah_form"

    async def required_slots(
        self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[str]:
        if tracker.get_slot("kip_kuliah_topic") == "status":
            return domain_slots
        return ["kip_kuliah_topic"]

    async def extract_kip_kuliah_topic(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        """When the form starts: the topic named in the request, else none (so it is asked,
        even if an earlier, unfinished run had chosen one)."""
        if not just_activated(tracker, self.form_name()):
            return {}
        topic = entity_value(tracker, "kip_kuliah_topic") or kip_topic_in(message_text(tracker))
        return {"kip_kuliah_topic": topic if topic in KIP_TOPICS else None}

    async def validate_kip_kuliah_topic(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        if value is None:
            return {"kip_kuliah_topic": None}
        topic = value if value in KIP_TOPICS else kip_topic_in(str(value))
        if topic is None:
            dispatcher.utter_message(response="utter_unknown_kip_topic")
        return {"kip_kuliah_topic": topic}


def kip_info(kip: dict[str, Any], domain: DomainDict) -> dict[str, str]:
    """The values of `utter_kip_info`. Only a schedule the ministry publishes is shown, with
    where to check it; without one the answer says it is not yet published and where to look."""
    schedule = "\n".join(
        f"• {stage.get('stage', '-')}: {tanggal(stage.get('start'))} – {tanggal(stage.get('end'))}"
        for stage in kip.get("schedule") or []
    )
    return {
        "requirements": "\n".join(f"• {item}" for item in kip.get("requirements") or []),
        "schedule": (
            f"\n\nJadwal:\n{schedule}\n{phrase(domain, 'utter_kip_schedule_source')}"
            if schedule
            else "\n\n" + phrase(domain, "utter_kip_schedule_unpublished")
        ),
        "legal_basis": f"\n\nDasar hukum: {kip['legal_basis']}." if kip.get("legal_basis") else "",
    }


def label(value: Any) -> str:
    return str(value or "-").replace("_", " ")


def kip_registration(registration: dict[str, Any]) -> str:
    """The registration's lines in `utter_kip_registration`."""
    status = str(registration.get("status") or "")
    lines = [
        f"Nomor pendaftaran: {registration.get('registration_number', '-')}",
        f"Tahap: {label(registration.get('stage'))}",
        f"Status: {KIP_STATUS_LABELS.get(status, label(status))}",
        f"Diperbarui: {tanggal(registration.get('updated_at'))}",
    ]
    return "\n".join(f"• {line}" for line in lines)


class ActionKipKuliah(Action):
    """Requirements and dates, or the citizen's own registration status."""

    def name(self) -> str:
        return "action_kip_kuliah"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        topic = tracker.get_slot("kip_kuliah_topic")
        done: list[EventType] = [SlotSet("kip_kuliah_topic", None)]
        if topic == "info":
            kip = await lookup(dispatcher, gateway().get("/education/kip-kuliah"), KIP_INFO_FAILURE)
            if not kip.failed:
                dispatcher.utter_message(
                    response="utter_kip_info",
                    buttons=[KIP_STATUS_BUTTON, MAIN_MENU_BUTTON],
                    **kip_info(kip.data, domain),
                )
            return done
        nik, birth_date = tracker.get_slot("nik"), tracker.get_slot("birth_date")
        if topic != "status" or not nik or not birth_date:
            return done  # the form was stopped before it had what it needs
        body = {"nik": nik, "birth_date": birth_date}
        registration = await verified_lookup(
            dispatcher, tracker, "/education/kip-kuliah/registration", body, KIP_STATUS_FAILURE
        )
        if registration.failed:
            return [*registration.events, *done]
        dispatcher.utter_message(
            response="utter_kip_registration",
            details=kip_registration(registration.data),
            buttons=[KIP_INFO_BUTTON, MAIN_MENU_BUTTON],
        )
        return done
