"""Questions about LAPOR! itself, answered from the fact registry instead of starting a
complaint or asking for a case number: how long a report takes, whether the reporter can stay
anonymous, the channels (SMS, web, app), and where to go when the agency does not act
(Ombudsman RI).

`complaint_form` and `complaint_status_form` open with the citizen's message; when that message
asks one of these questions (and names no complaint subject or case number), or a question about
a police or payment rule (actions/road_topics.py: "surat kehilangan di polsek bayar?") or the
deadline to report a civil event ("lapor kematian ke capil paling lambat kapan?"),
`opening_topic()` ends the form at once and its submit action calls `answer()`. The wording is in
domain/knowledge.yml (`utter_lapor_<topic>`), the facts in knowledge/facts/complaints.yml.
"""

from __future__ import annotations

import re

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.answers import entity_value, word_pattern
from actions.complaint_topics import SUBJECTS
from actions.documents import DOCUMENTS_BY_KEY, answer_response, read_question
from actions.flows import just_activated
from actions.menu import MAIN_MENU_BUTTON, Button
from actions.road_topics import BY_NAME as ROAD_TOPICS
from actions.road_topics import find_topic as road_topic
from actions.road_topics import say_topic

# Checked in this order: "kalau tidak ditanggapi berapa lama lagi?" asks where to escalate.
TOPICS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "escalation",
        word_pattern(
            "ombudsman",
            r"eskalasi\w*",
            r"(?:tidak|gak|ga|nggak|enggak|belum|tak)\s+(?:juga\s+)?(?:di)?(?:tindak\s*lanjut\w*|tanggapi|respon\w*|gubris|direspon)",
            r"dicuekin",
            r"diabaikan",
            r"ke\s?mana\s+lagi",
            r"(?:lapor|mengadu)\s+ke\s+atas\w*",
        ),
    ),
    (
        "anonymity",
        word_pattern(
            r"anonim\w*",
            r"rahasia\w*",
            r"dirahasiakan",
            r"tanpa\s+(?:nama|identitas)",
            r"ketahuan",
            "ketauan",
            r"identitas\w*\s+(?:saya|sy|pelapor)",
            r"nama\s+(?:saya|sy|pelapor)\s+(?:di)?(?:sembunyi\w*|rahasia\w*|tampil\w*|muncul)",
        ),
    ),
    (
        "time",
        word_pattern(
            r"berapa\s+(?:lama|hari)",
            r"brp\s+(?:lama|hari)",
            r"kapan\s+(?:di)?(?:tanggapi|proses|respon|tindak\w*|balas)\w*",
            r"lama(?:nya)?\s+(?:proses|ditanggapi|tanggapan|respon)\w*",
            r"(?:di)?tanggapi\s+kapan",
        ),
    ),
    (
        "channels",
        word_pattern(
            "sms",
            "twitter",
            r"\bx\b",
            "website",
            "situs",
            r"aplikasi\w*",
            r"(?:lewat|via|melalui)\s+apa",
            "saluran",
            "kanal",
            "1708",
            r"nomor\s+(?:berapa|lapor\w*)",
            r"lapor\.go\.id",
        ),
    ),
)
_QUESTION = re.compile(
    r"\?|\b(?:berapa|brp|bisa|bs|bisakah|apakah|apa|gimana|bagaimana|gmn|kemana|ke\s+mana|kapan|boleh|nggak|gak|ga|tidak)\b",
    re.IGNORECASE,
)
_SUBJECT = re.compile(rf"\b(?:{'|'.join(SUBJECTS.values())})", re.IGNORECASE)
_BRIBE = re.compile(rf"\b(?:{SUBJECTS['pungli']})", re.IGNORECASE)  # a bribe is a complaint, asked or not
CASE_ENTITY = "ticket_id"


def topic_in(text: str) -> str | None:
    """The LAPOR! question `text` asks, or None: a question about LAPOR! itself, not naming a
    complaint's subject ("jalan rusak", "pungli")."""
    if not text or text.startswith("/") or not _QUESTION.search(text) or _SUBJECT.search(text.lower()):
        return None
    return next((name for name, pattern in TOPICS if pattern.search(text)), None)


ROAD = "road:"  # prefix of a police/payment rule question (actions/road_topics.py) asked here
DOCUMENT = "document:"  # prefix of the deadline to report a civil event (actions/documents.py)


def opening_topic(tracker: Tracker, form: str) -> str | None:
    """The question of the message that opened `form` in this turn, unless it brings a case
    number: a LAPOR! topic, or a police/payment rule asked as a question ("surat kehilangan di
    polsek bayar?"), as `road:<name>`."""
    if not just_activated(tracker, form) or entity_value(tracker, CASE_ENTITY):
        return None
    text = tracker.latest_message.get("text") or ""
    lapor = topic_in(text)
    if lapor:
        return lapor
    if not _QUESTION.search(text) or _BRIBE.search(text.lower()):
        return None
    road = road_topic(text)
    if road:
        return f"{ROAD}{road.name}"
    # "lapor kematian ke capil paling lambat kapan?" reports a civil event, it is no complaint
    document = read_question(text, None)
    if document["document_type"] and document["document_case"] == "deadline":
        return f"{DOCUMENT}{document['document_type']}"
    return None


NEXT: dict[str, list[Button]] = {
    "time": [{"title": "Cek status pengaduan", "payload": "/complaint_status"}],
    "anonymity": [{"title": "Buat pengaduan", "payload": "/complaint_submit"}],
    "channels": [{"title": "Buat pengaduan", "payload": "/complaint_submit"}],
    "escalation": [{"title": "Cek status pengaduan", "payload": "/complaint_status"}],
}


def answer(
    dispatcher: CollectingDispatcher, tracker: Tracker, topic: str, domain: DomainDict
) -> list[EventType]:
    """The topic's response with its next steps."""
    if topic.startswith(ROAD):
        return say_topic(dispatcher, tracker, ROAD_TOPICS[topic.removeprefix(ROAD)])
    if topic.startswith(DOCUMENT):
        document = DOCUMENTS_BY_KEY[topic.removeprefix(DOCUMENT)]
        response = answer_response(document.key, "deadline", domain.get("responses", {}))
        dispatcher.utter_message(
            response=response,
            document=document.title,
            document_lower=document.phrase,
            buttons=[MAIN_MENU_BUTTON],
        )
        return []
    dispatcher.utter_message(response=f"utter_lapor_{topic}", buttons=[*NEXT[topic], MAIN_MENU_BUTTON])
    return []
