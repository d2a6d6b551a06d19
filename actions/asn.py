"""Civil service (CASN: CPNS and PPPK) on SSCASN.

- `action_casn_info`: this year's registration requirements and dates (`GET /civil-service/casn`).
- `casn_result_form`: the participant number (17 digits, from the exam card) and the date
  of birth that belongs to it; `action_casn_result` shows the selection results
  (`POST /civil-service/results`) and what to do next.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.answers import aside_intents, entity_value, phrase, tanggal, typed_answer
from actions.conversation import Action
from actions.gateway import gateway
from actions.identity_form import IdentityFormValidation
from actions.lookups import Failure, Refusal, lookup, verified_lookup
from actions.menu import MAIN_MENU_BUTTON

SlotValues = dict[str, Any]

SERVICE = "SSCASN BKN"
INFO_ALTERNATIVE = "lihat pengumuman resmi di sscasn.bkn.go.id dan laman instansi yang Anda tuju."
PARTICIPANT_DIGITS = 17
FINAL_RESULTS = frozenset({"lulus", "tidak_lulus", "proses"})  # each has `utter_casn_final_<key>`

RESULT_BUTTON = {"title": "Hasil seleksi", "payload": "/asn_selection_result"}
INFO_BUTTON = {"title": "Info pendaftaran CASN", "payload": "/asn_casn_registration"}
RESULT_FAILURE = Failure(
    SERVICE,
    "lihat hasilnya langsung di akun SSCASN Anda (sscasn.bkn.go.id).",
    not_found="utter_participant_not_found",
    buttons=(RESULT_BUTTON, MAIN_MENU_BUTTON),
)
# The NIK refusal speaks of a NIK; here the date of birth belongs to a participant number.
PARTICIPANT_REFUSAL = Refusal(
    "utter_participant_mismatch",
    buttons=(RESULT_BUTTON, MAIN_MENU_BUTTON),
    forget=("participant_number", "birth_date"),
)

_NUMBER_RUN = re.compile(r"\d[\d .-]*\d|\d")


def participant_number(text: str) -> tuple[str | None, int]:
    """The participant number in `text` (digits only) and how many digits were found."""
    runs = ["".join(ch for ch in run if ch.isdigit()) for run in _NUMBER_RUN.findall(text)]
    longest = max(runs, key=len, default="")
    return (longest if len(longest) == PARTICIPANT_DIGITS else None), len(longest)


def _stage_period(stage: dict[str, Any], today: dt.date) -> str:
    start, end = stage.get("start"), stage.get("end")
    period = tanggal(start) if not end or start == end else f"{tanggal(start)} – {tanggal(end)}"
    try:
        running = dt.date.fromisoformat(str(start)) <= today <= dt.date.fromisoformat(str(end or start))
    except ValueError:
        running = False
    return f"• {stage.get('stage')}: {period}" + (" (sedang berlangsung)" if running else "")


def casn_info(casn: dict[str, Any], today: dt.date) -> dict[str, str]:
    """The values of `utter_casn_info`."""
    requirements = "\n".join(f"• {item}" for item in casn.get("requirements", []))
    schedule = "\n".join(_stage_period(stage, today) for stage in casn.get("schedule", []))
    if casn.get("schedule_note"):
        schedule = f"{schedule}\n{casn['schedule_note']}".strip()
    return {
        "year": str(casn.get("year", "")),
        "legal_basis": str(casn.get("legal_basis", "")),
        "requirements": requirements or "• lihat pengumuman resmi instansi",
        "schedule": schedule or "• belum diumumkan",
    }


class ActionCasnInfo(Action):
    """CASN registration requirements and dates."""

    def name(self) -> str:
        return "action_casn_info"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        casn = await lookup(
            dispatcher, gateway().get("/civil-service/casn"), Failure(SERVICE, INFO_ALTERNATIVE)
        )
        if casn.failed:
            return []
        dispatcher.utter_message(
            response="utter_casn_info",
            buttons=[RESULT_BUTTON, MAIN_MENU_BUTTON],
            **casn_info(casn.data, dt.date.today()),
        )
        return []


class ValidateCasnResultForm(IdentityFormValidation):
    """The participant number, then the date of birth (IdentityFormValidation)."""

    aside = aside_intents("asn_selection_result")

    def name(self) -> str:
        return "validate_casn_result_form"

    async def extract_participant_number(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        """The NLU does not know participant numbers: read the typed answer."""
        if entity_value(tracker, "participant_number"):
            return {}
        text = typed_answer(tracker, "participant_number", self.aside)
        return {"participant_number": text} if text else {}

    async def validate_participant_number(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        if not value:
            return {"participant_number": None}
        number, found = participant_number(str(value))
        if number is None:
            dispatcher.utter_message(
                response="utter_invalid_participant_number" if found else "utter_no_participant_number",
                digits=str(PARTICIPANT_DIGITS),
                got=str(found),
            )
            return {"participant_number": None}
        return {"participant_number": number}


def number(value: Any) -> str:
    """100.0 → "100", 78.5 → "78,5" (the Indonesian decimal comma)."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).replace(".", ",")


def stage_line(stage: dict[str, Any]) -> str:
    passed = stage.get("passed")
    verdict = "menunggu hasil" if passed is None else ("lulus" if passed else "tidak lulus")
    score, grade = stage.get("score"), stage.get("passing_grade")
    if score is None:
        return f"• {stage.get('stage')}: {verdict}"
    threshold = f" (ambang batas {number(grade)})" if grade is not None else ""
    return f"• {stage.get('stage')}: nilai {number(score)}{threshold} — {verdict}"


def casn_result(result: dict[str, Any]) -> dict[str, str]:
    """The values of `utter_casn_result` but the final verdict (`final_result()`)."""
    stages = "\n".join(stage_line(stage) for stage in result.get("stages", [])) or "• belum ada hasil tahapan"
    return {
        "name": str(result.get("name")),
        "position": str(result.get("position")),
        "agency": str(result.get("agency")),
        "stages": stages,
    }


def final_result(result: dict[str, Any]) -> str:
    """The response that words the final verdict (still running when unknown)."""
    final = str(result.get("final"))
    return f"utter_casn_final_{final if final in FINAL_RESULTS else 'proses'}"


class ActionCasnResult(Action):
    """Selection results for a participant number and its date of birth."""

    def name(self) -> str:
        return "action_casn_result"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        number, birth_date = tracker.get_slot("participant_number"), tracker.get_slot("birth_date")
        forget = [SlotSet("participant_number", None)]
        if not number or not birth_date:
            return forget
        body = {"participant_number": number, "birth_date": birth_date}
        result = await verified_lookup(
            dispatcher, tracker, "/civil-service/results", body, RESULT_FAILURE, PARTICIPANT_REFUSAL
        )
        if result.refused:
            return result.events
        if result.failed:
            return forget
        dispatcher.utter_message(
            response="utter_casn_result",
            final=phrase(domain, final_result(result.data)),
            buttons=[INFO_BUTTON, MAIN_MENU_BUTTON],
            **casn_result(result.data),
        )
        return forget
