"""Civil service (CASN: CPNS and PPPK) on SSCASN.

- `action_casn_info`: this year's registration requirements and dates (`GET /civil-service/casn`),
  or, for a question on one topic (age limits, SKD passing grades, documents, objecting to a
  result), the registry's answer on it (`casn_topic`, kept for a follow-up).
- `casn_result_form`: the participant number (17 digits, from the exam card; also read from the
  request that starts the form) and the date of birth that belongs to it; `action_casn_result`
  shows the selection results (`POST /civil-service/results`) and what to do next. A request
  that asks about one of the topics instead ("cara sanggah hasil CPNS") is answered on it.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.answers import aside_intents, entity_value, phrase, tanggal, typed_answer, word_pattern
from actions.conversation import Action
from actions.flows import just_activated
from actions.gateway import gateway
from actions.identity_dates import parse_birth_date
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

# A question on one topic, each answered by `utter_casn_<topic>` from the registry. Checked in
# this order: "nilai sanggah" is an objection, "syarat umur" an age limit.
RESULT = "result"  # casn_result_form's own topic: one participant's results
TOPICS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("objection", word_pattern(r"sanggah\w*", r"menyanggah", "keberatan", "banding", "komplain")),
    ("age", word_pattern("umur", "usia", r"batas\s+umur", "tua", "muda", r"\d\d\s+tahun")),
    (
        "passing_grade",
        word_pattern(
            r"passing\s*grade", r"ambang\s+batas", r"nilai\s+minimal", r"nilai\s+minimum", "twk", "tiu", "tkp"
        ),
    ),
    (
        "documents",
        word_pattern("dokumen", "berkas", "unggah", "upload", "file", "scan", "pasfoto", "swafoto"),
    ),
)
INFO_TOPICS = frozenset(topic for topic, _ in TOPICS)
FOLLOW_UP_WORDS = 4
_FOLLOW_UP = re.compile(
    r"^\s*(?:kalau|kalo|klo|kl|terus|trus|lalu|bagaimana dengan|gimana dengan|untuk|utk|yg|yang)\b", re.I
)


def casn_topic(text: str) -> str | None:
    """The topic of a CASN question (an INFO_TOPICS key), or None for a general one."""
    return next((topic for topic, pattern in TOPICS if pattern.search(text)), None)


def _without_numbers(text: str) -> str:
    """`text` without its long digit runs (a participant number is no date)."""
    return re.sub(r"\d{9,}", " ", text)


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


def info_topic(tracker: Tracker) -> str | None:
    """The topic of the latest question; a follow-up that names none ("kalau PPPK?") keeps the
    topic of the previous answer (`casn_topic`)."""
    text = tracker.latest_message.get("text") or ""
    if text.startswith("/"):
        return None
    topic = casn_topic(text)
    # Only a short follow-up changes one detail of the last answer ("kalau PPPK?"); a longer one
    # asks something new ("kalo pernah dipenjara boleh daftar ga": the requirements).
    if topic is None and _FOLLOW_UP.search(text) and len(text.split()) <= FOLLOW_UP_WORDS:
        previous = tracker.get_slot("casn_topic")
        topic = previous if previous in INFO_TOPICS else None
    return topic


def answer_topic(dispatcher: CollectingDispatcher, topic: str) -> list[EventType]:
    dispatcher.utter_message(
        response=f"utter_casn_{topic}", buttons=[RESULT_BUTTON, INFO_BUTTON, MAIN_MENU_BUTTON]
    )
    return [SlotSet("casn_topic", topic)]


class ActionCasnInfo(Action):
    """CASN registration requirements and dates, or the answer on one topic."""

    def name(self) -> str:
        return "action_casn_info"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        topic = info_topic(tracker)
        if topic is not None:
            return answer_topic(dispatcher, topic)
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
        return [SlotSet("casn_topic", None)] if tracker.get_slot("casn_topic") else []


class ValidateCasnResultForm(IdentityFormValidation):
    """The participant number, then the date of birth (IdentityFormValidation)."""

    aside = aside_intents("asn_selection_result")

    def name(self) -> str:
        return "validate_casn_result_form"

    async def required_slots(
        self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[str]:
        """A question on one topic needs nothing more than the topic."""
        topic = self._request_topic(tracker) if just_activated(tracker, self.form_name()) else None
        if (topic or tracker.get_slot("casn_topic")) in INFO_TOPICS:
            return ["casn_topic"]
        return [slot for slot in domain_slots if slot != "casn_topic"]

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """When the form starts, the request's topic replaces the previous question's."""
        events = await super().run(dispatcher, tracker, domain)
        if not just_activated(tracker, self.form_name()):
            return events
        return [SlotSet("casn_topic", self._request_topic(tracker)), *events]

    def _request_topic(self, tracker: Tracker) -> str:
        """A topic asked without a participant number, else the results themselves."""
        text = tracker.latest_message.get("text") or ""
        if text.startswith("/") or participant_number(text)[0]:
            return RESULT
        return casn_topic(text) or RESULT

    async def extract_casn_topic(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        """Read when the form starts."""
        return (
            {"casn_topic": self._request_topic(tracker)} if just_activated(tracker, self.form_name()) else {}
        )

    async def extract_participant_number(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        """The NLU does not know participant numbers: read the typed answer, or a number of 17
        digits in the request that starts the form (other digits there are no answer yet)."""
        if entity_value(tracker, "participant_number"):
            return {}
        if just_activated(tracker, self.form_name()):
            number, _ = participant_number(tracker.latest_message.get("text") or "")
            return {"participant_number": number} if number else {}
        text = typed_answer(tracker, "participant_number", self.aside)
        return {"participant_number": text} if text else {}

    async def extract_birth_date(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        """As every identity step; a date in the request that starts the form together with the
        participant number is the participant's date of birth too."""
        if just_activated(tracker, self.form_name()):
            text = tracker.latest_message.get("text") or ""
            if text.startswith("/") or not participant_number(text)[0]:
                return {}
            born = parse_birth_date(_without_numbers(text))
            return {"birth_date": born.isoformat()} if born else {}
        return await super().extract_birth_date(dispatcher, tracker, domain)

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


def followed_line(domain: DomainDict, result: dict[str, Any]) -> str:
    """`utter_casn_followed` for the case the gateway follows the result as (empty when it
    could not open one: the result is answered all the same)."""
    number = result.get("case_number")
    return "\n\n" + phrase(domain, "utter_casn_followed", case_number=number) if number else ""


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
        topic = tracker.get_slot("casn_topic")
        if topic in INFO_TOPICS:
            return answer_topic(dispatcher, str(topic))
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
            followed=followed_line(domain, result.data),
            **casn_result(result.data),
        )
        return forget
