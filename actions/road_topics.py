"""Questions about the rules of the police and payment services, answered from the fact registry
instead of starting a lookup: a lost or expired SIM, how long a SIM takes, what a first SIM needs
and from what age, SKCK validity, a lost
SKCK or its waived tariff, late vehicle tax, SWDKLLJ, the 5-yearly STNK and plates, what to bring to
Samsat, SIGNAL, paying a billing code, passport fees, moving a vehicle's registration to another region,
a police loss report's fee.

The forms of these services (sim_renewal_form, sim_fee_form, skck_form, vehicle_tax_form,
pnbp_billing_form, billing_status_form) open with the citizen's message: when that message asks
one of these questions, `gate_slots()` ends the form at once (no slot is asked) and the form's
submit action calls `answer_topic()`, which answers it. A message with the identifier a lookup
needs (a plate, a billing code) or asking to check one's own data is never a topic question.

`action_road_topic` answers the topic again from the `road_topic` slot with the parameter of
the latest message or the slots (vehicle kind, passport kind, SIM class): an elliptical
follow-up ("kalau mobil?", "kalau paspor elektronik?") re-runs it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.answers import entity_value
from actions.conversation import Action
from actions.flows import just_activated
from actions.menu import MAIN_MENU_BUTTON, Button
from knowledge import facts

TOPIC_SLOT = "road_topic"
VEHICLE_SLOT = "vehicle_kind"
PASSPORT_SLOT = "passport_kind"

# "SKCK berlaku berapa lama? eh maksud saya SIM": the subject after the correction wins.
_CORRECTION = re.compile(r"\b(?:eh|maksud(?:nya| saya| sy| ku)?|salah|koreksi|bukan)\b[\s,.:]*", re.I)
_PERSONAL = re.compile(r"\bcek\b|\bcekin\b|\bngecek\b|\bperiksa\b|\bnik\b|\d{8,}", re.I)

SIM = r"\bsim\b(?!\s*card|\s*hp)"
SKCK = r"\bskck\b|catatan kepolisian"
VEHICLE_TAX = r"\bpajak\b|\bpkb\b|\bstnk\b|\bsamsat\b"
TAX_OR_VEHICLE = VEHICLE_TAX + r"|\bkendaraan\b|\bmotor\b|\bmobil\b"
PLATES = VEHICLE_TAX + r"|\bplat\b|\bpelat\b|\btnkb\b|\bkendaraan\b"
LOST = r"\b(?:hilang|ilang|kehilangan|rusak|patah|robek|dicuri|kecurian|dicopet|kecopetan)\b"
EXPIRED = (
    r"\b(?:sudah|udah|udh|sdh|dah|telah|terlanjur|keburu)\s+(?:\w+\s+){0,2}?"
    r"(?:mati|habis|lewat|kadaluarsa|kedaluwarsa|kadaluwarsa|expired|tidak berlaku|gak berlaku)\b"
    r"|\b(?:mati|habis|lewat|telat|expired)\s+(?:\d+|se|satu|dua|tiga|empat|lima|enam|beberapa)\s*"
    r"(?:hari|minggu|bulan|bln|tahun|thn)\b"
    r"|\bsim\s+(?:yang\s+|yg\s+)?(?:mati|expired|kadaluarsa|kedaluwarsa)\b"
    r"|\b(?:lupa|telat|terlambat)\s+(?:perpanjang|memperpanjang|diperpanjang)\b"
)
NOT_YET = r"\b(?:sebentar lagi|hampir|akan|mau|segera|belum)\s+(?:habis|mati|expired)\b"
DURATION = (
    r"\bberapa\s+lama\b|\bbrp\s+lama\b|\blama(?:nya)?\s+(?:proses|pembuatan|bikin|buat|jadi)\b"
    r"|\bberapa\s+hari\b|\bkapan\s+(?:jadi|sampai|sampe|dikirim|tiba|diantar)\b|\bdikirim\b"
    r"|\bpengiriman\b|\bsampai\s+(?:ke\s+)?rumah\b|\bdiantar\b|\bjadinya\b"
)
VALIDITY = r"\bberlaku\b|\bberlakunya\b|\bmasa\s+aktif\b|\bberapa\s+tahun\b"
SKCK_EXTEND = r"\bperpanjang\w*|\bkadaluarsa\b|\bkedaluwarsa\b|\bhabis\b|\bmati\b|\bexpired\b"
WAIVER = (
    r"\bgratis\b|\brp\s?0\b|\bnol\s+rupiah\b|\btidak\s+mampu\b|\bsktm\b|\bpelajar\b|\bmahasiswa\b"
    r"|\bumkm\b|\btanpa\s+biaya\b|\bgak\s+bayar\b|\btidak\s+bayar\b"
)
LATE = (
    r"\bdenda\w*|\bbunga\w*|\bsanksi\b|\btelat\b|\bterlambat\b|\bnunggak\b|\bmenunggak\b"
    r"|\blewat\s+jatuh\s+tempo\b"
)
RULE_QUESTION = (
    r"\bberapa\b|\bbrp\b|\bgimana\b|\bbagaimana\b|\bkalau\b|\bkalo\b|\bklo\b|\baturan\w*"
    r"|\bhitung\w*|\bpersen\b|\bapa\b"
)
SWDKLLJ = r"\bswdkllj\b|jasa\s+raharja|sumbangan\s+wajib"
FIVE_YEARLY = (
    r"\b(?:5|lima)\s*tahun(?:an)?\b|\bganti\s+(?:plat|pelat|nopol|plat\s+nomor|pelat\s+nomor)\b|\btnkb\b"
    r"|\bperpanjang(?:an)?\s+stnk\b|\bstnk\s+(?:mati|habis)\b|\bplat\s+nomor\s+(?:baru|habis|mati)\b"
)
BRING = (
    r"\bbawa\b|\bdibawa\b|\bsyarat\w*|\bpersyaratan\b|\bdokumen\s+apa\b|\bperlu\s+apa\b"
    r"|\bapa\s+saja\s+yang\b"
)
ONLINE = (
    r"\bonline\b|\bsignal\b|\baplikasi\b|\bdari\s+rumah\b|\b(?:lewat|via|pakai)\s+hp\b"
    r"|\btanpa\s+ke\s+samsat\b"
)
BILLING = r"kode\s+billing|\bbilling\b|\bsimponi\b|\bpnbp\b|\bkode\s+bayar\b"
HOW_TO_PAY = (
    r"\bcara\s+bayar\w*|\bbayar(?:nya)?\s+(?:di|dimana|lewat|pakai|via|ke)\b|\bdi\s?mana\b"
    r"|\bkadaluarsa\b|\bkedaluwarsa\b|\bexpired\b|\bhangus\b|\bberlaku\b|\bsampai\s+kapan\b|\bbatas\s+waktu\b"
)
SIM_REQUIREMENTS = (
    r"\bsyarat\w*|\bpersyaratan\b|\b(?:di)?bawa\s+apa\b|\bdokumen\s+apa\b|\bperlu\s+apa\b"
    r"|\bapa\s+saja\s+yang\s+(?:di)?(?:perlu|bawa|siapkan)\w*|\bprosedur\w*|\bcara\s+(?:bikin|buat|membuat)\b"
)
SIM_RENEWAL = r"\bperpanjang\w*|\bmati\b|\bhabis\b|\bexpired\b"
AGE = (
    r"\bumur\w*|\busia\w*|\bumr\b|\b(?:1[5-9]|2[0-3])\s*(?:tahun|thn|th)\b"
    r"|\bberapa\s+tahun\s+(?:boleh|bisa|baru|sudah|udah)\b|\bbelum\s+(?:cukup\s+)?umur\b|\bdi\s?bawah\s+umur\b"
)
MUTATION = (
    r"\bmutasi\b|\bcabut\s+berkas\b|\bpindah\s+(?:plat|pelat|nopol|samsat)\b"
    r"|\b(?:pindah|mutasi)\w*\s+(?:\w+\s+)?(?:kendaraan|motor|mobil)\b|\b(?:kendaraan|motor|mobil)\s+(?:\w+\s+)?(?:pindah|mutasi)\w*"
)
VEHICLE = r"\bkendaraan\b|\bmotor\b|\bmobil\b|\bstnk\b|\bbpkb\b|\bplat\b|\bpelat\b|\bnopol\b|\bsamsat\b"
LOSS_REPORT = (
    r"surat\s+(?:keterangan\s+)?(?:kehilangan|hilang)|laporan\s+kehilangan|\bsktlk\b"
    r"|lapor\w*\s+(?:ke\s+)?(?:polisi|polsek|polres)\s+(?:\w+\s+){0,3}?(?:hilang|kehilangan)"
    r"|lapor\w*\s+kehilangan"
)
FREE_OR_PRICE = (
    r"\bbiaya\w*|\bberapa\b|\bbrp\b|\bharga\w*|\btarif\w*|\bbayar\w*|\bgratis\b|\bdipungut\b"
    r"|\bduit\b|\buang\b"
)
PASSPORT = r"\bpaspor\b|\bpassport\b|\bpasport\b|\be-?paspor\b"
PRICE = r"\bbiaya\w*|\bberapa\b|\bbrp\b|\bharga\w*|\btarif\w*|\bbayar\b"


@dataclass(frozen=True)
class Topic:
    """A question about a rule: its subject, what is asked, and the response answering it."""

    name: str
    subject: str
    cue: str
    response: str
    personal_blocks: bool = True  # "cek ..." / a NIK: the citizen wants their own data
    also: str | None = None  # a second cue that must be present too
    unless: str | None = None

    def matches(self, subject_text: str, text: str) -> bool:
        if not re.search(self.subject, subject_text, re.I) or not re.search(self.cue, text, re.I):
            return False
        if self.also and not re.search(self.also, text, re.I):
            return False
        if self.unless and re.search(self.unless, text, re.I):
            return False
        return not (self.personal_blocks and _PERSONAL.search(text))


TOPICS = (
    Topic("sim_lost", SIM, LOST, "utter_topic_sim_lost", personal_blocks=False),
    Topic("sim_expired", SIM, EXPIRED, "utter_topic_sim_expired", personal_blocks=False, unless=NOT_YET),
    Topic("sim_age", SIM, AGE, "utter_topic_sim_age", unless=r"\bberlaku\w*|\bmasa\s+aktif\b"),
    Topic("sim_duration", SIM, DURATION, "utter_topic_sim_duration", unless=r"\bberlaku"),
    Topic("sim_requirements", SIM, SIM_REQUIREMENTS, "utter_topic_sim_requirements", unless=SIM_RENEWAL),
    Topic("sim_validity", SIM, VALIDITY, "utter_topic_sim_validity", unless=r"\bhabis\b|\bmati\b"),
    Topic("skck_lost", SKCK, LOST, "utter_topic_skck_lost", personal_blocks=False),
    Topic("skck_validity", SKCK, VALIDITY + "|" + SKCK_EXTEND, "utter_topic_skck_validity"),
    Topic("skck_waiver", SKCK, WAIVER, "utter_topic_skck_waiver"),
    Topic("swdkllj", SWDKLLJ, r".", "utter_topic_swdkllj"),
    Topic("vehicle_tax_late", TAX_OR_VEHICLE, LATE, "utter_topic_vehicle_tax_late", also=RULE_QUESTION),
    Topic("five_yearly", PLATES, FIVE_YEARLY, "utter_topic_five_yearly"),
    Topic("samsat_online", VEHICLE_TAX, ONLINE, "utter_topic_samsat_online"),
    Topic("samsat_bring", VEHICLE_TAX, BRING, "utter_topic_samsat_bring"),
    Topic("billing_payment", BILLING, HOW_TO_PAY, "utter_topic_billing_payment"),
    Topic("passport_fee", PASSPORT, PRICE, "utter_topic_passport_fee"),
    Topic("vehicle_mutation", MUTATION, VEHICLE, "utter_topic_vehicle_mutation"),
    Topic("loss_report", LOSS_REPORT, FREE_OR_PRICE, "utter_topic_loss_report", personal_blocks=False),
)  # fmt: skip
BY_NAME = {topic.name: topic for topic in TOPICS}


def find_topic(text: str, *, identifier: bool = False) -> Topic | None:
    """The rule `text` asks about, or None. `identifier`: the message holds a plate or a
    billing code, so it asks for a lookup."""
    if identifier or not text or text.startswith("/"):
        return None
    parts = _CORRECTION.split(text)
    corrected = parts[-1] if len(parts) > 1 else ""
    for topic in TOPICS:
        if corrected and re.search(topic.subject, corrected, re.I) and topic.matches(corrected, text):
            return topic
    return next((topic for topic in TOPICS if topic.matches(text, text)), None)


def message_topic(tracker: Tracker) -> Topic | None:
    """The topic of the latest message, unless it carries an identifier for a lookup; or, for a
    short follow-up that only changes the parameter right after a topic answer ("kalau mobil?"),
    that topic again."""
    identifier = any(entity_value(tracker, name) for name in ("plate_number", "billing_code"))
    text = tracker.latest_message.get("text") or ""
    return find_topic(text, identifier=identifier) or (None if identifier else follow_up_topic(tracker, text))


_ELLIPSIS = re.compile(
    r"^\W*(?:kalau|kalo|klo|kl|kalau\s+untuk|gimana|bagaimana|trus|terus|lalu|untuk|utk|buat|yang)\b", re.I
)
PARAMETERS: dict[str, Callable[[str], str | None]] = {}  # filled below: topic → its parameter's reader


def follow_up_topic(tracker: Tracker, text: str) -> Topic | None:
    """The topic answered just before, when `text` is an elliptical follow-up naming a new
    value of that topic's parameter."""
    if len(text.split()) > 7 or not _ELLIPSIS.search(text):
        return None
    last_bot = next((event for event in reversed(tracker.events) if event.get("event") == "bot"), None)
    response = str(((last_bot or {}).get("metadata") or {}).get("utter_action") or "")
    topic = BY_NAME.get(str(tracker.get_slot(TOPIC_SLOT)))
    if topic is None or response != topic.response or topic.name not in PARAMETERS:
        return None
    return topic if PARAMETERS[topic.name](text) else None


