"""LAPOR! (SP4N) complaints: file one.

- `complaint_form`: category (buttons from `GET /complaints/categories`, or typed), location
  (typed, or the region named in the request), description (typed, long enough to act on),
  then a summary to confirm; `action_complaint_submit` files it (`POST /complaints`) and
  gives the case number with the verification and follow-up deadlines.
Following a complaint is in actions/complaint_status.py.
"""

from __future__ import annotations

import re
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
    tanggal,
    typed_answer,
)
from actions.complaint_topics import Category, exact_category, infer_category, match_category
from actions.conversation import Action
from actions.flows import just_activated, typed_yes_no
from actions.form_validation import FormValidationAction
from actions.gateway import GatewayError, gateway
from actions.lapor_topics import answer as answer_lapor_topic
from actions.lapor_topics import opening_topic as lapor_topic
from actions.lookups import Failure, lookup, unavailable
from actions.menu import MAIN_MENU_BUTTON
from knowledge import facts

SlotValues = dict[str, Any]

SERVICE = "LAPOR!"
FILE_ALTERNATIVE = "sampaikan pengaduan Anda langsung melalui lapor.go.id atau SMS 1708."
# LAPOR!'s published deadlines (facts): verification, then the agency's follow-up.
VERIFY_DAYS = "lapor.verify_working_days"
FOLLOW_UP_DAYS = "lapor.follow_up_working_days"
COMPLAINT_SLOTS = ("complaint_category", "complaint_location", "complaint_description", "complaint_confirmed")

MIN_DESCRIPTION_CHARS = 30
MIN_DESCRIPTION_WORDS = 5
MAX_DESCRIPTION_CHARS = 2000
MAX_LOCATION_CHARS = 200
MIN_KNOWN_WORD_SHARE = 0.5
MAX_CATEGORY_WORDS = 4  # a typed category name is short; a location may be longer

CONFIRM_BUTTONS = [{"title": "Ya, kirim", "payload": "/affirm"}, {"title": "Tidak", "payload": "/deny"}]
NEW_COMPLAINT_BUTTON = {"title": "Buat pengaduan", "payload": "/complaint_submit"}
FILE_FAILURE = Failure(
    SERVICE,
    FILE_ALTERNATIVE,
    buttons=(NEW_COMPLAINT_BUTTON, MAIN_MENU_BUTTON),
    down_buttons=({"title": "Coba kirim lagi", "payload": "/complaint_submit"}, MAIN_MENU_BUTTON),
)

_WORDS = re.compile(r"[^\W\d_]+")
_SPACES = re.compile(r"\s+")
_QUESTION = re.compile(r"\?|\b(?:apa|berapa|bagaimana|gimana|kapan|kenapa|siapa|bisa|boleh)\b", re.IGNORECASE)


async def fetch_categories() -> list[Category]:
    """The LAPOR! categories, in the API's order."""
    body = await gateway().get("/complaints/categories")
    return [
        Category(str(item["key"]), str(item.get("label") or item["key"]))
        for item in body.get("items", [])
        if item.get("key")
    ]


async def category_labels() -> dict[str, str]:
    """The categories' labels by key; none when LAPOR! cannot be reached (the key is shown)."""
    try:
        return {category.key: category.label for category in await fetch_categories()}
    except GatewayError:
        return {}


