"""Digital identity (IKD, Identitas Kependudukan Digital): `action_ikd_activation` gives the
activation steps, then the fix for the problem the citizen names (a button, or typed: "kode
aktivasi gak masuk"); each fix is the response `utter_ikd_problem_<key>`."""

from __future__ import annotations

import re
from dataclasses import dataclass

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.answers import entity_value, payload, word_pattern
from actions.conversation import Action
from actions.menu import MAIN_MENU_BUTTON, OFFICE_BUTTON, Button


@dataclass(frozen=True)
class IkdProblem:
    """A known IKD activation problem; its fix is the response `utter_ikd_problem_<key>`."""

    key: str
    title: str
    pattern: re.Pattern[str]

    def button(self) -> Button:
        return {"title": self.title, "payload": payload("id_ikd_activation", ikd_problem=self.key)}


IKD_PROBLEMS: tuple[IkdProblem, ...] = (
    IkdProblem(
        "activation_code",
        "Kode aktivasi tidak masuk",
        word_pattern(r"kode\s+aktivasi", r"e-?mail", "surel", "otp"),
    ),
    IkdProblem(
        "face_match", "Swafoto/wajah gagal", word_pattern("wajah", "muka", "selfie", "swafoto", "foto")
    ),
    IkdProblem(
        "qr_scan", "Verifikasi QR oleh petugas", word_pattern("qr", "barcode", "scan", "pindai", "petugas")
    ),
    IkdProblem(
        "nik_rejected",
        "NIK/data ditolak",
        word_pattern(
            r"nik\s+(?:tidak|tdk|gak|ga|nggak)",
            r"tidak\s+terdaftar",
            r"tidak\s+ditemukan",
            r"sudah\s+terdaftar",
            r"data\s+(?:tidak|tdk|gak|ga)",
            r"tidak\s+valid",
        ),
    ),
    IkdProblem(
        "device_pin",
        "Ganti HP atau lupa PIN",
        word_pattern(
            "pin", r"ganti\s+(?:hp|ponsel|handphone)", r"hp\s+(?:baru|hilang|rusak)", "uninstall", "logout"
        ),
    ),
)


def ikd_problem(tracker: Tracker) -> tuple[IkdProblem | None, bool]:
    """The problem the latest message names, and whether it named one we do not know."""
    value = entity_value(tracker, "ikd_problem")
    if value is not None:
        known = next((p for p in IKD_PROBLEMS if p.key == value), None)
        return known, known is None
    text = tracker.latest_message.get("text") or ""
    if text.startswith("/"):
        return None, False
    return next((p for p in IKD_PROBLEMS if p.pattern.search(text)), None), False


class ActionIkdActivation(Action):
    """IKD activation: the steps, or the fix for a named problem."""

    def name(self) -> str:
        return "action_ikd_activation"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        problem, unknown = ikd_problem(tracker)
        if problem is not None:
            others = [p.button() for p in IKD_PROBLEMS if p is not problem]
            dispatcher.utter_message(response=f"utter_ikd_problem_{problem.key}")
            dispatcher.utter_message(
                response="utter_ikd_other_problem", buttons=[*others, OFFICE_BUTTON, MAIN_MENU_BUTTON]
            )
            return []
        if not unknown:
            dispatcher.utter_message(response="utter_id_ikd_activation")
        dispatcher.utter_message(
            response="utter_ikd_ask_problem", buttons=[p.button() for p in IKD_PROBLEMS] + [MAIN_MENU_BUTTON]
        )
        return []
