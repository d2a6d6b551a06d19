"""Social-assistance questions beyond checking a recipient (issue 18, knowledge breadth).

`action_bansos_info` (intent `bansos_info`) answers by topic: how much a programme pays
(PKH per component, BPNT, BLT Dana Desa, PIP), when it is paid, why it was not received, what
DTSEN/DTKS is, and who is eligible. The topic and programme come from a button's entities, else
the words of the message, else the ones answered last (an elliptical follow-up: "kalau BPNT?"
keeps the amount and changes the programme); with neither, the topics are offered as buttons.

`opening_topic()` lets the check form answer what its opening message asked ("PKH tahap 4
kapan cair?", "kenapa bansos saya berhenti?") before it asks how to search.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.answers import entity_value, payload, word_pattern
from actions.conversation import Action
from actions.menu import MAIN_MENU_BUTTON, Button
from actions.pip_info import LEVEL_LABELS, LEVELS, school_level
from knowledge import facts

TOPIC_SLOT = "bansos_topic"
PROGRAMME_SLOT = "bansos_programme"
AMOUNT = "amount"


@dataclass(frozen=True)
class Pattern:
    key: str
    title: str
    pattern: re.Pattern[str]


PROGRAMMES: tuple[Pattern, ...] = (
    Pattern("pkh", "PKH", word_pattern("pkh", r"program\s+keluarga\s+harapan")),
    Pattern(
        "bpnt",
        "BPNT/Sembako",
        word_pattern("bpnt", "sembako", r"bantuan\s+pangan\s+non\s*-?tunai", r"program\s+sembako"),
    ),
    Pattern("blt", "BLT Dana Desa", word_pattern(r"blt(?:\s*-?\s*dd)?", r"dana\s+desa")),
    Pattern("pip", "PIP", word_pattern("pip", r"kip(?!\s*-?\s*k)", r"program\s+indonesia\s+pintar")),
)
# Checked in this order: "kenapa pkh saya belum cair" is about not receiving it.
TOPICS: tuple[Pattern, ...] = (
    Pattern(
        "not_received",
        "Kenapa tidak menerima",
        word_pattern(
            r"(?:tidak|gak|ga|nggak|enggak|belum|blm|ngga)\s+(?:dapat|dapet|cair|masuk|menerima|terima|lolos|layak)\w*",
            r"berhenti\w*",
            r"dicoret\w*",
            r"dihapus\w*",
            r"hilang\w*",
            r"putus\w*",
            r"eureun",
            r"kunaon",
        ),
    ),
    Pattern(
        "schedule",
        "Jadwal pencairan",
        word_pattern("kapan", r"jadwal\w*", r"pencairan\w*", r"tahap\s*\w*", r"tanggal\s+berapa", "kpn"),
    ),
    Pattern(
        AMOUNT,
        "Besaran bantuan",
        word_pattern(
            "berapa", "brp", "besaran", r"nominal\w*", "jumlah", "sebulan", "setahun", "pinten", "sabaraha"
        ),
    ),
    Pattern(
        "dtsen", "DTSEN/DTKS", word_pattern("dtsen", "dtks", "desil", r"data\s+tunggal", r"data\s+terpadu")
    ),
    Pattern(
        "eligibility",
        "Siapa yang berhak",
        word_pattern(r"syarat\w*", "kriteria", r"berhak", r"layak", r"siapa\s+(?:saja|aja)?\s*yang"),
    ),
)
PROGRAMME_KEYS = frozenset(pattern.key for pattern in PROGRAMMES)
TOPIC_KEYS = frozenset(pattern.key for pattern in TOPICS)
# PKH components as citizens name them → their entry in pkh.component_amounts.
COMPONENTS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("lansia", word_pattern("lansia", r"lanjut\s+usia", "lansi", "manula", r"nenek\w*", r"kakek\w*")),
    ("disabilitas_berat", word_pattern(r"disabilitas\w*", r"difabel\w*", "cacat")),
    ("ibu_hamil", word_pattern("hamil", r"ibu\s+hamil", "bumil", "nifas")),
    ("anak_usia_dini", word_pattern("balita", r"usia\s+dini", "paud", "bayi")),
    ("sma", word_pattern("sma", "smk", "slta")),
    ("smp", word_pattern("smp", "mts", "sltp")),
    ("sd", word_pattern("sd")),
)
COMPONENT_NAMES = {
    "lansia": "lanjut usia",
    "disabilitas_berat": "penyandang disabilitas berat",
    "ibu_hamil": "ibu hamil/nifas",
    "anak_usia_dini": "anak usia dini (0-6 tahun)",
    "sma": "anak SMA/sederajat",
    "smp": "anak SMP/sederajat",
    "sd": "anak SD/sederajat",
}

CHECK_BUTTON: Button = {"title": "Cek penerima bansos", "payload": "/bansos_check"}
REGISTER_BUTTON: Button = {"title": "Daftar, usul & sanggah", "payload": "/bansos_register"}
PIP_BUTTON: Button = {"title": "Cek status PIP", "payload": "/edu_pip_status"}


def first(patterns: tuple[Pattern, ...], text: str) -> str | None:
    return next((pattern.key for pattern in patterns if pattern.pattern.search(text)), None)


def programme_in(text: str) -> str | None:
    return first(PROGRAMMES, text) or ("pkh" if component_in(text) else None)


def component_in(text: str) -> str | None:
    return next((key for key, pattern in COMPONENTS if pattern.search(text)), None)


def topic_button(topic: str, programme: str | None = None) -> Button:
    title = next(pattern.title for pattern in TOPICS if pattern.key == topic)
    entities = {TOPIC_SLOT: topic} | ({PROGRAMME_SLOT: programme} if programme else {})
    return {"title": title, "payload": payload("bansos_info", **entities)}


def programme_button(programme: str) -> Button:
    title = next(pattern.title for pattern in PROGRAMMES if pattern.key == programme)
    return {
        "title": f"Besaran {title}",
        "payload": payload("bansos_info", bansos_topic=AMOUNT, bansos_programme=programme),
    }


def amount_values(programme: str, text: str) -> dict[str, str]:
    """The values of `utter_bansos_amount_<programme>`: for PKH, the component asked about."""
    if programme != "pkh":
        return {}
    component = component_in(text)
    if component is None:
        return {"asked": ""}
    amount = facts.get("pkh.component_amounts").text_of(component)
    return {"asked": f"Komponen {COMPONENT_NAMES[component]}: {amount}.\n\n"}


def answer(
    dispatcher: CollectingDispatcher, topic: str, programme: str | None, text: str, *, aside: bool = False
) -> None:
    """The topic's response (for an amount, the programme's), with what to do next; `aside`:
    said before the check form's question, which brings its own buttons."""
    if topic == AMOUNT and programme == "pip":  # PIP's amounts are education's: per school level
        level = school_level(text)
        response = f"utter_pip_amount_{level}" if level else "utter_pip_amounts"
        others = [
            {
                "title": LEVEL_LABELS[other],
                "payload": payload("edu_pip_status", pip_topic="amount", school_level=other),
            }
            for other in LEVELS
            if level and other != level
        ]
        buttons = [] if aside else [*others, PIP_BUTTON, MAIN_MENU_BUTTON]
        dispatcher.utter_message(response=response, grade_note="", buttons=buttons)
        return
    if aside:
        response = f"utter_bansos_amount_{programme}" if topic == AMOUNT else f"utter_bansos_info_{topic}"
        dispatcher.utter_message(response=response, **amount_values(programme or "", text))
        return
    if topic == AMOUNT:
        if programme is None:
            buttons = [programme_button(pattern.key) for pattern in PROGRAMMES]
            dispatcher.utter_message(
                response="utter_bansos_amount_which", buttons=[*buttons, MAIN_MENU_BUTTON]
            )
            return
        next_buttons = [PIP_BUTTON] if programme == "pip" else [CHECK_BUTTON, topic_button("schedule")]
        dispatcher.utter_message(
            response=f"utter_bansos_amount_{programme}",
            buttons=[*next_buttons, MAIN_MENU_BUTTON],
            **amount_values(programme, text),
        )
        return
    next_buttons = {
        "schedule": [CHECK_BUTTON, topic_button("not_received")],
        "not_received": [CHECK_BUTTON, REGISTER_BUTTON],
        "dtsen": [CHECK_BUTTON, REGISTER_BUTTON],
        "eligibility": [REGISTER_BUTTON, CHECK_BUTTON],
    }[topic]
    dispatcher.utter_message(response=f"utter_bansos_info_{topic}", buttons=[*next_buttons, MAIN_MENU_BUTTON])


