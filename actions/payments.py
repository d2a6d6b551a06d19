"""Digital payments: vehicle tax (Samsat) and PNBP billing codes (SIMPONI).

- `vehicle_tax_form` (`plate_number`) → `action_vehicle_tax`: `GET /payments/vehicle-tax/{plate}`
  (PKB, SWDKLLJ, fine, due date), then offers a payment code (`tax_billing_offered`; "ya" →
  `action_vehicle_tax_billing`: `POST /payments/vehicle-tax/{plate}/billing`).
- `pnbp_billing_form` (`pnbp_service` chosen from `GET /payments/tariffs`, `nik`) →
  `action_pnbp_billing`: `POST /payments/billings`, a billing code with its expiry.
- `billing_status_form` (`billing_code`) → `action_billing_status`: `GET /payments/billings/{code}`.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.answers import aside_intents, entity_value, payload, rupiah, tanggal, typed_answer, waktu
from actions.conversation import Action, FormValidationAction
from actions.flows import IdentityFormValidation, just_activated, lookup_failed
from actions.gateway import GatewayError, apology, gateway
from actions.menu import MAIN_MENU_BUTTON, Button
from actions.validation import INVALID_PLATE
from bot.identifiers import digits, normalize_plate

SlotValues = dict[str, Any]

STATUS_BUTTON: Button = {"title": "Cek status pembayaran", "payload": "/pay_billing_status"}
NEW_BILLING_BUTTON: Button = {"title": "Buat kode billing", "payload": "/pay_create_billing"}
OFFICE_BUTTON: Button = {"title": "Jam & alamat kantor", "payload": "/office_info"}
EXPIRY = "lewat dari itu kode kedaluwarsa dan perlu dibuat yang baru."
PAY_CHANNELS = (
    "Bayar melalui teller bank, ATM, internet/mobile banking, kantor pos, atau kanal pembayaran "
    "resmi lain. Setelah dibayar, simpan bukti bayar yang memuat NTPN."
)


def billing_reply(billing: dict[str, Any]) -> str:
    """A new billing code: what it pays, how much, until when, and where."""
    lines = [
        f"Kode billing Anda: {billing.get('billing_code')}",
        f"{billing.get('description')}: {rupiah(billing.get('amount'))}",
        f"Nomor kasus: {billing.get('case_number')}",
        f"Bayar sebelum {waktu(billing.get('expires_at'))}; {EXPIRY}",
        PAY_CHANNELS,
    ]
    if billing.get("legal_basis"):
        lines.append(f"Dasar hukum: {billing['legal_basis']}.")
    return "\n".join(lines)


# --- Vehicle tax -------------------------------------------------------------------------

TAX_SERVICE = "Samsat"
TAX_ALTERNATIVE = "cek dan bayar melalui aplikasi SIGNAL atau kantor Samsat terdekat."
PLATE_NOT_FOUND = (
    "Kendaraan dengan nomor polisi {plate} tidak ditemukan. Mohon periksa kembali nomornya "
    "seperti tertulis di STNK, misalnya B 1234 XYZ."
)
TAX_OFFER = "Buat kode bayar sebesar {total} sekarang?"
NOTHING_DUE = "Tidak ada tagihan pajak yang perlu dibayar saat ini."
OFFER_BUTTONS: list[Button] = [
    {"title": "Ya, buat kode bayar", "payload": "/affirm"},
    {"title": "Tidak", "payload": "/deny"},
]


def compact_plate(plate: str) -> str:
    """ "B 1234 XYZ" → "B1234XYZ" (the contract accepts both; no spaces in the path)."""
    return plate.replace(" ", "")


def tax_reply(tax: dict[str, Any]) -> str:
    vehicle = tax.get("vehicle") or {}
    described = " ".join(str(vehicle[key]) for key in ("brand", "year") if vehicle.get(key))
    kind = f"{vehicle['type']} " if vehicle.get("type") else ""
    heading = f"Pajak kendaraan {tax.get('plate')}"
    if described or kind:
        heading += f" ({kind}{described})".replace(" )", ")")
    if tax.get("region"):
        heading += f", {tax['region']}"
    overdue = int(tax.get("overdue_days") or 0)
    due = f"Jatuh tempo: {tanggal(tax.get('due_date'))}"
    due += f" (terlambat {overdue} hari)." if overdue > 0 else "."
    lines = [
        f"{heading}:",
        f"• PKB: {rupiah(tax.get('pkb'))}",
        f"• SWDKLLJ: {rupiah(tax.get('swdkllj'))}",
        f"• Denda: {rupiah(tax.get('fine') or 0)}",
        f"Total: {rupiah(tax.get('total'))}",
        due,
    ]
    if tax.get("legal_basis"):
        lines.append(f"Dasar hukum: {tax['legal_basis']}.")
    return "\n".join(lines)


class ValidateVehicleTaxForm(FormValidationAction):
    """The plate number (the `plate_number` entity, "B 1234 XYZ")."""

    aside = aside_intents("pay_vehicle_tax")

    def name(self) -> str:
        return "validate_vehicle_tax_form"

    async def extract_plate_number(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        if entity_value(tracker, "plate_number"):
            return {}
        if typed_answer(tracker, "plate_number", self.aside) is None:
            return {}
        dispatcher.utter_message(text=INVALID_PLATE)
        return {"plate_number": None}

    async def validate_plate_number(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        if value is None:
            return {"plate_number": None}
        plate = normalize_plate(str(value))
        if plate is None:
            dispatcher.utter_message(text=INVALID_PLATE)
        return {"plate_number": plate}


class ActionVehicleTax(Action):
    """The vehicle tax due for a plate, then the offer of a payment code."""

    def name(self) -> str:
        return "action_vehicle_tax"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        plate = tracker.get_slot("plate_number")
        no_offer = [SlotSet("tax_billing_offered", None)]
        if not plate:
            return no_offer
        try:
            tax = await gateway().get(f"/payments/vehicle-tax/{compact_plate(plate)}")
        except GatewayError as error:
            lookup_failed(
                dispatcher,
                error,
                service=TAX_SERVICE,
                alternative=TAX_ALTERNATIVE,
                not_found=PLATE_NOT_FOUND.format(plate=plate),
                buttons=(OFFICE_BUTTON, MAIN_MENU_BUTTON),
            )
            return [*no_offer, SlotSet("plate_number", None)] if error.status == 404 else no_offer
        reply = tax_reply(tax)
        if int(tax.get("total") or 0) <= 0:
            dispatcher.utter_message(text=f"{reply}\n\n{NOTHING_DUE}", buttons=[MAIN_MENU_BUTTON])
            return no_offer
        dispatcher.utter_message(text=reply)
        dispatcher.utter_message(text=TAX_OFFER.format(total=rupiah(tax.get("total"))), buttons=OFFER_BUTTONS)
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
        try:
            billing = await gateway().post(f"/payments/vehicle-tax/{compact_plate(plate)}/billing")
        except GatewayError as error:
            lookup_failed(
                dispatcher,
                error,
                service=TAX_SERVICE,
                alternative=TAX_ALTERNATIVE,
                not_found=PLATE_NOT_FOUND.format(plate=plate),
            )
            return done
        dispatcher.utter_message(text=billing_reply(billing), buttons=[STATUS_BUTTON, MAIN_MENU_BUTTON])
        return [*done, SlotSet("billing_code", billing.get("billing_code"))]


# --- PNBP billing codes ------------------------------------------------------------------

PNBP_SERVICE = "SIMPONI (kode billing PNBP)"
PNBP_ALTERNATIVE = (
    "buat kode billing di loket atau aplikasi resmi instansi pemberi layanan (Polri untuk SIM "
    "dan SKCK, Imigrasi untuk paspor)."
)
ASK_SERVICE = "Kode billing untuk layanan apa? Pilih di bawah ini, atau tulis, misalnya “perpanjangan SIM C”."
ASK_SERVICE_NARROWED = "Layanan yang mana? Pilih salah satu:"
UNKNOWN_SERVICE = (
    "Maaf, layanan itu tidak ada dalam daftar tarif PNBP yang dapat dibuatkan kode billing di "
    "sini (SIM, SKCK, dan paspor)."
)
NIK_NOT_FOUND = (
    "NIK tersebut tidak ditemukan dalam data kependudukan. Mohon periksa kembali 16 digit NIK Anda."
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
    """The question and its buttons: the tariffs `hint` points at, else all of them (as
    groups by first word when there are many)."""
    narrowed = match_tariffs(hint, tariffs) if hint else []
    if 1 < len(narrowed) <= MAX_CHOICES:
        return ASK_SERVICE_NARROWED, [tariff.button() for tariff in narrowed]
    if len(tariffs) <= MAX_LIST:
        return ASK_SERVICE, [tariff.button() for tariff in tariffs]
    groups: dict[str, list[Tariff]] = {}
    for tariff in tariffs:
        groups.setdefault(tariff.label.split()[0], []).append(tariff)
    buttons = [
        members[0].button()
        if len(members) == 1
        else {"title": group, "payload": payload("inform", pnbp_service=group)}
        for group, members in groups.items()
    ]
    return ASK_SERVICE, buttons


class ValidatePnbpBillingForm(IdentityFormValidation):
    """The service (a tariff key, or typed words that point at one) and the payer's NIK."""

    aside = aside_intents("pay_create_billing")

    def name(self) -> str:
        return "validate_pnbp_billing_form"

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
            dispatcher.utter_message(text=UNKNOWN_SERVICE)
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
            dispatcher.utter_message(text=UNKNOWN_SERVICE)
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
            lookup_failed(
                dispatcher,
                error,
                service=PNBP_SERVICE,
                alternative=PNBP_ALTERNATIVE,
                not_found=UNKNOWN_SERVICE,
            )
            return [SlotSet("requested_slot", None)]
        if not tariffs:
            dispatcher.utter_message(text=apology(PNBP_SERVICE, PNBP_ALTERNATIVE), buttons=[MAIN_MENU_BUTTON])
            return [SlotSet("requested_slot", None)]
        hint = entity_value(tracker, "pnbp_service") or tracker.latest_message.get("text")
        text, buttons = tariff_buttons(tariffs, None if (hint or "").startswith("/") else hint)
        dispatcher.utter_message(text=text, buttons=buttons)
        return []


