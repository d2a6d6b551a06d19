"""Satu Data Indonesia's open data-set catalogue: `dataset_search_form` (`dataset_query`, read
from the request itself or asked) → `action_dataset_search`: `GET /datasets?q=`. Statistics:
actions/satudata.py.
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.answers import aside_intents, phrase, tanggal, word_pattern
from actions.conversation import Action
from actions.flows import just_activated
from actions.form_validation import FormValidationAction
from actions.gateway import gateway
from actions.lookups import Failure, lookup
from actions.menu import MAIN_MENU_BUTTON
from actions.satudata import OTHER_STATISTIC_BUTTON, SERVICE

SlotValues = dict[str, Any]

_FILLER = word_pattern(
    "cari", "carikan", "mencari", "nyari", "search", "dataset", "datasets", r"data\s*set", "data",
    "tentang", "mengenai", "soal", "terkait", "seputar", "topik", "dong", "donk", "min", "kak", "ya",
    "yg", "yang", "ada", "apa", "mau", "ingin", "pengen", "saya", "sy", "tolong", "mohon", "di",
    "portal", "satu", "go", "id", "terbuka", "open", "apakah", "gak", "ga", "nggak", "tidak", "bisa",
    "untuk", "utk", "buat",
)  # fmt: skip
DATASET_LIMIT = 5


def dataset_query(text: str) -> str | None:
    """The topic words of a request ("cari dataset tentang kemiskinan dong" → "kemiskinan");
    None for a button payload or a request without a topic."""
    if text.lstrip().startswith("/"):
        return None
    words = _FILLER.sub(" ", re.sub(r"[^\w\s-]", " ", text)).split()
    if not words or len(words) > 8 or not any(len(word) >= 3 and not word.isdigit() for word in words):
        return None
    return " ".join(words)


class ValidateDatasetSearchForm(FormValidationAction):
    """The topic: from the request itself, else asked for."""

    aside = aside_intents("data_dataset_search")

    def name(self) -> str:
        return "validate_dataset_search_form"

    async def extract_dataset_query(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        if not just_activated(tracker, self.form_name()):
            return {}
        text = tracker.latest_message.get("text") or ""
        return {"dataset_query": None if text.startswith("/") else dataset_query(text)}

    async def validate_dataset_query(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        if value is None:
            return {"dataset_query": None}
        query = dataset_query(str(value))
        if query is None:
            dispatcher.utter_message(response="utter_invalid_dataset_query")
        return {"dataset_query": query}


def dataset_line(position: int, item: dict[str, Any]) -> str:
    formats = ", ".join(item.get("formats") or [])
    details = "; ".join(
        part
        for part in (formats, f"diperbarui {tanggal(item['updated'])}" if item.get("updated") else "")
        if part
    )
    line = f"{position}. {item.get('title')} — {item.get('organization')}"
    return f"{line} ({details})\n   {item.get('url')}" if details else f"{line}\n   {item.get('url')}"


class ActionDatasetSearch(Action):
    """Up to five data sets of the catalogue for the topic."""

    def name(self) -> str:
        return "action_dataset_search"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        query = tracker.get_slot("dataset_query")
        done = [SlotSet("dataset_query", None)]
        if not query:
            return done
        again = {"title": "Cari dataset lain", "payload": "/data_dataset_search"}
        failure = Failure(SERVICE, "cari langsung di data.go.id.", buttons=(again, MAIN_MENU_BUTTON))
        found = await lookup(dispatcher, gateway().get("/datasets", q=query, limit=DATASET_LIMIT), failure)
        if found.failed:
            return done
        items = (found.data.get("items") or [])[:DATASET_LIMIT]
        if not items:
            dispatcher.utter_message(
                response="utter_no_datasets", query=query, buttons=[again, MAIN_MENU_BUTTON]
            )
            return done
        total = found.data.get("total") or len(items)
        lines = "\n".join(dataset_line(position, item) for position, item in enumerate(items, start=1))
        examples = any(item.get("example") for item in items)
        dispatcher.utter_message(
            response="utter_datasets_top" if total > len(items) else "utter_datasets",
            total=str(total),
            query=query,
            shown=str(len(items)),
            datasets=lines,
            examples="\n\n" + phrase(domain, "utter_datasets_examples") if examples else "",
            buttons=[again, OTHER_STATISTIC_BUTTON, MAIN_MENU_BUTTON],
        )
        return done