def opening_topic(tracker: Tracker, form: str) -> Topic | None:
    """The topic of the message that opened `form` in this turn (not of an aside re-run)."""
    if not just_activated(tracker, form) or answered_in_passing(tracker):
        return None
    return message_topic(tracker)


def answered_in_passing(tracker: Tracker) -> bool:
    """The latest message was already answered as a question asked aside in a form (the form
    then runs again with its own `active_loop` event, which must not count as its opening)."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return False
        if event.get("event") == "action" and event.get("name") == "action_answer_aside":
            return True
    return False


def answered_aside(dispatcher: CollectingDispatcher, tracker: Tracker, text: str | None) -> bool:
    """Mid-form, a typed reply that asks a topic question ("dendanya berapa kalau telat?" while
    the plate is asked): answered here, so that the form asks its question again instead of
    refusing the reply as a value. `text`: the typed answer (None when there is none)."""
    topic = find_topic(text or "", identifier=False)
    if topic is None:
        return False
    values = VALUES[topic.name](text or "", tracker) if topic.name in VALUES else {}
    dispatcher.utter_message(response=topic.response, **values)
    return True


def gate_slots(tracker: Tracker, form: str, slots: list[str]) -> list[str]:
    """A form's required slots: none when its opening message asks a topic question."""
    return [] if opening_topic(tracker, form) else slots


