"""SKCK (police record certificate): `skck_form` gives the SKCK information and asks "apply
now?", then NIK, date of birth, purpose and a confirmation; `action_skck_apply` starts the
application (`POST /police/skck`) and gives the case number and the billing code.
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
    free_text,
    is_recognisable,
    mask_nik,
    payload,
    phrase,
    rupiah,
    waktu,
)
from actions.conversation import Action
from actions.flows import fresh_answer, just_activated, typed_yes_no
from actions.identity_form import IdentityFormValidation
from actions.lookups import Failure, verified_lookup
from actions.menu import MAIN_MENU_BUTTON
from actions.road_topics import answer_topic, gate_slots
from knowledge import facts

SlotValues = dict[str, Any]

SKCK_FAILURE = Failure(
    "SKCK Polri",
    "ajukan langsung di situs resmi SKCK Polri (skck.polri.go.id) atau di Polres/Polsek terdekat.",
    not_found="utter_skck_citizen_not_found",
    down_buttons=({"title": "Coba lagi", "payload": "/police_skck"}, MAIN_MENU_BUTTON),
)
SKCK_SLOTS = ("skck_apply", "skck_purpose", "skck_confirmed")
YES_NO_BUTTONS = [{"title": "Ya", "payload": "/affirm"}, {"title": "Tidak", "payload": "/deny"}]
MAX_PURPOSE_CHARS = 100
SKCK_BUTTON = {"title": "SKCK", "payload": "/police_skck"}


# The purpose named in the message that asks for an SKCK ("bikin skck buat lamar kerja"), in the
# words of the purpose buttons (domain/police.yml utter_ask_skck_purpose).
PURPOSES = (
    (re.compile(r"\bcpns\b|\bpppk\b|\bcasn\b|\basn\b|\bpns\b", re.I), "pendaftaran CPNS/PPPK"),
    (re.compile(r"\btni\b|\bpolri\b|\bpolisi\b|\btentara\b|\bakpol\b|\bbintara\b", re.I),
     "pendaftaran TNI/Polri"),
    (re.compile(r"luar negeri|\bvisa\b|\bpmi\b|\btki\b|\bkapal pesiar\b", re.I), "keperluan ke luar negeri"),
    (re.compile(r"\blamar\w*|\bmelamar\b|\bkerja\b|\bpekerjaan\b|\bloker\b", re.I), "melamar pekerjaan"),
    (re.compile(r"\bsekolah\b|\bbeasiswa\b|\bkuliah\b|\bkampus\b", re.I), "sekolah atau beasiswa"),
)  # fmt: skip


def named_purpose(text: str) -> str | None:
    """The purpose a request names, or None: "skck buat daftar cpns" → "pendaftaran CPNS/PPPK"."""
    return next((purpose for pattern, purpose in PURPOSES if pattern.search(text)), None)


def purpose_problem(text: str) -> str | None:
    """The response saying what is wrong with a typed purpose, or None."""
    if len(text) > MAX_PURPOSE_CHARS:
        return "utter_skck_long_purpose"
    words = re.findall(r"[^\W\d_]{2,}", text)
    if not words or sum(map(len, words)) < 4 or not any(is_recognisable(word) for word in words):
        return "utter_skck_short_purpose"
    return None


class ValidateSkckForm(IdentityFormValidation):
    """The question "apply now?", then NIK and date of birth (IdentityFormValidation), purpose and the
    confirmation. "Tidak" to the first question ends the form after the information."""

    aside = aside_intents("police_skck")

    def name(self) -> str:
        return "validate_skck_form"

    async def required_slots(
        self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[str]:
        if tracker.get_slot("skck_apply") is False:
            return ["skck_apply"]
        return gate_slots(tracker, self.form_name(), domain_slots)

    async def extract_skck_apply(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        return typed_yes_no(
            dispatcher,
            tracker,
            "skck_apply",
            self.aside,
            unknown="utter_skck_apply_yes_or_no",
            buttons=YES_NO_BUTTONS,
        )

    async def validate_skck_apply(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        """Asked every time the form starts (the information comes with the question)."""
        if value is None or just_activated(tracker, self.form_name()):
            return {"skck_apply": None}
        return {"skck_apply": bool(value)}

    async def extract_skck_purpose(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        """A typed purpose (the buttons fill the slot through its entity mapping), or the one
        named in the message that opened the form."""
        if just_activated(tracker, self.form_name()) and fresh_answer(tracker, self.form_name()):
            purpose = named_purpose(tracker.latest_message.get("text") or "")
            return {"skck_purpose": purpose} if purpose else {}
        text = free_text(tracker, "skck_purpose")
        return {"skck_purpose": text} if text else {}

    async def validate_skck_purpose(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        text = " ".join(str(value or "").split())
        problem = purpose_problem(text)
        if problem:
            dispatcher.utter_message(response=problem)
            return {"skck_purpose": None}
        return {"skck_purpose": text}

    async def extract_skck_confirmed(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        return typed_yes_no(
            dispatcher,
            tracker,
            "skck_confirmed",
            self.aside,
            unknown="utter_skck_confirm_yes_or_no",
            buttons=YES_NO_BUTTONS,
        )

    async def validate_skck_confirmed(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        """A confirmation is never carried into a new application: it is asked every time."""
        if value is None or just_activated(tracker, self.form_name()):
            return {"skck_confirmed": None}
        return {"skck_confirmed": bool(value)}


class ActionAskSkckConfirmed(Action):
    """Shows the SKCK application as it will be sent and asks to send it."""

    def name(self) -> str:
        return "action_ask_skck_confirmed"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        dispatcher.utter_message(
            response="utter_skck_confirm",
            nik=mask_nik(tracker.get_slot("nik")),
            purpose=str(tracker.get_slot("skck_purpose")),
            buttons=[{"title": "Ya, kirim", "payload": "/affirm"}, {"title": "Tidak", "payload": "/deny"}],
        )
        return []


def _forget_skck() -> list[EventType]:
    return [SlotSet(slot, None) for slot in SKCK_SLOTS]


def skck_created(created: dict[str, Any], domain: DomainDict) -> dict[str, str]:
    """The values of `utter_skck_created`: case number, billing code and the gateway's next
    steps, with the validity unless a step says it (the fee's basis is in the response)."""
    billing = created.get("billing") or {}
    valid_months = created.get("valid_months") or facts.get("skck.validity").number
    steps = list(created.get("next_steps") or [])
    if not any(f"{valid_months} bulan" in step for step in steps):
        steps.append(phrase(domain, "utter_skck_validity", valid_months=valid_months))
    return {
        "case_number": str(created.get("case_number")),
        "amount": rupiah(billing.get("amount")),
        "billing_code": str(billing.get("billing_code")),
        "expires_at": waktu(billing.get("expires_at")),
        "next_steps": "\n".join(f"{number}. {step}" for number, step in enumerate(steps, start=1)),
    }


class ActionSkckApply(Action):
    """Ends `skck_form`: nothing to send, not confirmed, or the application is started."""

    def name(self) -> str:
        return "action_skck_apply"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        answered = answer_topic(dispatcher, tracker, "skck_form")
        if answered is not None:
            return [*answered, *_forget_skck()]
        if tracker.get_slot("skck_apply") is False:
            dispatcher.utter_message(response="utter_skck_not_applied", buttons=[MAIN_MENU_BUTTON])
            return _forget_skck()
        if tracker.get_slot("skck_confirmed") is False:
            dispatcher.utter_message(response="utter_skck_not_sent", buttons=[SKCK_BUTTON, MAIN_MENU_BUTTON])
            return _forget_skck()
        nik, birth_date, purpose = (tracker.get_slot(s) for s in ("nik", "birth_date", "skck_purpose"))
        if not (nik and birth_date and purpose and tracker.get_slot("skck_confirmed")):
            return _forget_skck()
        body = {"nik": nik, "birth_date": birth_date, "purpose": purpose}
        applied = await verified_lookup(
            dispatcher, tracker, "/police/skck", body, SKCK_FAILURE, nik=mask_nik(nik)
        )
        if applied.error is not None and applied.error.unavailable:
            # Keep the purpose: trying again asks "apply now?" and to confirm once more.
            return [SlotSet("skck_apply", None), SlotSet("skck_confirmed", None)]
        if applied.failed:
            return [*applied.events, *([SlotSet("nik", None)] if applied.not_found else []), *_forget_skck()]
        created = applied.data
        billing_code = (created.get("billing") or {}).get("billing_code")
        buttons = [MAIN_MENU_BUTTON]
        if billing_code:
            buttons.insert(
                0,
                {
                    "title": "Cek status billing",
                    "payload": payload("pay_billing_status", billing_code=billing_code),
                },
            )
        dispatcher.utter_message(
            response="utter_skck_created", buttons=buttons, **skck_created(created, domain)
        )
        return [
            *_forget_skck(),
            SlotSet("ticket_id", created.get("case_number")),
            SlotSet("billing_code", billing_code),
        ]
