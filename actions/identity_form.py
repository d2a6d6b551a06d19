"""The identity step of every form that shows personal data (`IdentityFormValidation`).

It asks for the NIK (checked by `bot.identifiers`) and the date of birth (a cheap first check
only: NIK digits 7-12 are the birth date), then verifies the citizen through the gateway
(`POST /identity/otp`): at once when the conversation is already verified for that NIK or the
channel vouches for the number registered with Dukcapil, else with a six-digit code sent by
SMS to that number, typed back as the `otp_code` slot (`POST /identity/otp/verify`). A form
whose record is not keyed by NIK (a BPJS card, a NISN, a CASN number) asks the citizen's NIK
for it. `verified_for` keeps the NIK verified, so another service in the same session asks no
new code. A form started about someone else ("kartu bpjs ibu saya", "anak saya") starts a fresh
subject: the identifiers and birth dates kept from earlier turns are dropped (`PERSONAL_SLOTS`),
so that another person's record is asked for, and the citizen's own is never shown again
unasked. What every form shares beyond this is in actions/flows.py.
"""

from __future__ import annotations

import abc
import datetime as dt
import re
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.answers import latest_intent
from actions.conversation import Action
from actions.flows import SlotValues, fresh_answer, is_answer
from actions.form_validation import FormValidationAction
from actions.gateway import GatewayError, gateway
from actions.history import about_someone_else, being_activated, since_latest_user, value_before_latest_user
from actions.identity_dates import date_with_identifier, gave_identifier, parse_birth_date
from actions.menu import MAIN_MENU_BUTTON, Button
from actions.validation import IDENTIFIERS
from bot import identifiers

# Identity verification (domain/verification.yml): the code typed back, the NIK the gateway
# verified this conversation for, and the NIK a code was last sent for.
OTP_SLOT = "otp_code"
VERIFIED_SLOT = "verified_for"
OTP_SENT_SLOT = "otp_sent_for"
OTP_DONE = "verified"  # the value of `otp_code` once verified: the code itself is not kept
# A person's identifiers and birth dates: dropped when the conversation turns to someone else.
PERSONAL_SLOTS = (
    "nik", "birth_date", "bpjs_number", "kk_number", "nisn", "student_birth_date", "participant_number",
)  # fmt: skip
_CODE = re.compile(r"(?<!\d)(\d{6})(?!\d)")
_RESEND = re.compile(r"\b(kirim|kirimkan|minta)\b.*\b(ulang|lagi|baru)\b|\bresend\b|\bulang\b", re.IGNORECASE)


def _channel(tracker: Tracker) -> str | None:
    """The channel of the latest message: the connectors' `metadata.channel` (Telegram,
    WhatsApp), else Rasa's input channel (the gateway names the conversation's channel)."""
    metadata = tracker.latest_message.get("metadata") or {}
    channel = metadata.get("channel") if isinstance(metadata, dict) else None
    channel = channel or tracker.get_latest_input_channel()
    return str(channel) if channel else None


# Proof given outside the chat while the code is asked, by intent: the responses when the
# gateway then says the session is verified, and when it does not.
PROOF_ELSEWHERE = {
    "share_contact": ("utter_verified_by_channel", "utter_otp_not_a_code"),  # Telegram, WhatsApp
    "identity_verified": ("utter_identity_verified", "utter_inapas_not_verified"),  # INApas, web
}

# The web channel's choice at the code step: a new SMS code (typed "kirim ulang", read by
# extract_otp_code) or the login with INApas, which the widget opens itself and answers with
# `/identity_verified` (docs/channels.md#login-with-inapas).
WEB_CHOICES: list[Button] = [
    {"title": "Kirim ulang kode SMS", "payload": "kirim ulang kode"},
    {"title": "Masuk dengan INApas", "payload": "/login_inapas"},
]


