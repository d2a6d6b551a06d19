"""SIM (driving licence); the SKCK (police record certificate) is in actions/skck.py.

- `sim_renewal_form`: NIK and date of birth; `action_sim_renewal` says for each licence
  whether it can be renewed now (inside the SINAR window), from when, or that an expired licence
  needs a new SIM at the Satpas unless Korlantas grants a dispensation (`POST /police/sim`).
- `sim_fee_form`: the SIM class (an entity, a button or typed); `action_sim_fee` gives the
  new and renewal fees (`GET /police/fees`, the PNBP tariff in the fact registry) and the steps.
The rules and their legal basis are in the responses (`{fact.*}`, `{basis.*}`: knowledge/facts).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.answers import (
    aside_intents,
    entity_value,
    mask_nik,
    payload,
    phrase,
    rupiah,
    tanggal,
    typed_answer,
)
from actions.conversation import Action
from actions.flows import just_activated, typed_choice
from actions.form_validation import FormValidationAction
from actions.gateway import gateway
from actions.identity_form import IdentityFormValidation
from actions.lookups import Failure, lookup, verified_lookup
from actions.menu import MAIN_MENU_BUTTON
from actions.road_topics import answer_topic, answered_aside, gate_slots, vehicle_kind
from bot.identifiers import normalize_sim_class
from knowledge import facts

SlotValues = dict[str, Any]

SIM_SERVICE = "SIM Korlantas Polri"
SIM_FAILURE = Failure(
    SIM_SERVICE,
    "periksa tanggal berlaku pada kartu SIM Anda, lalu ajukan perpanjangan lewat aplikasi SINAR "
    "atau di Satpas Polres terdekat.",
    not_found="utter_sim_not_found",
)
FEE_FAILURE = Failure(
    SIM_SERVICE,
    f"lihat tarif resmi di Satpas Polres terdekat; tarifnya diatur dalam {facts.get('sim.fee.new.a').basis}.",
)

SIM_CLASS_BUTTONS = [
    {"title": f"SIM {title}", "payload": payload("inform", sim_class=value)}
    for title, value in (
        ("A", "A"),
        ("BI", "B1"),
        ("BII", "B2"),
        ("C", "C"),
        ("D", "D"),
        ("Internasional", "Internasional"),
    )
]
# Words around a typed class: "sim c aja", "golongan b2", "yang b1 umum".
_FILLERS = frozenset(
    {
        "sim", "golongan", "gol", "kelas", "jenis", "yang", "yg", "aja", "saja", "dong", "ya",
        "untuk", "utk", "buat", "mau", "biaya", "berapa", "brp", "harga", "tarif", "bikin",
        "baru", "perpanjang", "perpanjangan",
    }
)  # fmt: skip
_VEHICLE_CLASSES = {"motor": "C", "mobil": "A"}
_KIND_CLASSES = {"motorcycle": "C", "car": "A"}  # road_topics.vehicle_kind()
_TOKENS = re.compile(r"[a-z0-9]+")

RENEWAL_BUTTON = {"title": "Cek perpanjangan SIM", "payload": "/police_sim_renewal"}


# --- SIM renewal -------------------------------------------------------------------------


def display_class(sim_class: Any) -> str:
    """The class as printed on a SIM: "B1" → "BI", "C2" → "CII", "A Umum" → "A Umum"."""
    text = str(sim_class or "")
    return re.sub(r"(?<=[BCD])([12])", lambda m: "I" * int(m[1]), text)


def licence_state(licence: dict[str, Any], today: dt.date) -> str:
    """Where a licence stands: "expired", "renewable" (inside the SINAR window) or "waiting"."""
    try:
        if dt.date.fromisoformat(str(licence.get("expires_on"))) < today:
            return "expired"
    except ValueError:
        pass
    return "renewable" if (licence.get("renewal") or {}).get("eligible") else "waiting"


def licence_line(licence: dict[str, Any], today: dt.date, domain: DomainDict) -> str:
    """One licence and whether, from when, or why not it can be renewed."""
    state = licence_state(licence, today)
    opens_on = tanggal((licence.get("renewal") or {}).get("window_opens_on"))
    status = phrase(
        domain, f"utter_sim_licence_{state}", expires_on=tanggal(licence.get("expires_on")), opens_on=opens_on
    )
    digits = re.sub(r"\D", "", str(licence.get("number") or ""))  # the API masks all but 4 digits
    number = f" (nomor berakhiran {digits[-4:]})" if len(digits) >= 4 else ""
    return f"• SIM {display_class(licence.get('class'))}{number}: {status}"


def renewal_reply(data: dict[str, Any], today: dt.date, domain: DomainDict) -> tuple[str, dict[str, str]]:
    """Every licence of the holder, then the rule (and the SINAR steps if one can be renewed):
    the response and its values (the rule's window and basis come from the registry, in the
    response)."""
    licences = data.get("licences") or []
    states = {licence_state(licence, today) for licence in licences}
    closing = "renewable" if "renewable" in states else "expired" if states == {"expired"} else "waiting"
    return f"utter_sim_renewal_{closing}", {
        "name": str(data.get("name")),
        "licences": "\n".join(licence_line(licence, today, domain) for licence in licences),
    }


class ValidateSimRenewalForm(IdentityFormValidation):
    """NIK and date of birth of the licence holder (IdentityFormValidation)."""

    def name(self) -> str:
        return "validate_sim_renewal_form"

    async def required_slots(
        self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[str]:
        return gate_slots(tracker, self.form_name(), domain_slots)


class ActionSimRenewal(Action):
    """Whether each of the citizen's licences can be renewed now, later, or no more."""

    def name(self) -> str:
        return "action_sim_renewal"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        answered = answer_topic(dispatcher, tracker, "sim_renewal_form")
        if answered is not None:
            return answered
        nik, birth_date = tracker.get_slot("nik"), tracker.get_slot("birth_date")
        if not nik or not birth_date:
            return []
        body = {"nik": nik, "birth_date": birth_date}
        found = await verified_lookup(
            dispatcher, tracker, "/police/sim", body, SIM_FAILURE, nik=mask_nik(nik)
        )
        if found.failed:
            return [*found.events, *([SlotSet("nik", None)] if found.not_found else [])]
        data = found.data
        if not data.get("licences"):
            dispatcher.utter_message(
                response="utter_sim_no_licences",
                nik=mask_nik(nik),
                buttons=[{"title": "Biaya SIM", "payload": "/police_sim_fee"}, MAIN_MENU_BUTTON],
            )
            return []
        classes = [licence.get("class") for licence in data["licences"] if licence.get("class")]
        fee_payload = (
            payload("police_sim_fee", sim_class=classes[0]) if len(classes) == 1 else "/police_sim_fee"
        )
        response, values = renewal_reply(data, dt.date.today(), domain)
        dispatcher.utter_message(
            response=response,
            buttons=[{"title": "Biaya SIM", "payload": fee_payload}, MAIN_MENU_BUTTON],
            **values,
        )
        return []