class ActionPnbpBilling(Action):
    """Creates the billing code for the chosen service and NIK."""

    def name(self) -> str:
        return "action_pnbp_billing"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        service, nik = tracker.get_slot("pnbp_service"), tracker.get_slot("nik")
        done = [SlotSet("pnbp_service", None)]
        if not (service and nik):
            return done  # the form ended early and already said why
        try:
            billing = await gateway().post("/payments/billings", {"service": service, "nik": nik})
        except GatewayError as error:
            lookup_failed(
                dispatcher,
                error,
                service=PNBP_SERVICE,
                alternative=PNBP_ALTERNATIVE,
                not_found=NIK_NOT_FOUND,
                buttons=(NEW_BILLING_BUTTON, MAIN_MENU_BUTTON),
            )
            return [*done, SlotSet("nik", None)] if error.status == 404 else done
        dispatcher.utter_message(text=billing_reply(billing), buttons=[STATUS_BUTTON, MAIN_MENU_BUTTON])
        return [*done, SlotSet("billing_code", billing.get("billing_code"))]


# --- Billing status ----------------------------------------------------------------------

BILLING_DIGITS = 15
BILLING_ALTERNATIVE = "cek bukti bayar (NTPN) Anda atau tanyakan ke instansi yang menerbitkan kode billing."
INVALID_BILLING = (
    "Kode billing terdiri dari 15 digit angka, sedangkan yang Anda kirim {got} digit. Mohon periksa kembali."
)
NO_BILLING = (
    "Kode billing belum saya temukan dalam pesan Anda. Kode billing terdiri dari 15 digit angka "
    "dan tertera pada pesan saat kode dibuat."
)
CASE_NOT_BILLING = (
    "{ticket} adalah nomor kasus, bukan kode billing. Kode billing terdiri dari 15 digit angka "
    "dan tertera pada pesan saat kode dibuat."
)
BILLING_NOT_FOUND = "Kode billing {code} tidak ditemukan. Mohon periksa kembali 15 digit kodenya."