def read_request(tracker: Tracker) -> tuple[str | None, str | None]:
    """(topic, programme): a button's, else the message's words, else the ones answered last.
    A programme named alone asks its amount."""
    text = tracker.latest_message.get("text") or ""
    typed = "" if text.startswith("/") else text
    topic = entity_value(tracker, TOPIC_SLOT) or first(TOPICS, typed)
    programme = entity_value(tracker, PROGRAMME_SLOT) or first(PROGRAMMES, typed)
    if topic is None and (programme or component_in(typed)):
        topic = tracker.get_slot(TOPIC_SLOT) or AMOUNT
    topic = topic if topic in TOPIC_KEYS else tracker.get_slot(TOPIC_SLOT)
    if topic == AMOUNT and programme is None:
        programme = tracker.get_slot(PROGRAMME_SLOT) or ("pkh" if component_in(typed) else None)
    return (topic if topic in TOPIC_KEYS else None), (programme if programme in PROGRAMME_KEYS else None)


def opening_topic(tracker: Tracker) -> str | None:
    """What a message that opened the recipient check also asked: when it is paid, why it was not
    received, or how much it is (answered before the check asks how to search)."""
    text = tracker.latest_message.get("text") or ""
    if text.startswith("/"):
        return None
    topic = first(TOPICS, text)
    if topic == AMOUNT and programme_in(text) is None:
        return None  # "berapa" of no programme: nothing to answer
    return topic if topic in ("schedule", "not_received", AMOUNT) else None


class ActionBansosInfo(Action):
    """Answers a social-assistance question by topic and programme, and remembers both."""

    def name(self) -> str:
        return "action_bansos_info"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        topic, programme = read_request(tracker)
        if topic is None:
            buttons = [topic_button(pattern.key) for pattern in TOPICS]
            dispatcher.utter_message(
                response="utter_bansos_info_topics", buttons=[*buttons, MAIN_MENU_BUTTON]
            )
            return []
        text = tracker.latest_message.get("text") or ""
        answer(dispatcher, topic, programme, "" if text.startswith("/") else text)
        return [SlotSet(TOPIC_SLOT, topic), SlotSet(PROGRAMME_SLOT, programme)]