# --- Parameters ------------------------------------------------------------------------------

_MOTORCYCLE = re.compile(r"\bmotor\b|\bsepeda motor\b|\broda\s*(?:2|dua|3|tiga)\b|\bskuter\b|\bmatic\b", re.I)
_CAR = re.compile(r"\bmobil\b|\broda\s*(?:4|empat)\b|\bsedan\b|\bjeep\b|\bpick\s?-?up\b|\bminibus\b", re.I)
_ELECTRONIC = re.compile(r"\belektronik\b|\be-?paspor\b|\bepaspor\b|\bchip\b", re.I)
_ORDINARY = re.compile(r"\bbiasa\b|\bnon[\s-]?elektronik\b|\bkonvensional\b", re.I)
_TEN_YEARS = re.compile(r"\b(?:10|sepuluh)\s*(?:tahun|thn)\b", re.I)
_FIVE_YEARS = re.compile(r"\b(?:5|lima)\s*(?:tahun|thn)\b", re.I)


def vehicle_kind(text: str) -> str | None:
    """ "motor", "roda dua" → "motorcycle"; "mobil", "roda empat" → "car"."""
    if _MOTORCYCLE.search(text):
        return "motorcycle"
    return "car" if _CAR.search(text) else None


def passport_kind(text: str) -> str | None:
    """ "paspor elektronik 10 tahun" → "electronic_10y"; "e-paspor" → "electronic"."""
    kind = "electronic" if _ELECTRONIC.search(text) else "non_electronic" if _ORDINARY.search(text) else ""
    years = "10y" if _TEN_YEARS.search(text) else "5y" if _FIVE_YEARS.search(text) else ""
    return "_".join(part for part in (kind, years) if part) or None