class ValidateBillingStatusForm(FormValidationAction):
    """The 15-digit billing code (the `billing_code` entity)."""

    aside = aside_intents("pay_billing_status")

    def name(self) -> str:
        return "validate_billing_status_form"

    async def extract_billing_code(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        if entity_value(tracker, "billing_code"):
            return {}
        text = typed_answer(tracker, "billing_code", self.aside)
        if text is None:
            return {}
        ticket = entity_value(tracker, "ticket_id")
        if ticket:
            dispatcher.utter_message(text=CASE_NOT_BILLING.format(ticket=ticket))
        elif digits(text):
            dispatcher.utter_message(text=INVALID_BILLING.format(got=len(digits(text))))
        else:
            dispatcher.utter_message(text=NO_BILLING)
        return {"billing_code": None}

    async def validate_billing_code(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        if value is None:
            return {"billing_code": None}
        code = digits(str(value))
        if len(code) != BILLING_DIGITS:
            dispatcher.utter_message(text=INVALID_BILLING.format(got=len(code)))
            return {"billing_code": None}
        return {"billing_code": code}


def billing_status_reply(billing: dict[str, Any]) -> tuple[str, list[Button]]:
    status = billing.get("status")
    heading = (
        f"Kode billing {billing.get('billing_code')} ({billing.get('case_number')}): "
        f"{billing.get('description')}, {rupiah(billing.get('amount'))}."
    )
    if status == "lunas":
        return f"{heading}\nStatus: LUNAS, dibayar {waktu(billing.get('paid_at'))}.", [MAIN_MENU_BUTTON]
    if status == "kedaluwarsa":
        text = (
            f"{heading}\nStatus: KEDALUWARSA sejak {waktu(billing.get('expires_at'))}; kode ini tidak dapat "
            "dibayar lagi. Silakan buat kode billing baru."
        )
        return text, [NEW_BILLING_BUTTON, MAIN_MENU_BUTTON]
    text = (
        f"{heading}\nStatus: BELUM DIBAYAR. Bayar sebelum {waktu(billing.get('expires_at'))}.\n{PAY_CHANNELS}"
    )
    return text, [MAIN_MENU_BUTTON]


class ActionBillingStatus(Action):
    """Whether a billing code is paid, unpaid or expired."""

    def name(self) -> str:
        return "action_billing_status"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        code = tracker.get_slot("billing_code")
        if not code:
            return []
        try:
            billing = await gateway().get(f"/payments/billings/{code}")
        except GatewayError as error:
            lookup_failed(
                dispatcher,
                error,
                service=PNBP_SERVICE,
                alternative=BILLING_ALTERNATIVE,
                not_found=BILLING_NOT_FOUND.format(code=code),
            )
            return [SlotSet("billing_code", None)] if error.status == 404 else []
        text, buttons = billing_status_reply(billing)
        dispatcher.utter_message(text=text, buttons=buttons)
        return []
