"""Population documents (Dukcapil): `document_requirements_form` (`document_type`, buttons or
typed: "akte lahir", "ktp ilang") → `action_document_requirements`: the requirements of the
document for the citizen's situation (`document_case`: new, lost, damaged, change, a KK member
added or removed, a KK split, moving out or in, how long it takes), each a response of
domain/identity.yml with its facts and legal basis from knowledge/facts/identity.yml.

Both parameters come from the opening message ("ktp saya ilang" → ktp_el + lost), from a typed
or tapped answer, or stay from the previous answer: "kalau yang rusak?" after the KTP answer
re-runs it for a damaged KTP, "kalau untuk anak?" turns a KTP question into the KIA. The answer
reads only the two slots, and keeps them, so a follow-up can re-run it with one changed.
For KK changes, birth certificates and moving it offers to apply online (`application_offered`;
"ya" starts `population_application_form`, data/rules/identity.yml).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.answers import aside_intents, entity_value, payload, typed_answer, word_pattern
from actions.applications import APPLICATION_TYPES, OTHER_DOCUMENT_BUTTON, forget_application
from actions.conversation import Action
from actions.flows import just_activated
from actions.form_validation import FormValidationAction
from actions.menu import MAIN_MENU_BUTTON, OFFICE_BUTTON, Button
from actions.road_topics import Topic, say_topic
from actions.road_topics import find_topic as road_topic

SlotValues = dict[str, Any]
ANSWER_ACTION = "action_document_requirements"
# A follow-up without a document ("kalau yang hilang?") continues the document answered within
# this many user messages.
FOLLOW_UP_TURNS = 3


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

    @property
    def phrase(self) -> str:
        """The title inside a sentence: "akta kematian", but "KTP-el", "Kartu Keluarga (KK)"."""
        first = self.title.split()[0]
        return self.title[0].lower() + self.title[1:] if first in ("Akta", "Pindah") else self.title


# Checked in this order: "akta kelahiran untuk KK" is about the birth certificate, "kia untuk
# bayi" about the KIA, "kk baru setelah cerai" about the KK (only a divorce certificate named as
# such is the divorce document).
DOCUMENTS: tuple[Document, ...] = (
    Document(
        "death_certificate",
        "Akta kematian",
        word_pattern(
            r"akt[ae]\s+(?:ke)?mati(?:an)?(?:nya)?", r"kematian(?:nya)?", "meninggal", "wafat", r"almarhum\w*"
        ),
    ),
    Document(
        "kia",
        "Kartu Identitas Anak (KIA)",
        word_pattern("kia", r"kartu\s+identitas\s+anak", r"ktp\s+anak"),
    ),
    Document(
        "divorce_certificate",
        "Akta perceraian",
        word_pattern(
            r"akt[ae]\s+(?:per)?cerai(?:an)?", r"(?:catat\w*|lapor\w*)\s+perceraian", r"putusan\s+cerai"
        ),
    ),
    Document(
        "marriage_certificate",
        "Akta perkawinan",
        word_pattern(
            r"akt[ae]\s+(?:per)?(?:kawin|nikah)(?:an)?",
            r"(?:buku|surat)\s+nikah",
            r"(?:catat\w*|daftar\w*)\s+(?:per)?(?:kawin|nikah)(?:an)?",
            r"nikah\s+(?:di\s+)?(?:gereja|pura|vihara|kelenteng|catatan\s+sipil|capil)",
        ),
    ),
    Document(
        "birth_certificate",
        "Akta kelahiran",
        word_pattern(r"akt[ae]\s+(?:ke)?lahir(?:an)?", r"akt[ae]\s+anak", "kelahiran", "lahir", "bayi"),
        application="birth_certificate",
    ),
    Document(
        "moving",
        "Pindah domisili",
        word_pattern(r"pindah\w*", "skpwni", r"surat\s+pindah", "domisili"),
        application="kk_change",
        reason="pindah",
    ),
    Document("kk", "Kartu Keluarga (KK)", word_pattern("kk", r"kartu\s+ke?luarga"), application="kk_change"),
    Document(
        "ktp_el",
        "KTP-el",
        word_pattern(r"e-?\s?ktp", r"ktp(?:\s*-?\s*el)?", r"kartu\s+tanda\s+penduduk", "ktpe"),
    ),
)
DOCUMENTS_BY_KEY = {document.key: document for document in DOCUMENTS}
# "kalau untuk anak?" after an adult's document: the child's counterpart.
FOR_A_CHILD = {"ktp_el": "kia"}
_CHILD = word_pattern("anak", r"anak\s*-?\s*anak", "balita", "adik")


@dataclass(frozen=True)
class Case:
    """The citizen's situation; its answer is `utter_document_<document>_<key>` (or the
    `group`'s response, or `utter_document_<key>` for every document), else the document's."""

    key: str
    pattern: re.Pattern[str]
    group: str | None = None


# Checked in this order: "paling lambat kapan lapor kematian" is the deadline to report, "berapa
# lama ktp rusak jadinya" the processing time, "keluar dari
# kk" a split, "pindah datang" moving in, "hapus anggota kk yang meninggal" a member removed.
CASES: tuple[Case, ...] = (
    Case(
        "deadline",
        word_pattern(
            r"paling\s+(?:lambat|telat|lama)",
            r"batas\s+(?:waktu|akhir)\w*",
            "tenggat",
            "deadline",
            r"(?:maksimal|maks|max)\s+(?:kapan|berapa\s+hari)",
            r"berapa\s+hari\s+(?:setelah|sejak|sesudah|dari)",
            r"(?:terlambat|telat|lewat)\s+(?:lapor|melapor|ngelapor|mengurus|ngurus|daftar)\w*",
            r"kena\s+denda",
            r"denda\w*",
        ),
    ),
    Case(
        "duration",
        word_pattern(
            r"(?:berapa|brp|brapa)\s+(?:lama|hari|jam|minggu)",
            r"(?:kapan|brp|berapa)\s+(?:\w+\s+)?(?:jadi|selesai|jadinya|kelar|terbit)",
            r"lama\s+(?:proses\w*|pembuatan\w*|pengurusan\w*|jadinya|bikinnya)",
            r"proses\w*\s+berapa\s+lama",
            r"sehari\s+jadi",
        ),
    ),
    Case(
        "split",
        word_pattern(
            r"(?:pecah|pisah|misah|memisahkan)\s+(?:dari\s+)?(?:kk|kartu\s+keluarga)",
            r"kk\s+sendiri",
            r"keluar\s+dari\s+kk",
        ),
    ),
    Case(
        "moving_in",
        word_pattern(r"pindah\s+datang", r"datang\s+(?:ke|dari)", r"pindahan\s+dari", r"baru\s+pindah\s+ke"),
    ),
    Case("moving_out", word_pattern(r"pindah\s+keluar", r"keluar\s+dari", r"mau\s+pindah", r"akan\s+pindah")),
    Case(
        "remove_member",
        word_pattern(
            r"(?:hapus|coret|kurang\w*|keluarkan|ngeluarin|mengeluarkan)\s+(?:\w+\s+)?(?:anggota|nama|dari\s+kk)",
            r"anggota\s+(?:\w+\s+)?(?:meninggal|pindah)",
            r"masih\s+(?:ada|tercantum|tertulis|tercatat)\s+di\s+(?:kk|kartu\s+keluarga)",
            r"(?:hapus|coret|dihapus|dicoret|dikeluarkan)\w*",
        ),
    ),
    Case(
        "add_member",
        word_pattern(
            r"(?:tambah\w*|masuk\w*|nambah\w*|numpang)\s+(?:\w+\s+){0,2}(?:anggota|ke\s+kk|nama|anak|bayi|istri|suami|kk)",
            "numpang",
        ),
    ),
    Case(
        "lost",
        word_pattern(
            r"hilang\w*", "ilang", "ical", r"kecurian", r"dicuri\w*", "raib", "kelangan", r"kehilangan"
        ),
        group="replacement",
    ),
    Case(
        "damaged",
        word_pattern(
            r"rusak\w*", "sobek", "robek", "patah", "luntur", r"pudar", r"kena\s+air", "terbakar", "basah"
        ),
        group="replacement",
    ),
    Case(
        "change",
        word_pattern(
            r"(?:ubah|rubah|mengubah|merubah|diubah|ganti|perbaik\w*|benerin|koreksi|pembetulan|update)\s+(?:\w+\s+)?(?:data|alamat|nama|status|agama|pekerjaan|pendidikan|foto|tanggal)",
            r"perubahan\s+data",
            r"salah\s+(?:tulis|ketik|nama|tanggal|huruf)",
            r"data\w*\s+salah",
        ),
    ),
)
CASES_BY_KEY = {case.key: case for case in CASES}
# Situations that belong to one document whatever else the message names.
IMPLIED_DOCUMENT = {
    "add_member": "kk",
    "remove_member": "kk",
    "split": "kk",
    "moving_in": "moving",
    "moving_out": "moving",
}


def find_document(text: str) -> Document | None:
    return next((document for document in DOCUMENTS if document.pattern.search(text)), None)


def document_key(text: str) -> str | None:
    found = find_document(text)
    return found.key if found else None


def case_key(text: str) -> str | None:
    """The situation a message names ("ktp saya ilang" → lost), or None for a plain question."""
    return next((case.key for case in CASES if case.pattern.search(text)), None)


def answered_recently(tracker: Tracker) -> bool:
    """True when a document answer came within the last FOLLOW_UP_TURNS user messages."""
    users = 0
    for event in reversed(tracker.events):
        if event.get("event") in ("session_started", "restart"):
            return False
        if event.get("event") == "user":
            users += 1
            if users > FOLLOW_UP_TURNS:
                return False
        if event.get("event") == "action" and event.get("name") == ANSWER_ACTION:
            return True
    return False


def read_question(text: str, previous: str | None) -> SlotValues:
    """The document and situation of a question; one that names no document follows up
    `previous` (the document answered last, or None): "kalau yang hilang?", "kalau untuk anak?"."""
    document, case = document_key(text), case_key(text)
    if case in IMPLIED_DOCUMENT:  # "hapus anggota yang meninggal" changes the KK
        document = IMPLIED_DOCUMENT[case]
    elif document is None and previous is not None:
        child = FOR_A_CHILD.get(previous) if _CHILD.search(text) else None
        document = child or previous
    return {"document_type": document, "document_case": case}


def answer_response(document: str, case: str | None, responses: Any) -> str:
    """The most specific response for the document in this situation."""
    if case is not None:
        group = CASES_BY_KEY[case].group
        for name in (f"{document}_{case}", f"{document}_{group}", case, group):
            if name and f"utter_document_{name}" in responses:
                return f"utter_document_{name}"
    return f"utter_document_{document}"


def opening_road_topic(tracker: Tracker, form: str) -> Topic | None:
    """A vehicle or police rule question ("mutasi mobil syaratnya apa") that opened the documents
    form and names no population document: its road topic (actions/road_topics.py), else None."""
    text = tracker.latest_message.get("text") or ""
    if not just_activated(tracker, form) or text.startswith("/") or document_key(text):
        return None
    return road_topic(text)


class ValidateDocumentRequirementsForm(FormValidationAction):
    """Which document and situation: from the question, a typed answer or a button."""

    aside = aside_intents("id_document_requirements")

    def name(self) -> str:
        return "validate_document_requirements_form"

    async def required_slots(
        self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[str]:
        if opening_road_topic(tracker, self.form_name()):
            return []  # "syarat mutasi mobil?": answered by action_document_requirements
        return domain_slots

    async def extract_document_type(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        text = tracker.latest_message.get("text") or ""
        case = entity_value(tracker, "document_case")
        button = entity_value(tracker, "document_type")
        if button:  # also when the button starts the form, before its slot mapping applies
            return {"document_type": button, "document_case": case}
        if just_activated(tracker, self.form_name()):
            if text.startswith("/"):  # "Syarat dokumen lain": ask which
                return {"document_type": None, "document_case": case}
            # The question itself may name the document and the situation ("ktp saya ilang"); a
            # question that names none follows up the document answered just before.
            previous = tracker.get_slot("document_type") if answered_recently(tracker) else None
            return read_question(text, previous)
        typed = typed_answer(tracker, "document_type", self.aside)
        if typed is None:
            return {}
        values = read_question(typed, None)
        if values["document_type"] is None:
            dispatcher.utter_message(response="utter_unknown_document")
        return values

    async def get_validation_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        # rasa-sdk drops slots outside the form's required slots: the situation, read with the
        # document (extract_document_type), is set here.
        events = await super().get_validation_events(dispatcher, tracker, domain)
        extracted = tracker.slots_to_validate()
        if "document_case" in extracted:
            case = extracted["document_case"]
            events.append(SlotSet("document_case", case if case in CASES_BY_KEY else None))
        return events

    async def validate_document_type(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        if value is None:
            return {"document_type": None}
        if value not in DOCUMENTS_BY_KEY:
            dispatcher.utter_message(response="utter_unknown_document")
            return {"document_type": None}
        return {"document_type": value}


# Cards lost with a population document that another service reissues: what to do about each.
LOST_ELSEWHERE: tuple[tuple[re.Pattern[str], str], ...] = (
    (word_pattern(r"sim(?:\s+[abcd]\w?)?"), "utter_topic_sim_lost"),
    (word_pattern("skck"), "utter_topic_skck_lost"),
)


class ActionDocumentRequirements(Action):
    """The requirements of the chosen document in the citizen's situation; offers an online
    application where one exists."""

    def name(self) -> str:
        return ANSWER_ACTION

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        document = DOCUMENTS_BY_KEY.get(tracker.get_slot("document_type") or "")
        events: list[EventType] = list(forget_application())
        road = None if document else opening_road_topic(tracker, "document_requirements_form")
        if road is not None:
            return [*events, *say_topic(dispatcher, tracker, road)]
        if document is None:
            return [*events, SlotSet("document_type", None)]  # the form ended early and said why
        case = tracker.get_slot("document_case")
        case = case if case in CASES_BY_KEY else None
        response = answer_response(document.key, case, domain.get("responses", {}))
        dispatcher.utter_message(response=response, document=document.title, document_lower=document.phrase)
        if case == "lost":  # "dompet hilang, isinya ktp dan sim": each lost card is answered
            text = str(tracker.latest_message.get("text") or "")
            for pattern, other in LOST_ELSEWHERE:
                if pattern.search(text):
                    dispatcher.utter_message(response=other)
        if document.application is None or case == "duration":
            dispatcher.utter_message(
                response="utter_document_anything_else",
                buttons=[OTHER_DOCUMENT_BUTTON, OFFICE_BUTTON, MAIN_MENU_BUTTON],
            )
            return [] if case == "duration" else events  # "berapa lama?" leaves an offer open
        dispatcher.utter_message(
            response="utter_application_offer",
            kind=APPLICATION_TYPES[document.application],
            buttons=[{"title": "Ya, ajukan", "payload": "/affirm"}, {"title": "Tidak", "payload": "/deny"}],
        )
        return [
            *events,
            SlotSet("application_type", document.application),
            SlotSet("kk_change_reason", kk_change_reason(document, case)),
            SlotSet("application_offered", True),
        ]


def kk_change_reason(document: Document, case: str | None) -> str | None:
    """The KK change the answer's situation implies, asked otherwise in the application."""
    if document.key != "kk":
        return document.reason
    return {"add_member": "tambah_anggota", "split": "pisah_kk", "change": "perubahan_data"}.get(case or "")