VEHICLE_LABELS = {"motorcycle": "sepeda motor", "car": "mobil"}
PASSPORT_LABELS = {
    "non_electronic_5y": "Paspor biasa (non-elektronik) 5 tahun",
    "non_electronic_10y": "Paspor biasa (non-elektronik) 10 tahun",
    "electronic_5y": "Paspor elektronik 5 tahun",
    "electronic_10y": "Paspor elektronik 10 tahun",
}


def vehicle_lines(fact_id: str, kind: str | None) -> str:
    """ "• Sepeda motor: <amount> per tahun" for the kind asked, or for both."""
    fact = facts.get(fact_id)
    kinds = [kind] if kind else list(VEHICLE_LABELS)
    return "\n".join(f"• {VEHICLE_LABELS[key].capitalize()}: {fact.text_of(key)}" for key in kinds)


def passport_lines(kind: str | None) -> str:
    """The passport fees matching `kind` ("electronic", "10y", "electronic_10y"; None: all)."""
    fact = facts.get("passport.fee")
    keys = [
        key
        for key in PASSPORT_LABELS
        if kind is None or key == kind or key.startswith(f"{kind}_") or key.endswith(f"_{kind}")
    ]
    return "\n".join(f"• {PASSPORT_LABELS[key]}: {fact.text_of(key)}" for key in keys or PASSPORT_LABELS)


