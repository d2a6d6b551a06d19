"""BPJS Kesehatan questions beyond the membership check (issue 18, knowledge breadth), and
what a contribution question asks about.

- `action_read_bpjs_question`: the custom mapping of the slot `bpjs_asked`, run on every user
  message by Rasa's slot extraction: the class the message names ("kelas 2", "kls II", a
  button's `bpjs_class`) or "penalty" when it asks about the late-payment penalty, else None.
  `utter_health_bpjs_contribution` has a variant per value (domain/health.yml), so the same
  response answers "iuran kelas 1?", "denda telat bayar?" and, re-run by a follow-up, "kalau
  kelas 2?" (and mid-form, through action_answer_aside).
- `action_health_info` (intent `health_bpjs_info`) answers by topic: penalty, reactivation,
  class or facility change, a newborn, a lost card, losing a job, registration (PBI/PPU/PBPU),
  emergencies without a referral, and where and by when the contribution is paid.
  Each topic is a response `utter_bpjs_info_<topic>` over the fact registry. The topic comes from
  a button's `health_topic`, else the words of the message, else the topic answered last (an
  elliptical follow-up); a class named alone is a contribution question. With none, the topics
  are offered as buttons. Journeys start a topic with a payload such as
  /health_bpjs_info{"health_topic":"newborn"}.
- `howto_topic()` lets the membership form recognise a how-to question ("kartu ibu saya tidak
  aktif, bagaimana mengaktifkannya?"): it is answered, not looked up.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.answers import entity_value, latest_intent, payload, word_pattern
from actions.conversation import Action
from actions.flows import just_activated
from actions.menu import MAIN_MENU_BUTTON, Button

TOPIC_SLOT = "health_topic"
CLASS_ENTITY = "bpjs_class"
ASKED_SLOT = "bpjs_asked"
CONTRIBUTION = "contribution"
CLASSES = frozenset({"1", "2", "3"})


@dataclass(frozen=True)
class Topic:
    key: str
    title: str  # its button
    pattern: re.Pattern[str]


# Checked in this order: a member who died is reported, whatever else is asked about the card;
# "denda kalau telat bayar lalu aktif lagi" is about the penalty, a lost card of a newborn is
# about the newborn.
TOPICS: tuple[Topic, ...] = (
    Topic(
        "death",
        "Peserta meninggal",
        word_pattern(r"meninggal\w*", "wafat", r"almarhum\w*", "mendiang", "berpulang"),
    ),
    Topic(
        "penalty",
        "Denda rawat inap",
        word_pattern(r"denda\w*", "sanksi", r"(?:telat|terlambat)\s+(?:bayar|membayar|iuran|\d+\s+bulan)"),
    ),
    Topic(
        "emergency",
        "Gawat darurat/IGD",
        word_pattern(r"gawat\s*darurat", "darurat", "emergency", "igd", "ugd", r"tanpa\s+rujukan"),
    ),
    Topic(
        "payment",
        "Cara bayar iuran",
        word_pattern(
            r"(?:cara|tempat)\s+(?:bayar|membayar|pembayaran)\w*",
            r"(?:bayar|membayar|pembayaran|dibayar)\w*\s+(?:\w+\s+){0,4}?(?:lewat|via|di\s?mana|dimana|melalui|ke\s?mana|di\s+(?:indomaret|alfamart|minimarket|bank|atm|kantor\s+pos))",
            r"(?:lewat|via|di\s?mana|dimana|melalui)\s+(?:\w+\s+)?(?:bayar|membayar)\w*",
            "indomaret",
            "alfamart",
            "minimarket",
            r"m-?banking",
            r"mobile\s+banking",
            "autodebet",
            "autodebit",
            r"virtual\s+account",
            r"jatuh\s+tempo",
            r"(?:tanggal|tgl)\s+(?:berapa|brp)",
            r"(?:bayar|membayar|iuran)\w*\s+(?:\w+\s+){0,2}?paling\s+(?:lambat|telat)",
            r"batas\s+(?:waktu\s+)?(?:bayar|pembayaran)",
        ),
    ),
    Topic(
        "newborn",
        "Daftar bayi baru lahir",
        word_pattern(r"bayi(?:nya|ku|mu)?", r"baru\s+lahir", r"(?:me)?lahir(?:an|kan)", "newborn"),
    ),
    Topic(
        "job_loss",
        "Kena PHK",
        word_pattern(
            r"(?:di|ter|kena\s+)?-?phk",
            "resign",
            r"berhenti\s+(?:kerja|bekerja)",
            r"keluar\s+(?:kerja|dari\s+kantor)",
            "dipecat",
        ),
    ),
    Topic(
        "facility_change",
        "Pindah faskes",
        word_pattern(
            r"(?:pindah|ganti|ubah|mutasi|memindahkan|mengganti|mengubah)\w*\s+(?:faskes|fktp|puskesmas|klinik)\w*"
        ),
    ),
    Topic(
        "class_change",
        "Pindah kelas",
        word_pattern(r"(?:pindah|ganti|naik|turun|ubah|menaikkan|menurunkan|mengubah)\w*\s+kelas\w*"),
    ),
    Topic(
        "lost_card",
        "Kartu hilang/rusak",
        word_pattern(
            "hilang", "ilang", "rusak", r"cetak\s+(?:ulang|kartu)", r"kartu\s+digital", r"kis\s+digital"
        ),
    ),
    Topic(
        "reactivate",
        "Mengaktifkan kembali",
        word_pattern(
            r"(?:meng|di|ter)?aktif(?:kan|in|kannya)?\s+(?:lagi|kembali)",
            r"mengaktifkan\w*",
            r"diaktifkan\w*",
            r"aktifin\w*",
            "reaktivasi",
            r"non\s*-?aktif\w*",
            r"(?:tidak|gak|ga|nggak|enggak)\s+aktif",
        ),
    ),
    Topic(
        "register",
        "Daftar & jenis peserta",
        word_pattern(r"(?:men)?daftar\w*", "pendaftaran", "pbi", "pbpu", "ppu", "segmen", r"jadi\s+peserta"),
    ),
)
TOPICS_BY_KEY = {topic.key: topic for topic in TOPICS}
KEYS = frozenset(TOPICS_BY_KEY) | {CONTRIBUTION}
# A question asking how, not whether: "bagaimana cara mengaktifkan", "gimana biar aktif lagi".
_HOWTO = word_pattern(
    "cara",
    "caranya",
    "bagaimana",
    "gimana",
    "gmn",
    "gmana",
    "bgmn",
    "gimna",
    "syarat",
    "syaratnya",
    "prosedur",
    "langkah",
    "biar",
    "supaya",
    "agar",
    "harus",
    "apa yang",
)
_CLASS = re.compile(
    r"\b(?:kelas|kls|klas|class)\w*\s*[-.]?\s*(1|2|3|iii|ii|i|satu|dua|tiga|tilu|kalih)\b", re.IGNORECASE
)
_CLASS_WORDS = {
    "i": "1",
    "ii": "2",
    "iii": "3",
    "satu": "1",
    "dua": "2",
    "tiga": "3",
    "tilu": "3",
    "kalih": "2",
}


def topic_in(text: str) -> str | None:
    """The BPJS topic a message names, if any."""
    return next((topic.key for topic in TOPICS if topic.pattern.search(text)), None)


def class_in(text: str) -> str | None:
    """ "kelas 2", "kls II", "kelas tiga" → "2"."""
    found = _CLASS.search(text)
    if not found:
        return None
    word = found.group(1).lower()
    return _CLASS_WORDS.get(word, word)


def howto_topic(tracker: Tracker) -> str | None:
    """The topic of the latest message when it asks how to do something about it (not whether a
    card is active): the membership form then answers it instead of looking a member up."""
    text = tracker.latest_message.get("text") or ""
    if text.startswith("/") or not _HOWTO.search(text):
        return None
    topic = topic_in(text)
    return (
        topic
        if topic
        in (
            "reactivate",
            "class_change",
            "facility_change",
            "newborn",
            "lost_card",
            "register",
            "payment",
            "emergency",
        )
        else None
    )


# Topics that are never a request to look a member up, asked how or not ("abis kena phk, bpjs
# masih aktif ga?", "ke IGD tanpa rujukan ditanggung?"), unless the message brings an identifier.
QUESTION_TOPICS = frozenset({"job_loss", "emergency", "payment", "facility_change"})
_LOOKUP = re.compile(r"\d{8,}|\bcek\b|\bcekin\b|\bngecek\b|\bperiksa\b", re.IGNORECASE)


def question_topic(tracker: Tracker) -> str | None:
    """The topic of the latest message when it asks a question answered from the registry rather
    than a lookup: a how-to question (`howto_topic`), or a topic of QUESTION_TOPICS asked without
    an identifier. Forms of the health service answer it instead of asking their first slot."""
    howto = howto_topic(tracker)
    if howto:
        return howto
    text = tracker.latest_message.get("text") or ""
    if text.startswith("/") or _LOOKUP.search(text):
        return None
    topic = topic_in(text)
    return topic if topic in QUESTION_TOPICS else None


def opening_question(tracker: Tracker, form: str) -> str | None:
    """The topic of a BPJS question (changing one's facility, an emergency) that opened `form` (the
    facility search) naming no region; None otherwise."""
    if not just_activated(tracker, form) or entity_value(tracker, "region"):
        return None
    return question_topic(tracker)


def answer_opening_question(dispatcher: CollectingDispatcher, tracker: Tracker, form: str) -> list[EventType]:
    """Answers the BPJS question that opened `form` (`opening_question`), if any."""
    topic = opening_question(tracker, form)
    if topic is None:
        return []
    answer_topic(dispatcher, topic)
    return [SlotSet(TOPIC_SLOT, topic)]


def topic_button(key: str) -> Button:
    return {"title": TOPICS_BY_KEY[key].title, "payload": payload("health_bpjs_info", health_topic=key)}


STATUS_BUTTON: Button = {"title": "Cek status & tunggakan", "payload": "/health_bpjs_status"}
FACILITY_BUTTON: Button = {"title": "Cari faskes", "payload": "/health_facility_search"}
CONTRIBUTION_BUTTON: Button = {"title": "Iuran per kelas", "payload": "/health_bpjs_contribution"}
BANSOS_REGISTER_BUTTON: Button = {"title": "Daftar bansos/PBI", "payload": "/bansos_register"}

# The buttons under each topic's answer: what a citizen does next.
NEXT: dict[str, list[Button]] = {
    "penalty": [STATUS_BUTTON, topic_button("reactivate")],
    "reactivate": [STATUS_BUTTON, topic_button("penalty")],
    "class_change": [CONTRIBUTION_BUTTON, STATUS_BUTTON],
    "facility_change": [FACILITY_BUTTON, STATUS_BUTTON],
    "newborn": [CONTRIBUTION_BUTTON, topic_button("register")],
    "lost_card": [STATUS_BUTTON, FACILITY_BUTTON],
    "job_loss": [CONTRIBUTION_BUTTON, BANSOS_REGISTER_BUTTON],
    "register": [CONTRIBUTION_BUTTON, STATUS_BUTTON],
    "emergency": [FACILITY_BUTTON, STATUS_BUTTON],
    "payment": [CONTRIBUTION_BUTTON, STATUS_BUTTON],
    "death": [STATUS_BUTTON],
}


def requested_topic(tracker: Tracker) -> str | None:
    """A button's topic, else the message's words, else the intent's, else the last answered."""
    given = entity_value(tracker, TOPIC_SLOT)
    if given in KEYS:
        return given
    text = tracker.latest_message.get("text") or ""
    named = None if text.startswith("/") else topic_in(text)
    if named:
        return named
    if latest_intent(tracker) == "health_bpjs_contribution" or entity_value(tracker, CLASS_ENTITY):
        return CONTRIBUTION
    if class_in(text):
        return CONTRIBUTION  # "kalau kelas 2?" asks about a contribution, whatever came before
    last = tracker.get_slot(TOPIC_SLOT)
    return last if last in KEYS else None


