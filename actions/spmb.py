"""SPMB school admission: `spmb_form` asks the school level (SD, SMP, SMA: a button, a typed
answer, or named in the request, "jalur SPMB SMP"); `action_spmb` lists the SPMB routes and
their quotas (`GET /education/spmb`), with buttons for the other levels.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.answers import entity_value, payload
from actions.conversation import Action
from actions.education import label, lower_words, message_text
from actions.flows import just_activated
from actions.form_validation import FormValidationAction
from actions.gateway import gateway
from actions.lookups import Failure, lookup
from actions.menu import MAIN_MENU_BUTTON
from actions.spmb_topics import topic_of_request

SlotValues = dict[str, Any]

SPMB_FAILURE = Failure(
    "informasi SPMB", "pantau pengumuman SPMB dinas pendidikan daerah Anda.", not_found="utter_spmb_not_found"
)
LEVELS = {"sd": "SD", "smp": "SMP", "sma": "SMA"}
_LEVEL_WORDS = {
    "sd": ("sd", "sekolah dasar"),
    "smp": ("smp", "sltp", "sekolah menengah pertama"),
    "sma": ("sma", "slta", "sekolah menengah atas"),
    "smk": ("smk", "sekolah menengah kejuruan"),
}


def level_in(text: str) -> str | None:
    """sd | smp | sma | smk named in `text` ("jenjang sma", "sekolah dasar"), else None."""
    joined = " ".join(lower_words(text))
    padded = f" {joined} "
    for level, names in _LEVEL_WORDS.items():
        if any(f" {name} " in padded for name in names):
            return level
    return None


def other_level_buttons(level: str | None) -> list[dict[str, str]]:
    return [
        {"title": label, "payload": payload("edu_school_admission", school_level=key)}
        for key, label in LEVELS.items()
        if key != level
    ]


class ValidateSpmbForm(FormValidationAction):
    """The school level: a button, a typed answer, or named in the request."""

    def name(self) -> str:
        return "validate_spmb_form"

    async def extract_school_level(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        if not just_activated(tracker, self.form_name()):
            return {}
        return {"school_level": entity_value(tracker, "school_level") or level_in(message_text(tracker))}

    async def validate_school_level(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        if value is None:
            return {"school_level": None}
        level = value if value in LEVELS else level_in(str(value))
        if level == "smk":
            dispatcher.utter_message(response="utter_spmb_no_smk")
            return {"school_level": None}
        if level not in LEVELS:
            dispatcher.utter_message(response="utter_unknown_school_level")
            return {"school_level": None}
        return {"school_level": level}


def spmb_routes(spmb: dict[str, Any], level: str) -> dict[str, str]:
    """The values of `utter_spmb_routes`."""
    routes = "\n".join(
        f"• {label(route.get('route')).capitalize()}: {route.get('quota', '-')}"
        for route in spmb.get("routes") or []
    )
    basis = f" ({spmb['legal_basis']})" if spmb.get("legal_basis") else ""
    return {"level": LEVELS[level], "legal_basis": basis, "routes": routes}


class ActionSpmb(Action):
    """The SPMB routes and quotas of the chosen level, with buttons for the other levels."""

    def name(self) -> str:
        return "action_spmb"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        level = tracker.get_slot("school_level")
        done = [SlotSet("school_level", None)]
        if level not in LEVELS:
            return done
        topic = topic_of_request(tracker)
        if topic:  # "umur minimal masuk SD?", "syarat daftar SMP apa?": not the routes
            dispatcher.utter_message(
                response=f"utter_spmb_topic_{topic}",
                level=LEVELS[level],
                buttons=[
                    {
                        "title": f"Jalur SPMB {LEVELS[level]}",
                        "payload": payload("edu_school_admission", school_level=level),
                    },
                    MAIN_MENU_BUTTON,
                ],
            )
            return done
        spmb = await lookup(
            dispatcher, gateway().get("/education/spmb", level=level), SPMB_FAILURE, level=LEVELS[level]
        )
        if not spmb.failed:
            dispatcher.utter_message(
                response="utter_spmb_routes",
                buttons=[*other_level_buttons(level), MAIN_MENU_BUTTON],
                **spmb_routes(spmb.data, level),
            )
        return done
