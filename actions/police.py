"""SIM (driving licence) and SKCK (police record certificate).

- `sim_renewal_form`: NIK and date of birth; `action_sim_renewal` says for each licence
  whether it can be renewed now (SINAR: within 90 days before expiry), from when, or that an
  expired licence needs a new SIM at the Satpas (`POST /police/sim`).
- `sim_fee_form`: the SIM class (an entity, a button or typed); `action_sim_fee` gives the
  new and renewal fees (`GET /police/fees`, PP 60/2016) and the steps.
- `skck_form`: SKCK information and "apply now?", then NIK, date of birth, purpose and a
  confirmation; `action_skck_apply` starts the application (`POST /police/skck`) and gives
  the case number and the billing code.
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
    free_text,
    is_recognisable,
    latest_intent,
    mask_nik,
    payload,
    read_yes_no,
    rupiah,
    tanggal,
    typed_answer,
    waktu,
)
from actions.conversation import Action, FormValidationAction
from actions.flows import IdentityFormValidation, identity_mismatch, just_activated, lookup_failed
from actions.gateway import GatewayError, apology, gateway
from actions.menu import MAIN_MENU_BUTTON
from actions.validation import INVALID_SIM_CLASS
from bot.identifiers import normalize_sim_class

SlotValues = dict[str, Any]

SIM_SERVICE = "SIM Korlantas Polri"
SKCK_SERVICE = "SKCK Polri"
SIM_ALTERNATIVE = (
    "periksa tanggal berlaku pada kartu SIM Anda, lalu ajukan perpanjangan lewat aplikasi SINAR "
    "atau di Satpas Polres terdekat."
)
FEE_ALTERNATIVE = "lihat tarif resmi di Satpas Polres terdekat; tarifnya diatur dalam PP 60/2016."
SKCK_ALTERNATIVE = (
    "ajukan langsung di situs resmi SKCK Polri (skck.polri.go.id) atau di Polres/Polsek terdekat."
)
# SIM issuance and renewal (the 90-day SINAR window, an expired SIM is applied for anew).
SIM_LEGAL_BASIS = "Perpol 5/2021"
RENEWAL_WINDOW_DAYS = 90

# --- SIM renewal -------------------------------------------------------------------------
RENEWAL = "Data SIM atas nama {name}:\n{licences}\n\n{closing}"
RENEWABLE = "berlaku sampai {expires_on}; dapat diperpanjang sekarang."
NOT_YET = "berlaku sampai {expires_on}; perpanjangan baru dapat diajukan mulai {opens_on}."
EXPIRED = (
    "masa berlakunya sudah habis sejak {expires_on}, sehingga tidak dapat diperpanjang. "
    "Anda perlu membuat SIM baru di Satpas Polres, termasuk ujian teori dan praktik."
)
RENEWAL_STEPS = (
    "Perpanjangan dapat diajukan dalam {days} hari sebelum masa berlaku habis ({basis}). Lewat "
    "aplikasi SINAR: siapkan SIM lama dan KTP-el, ikuti tes kesehatan (e-Rikkes) dan tes "
    "psikologi (e-PPsi) online, unggah foto dan tanda tangan, lalu bayar; SIM dikirim lewat pos "
    "dalam 3–7 hari kerja. Perpanjangan juga dapat dilakukan di Satpas Polres atau gerai SIM."
)
WAIT_CLOSING = "Perpanjangan dapat diajukan dalam {days} hari sebelum masa berlaku habis ({basis})."
EXPIRED_CLOSING = "SIM yang sudah habis masa berlakunya tidak dapat diperpanjang ({basis})."
NO_LICENCES = (
    "Tidak ada SIM yang tercatat untuk NIK {nik}. Untuk membuat SIM baru, datanglah ke Satpas "
    "Polres dengan KTP-el; Anda akan mengikuti tes kesehatan, tes psikologi, serta ujian teori dan praktik."
)
SIM_NOT_FOUND = (
    "Tidak ada SIM yang terdaftar untuk NIK {nik}. Mohon periksa kembali NIK Anda. Jika Anda "
    "belum memiliki SIM, buat SIM baru di Satpas Polres dengan membawa KTP-el; Anda akan "
    "mengikuti tes kesehatan, tes psikologi, serta ujian teori dan praktik."
)
CITIZEN_NOT_FOUND = (
    "Data untuk NIK {nik} tidak ditemukan. Mohon periksa kembali NIK Anda, atau tanyakan "
    "langsung ke Polres/Polsek terdekat."
)

# --- SIM fees ------------------------------------------------------------------------------
FEES = "Biaya SIM {sim_class} ({legal_basis}):\n{fees}\n{extra}\n\nLangkahnya:\n{steps}"
OFFICIAL_CHANNELS = "Bayarlah hanya melalui kanal resmi."
TESTS_EXTRA = "Biaya tes kesehatan dan tes psikologi dibayar terpisah."
NO_FEE = (
    "Tarif SIM {sim_class} tidak tercantum dalam daftar tarif yang saya terima. Silakan tanyakan "
    "ke Satpas Polres terdekat."
)
DOMESTIC_STEPS = (
    "• Perpanjangan: lewat aplikasi SINAR dalam 90 hari sebelum masa berlaku habis, atau di "
    "Satpas Polres/gerai SIM.\n"
    "• SIM baru (juga bila SIM lama sudah habis masa berlakunya): datang ke Satpas Polres dengan "
    "KTP-el, ikuti tes kesehatan dan tes psikologi, lalu ujian teori dan praktik."
)
INTERNATIONAL_STEPS = (
    "• Ajukan di layanan SIM Internasional Korlantas Polri dengan paspor dan SIM nasional yang masih berlaku."
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
_TOKENS = re.compile(r"[a-z0-9]+")

# --- SKCK ----------------------------------------------------------------------------------
SKCK_SLOTS = ("skck_apply", "skck_purpose", "skck_confirmed")
APPLY_YES_OR_NO = 'Mohon jawab "Ya" untuk mengajukan SKCK sekarang atau "Tidak" bila cukup informasinya.'
CONFIRM_YES_OR_NO = 'Mohon jawab "Ya" untuk mengirim permohonan atau "Tidak" untuk tidak mengirimnya.'
YES_NO_BUTTONS = [{"title": "Ya", "payload": "/affirm"}, {"title": "Tidak", "payload": "/deny"}]
SHORT_PURPOSE = (
    'Mohon tulis keperluan SKCK dengan jelas, misalnya "melamar pekerjaan" atau "pendaftaran CPNS".'
)
LONG_PURPOSE = (
    'Keperluan SKCK cukup ditulis singkat (paling banyak 100 karakter), misalnya "melamar pekerjaan".'
)
MAX_PURPOSE_CHARS = 100
SKCK_CONFIRM = (
    "Mohon periksa permohonan SKCK Anda:\n"
    "• NIK: {nik}\n"
    "• Keperluan: {purpose}\n\n"
    "Setelah dikirim, Anda menerima nomor permohonan dan kode billing untuk membayar PNBP SKCK. "
    "Kirim permohonan sekarang?"
)
SKCK_NOT_APPLIED = 'Baik. Jika nanti Anda ingin mengajukan SKCK, pilih menu SKCK atau tulis "buat SKCK".'
SKCK_NOT_SENT = "Baik, permohonan SKCK tidak saya kirim."
SKCK_CREATED = (
    "Permohonan SKCK Anda sudah terdaftar dengan nomor {case_number}.\n\n"
    "Kode billing PNBP SKCK: {billing_code}, sebesar {amount} ({legal_basis}); "
    "bayar sebelum {expires_at}.\n\n"
    "Langkah berikutnya:\n{next_steps}"
)
SKCK_VALIDITY = "SKCK berlaku {valid_months} bulan sejak diterbitkan."

SKCK_BUTTON = {"title": "SKCK", "payload": "/police_skck"}
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


def licence_line(licence: dict[str, Any], today: dt.date) -> str:
    """One licence and whether, from when, or why not it can be renewed."""
    expires_on = tanggal(licence.get("expires_on"))
    state = licence_state(licence, today)
    if state == "expired":
        status = EXPIRED.format(expires_on=expires_on)
    elif state == "renewable":
        status = RENEWABLE.format(expires_on=expires_on)
    else:
        opens_on = tanggal((licence.get("renewal") or {}).get("window_opens_on"))
        status = NOT_YET.format(expires_on=expires_on, opens_on=opens_on)
    digits = re.sub(r"\D", "", str(licence.get("number") or ""))  # the API masks all but 4 digits
    number = f" (nomor berakhiran {digits[-4:]})" if len(digits) >= 4 else ""
    return f"• SIM {display_class(licence.get('class'))}{number}: {status}"


def renewal_reply(data: dict[str, Any], today: dt.date) -> str:
    """Every licence of the holder, then the rule (and the SINAR steps if one can be renewed)."""
    licences = data.get("licences") or []
    states = {licence_state(licence, today) for licence in licences}
    if "renewable" in states:
        closing = RENEWAL_STEPS.format(days=RENEWAL_WINDOW_DAYS, basis=SIM_LEGAL_BASIS)
    elif states == {"expired"}:
        closing = EXPIRED_CLOSING.format(basis=SIM_LEGAL_BASIS)
    else:
        closing = WAIT_CLOSING.format(days=RENEWAL_WINDOW_DAYS, basis=SIM_LEGAL_BASIS)
    lines = "\n".join(licence_line(licence, today) for licence in licences)
    return RENEWAL.format(name=data.get("name"), licences=lines, closing=closing)


class ValidateSimRenewalForm(IdentityFormValidation):
    """NIK and date of birth of the licence holder (IdentityFormValidation)."""

    def name(self) -> str:
        return "validate_sim_renewal_form"


class ActionSimRenewal(Action):
    """Whether each of the citizen's licences can be renewed now, later, or no more."""

    def name(self) -> str:
        return "action_sim_renewal"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        nik, birth_date = tracker.get_slot("nik"), tracker.get_slot("birth_date")
        if not nik or not birth_date:
            return []
        try:
            data = await gateway().post("/police/sim", {"nik": nik, "birth_date": birth_date})
        except GatewayError as error:
            if error.code == "identity_mismatch":
                return identity_mismatch(dispatcher, tracker)
            lookup_failed(
                dispatcher,
                error,
                service=SIM_SERVICE,
                alternative=SIM_ALTERNATIVE,
                not_found=SIM_NOT_FOUND.format(nik=mask_nik(nik)),
            )
            return [SlotSet("nik", None)] if error.status == 404 else []
        if not data.get("licences"):
            dispatcher.utter_message(
                text=NO_LICENCES.format(nik=mask_nik(nik)),
                buttons=[{"title": "Biaya SIM", "payload": "/police_sim_fee"}, MAIN_MENU_BUTTON],
            )
            return []
        classes = [licence.get("class") for licence in data["licences"] if licence.get("class")]
        fee_payload = (
            payload("police_sim_fee", sim_class=classes[0]) if len(classes) == 1 else "/police_sim_fee"
        )
        dispatcher.utter_message(
            text=renewal_reply(data, dt.date.today()),
            buttons=[{"title": "Biaya SIM", "payload": fee_payload}, MAIN_MENU_BUTTON],
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


def fee_reply(sim_class: str, fees: dict[str, Any]) -> str | None:
    """The new and renewal fees of `sim_class` with the steps; None if it has no fee."""
    amounts = {str(item.get("service")): item.get("amount") for item in fees.get("items", [])}
    lines = []
    for kind, label in (("new", "SIM baru"), ("renewal", "Perpanjangan")):
        amount = next((amounts[key] for key in fee_keys(sim_class, kind) if key in amounts), None)
        if amount is not None:
            lines.append(f"• {label}: {rupiah(amount)}")
    if not lines:
        return None
    return FEES.format(
        sim_class=display_class(sim_class),
        legal_basis=fees.get("legal_basis") or "PP 60/2016",
        fees="\n".join(lines),
        extra=OFFICIAL_CHANNELS if sim_class == "Internasional" else f"{TESTS_EXTRA} {OFFICIAL_CHANNELS}",
        steps=INTERNATIONAL_STEPS if sim_class == "Internasional" else DOMESTIC_STEPS,
    )


class ValidateSimFeeForm(FormValidationAction):
    """The SIM class: the `sim_class` entity or button, or a typed class."""

    aside = aside_intents("police_sim_fee")

    def name(self) -> str:
        return "validate_sim_fee_form"

    async def extract_sim_class(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        """A typed class the NLU did not extract ("c", "b2 umum", "motor")."""
        if entity_value(tracker, "sim_class"):
            return {}
        text = typed_answer(tracker, "sim_class", self.aside)
        if text is None:
            return {}
        sim_class = read_sim_class(text)
        if sim_class is None:
            dispatcher.utter_message(text=INVALID_SIM_CLASS, buttons=SIM_CLASS_BUTTONS)
        return {"sim_class": sim_class}

    async def validate_sim_class(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        if not value:
            return {"sim_class": None}
        return {"sim_class": normalize_sim_class(str(value))}


class ActionSimFee(Action):
    """The fees of one SIM class (PP 60/2016) and the steps to get or renew it."""

    def name(self) -> str:
        return "action_sim_fee"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        sim_class = tracker.get_slot("sim_class")
        if not sim_class:
            return []
        forget = [SlotSet("sim_class", None)]  # the next fee question asks again
        try:
            fees = await gateway().get("/police/fees")
        except GatewayError:
            dispatcher.utter_message(text=apology(SIM_SERVICE, FEE_ALTERNATIVE), buttons=[MAIN_MENU_BUTTON])
            return forget
        reply = fee_reply(sim_class, fees) or NO_FEE.format(sim_class=display_class(sim_class))
        dispatcher.utter_message(text=reply, buttons=[RENEWAL_BUTTON, MAIN_MENU_BUTTON])
        return forget


# --- SKCK ----------------------------------------------------------------------------------


def purpose_problem(text: str) -> str | None:
    if len(text) > MAX_PURPOSE_CHARS:
        return LONG_PURPOSE
    words = re.findall(r"[^\W\d_]{2,}", text)
    if not words or sum(map(len, words)) < 4 or not any(is_recognisable(word) for word in words):
        return SHORT_PURPOSE
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
        return domain_slots

    def _yes_no(
        self, tracker: Tracker, slot: str, dispatcher: CollectingDispatcher, retry: str
    ) -> SlotValues:
        """A typed yes/no other than the affirm/deny intents (the slot's own mappings)."""
        if latest_intent(tracker) in {"affirm", "deny"}:
            return {}
        text = typed_answer(tracker, slot, self.aside)
        if text is None:
            return {}
        answer = read_yes_no(text)
        if answer is None:
            dispatcher.utter_message(text=retry, buttons=YES_NO_BUTTONS)
        return {slot: answer}

    async def extract_skck_apply(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        return self._yes_no(tracker, "skck_apply", dispatcher, APPLY_YES_OR_NO)

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
        """A typed purpose (the buttons fill the slot through its entity mapping)."""
        text = free_text(tracker, "skck_purpose")
        return {"skck_purpose": text} if text else {}

    async def validate_skck_purpose(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        text = " ".join(str(value or "").split())
        problem = purpose_problem(text)
        if problem:
            dispatcher.utter_message(text=problem)
            return {"skck_purpose": None}
        return {"skck_purpose": text}

    async def extract_skck_confirmed(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        return self._yes_no(tracker, "skck_confirmed", dispatcher, CONFIRM_YES_OR_NO)

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
            text=SKCK_CONFIRM.format(
                nik=mask_nik(tracker.get_slot("nik")), purpose=tracker.get_slot("skck_purpose")
            ),
            buttons=[{"title": "Ya, kirim", "payload": "/affirm"}, {"title": "Tidak", "payload": "/deny"}],
        )
        return []


def _forget_skck() -> list[EventType]:
    return [SlotSet(slot, None) for slot in SKCK_SLOTS]


def skck_reply(created: dict[str, Any]) -> str:
    """Case number, billing code and the gateway's next steps; the validity unless a step says it."""
    billing = created.get("billing") or {}
    valid_months = created.get("valid_months") or 6
    steps = list(created.get("next_steps") or [])
    if not any(f"{valid_months} bulan" in step for step in steps):
        steps.append(SKCK_VALIDITY.format(valid_months=valid_months))
    return SKCK_CREATED.format(
        case_number=created.get("case_number"),
        amount=rupiah(billing.get("amount")),
        billing_code=billing.get("billing_code"),
        expires_at=waktu(billing.get("expires_at")),
        legal_basis=created.get("legal_basis") or "PP 60/2016",
        next_steps="\n".join(f"{number}. {step}" for number, step in enumerate(steps, start=1)),
    )


class ActionSkckApply(Action):
    """Ends `skck_form`: nothing to send, not confirmed, or the application is started."""

    def name(self) -> str:
        return "action_skck_apply"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        if tracker.get_slot("skck_apply") is False:
            dispatcher.utter_message(text=SKCK_NOT_APPLIED, buttons=[MAIN_MENU_BUTTON])
            return _forget_skck()
        if tracker.get_slot("skck_confirmed") is False:
            dispatcher.utter_message(text=SKCK_NOT_SENT, buttons=[SKCK_BUTTON, MAIN_MENU_BUTTON])
            return _forget_skck()
        nik, birth_date, purpose = (tracker.get_slot(s) for s in ("nik", "birth_date", "skck_purpose"))
        if not (nik and birth_date and purpose and tracker.get_slot("skck_confirmed")):
            return _forget_skck()
        try:
            created = await gateway().post(
                "/police/skck", {"nik": nik, "birth_date": birth_date, "purpose": purpose}
            )
        except GatewayError as error:
            if error.code == "identity_mismatch":
                return [*identity_mismatch(dispatcher, tracker), *_forget_skck()]
            if error.unavailable:
                # Keep the purpose: trying again asks "apply now?" and to confirm once more.
                dispatcher.utter_message(
                    text=apology(SKCK_SERVICE, SKCK_ALTERNATIVE),
                    buttons=[{"title": "Coba lagi", "payload": "/police_skck"}, MAIN_MENU_BUTTON],
                )
                return [SlotSet("skck_apply", None), SlotSet("skck_confirmed", None)]
            if error.status == 404:
                dispatcher.utter_message(
                    text=CITIZEN_NOT_FOUND.format(nik=mask_nik(nik)), buttons=[MAIN_MENU_BUTTON]
                )
                return [SlotSet("nik", None), *_forget_skck()]
            dispatcher.utter_message(text=error.detail, buttons=[MAIN_MENU_BUTTON])
            return _forget_skck()
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
        dispatcher.utter_message(text=skck_reply(created), buttons=buttons)
        return [
            *_forget_skck(),
            SlotSet("ticket_id", created.get("case_number")),
            SlotSet("billing_code", billing_code),
        ]
