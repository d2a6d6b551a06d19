"""Questions about LAPOR! itself (`complaint_info`): how long until it is answered, how to send a
report (web, SMS, app), whether the reporter's identity is kept secret, where to go when the
agency does not act. `action_complaint_info` answers the topic the question names, or how LAPOR!
works as a whole; asked while a complaint is being filed, the form then asks its question again.
"""

from __future__ import annotations

import re

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.conversation import Action
from actions.menu import MAIN_MENU_BUTTON, Button

FILE_BUTTON: Button = {"title": "Buat pengaduan", "payload": "/complaint_submit"}
# Each topic has `utter_complaint_info_<topic>`; the first whose words the question uses wins.
TOPICS = (
    ("privacy", r"anonim|rahasia|dirahasiakan|identitas|ketahuan|nama (?:saya|pelapor)|aman(?:kah)?|takut"),
    ("escalation", r"ombudsman|(?:tidak|ga|gak) ditanggapi|tidak puas|eskalasi|ke ?mana lagi|diabaikan"),
    ("deadline", r"berapa lama|kapan|berapa hari|hari kerja|lama(?:nya)?|batas waktu"),
    ("channels", r"sms|1708|aplikasi|twitter|website|situs|lewat apa|lewat mana|caranya|cara"),
)  # fmt: skip


def topic(text: str) -> str:
    """The topic of a question about LAPOR!, "general" when it names none."""
    lowered = " ".join(text.lower().split())
    return next((name for name, words in TOPICS if re.search(rf"\b(?:{words})", lowered)), "general")


class ActionComplaintInfo(Action):
    """Answers a question about LAPOR!: deadlines, channels, anonymity, escalation."""

    def name(self) -> str:
        return "action_complaint_info"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        buttons = [] if tracker.active_loop_name else [FILE_BUTTON, MAIN_MENU_BUTTON]
        name = topic(tracker.latest_message.get("text") or "")
        dispatcher.utter_message(response=f"utter_complaint_info_{name}", buttons=buttons)
        return []
