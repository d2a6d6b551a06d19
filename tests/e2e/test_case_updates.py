"""Issue 21 §1 through the whole assistant (action server, Rasa, gateway): a verified citizen who
files a KK change application is subscribed to its updates, and "berhenti kabari saya", as
typed, stops them through the trained intent, the rule and the action."""

from __future__ import annotations

import httpx

from simulators.seed import sample
from tests.e2e.test_services import OTP_ASKED, Chat, call, chat, dashed_date, found, service_api, sms_code

__all__ = ["chat", "service_api"]  # the fixtures, shared with test_services.py


def test_a_verified_application_is_followed_until_the_citizen_says_stop(
    chat: Chat, service_api: httpx.Client
) -> None:
    applicant = sample("adult")
    # The same path as test_services.py's KK change application.
    chat.say(
        "Apa saja syarat untuk mengubah data di kartu keluarga?",
        "Ingin mengajukan permohonan perubahan KK secara daring sekarang?",
    )
    chat.click("Ya, ajukan", "NIK Anda sebagai pemohon")
    chat.say(applicant["nik"], "tanggal lahir Anda")
    chat.say(dashed_date(applicant["birth_date"]), OTP_ASKED)
    chat.say(sms_code(service_api, applicant["phone"]), "identitas Anda sudah terverifikasi")
    reply = chat.click("Ya, kirim", "Permohonan perubahan KK Anda sudah diterima")
    case_number = found("ADM", reply, chat)

    mine = {"X-Conversation-ID": chat.conversation.id}
    listed = call(service_api, "GET", "/notifications/subscriptions", headers=mine)
    assert listed["case_numbers"] == [case_number]

    chat.say("berhenti kabari saya", "tidak akan menerima kabar perkembangan layanan lagi")
    assert call(service_api, "GET", "/notifications/subscriptions", headers=mine)["case_numbers"] == []
    chat.say("stop notifikasi", "tidak ada kabar perkembangan layanan")
