"""What citizens ask about PIP besides one student's status: how much per school level (the final
grade gets half), when it is paid, how to activate the account and collect, why it has not
arrived, and who can get it. Every amount and rule is a registry fact in the responses
(domain/education.yml, knowledge/facts/education.yml).

`pip_topic()` reads the question's topic, `school_level()` / `grade()` its parameters, so that
`pip_status_form` stores them in slots (`pip_topic`, `school_level`, `school_grade`) and
`action_pip_status` answers from the slots: a follow-up that changes one of them ("kalau SMP?")
re-runs the same answer with the rest carried over.
"""

from __future__ import annotations

import re

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.answers import entity_value, payload, phrase, word_pattern
from actions.menu import MAIN_MENU_BUTTON

STATUS = "status"  # one student's status: NISN, birth date, verification (the form's default)
# Checked in this order: "kenapa belum cair" is a reason, "kapan cair" a date, "cair berapa" an amount.
TOPICS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("not_received", word_pattern("kenapa", "knp", "mengapa", "kok", "padahal", "penyebab", "sebab")),
    ("schedule", word_pattern("kapan", "kpn", "jadwal", r"tahap(?:\s+\d)?", r"bulan\s+apa")),
    (
        "activation",
        word_pattern(
            r"aktivasi\w*", r"aktif\w*", "rekening", "simpel", r"buku\s+tabungan", "ambil", "ambilnya",
            "mengambil", "diambil", "tarik", "bank", "bri", "bni", "bsi",
        ),
    ),
    (
        "amount",
        word_pattern(
            "berapa", "brp", "brapa", "nominal", "besaran", "besarnya", r"jumlah(?:nya)?", "nilai",
        ),
    ),
    (
        "eligibility",
        word_pattern(
            "syarat", "persyaratan", "siapa", "kriteria", "daftar", "mendaftar", "didaftarkan",
            r"cara\s+dapat", r"cara\s+dapet", r"bisa\s+dapat", r"bisa\s+dapet", "diusulkan", "usulan",
        ),
    ),
)  # fmt: skip
INFO_TOPICS = frozenset(topic for topic, _ in TOPICS)
# A citizen checking one student: "cek", "status", "sudah cair belum", "nisn".
_PERSONAL = word_pattern(
    "cek", "cekin", "status", "statusnya", "nisn", "nisnnya", "saldo", r"udah\w*", r"sudah\w*"
)
_BALANCE = word_pattern("saldo", "saldonya")  # what one account holds: only the status can tell
_AMOUNT_OVERRIDES = word_pattern("berapa", "brp", "brapa", "nominal", "besaran")

LEVELS = ("sd", "smp", "sma")
_LEVEL_NAMES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("sd", word_pattern("sd", "sdlb", r"sekolah\s+dasar", r"paket\s+a")),
    ("smp", word_pattern("smp", "smplb", "mts", "sltp", r"sekolah\s+menengah\s+pertama", r"paket\s+b")),
    ("sma", word_pattern("sma", "smk", "smalb", "slta",
     r"sekolah\s+menengah\s+(?:atas|kejuruan)", "paket c")),
)  # fmt: skip
_GRADE = re.compile(
    r"\b(?:kelas|kls|kl)\s*\.?\s*(1[0-2]|[1-9]|i{1,3}|iv|v|vi{1,3}|ix|x|xi{1,2})\b", re.IGNORECASE
)
_ROMAN = {
    "i": 1,
    "ii": 2,
    "iii": 3,
    "iv": 4,
    "v": 5,
    "vi": 6,
    "vii": 7,
    "viii": 8,
    "ix": 9,
    "x": 10,
    "xi": 11,
    "xii": 12,
}
FINAL_GRADE = {"sd": 6, "smp": 9, "sma": 12}
FIRST_GRADE = {"sd": 1, "smp": 7, "sma": 10}
LEVEL_LABELS = {"sd": "SD", "smp": "SMP", "sma": "SMA/SMK"}