# --- SIM fees ------------------------------------------------------------------------------


def read_sim_class(text: str) -> str | None:
    """A typed SIM class ("c", "sim b2 umum", "golongan BI", "yang motor") in the entity's
    normalised form ("C", "B2 Umum", "B1"); None when there is none."""
    tokens = _TOKENS.findall(text.lower())
    for word, sim_class in _VEHICLE_CLASSES.items():
        if word in tokens:
            return sim_class
    return normalize_sim_class("".join(token for token in tokens if token not in _FILLERS))


def fee_keys(sim_class: str, kind: str) -> list[str]:
    """The `GET /police/fees` service keys for `sim_class`, most specific first:
    "B2 Umum" → ["sim_b2_umum_new", "sim_b2_new"] (docs/service-api.md)."""
    base = "international" if sim_class == "Internasional" else sim_class.split()[0].lower()
    keys = [f"sim_{base}_{kind}"]
    if sim_class.endswith(" Umum"):
        keys.insert(0, f"sim_{base}_umum_{kind}")
    return keys


def fee_reply(sim_class: str, fees: dict[str, Any]) -> tuple[str, dict[str, str]]:
    """The new and renewal fees of `sim_class` with the steps (`utter_sim_fees`, or
    `utter_sim_no_fee` when it has none): the response and its values. The legal basis is the
    registry's, in the response."""
    amounts = {str(item.get("service")): item.get("amount") for item in fees.get("items", [])}
    lines = []
    for kind, label in (("new", "SIM baru"), ("renewal", "Perpanjangan")):
        amount = next((amounts[key] for key in fee_keys(sim_class, kind) if key in amounts), None)
        if amount is not None:
            lines.append(f"• {label}: {rupiah(amount)}")
    if not lines:
        return "utter_sim_no_fee", {"sim_class": display_class(sim_class)}
    return "utter_sim_fees_international" if sim_class == "Internasional" else "utter_sim_fees", {
        "sim_class": display_class(sim_class),
        "fees": "\n".join(lines),
    }


class ValidateSimFeeForm(FormValidationAction):
    """The SIM class: the `sim_class` entity or button, or a typed class."""

    aside = aside_intents("police_sim_fee")

    def name(self) -> str:
        return "validate_sim_fee_form"

    async def required_slots(
        self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[str]:
        return gate_slots(tracker, self.form_name(), domain_slots)

    async def extract_sim_class(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        """A typed class the NLU did not extract ("c", "b2 umum", "motor"); in the opening
        message, the class its vehicle implies ("SIM motor" → C, "SIM mobil" → A)."""
        if just_activated(tracker, self.form_name()) and not entity_value(tracker, "sim_class"):
            inferred = _KIND_CLASSES.get(vehicle_kind(tracker.latest_message.get("text") or "") or "")
            return {"sim_class": inferred} if inferred else {}
        typed = None if entity_value(tracker, "sim_class") else typed_answer(tracker, "sim_class", self.aside)
        if typed and read_sim_class(typed) is None and answered_aside(dispatcher, tracker, typed):
            return {"sim_class": None}  # a question asked instead: answered, the class asked again
        return typed_choice(
            dispatcher,
            tracker,
            "sim_class",
            self.aside,
            read_sim_class,
            unknown="utter_invalid_sim_class",
            buttons=SIM_CLASS_BUTTONS,
        )

    async def validate_sim_class(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        if not value:
            return {"sim_class": None}
        return {"sim_class": normalize_sim_class(str(value))}


class ActionSimFee(Action):
    """The fees of one SIM class (PNBP tariff) and the steps to get or renew it."""

    def name(self) -> str:
        return "action_sim_fee"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        answered = answer_topic(dispatcher, tracker, "sim_fee_form")
        if answered is not None:
            return [*answered, SlotSet("sim_class", None)]
        sim_class = tracker.get_slot("sim_class")
        if not sim_class:
            return []
        forget = [SlotSet("sim_class", None)]  # the next fee question asks again
        fees = await lookup(dispatcher, gateway().get("/police/fees"), FEE_FAILURE)
        if fees.failed:
            return forget
        response, values = fee_reply(sim_class, fees.data)
        dispatcher.utter_message(response=response, buttons=[RENEWAL_BUTTON, MAIN_MENU_BUTTON], **values)
        return forget
