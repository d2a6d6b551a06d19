"""A scripted dialogue for the fake Rasa (`FakeRasa.respond`), so the browser tests need no
trained model: a greeting answered with menu buttons, a list, and a two-step SKCK flow.

The texts are the assistant's kind of answers (short, polite, with the legal basis of a fee);
they are test fixtures, not the assistant's real responses (domain/).
"""

from __future__ import annotations

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
    "Biaya SKCK Rp30.000 (PP 60/2016) dan berlaku 6 bulan. Daftar secara daring, lalu ambil "
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
