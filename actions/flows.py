"""What every guided flow (Rasa form) shares: the identity second factor, answers to a
question asked mid-form, and cancelling.

- `IdentityFormValidation`: base for the validation action of any form that shows personal
  data. It asks for the NIK (checked by `bot.identifiers`) and the date of birth (a cheap first
  check only: NIK digits 7-12 are the birth date), then verifies the citizen through the
  gateway (`POST /identity/otp`): at once when the conversation is already verified for that
  NIK or the channel vouches for the number registered with Dukcapil, else with a six-digit
  code sent by SMS to that number, typed back as the `otp_code` slot (`POST /identity/otp/verify`).
  A form whose record is not keyed by NIK (a BPJS card, a NISN, a CASN number) asks the
  citizen's NIK for it. `verified_for` keeps the NIK verified, so another service in the same
  session asks no new code. `identity_mismatch()` words a refused birth date, or hands the
  conversation to an officer when the previous run of the same form was refused too.
- `action_answer_aside`: mid-form, the citizen asks something else; this answers with the
  intent's `utter_<intent>` response, and the form's rule then runs the form again, which
  repeats its question.
- `action_cancel_flow`: "batal", "gak jadi": stop the active form and say what next.
- `fresh_answer()`: whether the latest user message is still unanswered (a form's extraction
  must not read the question answered by `action_answer_aside` as the form's answer).
- `typed_choice()`, `typed_yes_no()`: read a typed answer to a question asked with buttons.
- `is_answer()`, `just_activated()`: whether the latest message answers a form's question (intent
  `inform`, or not understood), and whether it is the message that opened the form.
"""

from __future__ import annotations

import abc
import datetime as dt
import re
from collections.abc import Callable, Sequence
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.answers import entity_value, latest_intent, read_yes_no, typed_answer
from actions.conversation import Action, FormValidationAction
from actions.gateway import GatewayError, gateway
from actions.handoff import signal_handoff
from actions.menu import MAIN_MENU_BUTTON, Button
from actions.validation import IDENTIFIERS
from bot import identifiers
from bot.dates import find_dates

SlotValues = dict[str, Any]

# Identity verification (domain/verification.yml): the code typed back, the NIK the gateway
# verified this conversation for, and the NIK a code was last sent for.
OTP_SLOT = "otp_code"
VERIFIED_SLOT = "verified_for"
OTP_SENT_SLOT = "otp_sent_for"
OTP_DONE = "verified"  # the value of `otp_code` once verified: the code itself is not kept
_CODE = re.compile(r"(?<!\d)(\d{6})(?!\d)")
_RESEND = re.compile(r"\b(kirim|kirimkan|minta)\b.*\b(ulang|lagi|baru)\b|\bresend\b|\bulang\b", re.IGNORECASE)

# Set to the form's name when the gateway refuses its identity pair: read back from the events
# (refused_before), as a mark on that run of the form.
MISMATCH_SLOT = "identity_mismatch_form"

# Intents of a message that answers the form's question. Any other intent may be a question
# asked aside: an extract_ method then returns {} so that the form is rejected and the
# interruption rules answer it (a value returned, even None, keeps the form going instead).
ANSWER_INTENTS = frozenset({"inform", "nlu_fallback"})


def is_answer(tracker: Tracker) -> bool:
    """The latest message was classified as an answer (`inform`) or was not understood."""
    return (tracker.latest_message.get("intent") or {}).get("name") in ANSWER_INTENTS


def just_activated(tracker: Tracker, form: str) -> bool:
    """True while `form` runs for the message that activated it."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return False
        if event.get("event") == "active_loop" and event.get("name") == form:
            return True
    return False


def latest_form(tracker: Tracker) -> str | None:
    """The form activated last in this session: for a submit action, the form that just ended."""
    for event in reversed(tracker.events):
        if event.get("event") in ("session_started", "restart"):
            return None
        if event.get("event") == "active_loop" and event.get("name"):
            return str(event["name"])
    return None


def refused_before(tracker: Tracker, form: str) -> bool:
    """True when the previous run of `form` in this session ended in an identity mismatch: its
    mark (MISMATCH_SLOT set to `form`) lies between the form's previous activation and its latest.
    A run in between that was not refused (verified, cancelled) breaks the row."""
    activations = 0
    marked = False
    for event in reversed(tracker.events):
        kind = event.get("event")
        if kind in ("session_started", "restart"):
            return False  # also skips the mark carried over into a new session
        if kind == "active_loop" and event.get("name") == form:
            activations += 1
            if activations == 2:
                return marked
        elif activations == 1 and kind == "slot" and event.get("name") == MISMATCH_SLOT:
            marked = marked or event.get("value") == form
    return False


def identity_mismatch(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    *,
    refusal: str = "utter_identity_mismatch",
    buttons: Sequence[Button] = (MAIN_MENU_BUTTON,),
    forget: Sequence[str] = ("nik", "birth_date"),
) -> list[EventType]:
    """The gateway refused the identity pair (`identity_mismatch`): forget it, so the next attempt
    asks again, and refuse politely (the response `refusal`). The second refusal in a row in the
    same form hands the conversation to an officer instead (reason `escalation`). Submit actions
    call this after their form has ended, so no form is left active."""
    events: list[EventType] = [SlotSet(slot, None) for slot in forget]
    form = latest_form(tracker)
    if form and refused_before(tracker, form):
        dispatcher.utter_message(response="utter_identity_unverified")
        signal_handoff(dispatcher, tracker, "escalation", form=form)
        return [*events, SlotSet(MISMATCH_SLOT, None)]  # after the officer, a new row starts
    dispatcher.utter_message(response=refusal, buttons=list(buttons))
    return [*events, SlotSet(MISMATCH_SLOT, form)] if form else events


def fresh_answer(tracker: Tracker, form: str) -> bool:
    """True when the latest user message is what `form` is validating now: no other action
    (e.g. `action_answer_aside`) has run since it. Extractors reading the message's text use
    this, so that the re-run of a form after an aside does not take the aside as an answer."""
    for event in reversed(tracker.events):
        kind = event.get("event")
        if kind == "user":
            return True
        if kind == "action" and event.get("name") not in (form, "action_extract_slots", "action_listen"):
            return False
    return False


def typed_choice(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    slot: str,
    aside: frozenset[str],
    read: Callable[[str], Any],
    *,
    unknown: str,
    buttons: Sequence[Button] = (),
    **values: Any,
) -> SlotValues:
    """A typed answer to the question for `slot`, asked with buttons: `read` turns the text into
    the slot's value. None read: the response `unknown` (with `buttons`), and the question again.
    {} when the message is no typed answer: a button's entity, another slot asked, an aside."""
    if entity_value(tracker, slot):
        return {}
    text = typed_answer(tracker, slot, aside)
    if text is None:
        return {}
    value = read(text)
    if value is None:
        dispatcher.utter_message(response=unknown, buttons=list(buttons), **values)
    return {slot: value}


