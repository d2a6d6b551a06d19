"""Identity verification by SMS code in the web widget, through the whole assistant (Rasa
with the trained model, the action server and the gateway with its simulators): the citizen
asks for their own record, gives NIK and birth date, reads the code from the simulated SMS
outbox (what their phone would show), types it in the widget, and reads the record with the
card number masked. The bot's own question offers the login with INApas beside the code."""

from __future__ import annotations

import re

import httpx
from playwright.sync_api import Locator, Page, expect

from bench.load.stack import Stack
from simulators.seed import sample
from tests.browser.conftest import screenshot
from tests.browser.test_widget import composer, say

ANSWER_MS = 60_000  # Rasa and the actions on a loaded 2-core machine
CODE = re.compile(r"\b(\d{6})\b")


def conversation(page: Page) -> Locator:
    return page.get_by_role("log", name="Percakapan")


def sms_code(assistant: Stack, phone: str) -> str:
    """The latest code the simulated SMS provider "sent" to `phone` (the gateway's internal
    listener, with the run's service token)."""
    response = httpx.get(
        f"{assistant.service_url}/api/v1/identity/simulated-sms",
        params={"to": phone}, headers=assistant.service_headers, timeout=30,
    )  # fmt: skip
    response.raise_for_status()
    messages = response.json()["messages"]
    assert messages, "no SMS sent"
    code = CODE.search(messages[-1]["text"])
    assert code, "no code in the SMS"
    return code[1]


def ask_for_own_bpjs_record(page: Page, assistant: Stack, member: dict[str, str]) -> None:
    """Up to the code's question: the personal-data request, the NIK, the birth date."""
    page.goto(assistant.gateway_url)
    expect(composer(page)).to_be_visible()
    say(page, "Kartu BPJS Kesehatan saya masih aktif atau tidak ya?")
    expect(conversation(page)).to_contain_text("NIK (16 digit)", timeout=ANSWER_MS)
    say(page, f"NIK saya {member['nik']}")
    expect(conversation(page)).to_contain_text("tanggal lahir peserta", timeout=ANSWER_MS)
    year, month, day = member["birth_date"].split("-")
    say(page, f"{day}-{month}-{year}")
    expect(conversation(page)).to_contain_text("kode 6 digit", timeout=ANSWER_MS)


def test_the_sms_code_typed_in_the_widget_shows_the_record_masked(page: Page, assistant: Stack) -> None:
    member = sample("bpjs_active")
    ask_for_own_bpjs_record(page, assistant, member)
    # The web's question offers both ways: a new SMS code, or the login with INApas.
    expect(page.get_by_role("button", name="Kirim ulang kode SMS")).to_be_visible()
    expect(page.get_by_role("button", name="Masuk dengan INApas")).to_be_visible()
    screenshot(page, "widget-otp-1-asked.png")

    page.get_by_role("button", name="Kirim ulang kode SMS").click()  # the SMS choice
    expect(conversation(page)).to_contain_text("Mohon tulis kodenya di sini", timeout=ANSWER_MS)
    say(page, "000000")  # a wrong code: refused, the code stays asked
    expect(conversation(page)).to_contain_text("kode tersebut tidak dapat kami terima", timeout=ANSWER_MS)

    say(page, sms_code(assistant, member["otp_phone"]))

    expect(conversation(page)).to_contain_text("identitas Anda sudah terverifikasi", timeout=ANSWER_MS)
    expect(conversation(page)).to_contain_text("Nomor kartu: *********" + member["card_number"][-4:])
    expect(conversation(page)).to_contain_text("Status: Aktif")
    expect(page.get_by_text(member["card_number"])).to_have_count(0)  # never in full
    screenshot(page, "widget-otp-2-verified.png")


def test_who_looked_at_my_data_verifies_first_then_shows_the_log(page: Page, assistant: Stack) -> None:
    """ "Siapa yang melihat data saya" in a new conversation: the citizen's own NIK, birth date
    and SMS code first; then the log (its entries depend on the session's earlier tests: the
    services' look-ups for the bot are in it, tests/security/test_access_log.py checks them)."""
    member = sample("bpjs_active")
    page.goto(assistant.gateway_url)
    expect(composer(page)).to_be_visible()
    say(page, "siapa yang melihat data saya")
    expect(conversation(page)).to_contain_text("Mohon tulis NIK Anda sendiri", timeout=ANSWER_MS)
    expect(conversation(page)).not_to_contain_text("Belum ada petugas")  # nothing before verifying
    say(page, member["nik"])
    expect(conversation(page)).to_contain_text("tanggal lahir Anda", timeout=ANSWER_MS)
    year, month, day = member["birth_date"].split("-")
    say(page, f"{day}-{month}-{year}")
    expect(conversation(page)).to_contain_text("kode 6 digit", timeout=ANSWER_MS)

    say(page, sms_code(assistant, member["otp_phone"]))

    expect(conversation(page)).to_contain_text("identitas Anda sudah terverifikasi", timeout=ANSWER_MS)
    expect(conversation(page)).to_contain_text(
        re.compile("Berikut catatan siapa yang melihat data Anda|Belum ada petugas atau layanan"),
        timeout=ANSWER_MS,
    )
    screenshot(page, "widget-who-viewed.png")
