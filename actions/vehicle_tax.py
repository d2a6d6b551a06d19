"""Vehicle tax (Samsat): `vehicle_tax_form` (`plate_number`) → `action_vehicle_tax`:
`GET /payments/vehicle-tax/{plate}` (PKB, SWDKLLJ, fine, due date), then offers a payment code
(`tax_billing_offered`; "ya" → `action_vehicle_tax_billing`:
`POST /payments/vehicle-tax/{plate}/billing`, whose code actions/payments.py words).
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.answers import aside_intents, entity_value, rupiah, tanggal, typed_answer
from actions.conversation import Action
from actions.form_validation import FormValidationAction
from actions.gateway import gateway
from actions.lookups import Failure, lookup
from actions.menu import MAIN_MENU_BUTTON, OFFICE_BUTTON, Button
from actions.payments import STATUS_BUTTON, billing_created
from actions.road_topics import answer_topic, answered_aside, gate_slots
from bot.identifiers import normalize_plate

SlotValues = dict[str, Any]

TAX_FAILURE = Failure(
    "Samsat",
    "cek dan bayar melalui aplikasi SIGNAL atau kantor Samsat terdekat.",
    not_found="utter_plate_not_found",
    buttons=(OFFICE_BUTTON, MAIN_MENU_BUTTON),
)
OFFER_BUTTONS: list[Button] = [
    {"title": "Ya, buat kode bayar", "payload": "/affirm"},
    {"title": "Tidak", "payload": "/deny"},
]


def compact_plate(plate: str) -> str:
    """ "B 1234 XYZ" → "B1234XYZ" (the contract accepts both; no spaces in the path)."""
    return plate.replace(" ", "")


# Short words that look like a plate's region code before a number ("di 2024", "ke 3").
_NOT_REGION = frozenset(
    {"di", "ke", "se", "ya", "yg", "dr", "tp", "kl", "sy", "gw", "lg", "jd", "dg", "sm", "no"}
)  # fmt: skip


def find_plate(text: str) -> str | None:
    """A plate anywhere in a typed answer, in any case and spacing: "plat sy b-1234-xyz ya" →
    "B 1234 XYZ"; the longest run of up to three words that reads as a plate."""
    tokens = re.sub(r"[-._/]", " ", text).split()
    for size in (3, 2, 1):
        for start in range(len(tokens) - size + 1):
            window = tokens[start : start + size]
            if window[0].lower() in _NOT_REGION or not any(char.isdigit() for char in "".join(window)):
                continue
            plate = normalize_plate(" ".join(window))
            if plate:
                return plate
    return None


def vehicle_tax(tax: dict[str, Any]) -> dict[str, str]:
    """The values of `utter_vehicle_tax`."""
    vehicle = tax.get("vehicle") or {}
    described = " ".join(str(vehicle[key]) for key in ("brand", "year") if vehicle.get(key))
    kind = f"{vehicle['type']} " if vehicle.get("type") else ""
    heading = f"Pajak kendaraan {tax.get('plate')}"
    if described or kind:
        heading += f" ({kind}{described})".replace(" )", ")")
    if tax.get("region"):
        heading += f", {tax['region']}"
    overdue = int(tax.get("overdue_days") or 0)
    return {
        "heading": heading,
        "pkb": rupiah(tax.get("pkb")),
        "swdkllj": rupiah(tax.get("swdkllj")),
        "fine": rupiah(tax.get("fine") or 0),
        "total": rupiah(tax.get("total")),
        "due_date": tanggal(tax.get("due_date")),
        "overdue": f" (terlambat {overdue} hari)." if overdue > 0 else ".",
        "legal_basis": f"\nDasar hukum: {tax['legal_basis']}." if tax.get("legal_basis") else "",
    }


class ValidateVehicleTaxForm(FormValidationAction):
    """The plate number (the `plate_number` entity, "B 1234 XYZ")."""

    aside = aside_intents("pay_vehicle_tax")

    def name(self) -> str:
        return "validate_vehicle_tax_form"

    async def required_slots(
        self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[str]:
        return gate_slots(tracker, self.form_name(), domain_slots)

    async def extract_plate_number(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        if entity_value(tracker, "plate_number"):
            return {}
        text = typed_answer(tracker, "plate_number", self.aside)
        if text is None:
            return {}
        plate = find_plate(text)
        if plate is None and answered_aside(dispatcher, tracker, text):
            return {"plate_number": None}
        if plate is None:
            dispatcher.utter_message(response="utter_invalid_plate_number")
        return {"plate_number": plate}

    async def validate_plate_number(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        if value is None:
            return {"plate_number": None}
        plate = normalize_plate(str(value))
        if plate is None:
            dispatcher.utter_message(response="utter_invalid_plate_number")
        return {"plate_number": plate}


class ActionVehicleTax(Action):
    """The vehicle tax due for a plate, then the offer of a payment code."""

    def name(self) -> str:
        return "action_vehicle_tax"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        no_offer = [SlotSet("tax_billing_offered", None)]
        answered = answer_topic(dispatcher, tracker, "vehicle_tax_form")
        if answered is not None:  # a question asked in passing leaves an open offer open
            return answered
        plate = tracker.get_slot("plate_number")
        if not plate:
            return no_offer
        path = f"/payments/vehicle-tax/{compact_plate(plate)}"
        tax = await lookup(dispatcher, gateway().get(path), TAX_FAILURE, plate=plate)
        if tax.failed:
            return [*no_offer, SlotSet("plate_number", None)] if tax.not_found else no_offer
        if int(tax.data.get("total") or 0) <= 0:
            dispatcher.utter_message(
                response="utter_vehicle_tax_nothing_due", buttons=[MAIN_MENU_BUTTON], **vehicle_tax(tax.data)
            )
            return no_offer
        dispatcher.utter_message(response="utter_vehicle_tax", **vehicle_tax(tax.data))
        dispatcher.utter_message(
            response="utter_vehicle_tax_offer", total=rupiah(tax.data.get("total")), buttons=OFFER_BUTTONS
        )
        return [SlotSet("tax_billing_offered", True)]


class ActionVehicleTaxBilling(Action):
    """The payment code for the vehicle tax just shown (the citizen said yes)."""

    def name(self) -> str:
        return "action_vehicle_tax_billing"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        plate = tracker.get_slot("plate_number")
        done = [SlotSet("tax_billing_offered", None)]
        if not plate:
            return done
        path = f"/payments/vehicle-tax/{compact_plate(plate)}/billing"
        failure = replace(TAX_FAILURE, buttons=(MAIN_MENU_BUTTON,))
        billing = await lookup(dispatcher, gateway().post(path), failure, plate=plate)
        if billing.failed:
            return done
        dispatcher.utter_message(
            response="utter_billing_created",
            buttons=[STATUS_BUTTON, MAIN_MENU_BUTTON],
            **billing_created(billing.data),
        )
        return [*done, SlotSet("billing_code", billing.data.get("billing_code"))]