def _vehicle(text: str, tracker: Tracker) -> str | None:
    return vehicle_kind(text) or tracker.get_slot(VEHICLE_SLOT)


def _passport(text: str, tracker: Tracker) -> str | None:
    return passport_kind(text) or tracker.get_slot(PASSPORT_SLOT)


def fine_tiers() -> str:
    """The SWDKLLJ fine tiers, "<rate> bila terlambat <from>-<to> hari, ...", from the registry."""
    rates = facts.get("swdkllj.late_fine.rates").value
    ends = facts.get("swdkllj.late_fine.tier_ends").value
    starts = [1, *(end + 1 for end in ends[:-1])]
    spans = [f"{start}-{end} hari" for start, end in zip(starts, ends, strict=True)]
    spans.append(f"lebih dari {ends[-1]} hari")
    return ", ".join(f"{rate}% bila terlambat {span}" for rate, span in zip(rates, spans, strict=True))


# The values a topic's response needs, from the message text and the slots.
Values = Callable[[str, Tracker], dict[str, str]]
VALUES: dict[str, Values] = {
    "swdkllj": lambda text, tracker: {"lines": vehicle_lines("swdkllj.amount", _vehicle(text, tracker))},
    "five_yearly": lambda text, tracker: {
        "stnk": vehicle_lines("stnk.fee", _vehicle(text, tracker)),
        "tnkb": vehicle_lines("tnkb.fee", _vehicle(text, tracker)),
    },
    "vehicle_tax_late": lambda text, tracker: {"tiers": fine_tiers()},
    "passport_fee": lambda text, tracker: {"lines": passport_lines(_passport(text, tracker))},
}
PARAMETERS.update({"swdkllj": vehicle_kind, "five_yearly": vehicle_kind, "passport_fee": passport_kind})
TAX_BUTTON: Button = {"title": "Cek pajak kendaraan saya", "payload": "/pay_vehicle_tax"}
BUTTONS: dict[str, list[Button]] = {
    "sim_lost": [{"title": "Biaya SIM", "payload": "/police_sim_fee"}],
    "sim_age": [{"title": "Biaya SIM", "payload": "/police_sim_fee"}],
    "sim_requirements": [{"title": "Biaya SIM", "payload": "/police_sim_fee"}],
    "sim_expired": [{"title": "Cek masa berlaku SIM saya", "payload": "/police_sim_renewal"}],
    "sim_validity": [{"title": "Cek masa berlaku SIM saya", "payload": "/police_sim_renewal"}],
    "skck_validity": [{"title": "Ajukan SKCK", "payload": "/police_skck"}],
    "skck_lost": [{"title": "Ajukan SKCK", "payload": "/police_skck"}],
    "skck_waiver": [{"title": "Ajukan SKCK", "payload": "/police_skck"}],
    "vehicle_tax_late": [TAX_BUTTON],
    "swdkllj": [TAX_BUTTON],
    "samsat_online": [TAX_BUTTON],
    "samsat_bring": [TAX_BUTTON],
    "billing_payment": [{"title": "Cek status pembayaran", "payload": "/pay_billing_status"}],
    "passport_fee": [{"title": "Buat kode billing", "payload": "/pay_create_billing"}],
    "vehicle_mutation": [TAX_BUTTON],
}