def pip_topic(text: str, has_nisn: bool = False) -> str:
    """The topic of a PIP question: an INFO_TOPICS key, or STATUS (a student's own status).
    A NISN, "cek" or "sudah cair belum" asks about one student unless an amount is asked."""
    if has_nisn or _BALANCE.search(text):
        return STATUS
    found = next((topic for topic, pattern in TOPICS if pattern.search(text)), None)
    if _PERSONAL.search(text) and not (found == "amount" and _AMOUNT_OVERRIDES.search(text)):
        return STATUS if found in (None, "amount", "activation") else found
    return found or STATUS


def grade(text: str) -> int | None:
    """The school grade written in `text` ("kelas 4", "kls 8", "kelas XI"), else None."""
    match = _GRADE.search(text)
    if match is None:
        return None
    value = match.group(1).lower()
    return int(value) if value.isdigit() else _ROMAN.get(value)


def level_of_grade(number: int) -> str:
    return "sd" if number <= 6 else "smp" if number <= 9 else "sma"


def school_level(text: str) -> str | None:
    """sd | smp | sma (SMK and MA pay as SMA) named in `text`, or implied by its grade."""
    named = next((level for level, pattern in _LEVEL_NAMES if pattern.search(text)), None)
    if named:
        return named
    number = grade(text)
    return level_of_grade(number) if number else None


def grade_in_level(number: int | None, level: str) -> int | None:
    """A grade that belongs to `level` ("kelas 2 SMP" is grade 8), else None."""
    if number is None:
        return None
    if level_of_grade(number) == level:
        return number
    first = FIRST_GRADE[level]
    shifted = first + number - 1  # "kelas 2 SMP": the second year of SMP
    return shifted if shifted <= FINAL_GRADE[level] and level_of_grade(shifted) == level else None


def request_topic(tracker: Tracker) -> str:
    """The topic of the latest request: a button's `pip_topic`, else read from its text."""
    chosen = entity_value(tracker, "pip_topic")
    if chosen in INFO_TOPICS or chosen == STATUS:
        return str(chosen)
    text = tracker.latest_message.get("text") or ""
    if text.startswith("/"):
        return STATUS
    return pip_topic(text, has_nisn=entity_value(tracker, "nisn") is not None)


def pip_parameters(tracker: Tracker) -> list[EventType]:
    """The school level and grade of the request (a button's level, or read from the text);
    a request that names neither clears them, so the answer covers every level."""
    text = tracker.latest_message.get("text") or ""
    typed = "" if text.startswith("/") else text
    level = entity_value(tracker, "school_level") or school_level(typed)
    number = grade_in_level(grade(typed), level) if level in LEVELS else None
    return [
        SlotSet("school_level", level if level in LEVELS else None),
        SlotSet("school_grade", str(number) if number else None),
    ]


def answer_pip_info(dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> None:
    """The answer to a general PIP question, from the slots `pip_topic`, `school_level`,
    `school_grade`; with buttons to check one student, and for amounts, the other levels."""
    topic = tracker.get_slot("pip_topic")
    level = tracker.get_slot("school_level")
    check = {"title": "Cek status PIP", "payload": payload("edu_pip_status", pip_topic=STATUS)}
    if topic != "amount":
        dispatcher.utter_message(response=f"utter_pip_{topic}", buttons=[check, MAIN_MENU_BUTTON])
        return
    if level not in LEVELS:
        dispatcher.utter_message(response="utter_pip_amounts", buttons=[check, MAIN_MENU_BUTTON])
        return
    number = int(tracker.get_slot("school_grade") or 0)
    note = ""
    if number and level_of_grade(number) == level:  # a grade carried over from another level is not shown
        final = number == FINAL_GRADE[level]
        note = phrase(domain, f"utter_pip_grade_{'final' if final else 'full'}", grade=str(number))
    others = [
        {
            "title": LEVEL_LABELS[other],
            "payload": payload("edu_pip_status", pip_topic="amount", school_level=other),
        }
        for other in LEVELS
        if other != level
    ]
    dispatcher.utter_message(
        response=f"utter_pip_amount_{level}",
        grade_note=f"\n{note}" if note else "",
        buttons=[*others, check, MAIN_MENU_BUTTON],
    )