def typed_yes_no(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    slot: str,
    aside: frozenset[str],
    *,
    unknown: str,
    buttons: Sequence[Button],
) -> SlotValues:
    """A typed yes or no ("iya kirim", "gak jadi") to a confirmation; a plain yes/no comes through
    the slot's own `affirm`/`deny` mappings."""
    if latest_intent(tracker) in {"affirm", "deny"}:
        return {}
    return typed_choice(dispatcher, tracker, slot, aside, read_yes_no, unknown=unknown, buttons=buttons)


def parse_birth_date(text: str, today: dt.date | None = None) -> dt.date | None:
    """The first date written in `text` (any format `bot.dates` reads), or None."""
    mentions = find_dates(text, today=today)
    return mentions[0].date if mentions else None


def _channel(tracker: Tracker) -> str | None:
    metadata = tracker.latest_message.get("metadata") or {}
    channel = metadata.get("channel") if isinstance(metadata, dict) else None
    return str(channel) if channel else None


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
        """rasa-sdk's, over the required slots with the verification step."""
        extracted: SlotValues = {}
        for slot in await self._slots_to_fill(dispatcher, tracker, domain):
            output = await self._extract_slot(slot, dispatcher, tracker, domain)
            extracted.update(output)
            tracker.slots.update(output)
        return [SlotSet(slot, value) for slot, value in extracted.items()]

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
        if latest_intent(tracker) == "share_contact":
            return await self._shared_number(dispatcher, tracker, nik)
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

    async def _shared_number(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, nik: str | None
    ) -> SlotValues:
        """A contact shared while the code is asked: the gateway recorded it when the channel
        vouched it is the sender's own; it verifies when it is the registered number."""
        try:
            answer = await gateway().post("/identity/otp", {"nik": nik, "family": self.family_records})
        except GatewayError:
            dispatcher.utter_message(response="utter_verification_unavailable")
            return {OTP_SLOT: None}
        if answer.get("verified"):
            dispatcher.utter_message(response="utter_verified_by_channel")
            return {OTP_SLOT: OTP_DONE, VERIFIED_SLOT: nik, OTP_SENT_SLOT: None}
        dispatcher.utter_message(response="utter_otp_not_a_code")
        return {OTP_SLOT: None}

    async def extract_birth_date(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        """Only while the form asks for it: a date elsewhere is not a birth date."""
        if tracker.get_slot("requested_slot") != "birth_date" or not fresh_answer(tracker, self.form_name()):
            return {}
        text = tracker.latest_message.get("text") or ""
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
        if text.startswith("/") or not any(char.isdigit() for char in text):
            return {}
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


class ActionAnswerAside(Action):
    """Answer a question asked in the middle of a form; the form then asks again."""

    def name(self) -> str:
        return "action_answer_aside"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        response = f"utter_{intent}"
        if response in domain.get("responses", {}):
            dispatcher.utter_message(response=response)
        else:
            dispatcher.utter_message(response="utter_aside_later")
        return []


def form_own_slots(domain: DomainDict, form: str) -> list[str]:
    """The required slots of `form` that only it fills (a slot mapping conditioned on the form),
    as opposed to the identifiers and the birth date kept for the session."""
    slots = domain.get("slots", {})
    return [
        name
        for name in domain.get("forms", {}).get(form, {}).get("required_slots", [])
        if any(
            condition.get("active_loop") == form
            for mapping in slots.get(name, {}).get("mappings", [])
            for condition in mapping.get("conditions") or []
        )
    ]


class ActionCancelFlow(Action):
    """Stop the active form and forget what it was asking for, and the answers given to it
    (not the identifiers), so that starting it again asks again."""

    def name(self) -> str:
        return "action_cancel_flow"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        dispatcher.utter_message(response="utter_flow_cancelled", buttons=[MAIN_MENU_BUTTON])
        form = tracker.active_loop_name
        answers = [
            SlotSet(slot, None)
            for slot in (form_own_slots(domain, form) if form else [])
            if tracker.get_slot(slot) is not None
        ]
        return [ActiveLoop(None), SlotSet("requested_slot", None), *answers]
