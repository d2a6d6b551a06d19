"""Social assistance: is someone a recipient (Cek Bansos), by NIK or by name and region.

`bansos_check_form` first asks how to search (`bansos_method`, skipped when the request
carries a NIK or says "nama"):
- "nik": NIK and birth date (personal data); `POST /social/recipients/by-nik`.
- "name": as on cekbansos, the region step by step (province → regency → district → village:
  buttons from `GET /regions?parent=`, or a typed name resolved with `GET /regions/search`),
  then the name; `GET /social/recipients?name=&village=` (public).
`action_bansos_check` lists the programmes and periods found, or says how to apply.
"""

from __future__ import annotations

import abc
import re
from dataclasses import dataclass
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.answers import payload, phrase
from actions.conversation import Action
from actions.flows import just_activated
from actions.gateway import GatewayError, gateway
from actions.identity_form import IdentityFormValidation
from actions.lookups import Failure, lookup, unavailable, verified_lookup
from actions.menu import MAIN_MENU_BUTTON, Button
from actions.social_amounts import amount_text
from actions.social_info import answer, opening_topic, programme_in
from actions.social_search import (
    METHODS,
    clean_name,
    given_for_name_search,
    method_in,
    method_in_text,
    region_key,
    valid_name,
)

SlotValues = dict[str, Any]

FAILURE = Failure(
    "Cek Bansos Kementerian Sosial",
    "cek langsung di cekbansos.kemensos.go.id atau tanyakan ke kantor desa/kelurahan.",
)
MAX_REGION_BUTTONS = 40
MAX_RESULTS = 5


@dataclass(frozen=True)
class RegionStep:
    """One step of the region choice: its slot, the API's level, and the parent step's slot."""

    slot: str
    level: str
    label: str
    parent_slot: str | None


REGION_STEPS = (
    RegionStep("bansos_province", "province", "provinsi", None),
    RegionStep("bansos_regency", "regency", "kabupaten/kota", "bansos_province"),
    RegionStep("bansos_district", "district", "kecamatan", "bansos_regency"),
    RegionStep("bansos_village", "village", "desa/kelurahan", "bansos_district"),
)
BY_NAME_SLOTS = (*(step.slot for step in REGION_STEPS), "bansos_name")
HINT_SLOT = "bansos_region_hint"

REGISTER_BUTTON = {"title": "Daftar, usul & sanggah", "payload": "/bansos_register"}
NIK_FAILURE = Failure(FAILURE.service, FAILURE.alternative, not_found="utter_bansos_nik_not_found")
NAME_FAILURE = Failure(FAILURE.service, FAILURE.alternative, not_found="utter_bansos_no_match")
PROGRAMME_STATUS = {"sudah_salur": "sudah disalurkan", "proses": "sedang diproses"}

_CODE = re.compile(r"\d[\d.]*")


async def fetch_regions(step: RegionStep, tracker: Tracker, query: str | None = None) -> list[dict[str, str]]:
    """The regions under the parent chosen before: all of them, or those matching `query`."""
    parent = tracker.get_slot(step.parent_slot) if step.parent_slot else None
    if query:
        body = await gateway().get("/regions/search", q=query, level=step.level, parent=parent)
    else:
        body = await gateway().get("/regions", parent=parent)
    return [item for item in body.get("items") or [] if item.get("code") and item.get("name")]


def stop_search() -> SlotValues:
    """Slot values that end the form with nothing to look up (its submit then says nothing)."""
    return {
        "bansos_method": None,
        **{slot: None for slot in BY_NAME_SLOTS},
        HINT_SLOT: None,
        "requested_slot": None,
    }


