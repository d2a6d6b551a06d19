"""A scripted dialogue for the fake Rasa (`FakeRasa.respond`), so the browser tests need no
trained model: a greeting answered with menu buttons, a list, and a two-step SKCK flow; for
the call center, asking for a person (the hand-off signal) and the bot taking over again.

The texts are the assistant's kind of answers (short, polite, with the legal basis of a fee);
they are test fixtures, not the assistant's real responses (domain/).
"""

from __future__ import annotations

import json
from typing import Any

GREETINGS = {"halo", "hai", "hi", "selamat pagi", "selamat siang", "selamat sore", "/greet"}

GREETING_TEXT = "Halo! Saya Asisten Warga. Layanan apa yang Anda perlukan?"
MENU = [
    {"title": "Kesehatan", "payload": '/ask_menu{"service":"health"}'},
    {"title": "Kependudukan", "payload": '/ask_menu{"service":"population"}'},
    {"title": "SIM & SKCK", "payload": '/ask_menu{"service":"police"}'},
]
POLICE_MENU = {
    "type": "list",
    "text": "Layanan kepolisian apa yang Anda perlukan?",
    "button": "Lihat layanan",
    "sections": [
        {
            "title": "SKCK",
            "rows": [
                {
                    "title": "Buat SKCK",
                    "payload": "/skck_apply",
                    "description": "Surat Keterangan Catatan Kepolisian",
                }
            ],
        },
        {"title": "SIM", "rows": [{"title": "Perpanjang SIM", "payload": "/sim_renew"}]},
    ],
}
PURPOSE_QUESTION = "Untuk keperluan apa SKCK Anda? Misalnya melamar kerja atau mendaftar CPNS."
SKCK_ANSWER = (
    "Baik, SKCK untuk keperluan: {purpose}.\n"
    "Biaya SKCK Rp30.000 (PP 76/2020 Lampiran) dan berlaku 6 bulan. Daftar secara daring, lalu ambil "
    "di Polres dengan membawa KTP-el, KK, akta kelahiran, dan pas foto 4×6."
)
NOT_UNDERSTOOD = "Mohon maaf, saya belum mengerti. Silakan pilih layanan:"


class SkckDialogue:
    """Answers per sender; remembers only whether the sender was asked for the purpose."""

    def __init__(self) -> None:
        self._asked_purpose: set[str] = set()

    def __call__(self, request: dict[str, Any]) -> list[dict[str, Any]]:
        sender, message = request["sender"], request["message"].strip()
        if sender in self._asked_purpose and not message.startswith("/"):
            self._asked_purpose.discard(sender)
            return [{"text": SKCK_ANSWER.format(purpose=message)}]
        if message.lower() in GREETINGS:
            return [{"text": GREETING_TEXT, "buttons": MENU}]
        if message == MENU[2]["payload"]:
            return [{"custom": POLICE_MENU}]
        if message == "/skck_apply":
            self._asked_purpose.add(sender)
            return [{"text": PURPOSE_QUESTION}]
        return [{"text": NOT_UNDERSTOOD, "buttons": MENU}]


# --- Call center ------------------------------------------------------------------------------

HUMAN_BUTTON = {"title": "Bicara dengan petugas", "payload": "/request_human"}
# The bot's hand-off signal (actions/handoff.py): the gateway queues the conversation.
HANDOFF_SIGNAL = {"type": "handoff", "reason": "citizen_request", "service": None}
RESUME_TEXT = "Bapak/Ibu kembali dilayani Asisten Warga."
MENU_BUTTON = {"title": "Menu utama", "payload": "/greet"}


class CallCenterDialogue(SkckDialogue):
    """The SKCK dialogue whose greeting also offers a person: `/request_human` (or typing it)
    answers with the hand-off signal, and `/handoff_returned` (sent by the gateway when an
    agent hands the conversation back) with the resume message and a menu button."""

    def __call__(self, request: dict[str, Any]) -> list[dict[str, Any]]:
        message = request["message"].strip()
        if message == HUMAN_BUTTON["payload"] or message.lower() == HUMAN_BUTTON["title"].lower():
            return [{"custom": HANDOFF_SIGNAL}]
        if message == "/handoff_returned":
            return [{"text": RESUME_TEXT, "buttons": [MENU_BUTTON]}]
        replies = super().__call__(request)
        if message.lower() in GREETINGS:
            return [{"text": GREETING_TEXT, "buttons": [*MENU, HUMAN_BUTTON]}]
        return replies


def understood(message: str) -> dict[str, Any]:
    """What the NLU made of `message`, as Rasa's tracker reports it (`FakeRasa.latest_message`,
    read by agent-assist): a payload is its intent for sure, with its entities; a greeting is
    `greet`; anything else a hesitant `inform`."""
    message = message.strip()
    if message.startswith("/"):
        name, _, entities = message[1:].partition("{")
        values = json.loads("{" + entities) if entities else {}
        return {
            "text": message,
            "intent": {"name": name, "confidence": 1.0},
            "entities": [{"entity": key, "value": value} for key, value in values.items()],
            "intent_ranking": [{"name": name, "confidence": 1.0}],
        }
    if message.lower() in GREETINGS:
        ranking = [("greet", 0.97), ("request_human", 0.02), ("goodbye", 0.01)]
    else:
        ranking = [("inform", 0.41), ("ask_skck", 0.33), ("nlu_fallback", 0.26)]
    return {
        "text": message,
        "intent": {"name": ranking[0][0], "confidence": ranking[0][1]},
        "entities": [],
        "intent_ranking": [{"name": name, "confidence": confidence} for name, confidence in ranking],
    }
