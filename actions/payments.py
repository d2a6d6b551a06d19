"""Digital payments: PNBP billing codes (SIMPONI) and the status of any billing code; the
vehicle tax is in actions/vehicle_tax.py.

- `pnbp_billing_form` (`pnbp_service` chosen from `GET /payments/tariffs`, `nik`) →
  `action_pnbp_billing`: `POST /payments/billings`, a billing code with its expiry.
- `billing_status_form` (`billing_code`) → `action_billing_status`: `GET /payments/billings/{code}`.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, replace
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.answers import aside_intents, entity_value, payload, rupiah, typed_answer, waktu
from actions.conversation import Action
from actions.flows import just_activated
from actions.form_validation import FormValidationAction
from actions.gateway import GatewayError, gateway
from actions.identity_form import IdentityFormValidation
from actions.lookups import Failure, lookup, lookup_failed, unavailable
from actions.menu import MAIN_MENU_BUTTON, Button
from actions.road_topics import answer_topic, answered_aside, gate_slots
from bot.identifiers import digits

SlotValues = dict[str, Any]

STATUS_BUTTON: Button = {"title": "Cek status pembayaran", "payload": "/pay_billing_status"}
NEW_BILLING_BUTTON: Button = {"title": "Buat kode billing", "payload": "/pay_create_billing"}


def billing_created(billing: dict[str, Any]) -> dict[str, str]:
    """The values of `utter_billing_created`: what a new code pays, how much, until when."""
    basis = billing.get("legal_basis")
    return {
        "billing_code": str(billing.get("billing_code")),
        "description": str(billing.get("description")),
        "amount": rupiah(billing.get("amount")),
        "case_number": str(billing.get("case_number")),
        "expires_at": waktu(billing.get("expires_at")),
        "legal_basis": f"\nDasar hukum: {basis}." if basis else "",
    }


# --- PNBP billing codes ------------------------------------------------------------------

PNBP_SERVICE = "SIMPONI (kode billing PNBP)"
PNBP_FAILURE = Failure(
    PNBP_SERVICE,
    "buat kode billing di loket atau aplikasi resmi instansi pemberi layanan (Polri untuk SIM "
    "dan SKCK, Imigrasi untuk paspor).",
    not_found="utter_unknown_pnbp_service",
)
MAX_CHOICES = 16  # buttons shown when a typed answer narrowed the list
MAX_LIST = 10  # above this, the full list is shown as groups ("SIM", "SKCK", "Paspor") first

_CLASS = re.compile(r"\b(sim|golongan|gol)\.?\s+([abcd])\s*(ii|i|2|1)?(?![a-z])", re.IGNORECASE)
_SYNONYMS = {
    "perpanjang": "perpanjangan",
    "memperpanjang": "perpanjangan",
    "panjang": "perpanjangan",
    "pembuatan": "baru",
    "penerbitan": "baru",  # not "buat"/"bikin": every request says them
    "passport": "paspor",
    "pasport": "paspor",
    "international": "internasional",
}


@dataclass(frozen=True)
class Tariff:
    """One entry of `GET /payments/tariffs`."""

    service: str
    label: str
    amount: int
    legal_basis: str

    def button(self) -> Button:
        return {
            "title": f"{self.label} ({rupiah(self.amount)})",
            "payload": payload("inform", pnbp_service=self.service),
        }


def words(text: str) -> list[str]:
    """Comparable words: "perpanjang SIM B II" → ["perpanjangan", "sim", "b2"]."""

    def sim_class(match: re.Match[str]) -> str:
        letter, grade = match[2], match[3] or ""
        if f"{letter}{grade}" == "di" and not match.group().endswith("I"):
            return match.group()  # "sim di polres": the preposition, not class D I
        number = {"ii": "2", "2": "2", "i": "1", "1": "1"}.get(grade.lower(), "")
        return f"{match[1]} {letter}{number}"

    text = re.sub(r"\be[\s-]?paspor\b", "paspor elektronik", text, flags=re.IGNORECASE)
    text = _CLASS.sub(sim_class, text).lower()
    return [_SYNONYMS.get(word, word) for word in re.findall(r"[a-z0-9]+", text)]


def match_tariffs(text: str, tariffs: list[Tariff]) -> list[Tariff]:
    """The tariffs a typed request points at: best by shared words, rarer words counting
    more; one label with no word beyond the request wins a tie. [] when nothing matches."""
    labels = {tariff.service: set(words(tariff.label)) for tariff in tariffs}
    frequency = Counter(word for label in labels.values() for word in label)
    query = {word for word in words(text) if word in frequency}
    if not query:
        return []
    scores = {
        tariff.service: sum(1 / frequency[word] for word in query & labels[tariff.service])
        for tariff in tariffs
    }
    best = max(scores.values())
    if best <= 0:
        return []
    matched = [tariff for tariff in tariffs if math.isclose(scores[tariff.service], best)]
    exact = [tariff for tariff in matched if labels[tariff.service] <= query]
    return exact if len(exact) == 1 else matched


async def fetch_tariffs() -> list[Tariff]:
    """The PNBP tariffs the assistant can bill (raises GatewayError)."""
    items = (await gateway().get("/payments/tariffs")).get("items") or []
    return [
        Tariff(
            str(item["service"]),
            str(item.get("label") or item["service"]),
            int(item.get("amount") or 0),
            str(item.get("legal_basis") or ""),
        )
        for item in items
        if item.get("service")
    ]


def tariff_buttons(tariffs: list[Tariff], hint: str | None) -> tuple[str, list[Button]]:
    """The question (a response) and its buttons: the tariffs `hint` points at, else all of them (as
    groups by first word when there are many)."""
    narrowed = match_tariffs(hint, tariffs) if hint else []
    if 1 < len(narrowed) <= MAX_CHOICES:
        return "utter_ask_pnbp_service_narrowed", [tariff.button() for tariff in narrowed]
    if len(tariffs) <= MAX_LIST:
        return "utter_ask_pnbp_service_all", [tariff.button() for tariff in tariffs]
    groups: dict[str, list[Tariff]] = {}
    for tariff in tariffs:
        groups.setdefault(tariff.label.split()[0], []).append(tariff)
    buttons = [
        members[0].button()
        if len(members) == 1
        else {"title": group, "payload": payload("inform", pnbp_service=group)}
        for group, members in groups.items()
    ]
    return "utter_ask_pnbp_service_all", buttons


class ValidatePnbpBillingForm(IdentityFormValidation):
    """The service (a tariff key, or typed words that point at one) and the payer's NIK."""

    aside = aside_intents("pay_create_billing")

    def name(self) -> str:
        return "validate_pnbp_billing_form"

    async def required_slots(
        self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[str]:
        return gate_slots(tracker, self.form_name(), domain_slots)

    async def extract_pnbp_service(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        if entity_value(tracker, "pnbp_service"):
            return {}
        activated = just_activated(tracker, self.form_name())
        text = (
            (tracker.latest_message.get("text") or "")
            if activated
            else typed_answer(tracker, "pnbp_service", self.aside)
        )
        if not text or text.startswith("/"):
            # A new request never reuses the service of an earlier, unfinished one.
            return {"pnbp_service": None} if activated else {}
        try:
            tariffs = await fetch_tariffs()
        except GatewayError:
            return {"pnbp_service": None} if activated else {}  # action_ask_pnbp_service apologises
        matches = match_tariffs(text, tariffs)
        if len(matches) == 1:
            return {"pnbp_service": matches[0].service}
        if not matches and not activated:
            dispatcher.utter_message(response="utter_unknown_pnbp_service")
        return {"pnbp_service": None}  # several: asked again with just those

    async def validate_pnbp_service(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        if value is None:
            return {"pnbp_service": None}
        try:
            tariffs = await fetch_tariffs()
        except GatewayError:
            return {"pnbp_service": None}  # action_ask_pnbp_service apologises
        if any(tariff.service == value for tariff in tariffs):
            return {"pnbp_service": value}
        matches = match_tariffs(str(value), tariffs)  # a group button ("SIM") or a typed label
        if len(matches) == 1:
            return {"pnbp_service": matches[0].service}
        if not matches:
            dispatcher.utter_message(response="utter_unknown_pnbp_service")
        return {"pnbp_service": None}


class ActionAskPnbpService(Action):
    """Asks which service, with buttons from the tariff list; ends the form politely when
    the list cannot be read."""

    def name(self) -> str:
        return "action_ask_pnbp_service"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        try:
            tariffs = await fetch_tariffs()
        except GatewayError as error:
            lookup_failed(dispatcher, error, PNBP_FAILURE)
            return [SlotSet("requested_slot", None)]
        if not tariffs:
            unavailable(dispatcher, PNBP_FAILURE)
            return [SlotSet("requested_slot", None)]
        hint = entity_value(tracker, "pnbp_service") or tracker.latest_message.get("text")
        response, buttons = tariff_buttons(tariffs, None if (hint or "").startswith("/") else hint)
        dispatcher.utter_message(response=response, buttons=buttons)
        return []


class ActionPnbpBilling(Action):
    """Creates the billing code for the chosen service and NIK."""

    def name(self) -> str:
        return "action_pnbp_billing"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        done = [SlotSet("pnbp_service", None)]
        answered = answer_topic(dispatcher, tracker, "pnbp_billing_form")
        if answered is not None:
            return [*answered, *done]
        service, nik = tracker.get_slot("pnbp_service"), tracker.get_slot("nik")
        if not (service and nik):
            return done  # the form ended early and already said why
        failure = replace(
            PNBP_FAILURE,
            not_found="utter_billing_nik_not_found",
            buttons=(NEW_BILLING_BUTTON, MAIN_MENU_BUTTON),
        )
        billing = await lookup(
            dispatcher, gateway().post("/payments/billings", {"service": service, "nik": nik}), failure
        )
        if billing.failed:
            return [*done, SlotSet("nik", None)] if billing.not_found else done
        dispatcher.utter_message(
            response="utter_billing_created",
            buttons=[STATUS_BUTTON, MAIN_MENU_BUTTON],
            **billing_created(billing.data),
        )
        return [*done, SlotSet("billing_code", billing.data.get("billing_code"))]


# --- Billing status ----------------------------------------------------------------------

BILLING_DIGITS = 15
BILLING_FAILURE = Failure(
    PNBP_SERVICE,
    "cek bukti bayar (NTPN) Anda atau tanyakan ke instansi yang menerbitkan kode billing.",
    not_found="utter_billing_not_found",
)


class ValidateBillingStatusForm(FormValidationAction):
    """The 15-digit billing code (the `billing_code` entity)."""

    aside = aside_intents("pay_billing_status")

    def name(self) -> str:
        return "validate_billing_status_form"

    async def required_slots(
        self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[str]:
        return gate_slots(tracker, self.form_name(), domain_slots)

    async def extract_billing_code(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        if entity_value(tracker, "billing_code"):
            return {}
        text = typed_answer(tracker, "billing_code", self.aside)
        if text is None:
            return {}
        ticket = entity_value(tracker, "ticket_id")
        if not digits(text) and answered_aside(dispatcher, tracker, text):
            return {"billing_code": None}
        if ticket:
            dispatcher.utter_message(response="utter_case_not_billing_code", ticket=ticket)
        elif digits(text):
            dispatcher.utter_message(response="utter_invalid_billing_code", got=str(len(digits(text))))
        else:
            dispatcher.utter_message(response="utter_no_billing_code")
        return {"billing_code": None}

    async def validate_billing_code(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        if value is None:
            return {"billing_code": None}
        code = digits(str(value))
        if len(code) != BILLING_DIGITS:
            dispatcher.utter_message(response="utter_invalid_billing_code", got=str(len(code)))
            return {"billing_code": None}
        return {"billing_code": code}


def billing_status(billing: dict[str, Any]) -> tuple[str, dict[str, str], list[Button]]:
    """Paid, expired or unpaid: the response, its values and the buttons."""
    values = {
        "billing_code": str(billing.get("billing_code")),
        "case_number": str(billing.get("case_number")),
        "description": str(billing.get("description")),
        "amount": rupiah(billing.get("amount")),
        "paid_at": waktu(billing.get("paid_at")),
        "expires_at": waktu(billing.get("expires_at")),
    }
    status = billing.get("status")
    if status == "lunas":
        return "utter_billing_paid", values, [MAIN_MENU_BUTTON]
    if status == "kedaluwarsa":
        return "utter_billing_expired", values, [NEW_BILLING_BUTTON, MAIN_MENU_BUTTON]
    return "utter_billing_unpaid", values, [MAIN_MENU_BUTTON]


class ActionBillingStatus(Action):
    """Whether a billing code is paid, unpaid or expired."""

    def name(self) -> str:
        return "action_billing_status"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        answered = answer_topic(dispatcher, tracker, "billing_status_form")
        if answered is not None:
            return answered
        code = tracker.get_slot("billing_code")
        if not code:
            return []
        billing = await lookup(
            dispatcher, gateway().get(f"/payments/billings/{code}"), BILLING_FAILURE, code=code
        )
        if billing.failed:
            return [SlotSet("billing_code", None)] if billing.not_found else []
        response, values, buttons = billing_status(billing.data)
        dispatcher.utter_message(response=response, buttons=buttons, **values)
        return []
