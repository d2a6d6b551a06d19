"""Civil service (CASN: CPNS and PPPK) on SSCASN.

- `action_casn_info`: this year's registration requirements and dates (`GET /civil-service/casn`).
- `casn_result_form`: the participant number (17 digits, from the exam card) and the date
  of birth that belongs to it; `action_casn_result` shows the selection results
  (`POST /civil-service/results`) and what to do next.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.answers import aside_intents, entity_value, tanggal, typed_answer
from actions.conversation import Action
from actions.flows import IdentityFormValidation, identity_mismatch, lookup_failed
from actions.gateway import GatewayError, apology, gateway
from actions.menu import MAIN_MENU_BUTTON

SlotValues = dict[str, Any]

SERVICE = "SSCASN BKN"
INFO_ALTERNATIVE = "lihat pengumuman resmi di sscasn.bkn.go.id dan laman instansi yang Anda tuju."
RESULT_ALTERNATIVE = "lihat hasilnya langsung di akun SSCASN Anda (sscasn.bkn.go.id)."
PARTICIPANT_DIGITS = 17

INFO = (
    "Seleksi CASN {year} ({legal_basis}).\n\nPersyaratan:\n{requirements}\n\nJadwal:\n{schedule}\n\n{closing}"
)
CLOSING = (
    "Pendaftaran hanya melalui sscasn.bkn.go.id dan tidak dipungut biaya. Data akun dicocokkan "
    "dengan data Dukcapil dan tidak dapat diubah setelah akun dibuat."
)
INVALID_PARTICIPANT_NUMBER = (
    "Nomor peserta terdiri dari {digits} digit angka, sedangkan yang Anda kirim {got} digit. "
    "Nomornya tertera pada kartu peserta ujian SSCASN (bukan NIK)."
)
NO_PARTICIPANT_NUMBER = (
    "Nomor peserta belum saya temukan dalam pesan Anda. Mohon kirim {digits} digit nomor "
    "peserta yang tertera pada kartu peserta ujian SSCASN."
)
# identity_mismatch() speaks of a NIK; here the date of birth belongs to a participant number.
PARTICIPANT_MISMATCH = (
    "Mohon maaf, tanggal lahir tidak sesuai dengan data peserta untuk nomor tersebut, sehingga "
    "hasil seleksi tidak dapat saya tampilkan. Silakan periksa kembali nomor peserta dan tanggal "
    "lahir Anda."
)
PARTICIPANT_NOT_FOUND = (
    "Nomor peserta tersebut tidak ditemukan di SSCASN. Mohon periksa kembali nomor pada kartu "
    "peserta ujian Anda."
)
RESULT = "Hasil seleksi CASN atas nama {name}, formasi {position} di {agency}:\n{stages}\n\n{final}"
FINAL: dict[str, str] = {
    "lulus": (
        "Hasil akhir: LULUS. Selamat! Berikutnya, pantau akun SSCASN dan laman instansi untuk "
        "jadwal pengisian daftar riwayat hidup dan pemberkasan usul penetapan NIP."
    ),
    "tidak_lulus": (
        "Hasil akhir: belum lulus. Jika menurut Anda ada kekeliruan, Anda dapat mengajukan sanggah "
        "melalui akun SSCASN pada masa sanggah yang diumumkan instansi."
    ),
    "proses": (
        "Hasil akhir belum diumumkan; seleksi masih berlangsung. Pantau akun SSCASN dan laman "
        "instansi untuk jadwal tahap berikutnya."
    ),
}
BEWARE = (
    "Kelulusan tidak dapat dibantu pihak mana pun dengan imbalan; laporkan tawaran seperti itu "
    "melalui LAPOR!."
)

RESULT_BUTTON = {"title": "Hasil seleksi", "payload": "/asn_selection_result"}
INFO_BUTTON = {"title": "Info pendaftaran CASN", "payload": "/asn_casn_registration"}

_NUMBER_RUN = re.compile(r"\d[\d .-]*\d|\d")


def participant_number(text: str) -> tuple[str | None, int]:
    """The participant number in `text` (digits only) and how many digits were found."""
    runs = ["".join(ch for ch in run if ch.isdigit()) for run in _NUMBER_RUN.findall(text)]
    longest = max(runs, key=len, default="")
    return (longest if len(longest) == PARTICIPANT_DIGITS else None), len(longest)


def _stage_period(stage: dict[str, Any], today: dt.date) -> str:
    start, end = stage.get("start"), stage.get("end")
    period = tanggal(start) if not end or start == end else f"{tanggal(start)} – {tanggal(end)}"
    try:
        running = dt.date.fromisoformat(str(start)) <= today <= dt.date.fromisoformat(str(end or start))
    except ValueError:
        running = False
    return f"• {stage.get('stage')}: {period}" + (" (sedang berlangsung)" if running else "")


def info_reply(casn: dict[str, Any], today: dt.date) -> str:
    requirements = "\n".join(f"• {item}" for item in casn.get("requirements", []))
    schedule = "\n".join(_stage_period(stage, today) for stage in casn.get("schedule", []))
    if casn.get("schedule_note"):
        schedule = f"{schedule}\n{casn['schedule_note']}".strip()
    return INFO.format(
        year=casn.get("year", ""),
        legal_basis=casn.get("legal_basis", ""),
        requirements=requirements or "• lihat pengumuman resmi instansi",
        schedule=schedule or "• belum diumumkan",
        closing=CLOSING,
    )


class ActionCasnInfo(Action):
    """CASN registration requirements and dates."""

    def name(self) -> str:
        return "action_casn_info"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        try:
            casn = await gateway().get("/civil-service/casn")
        except GatewayError:
            dispatcher.utter_message(text=apology(SERVICE, INFO_ALTERNATIVE), buttons=[MAIN_MENU_BUTTON])
            return []
        dispatcher.utter_message(
            text=info_reply(casn, dt.date.today()), buttons=[RESULT_BUTTON, MAIN_MENU_BUTTON]
        )
        return []


class ValidateCasnResultForm(IdentityFormValidation):
    """The participant number, then the date of birth (IdentityFormValidation)."""

    aside = aside_intents("asn_selection_result")

    def name(self) -> str:
        return "validate_casn_result_form"

    async def extract_participant_number(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        """The NLU does not know participant numbers: read the typed answer."""
        if entity_value(tracker, "participant_number"):
            return {}
        text = typed_answer(tracker, "participant_number", self.aside)
        return {"participant_number": text} if text else {}

    async def validate_participant_number(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        if not value:
            return {"participant_number": None}
        number, found = participant_number(str(value))
        if number is None:
            template = INVALID_PARTICIPANT_NUMBER if found else NO_PARTICIPANT_NUMBER
            dispatcher.utter_message(text=template.format(digits=PARTICIPANT_DIGITS, got=found))
            return {"participant_number": None}
        return {"participant_number": number}


def number(value: Any) -> str:
    """100.0 → "100", 78.5 → "78,5" (the Indonesian decimal comma)."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).replace(".", ",")