def asked_about(tracker: Tracker) -> str | None:
    """What a contribution question asks about: "penalty", "class_change", "reactivate", "payment"
    (where and by when), a class ("1"-"3"), or None."""
    given = entity_value(tracker, CLASS_ENTITY)
    if given in CLASSES:
        return given
    text = tracker.latest_message.get("text") or ""
    if text.startswith("/"):
        return None
    # Topics a contribution question may be about, before any class it names ("turun kelas
    # dari kelas 1 ke kelas 3" asks about changing class, not class I).
    for topic in ("penalty", "class_change", "reactivate", "payment"):
        if TOPICS_BY_KEY[topic].pattern.search(text):
            return topic
    return class_in(text)


def answer_topic(dispatcher: CollectingDispatcher, topic: str) -> None:
    """The topic's response with its next steps."""
    dispatcher.utter_message(response=f"utter_bpjs_info_{topic}", buttons=[*NEXT[topic], MAIN_MENU_BUTTON])


class ActionHealthInfo(Action):
    """Answers a BPJS Kesehatan question by topic, and remembers the topic and class asked."""

    def name(self) -> str:
        return "action_health_info"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        topic = requested_topic(tracker)
        if topic is None:
            buttons = [topic_button(topic.key) for topic in TOPICS] + [CONTRIBUTION_BUTTON]
            dispatcher.utter_message(response="utter_bpjs_info_topics", buttons=buttons)
            return []
        if topic == CONTRIBUTION:  # its variant follows `bpjs_asked`, read from this message
            dispatcher.utter_message(response="utter_health_bpjs_contribution")
        else:
            answer_topic(dispatcher, topic)
        return [SlotSet(TOPIC_SLOT, topic)]


class ActionReadBpjsQuestion(Action):
    """Fills `bpjs_asked` from every user message (a custom slot mapping), so that the variant of
    `utter_health_bpjs_contribution` matches the question."""

    def name(self) -> str:
        return "action_read_bpjs_question"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        asked = asked_about(tracker)
        return [] if asked == tracker.get_slot(ASKED_SLOT) else [SlotSet(ASKED_SLOT, asked)]
