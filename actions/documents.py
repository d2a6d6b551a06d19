"""Requirements of population documents (Dukcapil): `document_requirements_form`
(`document_type`, buttons or typed: "akta lahir", "bikin ktp") → `action_document_requirements`:
requirements and procedure per document (responses `utter_document_<type>`, their facts and
legal basis from the registry: knowledge/facts/identity.yml). For KK changes, birth
certificates and moving it offers to apply online (`application_offered`; "ya" starts
`population_application_form`, data/rules/identity.yml).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.answers import aside_intents, entity_value, payload, word_pattern
from actions.applications import APPLICATION_TYPES, OTHER_DOCUMENT_BUTTON, forget_application
from actions.conversation import Action, FormValidationAction
from actions.flows import just_activated, typed_choice
from actions.menu import MAIN_MENU_BUTTON, OFFICE_BUTTON, Button

SlotValues = dict[str, Any]


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


# Checked in this order: "akta kelahiran untuk KK" is about the birth certificate.
DOCUMENTS: tuple[Document, ...] = (
    Document(
        "death_certificate",
        "Akta kematian",
        word_pattern(r"akt[ae]\s+(?:ke)?mati(?:an)?", "kematian", "meninggal", "wafat", r"almarhum\w*"),
    ),
    Document(
        "birth_certificate",
        "Akta kelahiran",
        word_pattern(r"akt[ae]\s+(?:ke)?lahir(?:an)?", "kelahiran", "lahir", "bayi"),
        application="birth_certificate",
    ),
    Document(
        "moving",
        "Pindah domisili",
        word_pattern(r"pindah\w*", "skpwni", r"surat\s+pindah", "domisili"),
        application="kk_change",
        reason="pindah",
    ),
    Document("kk", "Kartu Keluarga (KK)", word_pattern("kk", r"kartu\s+keluarga"), application="kk_change"),
    Document(
        "ktp_el", "KTP-el", word_pattern(r"e-?\s?ktp", r"ktp(?:\s*-?\s*el)?", r"kartu\s+tanda\s+penduduk")
    ),
)
DOCUMENTS_BY_KEY = {document.key: document for document in DOCUMENTS}


def find_document(text: str) -> Document | None:
    return next((document for document in DOCUMENTS if document.pattern.search(text)), None)


def document_key(text: str) -> str | None:
    found = find_document(text)
    return found.key if found else None


class ValidateDocumentRequirementsForm(FormValidationAction):
    """Which document: a button, or typed ("akta lahir", "bikin ktp")."""

    aside = aside_intents("id_document_requirements")

    def name(self) -> str:
        return "validate_document_requirements_form"

    async def extract_document_type(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        if entity_value(tracker, "document_type"):
            return {}
        if just_activated(tracker, self.form_name()):
            # The question itself may name the document ("syarat akta kematian"); a new
            # question never reuses an earlier answer.
            return {"document_type": document_key(tracker.latest_message.get("text") or "")}
        return typed_choice(
            dispatcher, tracker, "document_type", self.aside, document_key, unknown="utter_unknown_document"
        )

    async def validate_document_type(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        if value is None:
            return {"document_type": None}
        if value not in DOCUMENTS_BY_KEY:
            dispatcher.utter_message(response="utter_unknown_document")
            return {"document_type": None}
        return {"document_type": value}


class ActionDocumentRequirements(Action):
    """The requirements of the chosen document; offers an online application where one exists."""

    def name(self) -> str:
        return "action_document_requirements"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        document = DOCUMENTS_BY_KEY.get(tracker.get_slot("document_type") or "")
        events: list[EventType] = [SlotSet("document_type", None), *forget_application()]
        if document is None:
            return events  # the form ended early and already said why
        dispatcher.utter_message(response=f"utter_document_{document.key}")
        if document.application is None:
            dispatcher.utter_message(
                response="utter_document_anything_else",
                buttons=[OTHER_DOCUMENT_BUTTON, OFFICE_BUTTON, MAIN_MENU_BUTTON],
            )
            return events
        dispatcher.utter_message(
            response="utter_application_offer",
            kind=APPLICATION_TYPES[document.application],
            buttons=[{"title": "Ya, ajukan", "payload": "/affirm"}, {"title": "Tidak", "payload": "/deny"}],
        )
        return [
            *events,
            SlotSet("application_type", document.application),
            SlotSet("kk_change_reason", document.reason),
            SlotSet("application_offered", True),
        ]