def verification_slots(slots: list[str], tracker: Tracker) -> list[str]:
    """`slots` with the verification step after the birth date: the citizen's NIK when the
    form has none, and the code; nothing once the conversation is verified for the NIK."""
    anchor = next((slot for slot in ("birth_date", "student_birth_date") if slot in slots), None)
    if anchor is None:
        return slots
    verified = tracker.get_slot(VERIFIED_SLOT)
    if "nik" in slots:
        needed = [] if verified and verified == tracker.get_slot("nik") else [OTP_SLOT]
    else:
        needed = [] if verified else ["nik", OTP_SLOT]
    if not needed:
        return slots
    at = slots.index(anchor) + 1
    return [*slots[:at], *needed, *slots[at:]]


class IdentityFormValidation(FormValidationAction):
    """Validation of `nik`, `birth_date` and the verification code for forms that show
    personal data.

    Subclasses set `form_name` (via `name()`) and add their own `validate_<slot>` methods;
    `family_records`: the record may be a family member's (a child's immunisations or PIP),
    which a verified member of the same KK may see.
    """

    family_records = False

    @abc.abstractmethod
    def name(self) -> str:  # pragma: no cover - subclasses name themselves
        """Abstract, so that rasa-sdk's register_package skips this base class."""

    async def _slots_to_fill(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[str]:
        slots = await self.required_slots(self.domain_slots(domain), dispatcher, tracker, domain)
        return verification_slots(list(slots), tracker)

    async def get_extraction_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """rasa-sdk's, over the required slots with the verification step; a form started
        about someone else first drops the identifiers kept from earlier turns."""
        extracted: SlotValues = self._new_subject(tracker)
        tracker.slots.update(extracted)
        for slot in await self._slots_to_fill(dispatcher, tracker, domain):
            output = await self._extract_slot(slot, dispatcher, tracker, domain)
            extracted.update(output)
            tracker.slots.update(output)
        return [SlotSet(slot, value) for slot, value in extracted.items()]

    def _new_subject(self, tracker: Tracker) -> SlotValues:
        """On activation by a message about someone else: the personal slots that this message
        did not fill, emptied."""
        text = str(tracker.latest_message.get("text") or "")
        if not being_activated(tracker, self.form_name()) or not about_someone_else(text):
            return {}
        fresh = since_latest_user(tracker)  # with the kept values Rasa appends for validation
        given = {
            slot for slot in PERSONAL_SLOTS
            if fresh.get(slot) is not None and fresh[slot] != value_before_latest_user(tracker, slot)
        }  # fmt: skip
        return {
            slot: None for slot in PERSONAL_SLOTS if tracker.slots.get(slot) is not None and slot not in given
        }

    async def get_validation_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """rasa-sdk's, over the required slots with the verification step (and the slots the
        code's extraction sets), so that they are not dropped as foreign to the form."""
        allowed = {
            *await self._slots_to_fill(dispatcher, tracker, domain),
            OTP_SLOT,
            VERIFIED_SLOT,
            OTP_SENT_SLOT,
            *PERSONAL_SLOTS,
        }
        slots: SlotValues = {
            name: value for name, value in tracker.slots_to_validate().items() if name in allowed
        }
        for name, value in list(slots.items()):
            validate = getattr(self, f"validate_{name.replace('-', '_')}", None)
            if validate is None:
                continue
            output = await validate(value, dispatcher, tracker, domain)
            if isinstance(output, dict):
                slots.update(output)
                tracker.slots.update(output)
        return [SlotSet(name, value) for name, value in slots.items()]

    async def next_requested_slot(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> EventType | None:
        """The next missing slot; on reaching the code, the verification starts (and, when the
        gateway verifies at once, the form goes on to the slot after it). The code is missing
        whenever it is required: a value left from another NIK's verification does not count."""
        missing = await self._missing(dispatcher, tracker, domain)
        if missing == OTP_SLOT and tracker.get_slot(OTP_SENT_SLOT) != tracker.get_slot("nik"):
            await self._start_verification(dispatcher, tracker)
            missing = await self._missing(dispatcher, tracker, domain)
        base = await self.required_slots(self.domain_slots(domain), dispatcher, tracker, domain)
        if base == self.domain_slots(domain) and (missing is None or missing in base):
            return None  # as rasa-sdk: Rasa's form asks its next (domain) slot itself
        return SlotSet("requested_slot", missing)

    async def _missing(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> str | None:
        slots = await self._slots_to_fill(dispatcher, tracker, domain)
        return next((slot for slot in slots if slot == OTP_SLOT or tracker.slots.get(slot) is None), None)

    async def _extract_validation_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """rasa-sdk's, plus the verification slots `_start_verification` changed on the way."""
        watched = (VERIFIED_SLOT, OTP_SLOT, OTP_SENT_SLOT)
        before = {slot: tracker.slots.get(slot) for slot in watched}
        events = list(await super()._extract_validation_events(dispatcher, tracker, domain))
        changed = [
            SlotSet(slot, tracker.slots.get(slot))
            for slot in watched
            if tracker.slots.get(slot) != before[slot]
        ]
        return [*events, *changed]

    async def _start_verification(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
        """`POST /identity/otp` for the NIK: verified at once, or a code sent (the NIK marked,
        so a wrong code sends no new one). Writes the outcome into `tracker.slots`."""
        nik = tracker.get_slot("nik")
        try:
            answer = await gateway().post("/identity/otp", {"nik": nik, "family": self.family_records})
        except GatewayError:
            dispatcher.utter_message(response="utter_verification_unavailable")
            tracker.slots[OTP_SENT_SLOT] = nik  # "kirim ulang" tries again
            return
        if answer.get("verified"):
            if answer.get("method") == "channel":
                dispatcher.utter_message(response="utter_verified_by_channel")
            tracker.slots.update({VERIFIED_SLOT: nik, OTP_SLOT: OTP_DONE})
            return
        tracker.slots[OTP_SENT_SLOT] = nik
        if _channel(tracker) == "telegram":
            dispatcher.utter_message(response="utter_offer_share_number")

    async def extract_otp_code(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        """The code typed back while it is asked for (read from the text: six digits), or
        "kirim ulang" for a new one. Only the outcome is kept, never the code."""
        if tracker.get_slot("requested_slot") != OTP_SLOT or not fresh_answer(tracker, self.form_name()):
            return {}
        nik = tracker.get_slot("nik")
        proof = PROOF_ELSEWHERE.get(latest_intent(tracker) or "")
        if proof is not None:
            return await self._proved_elsewhere(dispatcher, nik, *proof)
        text = tracker.latest_message.get("text") or ""
        if text.startswith("/"):
            return {}
        code = _CODE.search(text)
        if code is None and _RESEND.search(text):
            try:
                await gateway().post("/identity/otp", {"nik": nik, "family": self.family_records})
            except GatewayError:
                dispatcher.utter_message(response="utter_verification_unavailable")
                return {OTP_SLOT: None}
            dispatcher.utter_message(response="utter_otp_resent")
            return {OTP_SLOT: None}
        if code is None:
            if not is_answer(tracker):
                return {}  # another question asked instead: the interruption rules answer it
            dispatcher.utter_message(response="utter_otp_not_a_code")
            return {OTP_SLOT: None}
        try:
            await gateway().post("/identity/otp/verify", {"nik": nik, "code": code.group(1)})
        except GatewayError as error:
            if error.unavailable:
                dispatcher.utter_message(response="utter_verification_unavailable")
            else:
                dispatcher.utter_message(response="utter_otp_invalid")
            return {OTP_SLOT: None}
        dispatcher.utter_message(response="utter_identity_verified")
        return {OTP_SLOT: OTP_DONE, VERIFIED_SLOT: nik, OTP_SENT_SLOT: None}

    async def _proved_elsewhere(
        self, dispatcher: CollectingDispatcher, nik: str | None, verified: str, refused: str
    ) -> SlotValues:
        """Proof given outside the chat while the code is asked: a contact shared (the gateway
        recorded it when the channel vouched it is the sender's own) or a login with INApas
        (the gateway bound the session). The message proves nothing: the gateway says whether
        the session is now verified for the NIK. If not, the code stays asked."""
        try:
            answer = await gateway().post("/identity/otp", {"nik": nik, "family": self.family_records})
        except GatewayError:
            dispatcher.utter_message(response="utter_verification_unavailable")
            return {OTP_SLOT: None}
        if answer.get("verified"):
            dispatcher.utter_message(response=verified)
            return {OTP_SLOT: OTP_DONE, VERIFIED_SLOT: nik, OTP_SENT_SLOT: None}
        dispatcher.utter_message(response=refused)
        return {OTP_SLOT: None}

    async def extract_birth_date(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        """While the form asks for it; or given with the identifier in the same message ("nik
        …, lahir 3 November 1977"), whenever that comes. A date elsewhere is not a birth date."""
        if not fresh_answer(tracker, self.form_name()):
            return {}
        text = tracker.latest_message.get("text") or ""
        if tracker.get_slot("requested_slot") != "birth_date" or gave_identifier(tracker):
            paired = date_with_identifier(tracker, text)
            return {"birth_date": paired.isoformat()} if paired else {}
        if text.startswith("/"):
            return {}
        parsed = parse_birth_date(text)
        if parsed is None:
            if not is_answer(tracker):
                return {}  # another question asked instead: the interruption rules answer it
            dispatcher.utter_message(response="utter_invalid_birth_date")
            # A SlotSet (not {}) keeps the form running, so the message is sent and the form
            # asks again; with nothing extracted Rasa rejects the form and drops the message.
            return {"birth_date": None}
        return {"birth_date": parsed.isoformat()}

    async def validate_birth_date(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        if value is None:  # refused by extract_birth_date, which said why
            return {"birth_date": None}
        try:
            born = dt.date.fromisoformat(str(value))
        except ValueError:
            dispatcher.utter_message(response="utter_invalid_birth_date")
            return {"birth_date": None}
        if born > dt.date.today():
            dispatcher.utter_message(response="utter_impossible_birth_date")
            return {"birth_date": None}
        return {"birth_date": born.isoformat()}

    async def extract_nik(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        """While the NIK is asked for, digits that are no NIK (so no `nik` entity) get a reason
        and the question again, rather than a rejected form."""
        if tracker.get_slot("requested_slot") != "nik" or not fresh_answer(tracker, self.form_name()):
            return {}
        if any(True for _ in tracker.get_latest_entity_values("nik")):
            return {}  # the from_entity mapping and validate_nik handle it
        text = tracker.latest_message.get("text") or ""
        if text.startswith("/") or not any(char.isdigit() for char in text) or not is_answer(tracker):
            return {}  # no digits, or a question asked in passing ("berapa iuran kelas 1?")
        problem = identifiers.check_nik(text)
        if problem is None:
            return {}
        IDENTIFIERS["nik"].refuse(dispatcher, problem)
        return {"nik": None}

    async def validate_nik(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        if value is None:
            return {"nik": None}
        text = str(value).strip()
        problem = identifiers.check_nik(text)
        if problem:
            IDENTIFIERS["nik"].refuse(dispatcher, problem)
            return {"nik": None}
        return {"nik": identifiers.digits(text)}


class ActionAskOtpCode(Action):
    """The form's question for the code; on the web it offers the login with INApas too."""

    def name(self) -> str:
        return "action_ask_otp_code"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        if _channel(tracker) == "web":
            dispatcher.utter_message(response="utter_ask_otp_code_web", buttons=WEB_CHOICES)
        else:
            dispatcher.utter_message(response="utter_ask_otp_code")
        return []


class ActionIdentityVerified(Action):
    """`/identity_verified` outside a form (the widget after a login with INApas): anyone can
    send it, so the gateway says whether the conversation holds a verified session."""

    def name(self) -> str:
        return "action_identity_verified"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        try:
            session = await gateway().get("/identity/session")
        except GatewayError:
            dispatcher.utter_message(response="utter_identity_check_failed", buttons=[MAIN_MENU_BUTTON])
            return []
        verified = "utter_inapas_verified" if session.get("verified") else "utter_inapas_session_missing"
        dispatcher.utter_message(response=verified, buttons=[MAIN_MENU_BUTTON])
        return []
