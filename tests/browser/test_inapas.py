"""Login with INApas from the web widget, in headless Chromium: the bot asks the citizen to
verify, "Masuk dengan INApas" opens the simulated provider in a popup, the citizen picks a
seeded persona and agrees, the popup comes back to the gateway's callback and closes, and the
widget tells the bot `/identity_verified` and shows its answer; the conversation is bound to
the persona's NIK in the gateway's database. The last test runs the bot's own flow through the
whole assistant: the button offered at the code step, the login, and the form going on."""

from __future__ import annotations

import re
import sqlite3
from typing import Any

from playwright.sync_api import Page, expect

from api.identity.sessions import nik_hash
from bench.load.stack import Stack
from simulators.seed import sample
from tests.api.fake_rasa import FakeRasa
from tests.browser.conftest import Gateway, screenshot
from tests.browser.test_widget import messages_in, say, sent_to_rasa
from tests.browser.test_widget_otp import ANSWER_MS, ask_for_own_bpjs_record, conversation

ASK_TEXT = "Untuk melihat data kepesertaan BPJS, mohon verifikasi identitas Anda terlebih dahulu."
LOGIN_BUTTON = {"title": "Masuk dengan INApas", "payload": "/login_inapas"}
VERIFIED_TEXT = "Terima kasih, identitas Anda sudah terverifikasi. Kartu BPJS Anda aktif."


def inapas_dialogue(request: dict[str, Any]) -> list[dict[str, Any]]:
    """The bot's side (a fixture, not the assistant's wording): it asks for verification
    with the login button, and answers the widget's `/identity_verified`."""
    if request["message"] == "/identity_verified":
        return [{"text": VERIFIED_TEXT}]
    return [{"text": ASK_TEXT, "buttons": [LOGIN_BUTTON]}]


def bound_nik(gateway: Gateway) -> list[tuple[str, str]]:
    """The verified sessions (api/identity/sessions.py `bind`, which the INApas callback
    ends in): the NIK's keyed hash (the NIK itself is sealed at rest) and how it was proved."""
    path = gateway.settings.sqlite_path()
    assert path is not None
    with sqlite3.connect(path) as db:
        return db.execute("SELECT nik_hash, method FROM verified_sessions").fetchall()


def test_login_with_inapas_in_the_widget(page: Page, fake_rasa: FakeRasa, gateway: Gateway) -> None:
    fake_rasa.respond = inapas_dialogue
    persona = sample("bpjs_active")
    page.goto(gateway.url)
    say(page, "cek bpjs saya")
    expect(messages_in(page).last).to_contain_text(ASK_TEXT)
    button = page.get_by_role("button", name="Masuk dengan INApas")
    expect(button).to_be_visible()
    screenshot(page, "inapas-1-asked.png")

    with page.expect_popup() as opened:
        button.click()
    provider = opened.value
    provider.wait_for_load_state()
    assert re.search(r"/simulasi/inapas/authorize\?", provider.url)
    expect(provider.get_by_role("heading", name="INApas")).to_be_visible()
    provider.get_by_label(re.compile(re.escape(persona["name"]))).check()
    screenshot(provider, "inapas-2-provider.png")
    provider.get_by_role("button", name="Setuju dan masuk").click()
    expect(provider.locator("#inapas-result")).to_have_attribute("data-status", "ok")
    screenshot(provider, "inapas-3-callback.png")

    expect(messages_in(page).last).to_have_text(VERIFIED_TEXT)
    expect(messages_in(page).nth(-2)).to_have_text("Sudah masuk dengan INApas")
    assert sent_to_rasa(fake_rasa) == ["cek bpjs saya", "/identity_verified"]
    screenshot(page, "inapas-4-verified.png")  # docs/img/inapas-login.png is a copy
    assert (nik_hash(persona["nik"]), "inapas") in bound_nik(gateway)
    for _ in range(50):  # the callback page closes itself after success
        if provider.is_closed():
            break
        page.wait_for_timeout(100)
    assert provider.is_closed()


def test_only_the_gateway_can_say_the_login_succeeded(
    page: Page, fake_rasa: FakeRasa, host_site_url: str
) -> None:
    """On another site's page, a message that claims success but comes from that site (not
    from the gateway's callback page) is ignored: nothing goes to the bot."""
    fake_rasa.respond = inapas_dialogue
    page.goto(f"{host_site_url}/layanan")
    page.get_by_role("button", name="Tanya Asisten Warga").click()
    say(page, "cek bpjs saya")
    expect(page.get_by_role("button", name="Masuk dengan INApas")).to_be_visible()
    page.evaluate("window.postMessage({type: 'asistenWarga.inapas', status: 'ok'}, '*')")
    page.wait_for_timeout(500)
    assert sent_to_rasa(fake_rasa) == ["cek bpjs saya"]
    expect(page.get_by_text("Sudah masuk dengan INApas")).to_have_count(0)


def test_the_bot_offers_inapas_and_the_form_goes_on_after_the_login(page: Page, assistant: Stack) -> None:
    """Through the whole assistant: at the code step the bot offers "Masuk dengan INApas"; after
    the login the widget says `/identity_verified`, the bot asks the gateway, which holds the
    session bound to the NIK, and the form shows the record without a code."""
    member = sample("bpjs_active")
    ask_for_own_bpjs_record(page, assistant, member)
    button = page.get_by_role("button", name="Masuk dengan INApas")
    expect(button).to_be_visible()
    screenshot(page, "inapas-bot-1-offered.png")

    with page.expect_popup() as opened:
        button.click()
    provider = opened.value
    provider.wait_for_load_state()
    provider.get_by_label(re.compile(re.escape(member["name"]))).check()
    provider.get_by_role("button", name="Setuju dan masuk").click()
    expect(provider.locator("#inapas-result")).to_have_attribute("data-status", "ok")

    expect(conversation(page)).to_contain_text("Sudah masuk dengan INApas")
    expect(conversation(page)).to_contain_text("identitas Anda sudah terverifikasi", timeout=ANSWER_MS)
    expect(conversation(page)).to_contain_text("Nomor kartu: *********" + member["card_number"][-4:])
    expect(page.get_by_text(member["card_number"])).to_have_count(0)
    screenshot(page, "inapas-bot-2-record.png")