class ValidateBansosCheckForm(IdentityFormValidation):
    """The method, then NIK + birth date, or region steps + name (the domain lists all; only
    the chosen method's slots are asked)."""

    def name(self) -> str:
        return "validate_bansos_check_form"

    async def required_slots(
        self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[str]:
        method = tracker.get_slot("bansos_method")
        if method == "nik":
            return ["bansos_method", "nik", "birth_date"]
        if method == "name":
            return ["bansos_method", *BY_NAME_SLOTS]
        return ["bansos_method"]

    async def next_requested_slot(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> EventType | None:
        """Nothing to ask once a validation stopped the search (`stop_search()`): the form ends."""
        if tracker.slots.get("requested_slot") is None and not just_activated(tracker, self.form_name()):
            return None
        return await super().next_requested_slot(dispatcher, tracker, domain)

    async def extract_bansos_method(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        """When the form starts: the method the request names, else none (so it is asked). What
        the request also asked (when it is paid, why it stopped, how much) is answered first."""
        if not just_activated(tracker, self.form_name()):
            return {}
        topic = opening_topic(tracker)
        if topic:
            text = tracker.latest_message.get("text") or ""
            answer(dispatcher, topic, programme_in(text), text, aside=True)
        return {"bansos_method": method_in(tracker)}

    async def validate_bansos_method(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        """A chosen method starts a fresh search: choices of an earlier run are forgotten."""
        fresh = {slot: None for slot in BY_NAME_SLOTS} | {HINT_SLOT: None}
        if value is None:
            return {"bansos_method": None, **fresh}
        # A NIK typed instead of a choice chooses the NIK (the NIK slot takes the number itself).
        method = value if value in METHODS else method_in(tracker) or method_in_text(str(value))
        text = tracker.latest_message.get("text") or ""
        # "cek bansos warga kec. Cibiru atas nama Asep", or "Kabupaten Bogor" typed for the
        # method: a search by name, keeping the regions and the name given.
        given = given_for_name_search(text) if method in (None, "name") and not text.startswith("/") else {}
        if method is None and set(given) - {"bansos_name"}:
            method = "name"
        if method is None:
            dispatcher.utter_message(response="utter_unknown_bansos_method")
        if method == "name":
            fresh |= given
        return {"bansos_method": method, **fresh}

    async def _validate_region(
        self, step: RegionStep, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> SlotValues:
        if value is None:
            return {step.slot: None}
        text = " ".join(str(value).split())
        parent = tracker.get_slot(step.parent_slot) if step.parent_slot else None
        if _CODE.fullmatch(text):  # a button's region_code
            if parent and not text.startswith(parent):
                dispatcher.utter_message(response="utter_wrong_region_button")
                return {step.slot: None}
            return {step.slot: text, HINT_SLOT: None}
        try:
            items = await fetch_regions(step, tracker, query=text)
        except GatewayError as error:
            if error.unavailable:
                unavailable(dispatcher, FAILURE)
                return stop_search()
            dispatcher.utter_message(text=error.detail)
            return {step.slot: None}
        exact = [item for item in items if region_key(item["name"]) == region_key(text)]
        if len(exact) == 1 or len(items) == 1:
            return {step.slot: (exact or items)[0]["code"], HINT_SLOT: None}
        if items:
            dispatcher.utter_message(response="utter_ambiguous_region", label=step.label, typed=text[:60])
            return {step.slot: None, HINT_SLOT: text}
        unknown = "utter_unknown_region" if parent is None else "utter_unknown_region_within"
        dispatcher.utter_message(response=unknown, label=step.label, typed=text[:60])
        return {step.slot: None, HINT_SLOT: None}

    async def validate_bansos_province(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        return await self._validate_region(REGION_STEPS[0], value, dispatcher, tracker)

    async def validate_bansos_regency(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        return await self._validate_region(REGION_STEPS[1], value, dispatcher, tracker)

    async def validate_bansos_district(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        return await self._validate_region(REGION_STEPS[2], value, dispatcher, tracker)

    async def validate_bansos_village(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        return await self._validate_region(REGION_STEPS[3], value, dispatcher, tracker)

    async def validate_bansos_name(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        name = clean_name(str(value or ""))
        if not valid_name(name):
            dispatcher.utter_message(response="utter_invalid_bansos_name")
            return {"bansos_name": None}
        return {"bansos_name": name}


def region_buttons(items: list[dict[str, str]]) -> list[Button]:
    return [
        {"title": item["name"], "payload": payload("inform", region_code=item["code"])}
        for item in items[:MAX_REGION_BUTTONS]
    ]


class AskRegion(Action, abc.ABC):
    """Asks one region step with a button per region under the parent chosen before (or per
    match of an ambiguous typed name). If the regions cannot be fetched, apologises and ends
    the search."""

    @property
    @abc.abstractmethod
    def step(self) -> RegionStep:
        """The step this action asks."""

    def name(self) -> str:
        return f"action_ask_{self.step.slot}"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        hint = tracker.get_slot(HINT_SLOT)
        label = self.step.label
        try:
            items = await fetch_regions(self.step, tracker, query=hint)
        except GatewayError:
            unavailable(dispatcher, FAILURE)
            return [SlotSet(slot, value) for slot, value in stop_search().items()] + [ActiveLoop(None)]
        response = (
            "utter_ask_region_again"
            if hint and items
            else "utter_ask_region"
            if items
            else "utter_ask_region_typed"
        )
        cut = ""
        if len(items) > MAX_REGION_BUTTONS:
            cut = " " + phrase(domain, "utter_region_buttons_cut", shown=MAX_REGION_BUTTONS, total=len(items))
        dispatcher.utter_message(response=response, label=label, cut=cut, buttons=region_buttons(items))
        return [SlotSet(HINT_SLOT, None)] if hint else []


class AskBansosProvince(AskRegion):
    step = REGION_STEPS[0]


class AskBansosRegency(AskRegion):
    step = REGION_STEPS[1]


class AskBansosDistrict(AskRegion):
    step = REGION_STEPS[2]


class AskBansosVillage(AskRegion):
    step = REGION_STEPS[3]


def region_label(region: Any) -> str:
    """A record's region, as the API gives it: a name, or {village, district, regency, province}."""
    if isinstance(region, dict):
        parts = [region.get(key) for key in ("village", "district", "regency", "province")]
        return ", ".join(str(part) for part in parts if part) or str(region.get("name") or "")
    return str(region or "")


def programme_line(programme: dict[str, Any]) -> str:
    details = [f"periode {programme['period']}" if programme.get("period") else ""]
    if programme.get("status"):
        status = str(programme["status"])
        details.append(PROGRAMME_STATUS.get(status, status.replace("_", " ")))
    if programme.get("amount"):
        details.append(amount_text(str(programme.get("programme")), programme["amount"]))
    detail = ", ".join(part for part in details if part)
    return f"• {programme.get('programme', '-')}" + (f": {detail}" if detail else "")


def record_text(record: dict[str, Any]) -> str:
    region = region_label(record.get("region"))
    who = f"{record.get('name', '-')} ({region})" if region else str(record.get("name", "-"))
    programmes = record.get("programmes") or []
    if not programmes:
        return f"{who} saat ini tidak tercatat sebagai penerima bansos."
    return f"{who} tercatat sebagai penerima:\n" + "\n".join(programme_line(p) for p in programmes)


def results_text(records: list[dict[str, Any]], domain: DomainDict) -> str:
    shown = records[:MAX_RESULTS]
    text = "\n\n".join(record_text(record) for record in shown)
    if len(records) > MAX_RESULTS:
        text += "\n\n" + phrase(domain, "utter_bansos_more_results", more=len(records) - MAX_RESULTS)
    receives = any(record.get("programmes") for record in shown)
    next_step = "utter_bansos_correction_next" if receives else "utter_bansos_not_a_recipient_next"
    return f"{text}\n\n{phrase(domain, next_step)}"


class ActionBansosCheck(Action):
    """Looks the recipient up by NIK (after the birth date) or by name in the chosen village."""

    def name(self) -> str:
        return "action_bansos_check"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        method = tracker.get_slot("bansos_method")
        done: list[EventType] = [SlotSet("bansos_method", None), SlotSet(HINT_SLOT, None)]
        done += [SlotSet(slot, None) for slot in BY_NAME_SLOTS]
        if method == "nik":
            return await self._by_nik(dispatcher, tracker, domain) + done
        if method == "name":
            return await self._by_name(dispatcher, tracker, domain) + done
        return done  # the search was stopped before it had what it needs

    async def _by_nik(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        nik, birth_date = tracker.get_slot("nik"), tracker.get_slot("birth_date")
        if not nik or not birth_date:
            return []
        body = {"nik": nik, "birth_date": birth_date}
        record = await verified_lookup(dispatcher, tracker, "/social/recipients/by-nik", body, NIK_FAILURE)
        if record.failed:
            return [*record.events, *([SlotSet("nik", None)] if record.not_found else [])]
        dispatcher.utter_message(
            text=results_text([record.data], domain), buttons=[REGISTER_BUTTON, MAIN_MENU_BUTTON]
        )
        return []

    async def _by_name(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        village, name = tracker.get_slot("bansos_village"), tracker.get_slot("bansos_name")
        if not village or not name:
            return []
        search = gateway().get("/social/recipients", name=name, village=village)
        found = await lookup(dispatcher, search, NAME_FAILURE, name=name)
        if found.failed:
            return []
        records = found.data.get("items") or []
        buttons = [REGISTER_BUTTON, MAIN_MENU_BUTTON]
        if not records:
            dispatcher.utter_message(response="utter_bansos_no_match_next", name=name, buttons=buttons)
        else:
            dispatcher.utter_message(
                response="utter_bansos_results_by_name",
                name=name,
                results=results_text(records, domain),
                buttons=buttons,
            )
        return []