def clean_text(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


def deadline(day: Any, fact_id: str) -> str:
    """The deadline phrase: "paling lambat 4 Maret 2026 (3 hari kerja, prosedur SP4N-LAPOR!)", or
    without a date; the working days and their source from the registry (`fact_id`)."""
    days, source = facts.get(fact_id).text, facts.get("lapor.procedure").text
    if not day:
        return f"dalam {days} ({source})"
    return f"paling lambat {tanggal(day)} ({days}, {source})"


def description_problem(text: str) -> str | None:
    """Why `text` cannot be filed as a complaint's description (a response), or None."""
    words = [word.lower() for word in _WORDS.findall(text)]
    if len(text) > MAX_DESCRIPTION_CHARS:
        return "utter_long_description"
    if len(text) < MIN_DESCRIPTION_CHARS or len(words) < MIN_DESCRIPTION_WORDS:
        return "utter_short_description"
    distinct = set(words)
    known = sum(1 for word in distinct if is_recognisable(word))
    if len(distinct) < MIN_DESCRIPTION_WORDS - 1 or known < MIN_KNOWN_WORD_SHARE * len(distinct):
        return "utter_garbled_description"
    return None


def location_problem(text: str, names_a_region: bool) -> str | None:
    """Why `text` is not a usable location (a response), or None: a named region, or two words
    or more."""
    if len(text) > MAX_LOCATION_CHARS:
        return "utter_long_location"
    if names_a_region:
        return None
    words = [word for word in _WORDS.findall(text) if len(word) >= 2]
    if len(words) < 2 or sum(len(word) for word in words) < 6:
        return "utter_unclear_location"
    return None


async def typed_category(tracker: Tracker) -> Category | None:
    """A category's name typed while the location is asked: a correction of the category."""
    text = free_text(tracker, "complaint_location")
    if not text or len(text.split()) > MAX_CATEGORY_WORDS:
        return None
    try:
        return exact_category(text, await fetch_categories())
    except GatewayError:
        return None


def _lapor_unavailable(dispatcher: CollectingDispatcher) -> None:
    """LAPOR! cannot be reached: the caller ends the form; its submit action says nothing more."""
    unavailable(dispatcher, Failure(SERVICE, FILE_ALTERNATIVE))


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
        dispatcher.utter_message(
            response="utter_complaint_category_question",
            buttons=[category.button() for category in categories],
        )
        return []


class ActionAskComplaintConfirmed(Action):
    """Shows the complaint as it will be filed and asks to send it."""

    def name(self) -> str:
        return "action_ask_complaint_confirmed"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        key = tracker.get_slot("complaint_category")
        labels = await category_labels()
        dispatcher.utter_message(
            response="utter_complaint_confirm",
            category=str(labels.get(key, key)),
            location=str(tracker.get_slot("complaint_location")),
            description=str(tracker.get_slot("complaint_description")),
            buttons=CONFIRM_BUTTONS,
        )
        return []


class ValidateComplaintForm(FormValidationAction):
    """Checks each answer of `complaint_form` and says what was wrong."""

    aside = aside_intents("complaint_submit")

    def name(self) -> str:
        return "validate_complaint_form"

    async def required_slots(
        self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[str]:
        if lapor_topic(tracker, self.form_name()):
            return []  # "bisa lapor tanpa nama?": answered by action_complaint_submit, nothing asked
        return domain_slots

    async def extract_complaint_category(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        """Typed; at the start, the one the request names ("dimintai uang di kantor desa", said
        so that it can be corrected); while the location is asked, a category typed (a correction)."""
        if just_activated(tracker, self.form_name()) and latest_intent(tracker) == "complaint_submit":
            return await self._inferred_category(dispatcher, tracker)
        if tracker.get_slot("requested_slot") == "complaint_location":
            return await self._corrected_category(dispatcher, tracker)
        text = typed_answer(tracker, "complaint_category", self.aside)
        return {"complaint_category": text} if text else {}

    async def _inferred_category(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> SlotValues:
        if entity_value(tracker, "complaint_category") or tracker.get_slot("complaint_category"):
            return {}
        try:
            categories = await fetch_categories()
        except GatewayError:
            return {}  # the category question says that LAPOR! cannot be reached
        key = infer_category(tracker.latest_message.get("text") or "", [c.key for c in categories])
        label = next((c.label for c in categories if c.key == key), None)
        if key is None or label is None:
            return {}
        dispatcher.utter_message(response="utter_complaint_category_inferred", category=label)
        return {"complaint_category": key}

    async def _corrected_category(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> SlotValues:
        if (category := await typed_category(tracker)) is None:
            return {}
        dispatcher.utter_message(response="utter_complaint_category_set", category=category.label)
        return {"complaint_category": category.key}

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
                response="utter_unknown_complaint_category",
                typed=clean_text(str(value))[:60],
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
        if text and latest_intent(tracker) in self.aside and _QUESTION.search(text):
            return {}  # "KUA buka jam berapa?" is a question (answered aside), not a place
        if text and await typed_category(tracker):
            return {}  # a category's name: a correction (extract_complaint_category)
        return {"complaint_location": text} if text else {}

    async def validate_complaint_location(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        text = clean_text(str(value or ""))
        names_a_region = entity_value(tracker, "region") is not None
        problem = location_problem(text, names_a_region)
        if problem:
            dispatcher.utter_message(response=problem)
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
            dispatcher.utter_message(
                response=problem,
                words=str(MIN_DESCRIPTION_WORDS),
                limit=f"{MAX_DESCRIPTION_CHARS:,}".replace(",", "."),
            )
            return {"complaint_description": None}
        return {"complaint_description": text}

    async def extract_complaint_confirmed(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        return typed_yes_no(
            dispatcher,
            tracker,
            "complaint_confirmed",
            self.aside,
            unknown="utter_complaint_yes_or_no",
            buttons=CONFIRM_BUTTONS,
        )

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
        topic = lapor_topic(tracker, "complaint_form")
        if topic:  # a question about LAPOR! itself opened the form
            return [*answer_lapor_topic(dispatcher, tracker, topic, domain), *_forget_complaint()]
        answers = {slot: tracker.get_slot(slot) for slot in COMPLAINT_SLOTS}
        if answers["complaint_confirmed"] is False:
            dispatcher.utter_message(
                response="utter_complaint_not_sent", buttons=[NEW_COMPLAINT_BUTTON, MAIN_MENU_BUTTON]
            )
            return _forget_complaint()
        if not all(answers.values()):
            return _forget_complaint()  # the form ended early and already said why
        body = {
            "category": answers["complaint_category"],
            "location": answers["complaint_location"],
            "description": answers["complaint_description"],
        }
        sent = await lookup(dispatcher, gateway().post("/complaints", body), FILE_FAILURE)
        if sent.error is not None and sent.error.unavailable:
            return [SlotSet("complaint_confirmed", None)]  # keep the answers: a retry shows them again
        if sent.failed:
            return _forget_complaint()
        filed = sent.data
        case_number = filed["case_number"]
        tracking = filed.get("tracking_id")
        dispatcher.utter_message(
            response="utter_complaint_filed",
            case_number=case_number,
            tracking=f" (nomor pelacakan di lapor.go.id: {tracking})" if tracking else "",
            verify_by=deadline(filed.get("verify_by"), VERIFY_DAYS),
            follow_up_by=deadline(filed.get("follow_up_by"), FOLLOW_UP_DAYS),
            buttons=[
                {
                    "title": "Cek status pengaduan",
                    "payload": payload("complaint_status", ticket_id=case_number),
                },
                MAIN_MENU_BUTTON,
            ],
        )
        return [*_forget_complaint(), SlotSet("ticket_id", case_number)]