def say_topic(dispatcher: CollectingDispatcher, tracker: Tracker, topic: Topic) -> list[EventType]:
    """Answers `topic`; remembers it and its parameter for a follow-up."""
    text = tracker.latest_message.get("text") or ""
    values = VALUES[topic.name](text, tracker) if topic.name in VALUES else {}
    buttons = [*BUTTONS.get(topic.name, []), MAIN_MENU_BUTTON]
    dispatcher.utter_message(response=topic.response, buttons=buttons, **values)
    events: list[EventType] = [SlotSet(TOPIC_SLOT, topic.name)]
    if vehicle_kind(text):
        events.append(SlotSet(VEHICLE_SLOT, vehicle_kind(text)))
    if passport_kind(text):
        events.append(SlotSet(PASSPORT_SLOT, passport_kind(text)))
    return events


def answer_topic(dispatcher: CollectingDispatcher, tracker: Tracker, form: str) -> list[EventType] | None:
    """For a form's submit action: the answer's events when the form was opened by a topic
    question (and so asked nothing), or when the action is run again for an elliptical follow-up
    of a topic answer; else None."""
    topic = opening_topic(tracker, form) or follow_up_topic(tracker, tracker.latest_message.get("text") or "")
    return say_topic(dispatcher, tracker, topic) if topic else None


class ActionRoadTopic(Action):
    """The topic of the latest message, or the last topic again with the new parameter."""

    def name(self) -> str:
        return "action_road_topic"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        topic = message_topic(tracker) or BY_NAME.get(str(tracker.get_slot(TOPIC_SLOT)))
        if topic is None:
            return []
        return say_topic(dispatcher, tracker, topic)


def topic_names() -> list[str]:
    """Every topic's name (tests, docs)."""
    return [topic.name for topic in TOPICS]