def stage_line(stage: dict[str, Any]) -> str:
    passed = stage.get("passed")
    verdict = "menunggu hasil" if passed is None else ("lulus" if passed else "tidak lulus")
    score, grade = stage.get("score"), stage.get("passing_grade")
    if score is None:
        return f"• {stage.get('stage')}: {verdict}"
    threshold = f" (ambang batas {number(grade)})" if grade is not None else ""
    return f"• {stage.get('stage')}: nilai {number(score)}{threshold} — {verdict}"


def result_reply(result: dict[str, Any]) -> str:
    stages = "\n".join(stage_line(stage) for stage in result.get("stages", [])) or "• belum ada hasil tahapan"
    final = FINAL.get(str(result.get("final")), FINAL["proses"])
    return RESULT.format(
        name=result.get("name"),
        position=result.get("position"),
        agency=result.get("agency"),
        stages=stages,
        final=f"{final}\n\n{BEWARE}",
    )


class ActionCasnResult(Action):
    """Selection results for a participant number and its date of birth."""

    def name(self) -> str:
        return "action_casn_result"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        number, birth_date = tracker.get_slot("participant_number"), tracker.get_slot("birth_date")
        forget = [SlotSet("participant_number", None)]
        if not number or not birth_date:
            return forget
        try:
            result = await gateway().post(
                "/civil-service/results", {"participant_number": number, "birth_date": birth_date}
            )
        except GatewayError as error:
            if error.code == "identity_mismatch":
                return identity_mismatch(
                    dispatcher,
                    tracker,
                    refusal=PARTICIPANT_MISMATCH,
                    buttons=(RESULT_BUTTON, MAIN_MENU_BUTTON),
                    forget=("participant_number", "birth_date"),
                )
            lookup_failed(
                dispatcher,
                error,
                service=SERVICE,
                alternative=RESULT_ALTERNATIVE,
                not_found=PARTICIPANT_NOT_FOUND,
                buttons=(RESULT_BUTTON, MAIN_MENU_BUTTON),
            )
            return forget
        dispatcher.utter_message(text=result_reply(result), buttons=[INFO_BUTTON, MAIN_MENU_BUTTON])
        return forget
