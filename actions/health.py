"""Health flows: BPJS Kesehatan membership, health facilities, SATUSEHAT immunisations.

- `bpjs_status_form`: NIK or card number, then the birth date (the second factor); `action_bpjs_status`
  answers with status, class, facility, contribution, arrears and how to pay them.
- `facility_search_form`: the region (named or asked); `action_facility_search` lists five
  facilities with address and hours, and a button for the next five (`GET /health/facilities`).
- A BPJS question that reached either form ("bagaimana mengaktifkan kartu ibu saya?", "boleh
  pindah faskes?") asks nothing and gets its topic's answer (actions/health_info.py).
- `immunization_form`: NIK and birth date; `action_immunization_record` lists the vaccines in
  SATUSEHAT (`POST /health/immunizations`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.answers import entity_value, payload, phrase, rupiah, tanggal
from actions.conversation import Action
from actions.flows import fresh_answer, just_activated
from actions.form_validation import FormValidationAction
from actions.gateway import gateway
from actions.health_info import answer_opening_question, answer_topic, opening_question, question_topic
from actions.identity_form import IdentityFormValidation
from actions.lookups import NIK_REFUSAL, Failure, Refusal, lookup, verified_lookup
from actions.menu import MAIN_MENU_BUTTON
from actions.validation import IDENTIFIERS
from bot import identifiers
from bot.regions import find_regions

SlotValues = dict[str, Any]

BPJS_FAILURE = Failure(
    "BPJS Kesehatan",
    "cek melalui aplikasi Mobile JKN, CHIKA di WhatsApp 08118750400, atau Care Center 165.",
    not_found="utter_bpjs_member_not_found",
)
CARD_REFUSAL = Refusal("utter_bpjs_card_mismatch", forget=("bpjs_number", "birth_date"))
SATUSEHAT_FAILURE = Failure(
    "SATUSEHAT",
    "lihat riwayat imunisasi di aplikasi SATUSEHAT Mobile, atau tanyakan ke puskesmas atau posyandu "
    "tempat imunisasi diberikan.",
    not_found="utter_immunization_not_found",
)
PAGE_SIZE = 5

CLASSES = {1: "Kelas I", 2: "Kelas II", 3: "Kelas III"}
SEGMENTS = {
    "PBI": "PBI (Penerima Bantuan Iuran, iuran dibayar pemerintah)",
    "PBPU": "PBPU (pekerja bukan penerima upah/peserta mandiri)",
    "PPU": "PPU (pekerja penerima upah, iuran dibayar bersama pemberi kerja)",
    "BP": "BP (bukan pekerja)",
}
FACILITY_TYPES = {"puskesmas": "puskesmas", "klinik": "klinik", "rumah_sakit": "rumah sakit"}

FACILITY_BUTTON = {"title": "Cari faskes", "payload": "/health_facility_search"}
CONTRIBUTION_BUTTON = {"title": "Iuran BPJS", "payload": "/health_bpjs_contribution"}
OTHER_REGION_BUTTON = {"title": "Cari di wilayah lain", "payload": "/health_facility_search"}
FACILITY_FAILURE = Failure(
    "pencarian faskes",
    "cari lokasi faskes di aplikasi Mobile JKN atau hubungi Care Center 165.",
    not_found="utter_facility_region_not_found",
    buttons=(OTHER_REGION_BUTTON, MAIN_MENU_BUTTON),
)

_WORDS = re.compile(r"[a-z]+")
_HOSPITAL_WORDS = frozenset({"rs", "rsu", "rsud", "rsia", "hospital"})


def named(names: Mapping[Any, str], value: Any) -> str:
    """The Indonesian name of an API value, or the value itself."""
    return names.get(value, "-" if value is None else str(value))


def identified_by_card(tracker: Tracker) -> bool:
    """True when the BPJS card number, not the NIK, identifies the member: it is known and was
    given after the NIK (or no NIK is known)."""
    if not tracker.get_slot("bpjs_number"):
        return False
    if not tracker.get_slot("nik"):
        return True
    for event in reversed(tracker.events):
        if (
            event.get("event") == "slot"
            and event.get("name") in ("nik", "bpjs_number")
            and event.get("value")
        ):
            return event["name"] == "bpjs_number"
    return False


def has_entity(tracker: Tracker, entity: str) -> bool:
    return entity_value(tracker, entity) is not None


class ValidateBpjsStatusForm(IdentityFormValidation):
    """NIK (or BPJS card number) and the member's birth date."""

    def name(self) -> str:
        return "validate_bpjs_status_form"

    async def required_slots(
        self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[str]:
        if just_activated(tracker, self.form_name()) and question_topic(tracker):
            return []  # "bagaimana cara mengaktifkan kartu ibu saya?": answered, not looked up
        if identified_by_card(tracker):
            return ["bpjs_number", "birth_date"]
        return domain_slots

    def _card_typed_for_nik(self, tracker: Tracker) -> bool:
        """A card number was typed where the NIK was asked."""
        return (
            tracker.get_slot("requested_slot") == "nik"
            and fresh_answer(tracker, self.form_name())
            and has_entity(tracker, "bpjs_number")
        )

    async def extract_nik(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        if self._card_typed_for_nik(tracker):
            # Still asking the NIK, so the card number was refused by action_validate_slot_mappings,
            # which said why: ask again (a SlotSet keeps the form from being rejected).
            return {"nik": None}
        return await super().extract_nik(dispatcher, tracker, domain)

    async def extract_bpjs_number(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        """A valid card number typed where the NIK was asked: the card identifies the member."""
        if self._card_typed_for_nik(tracker):
            return {"bpjs_number": tracker.get_slot("bpjs_number")}
        return {}

    async def validate_bpjs_number(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        if value is None:
            return {"bpjs_number": None}
        problem = identifiers.check_bpjs_number(str(value).strip())
        if problem:
            IDENTIFIERS["bpjs_number"].refuse(dispatcher, problem)
            return {"bpjs_number": None}
        return {"bpjs_number": identifiers.digits(str(value))}


def membership(member: dict[str, Any], domain: DomainDict) -> dict[str, str]:
    """The values of `utter_bpjs_membership`: status, class, facility, contribution and arrears,
    with the legal basis and, for arrears or an inactive membership, what to do next."""
    status = "Aktif" if member.get("status") == "aktif" else "Tidak aktif"
    facility = member.get("facility") or {}
    arrears = member.get("arrears") or {}
    months = int(arrears.get("months") or 0)
    lines = [
        f"Status: {status}",
        f"Nomor kartu: {member.get('card_number', '-')}",
        f"Kelas rawat: {named(CLASSES, member.get('class'))}",
        f"Segmen peserta: {named(SEGMENTS, member.get('segment'))}",
        f"Faskes tingkat pertama: {facility.get('name', '-')}, {facility.get('address', '-')}",
        f"Iuran per bulan: {rupiah(member.get('monthly_contribution'))}",
        f"Tunggakan: {months} bulan, total {rupiah(arrears.get('amount'))}"
        if months
        else "Tunggakan: tidak ada",
    ]
    next_step = ""
    if months:
        next_step = phrase(domain, "utter_bpjs_how_to_pay_arrears")
    elif member.get("status") != "aktif":
        next_step = phrase(domain, "utter_bpjs_inactive_no_arrears")
    basis = member.get("legal_basis")
    return {
        "name": str(member.get("name", "-")),
        "details": "\n".join(f"• {line}" for line in lines),
        "legal_basis": f"\n\nBesaran iuran menurut {basis}." if basis else "",
        "next_step": f"\n\n{next_step}" if next_step else "",
    }


class ActionBpjsStatus(Action):
    """Looks the member up and answers; on a mismatch forgets the pair."""

    def name(self) -> str:
        return "action_bpjs_status"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        topic = question_topic(tracker)
        if topic:  # a how-to question, perhaps about someone else: no record is shown
            answer_topic(dispatcher, topic)
            return [SlotSet("health_topic", topic)]
        by_card = identified_by_card(tracker)
        identifier = tracker.get_slot("bpjs_number" if by_card else "nik")
        birth_date = tracker.get_slot("birth_date")
        if not identifier or not birth_date:
            return []  # the form was stopped before it had both
        body = {"card_number" if by_card else "nik": identifier, "birth_date": birth_date}
        member = await verified_lookup(
            dispatcher,
            tracker,
            "/health/bpjs/membership",
            body,
            BPJS_FAILURE,
            CARD_REFUSAL if by_card else NIK_REFUSAL,
            identifier="nomor kartu" if by_card else "NIK",
        )
        if member.failed:
            return member.events
        dispatcher.utter_message(
            response="utter_bpjs_membership",
            buttons=[FACILITY_BUTTON, CONTRIBUTION_BUTTON, MAIN_MENU_BUTTON],
            **membership(member.data, domain),
        )
        return []


def resolve_region(text: str) -> str | None:
    """The official name of the region typed as an answer to "where?" ("bandung", "kec.
    coblong"); the answer is read as a place, as if preceded by "di"."""
    mentions = find_regions(f"di {text}")
    return mentions[0].region.name if mentions else None


class ValidateFacilitySearchForm(FormValidationAction):
    """The region whose facilities are listed."""

    def name(self) -> str:
        return "validate_facility_search_form"

    async def required_slots(
        self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[str]:
        return [] if opening_question(tracker, self.form_name()) else domain_slots  # "boleh pindah faskes?"

    async def validate_facility_region(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        text = " ".join(str(value or "").split())
        region = resolve_region(text) if text else None
        if region is None:
            dispatcher.utter_message(response="utter_unknown_facility_region", typed=text[:60])
            return {"facility_region": None}
        return {"facility_region": region}


def facility_type_in(text: str) -> str | None:
    """puskesmas | klinik | rumah_sakit when the request names a kind of facility."""
    words = _WORDS.findall(text.lower())
    if "puskesmas" in words:
        return "puskesmas"
    if "klinik" in words:
        return "klinik"
    if _HOSPITAL_WORDS & set(words) or "rumah sakit" in " ".join(words):
        return "rumah_sakit"
    return None


def requested_facility_type(tracker: Tracker) -> str | None:
    """The kind of facility asked for: in the "next page" payload, else in the request that
    started the search."""
    given = entity_value(tracker, "facility_type")
    if given in FACILITY_TYPES:
        return given
    for event in reversed(tracker.events):
        if event.get("event") != "user":
            continue
        text = event.get("text") or ""
        found = None if text.startswith("/") else facility_type_in(text)
        intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
        if found or intent == "health_facility_search":
            return found
    return None


def requested_offset(tracker: Tracker) -> int:
    value = entity_value(tracker, "facility_offset")
    return int(value) if value is not None and str(value).isdigit() else 0


def facility_line(number: int, item: dict[str, Any]) -> str:
    kind = named(FACILITY_TYPES, item.get("type") or "faskes")
    partner = "mitra BPJS Kesehatan" if item.get("bpjs_partner") else "bukan mitra BPJS Kesehatan"
    details = f"Jam layanan: {item.get('hours') or '-'}"
    if item.get("phone"):
        details += f"; telp. {item['phone']}"
    return f"{number}. {item.get('name', '-')} ({kind}, {partner})\n{item.get('address', '-')}\n{details}"


class ActionFacilitySearch(Action):
    """One page of facilities in the region, with a button for the next page."""

    def name(self) -> str:
        return "action_facility_search"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        region = tracker.get_slot("facility_region")
        if not region:  # a BPJS question that opened the search is answered (actions/health_info.py)
            return answer_opening_question(dispatcher, tracker, "facility_search_form")
        kind = requested_facility_type(tracker)
        offset = requested_offset(tracker)
        done = [SlotSet("facility_region", None)]
        search = gateway().get("/health/facilities", region=region, type=kind, offset=offset, limit=PAGE_SIZE)
        found = await lookup(dispatcher, search, FACILITY_FAILURE, region=region)
        if found.failed:
            return done
        region_name = (found.data.get("region") or {}).get("name") or region
        kind_label = FACILITY_TYPES.get(kind or "", "faskes")
        items = found.data.get("items") or []
        if not items:
            dispatcher.utter_message(
                response="utter_no_facilities",
                kind=kind_label,
                region=region_name,
                buttons=[OTHER_REGION_BUTTON, MAIN_MENU_BUTTON],
            )
            return done
        total = int(found.data.get("total") or len(items))
        shown_to = offset + len(items)
        lines = [facility_line(offset + index, item) for index, item in enumerate(items, start=1)]
        buttons = []
        if shown_to < total:
            more = {"region": region_name, "facility_offset": str(shown_to)}
            if kind:
                more["facility_type"] = kind
            buttons.append(
                {"title": "Faskes berikutnya", "payload": payload("health_facility_search", **more)}
            )
        buttons += [OTHER_REGION_BUTTON, MAIN_MENU_BUTTON]
        dispatcher.utter_message(
            response="utter_facilities",
            kind=kind_label,
            region=region_name,
            first=str(offset + 1),
            last=str(shown_to),
            total=str(total),
            facilities="\n\n".join(lines),
            buttons=buttons,
        )
        return done


class ValidateImmunizationForm(IdentityFormValidation):
    """NIK and birth date of the person whose immunisations are shown."""

    family_records = True  # a child's: a verified member of the same KK sees it

    def name(self) -> str:
        return "validate_immunization_form"


def immunization_lines(record: dict[str, Any]) -> str:
    """One line per vaccine given, oldest first; "" when none is recorded."""
    entries = sorted(record.get("records") or [], key=lambda entry: str(entry.get("date") or ""))
    lines = []
    for entry in entries:
        dose = f" dosis {entry['dose']}" if entry.get("dose") not in (None, "") else ""
        place = f", {entry['facility']}" if entry.get("facility") else ""
        lines.append(f"• {entry.get('vaccine', '-')}{dose}: {tanggal(entry.get('date'))}{place}")
    return "\n".join(lines)


class ActionImmunizationRecord(Action):
    """The SATUSEHAT immunisation record of the NIK, after the birth date matched."""

    def name(self) -> str:
        return "action_immunization_record"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        nik, birth_date = tracker.get_slot("nik"), tracker.get_slot("birth_date")
        if not nik or not birth_date:
            return []
        record = await verified_lookup(
            dispatcher,
            tracker,
            "/health/immunizations",
            {"nik": nik, "birth_date": birth_date},
            SATUSEHAT_FAILURE,
        )
        if record.failed:
            return record.events
        name, lines = str(record.data.get("name", "-")), immunization_lines(record.data)
        buttons = [FACILITY_BUTTON, MAIN_MENU_BUTTON]
        if lines:
            dispatcher.utter_message(
                response="utter_immunizations", name=name, records=lines, buttons=buttons
            )
        else:
            dispatcher.utter_message(response="utter_no_immunizations", name=name, buttons=buttons)
        return []
