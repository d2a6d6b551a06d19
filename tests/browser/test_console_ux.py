"""The console agents work in all day, in headless Chromium: on a 390-pixel phone nothing is
wider than the screen and a taken conversation comes into view; axe-core finds no WCAG 2.2 AA
violation on any view at 390 and 1366 pixels; closing asks for a disposition in Indonesian and
a confirmation, and the citizen rates the conversation in the widget, which the supervisor
then reads; a new chat in the agent's queue rings and shows a desktop notification, each
switchable off. Screenshots: var/screenshots/console-*.png."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect

from api.callcenter.accounts import create_agent
from api.db import create_engine, create_sessionmaker
from tests.api.fake_rasa import FakeRasa
from tests.browser.accessibility import describe, violations
from tests.browser.conftest import PHONE, Gateway, screenshot
from tests.browser.test_call_center import (
    DESKTOP,
    SURVEY_QUESTION,
    Account,
    ask_for_a_person,
    confirm,
    dialogue,  # noqa: F401 (a fixture)
    log_in,
    queue_cards,
    run_async,
)
from tests.browser.test_widget import messages_in, say

AGENT = Account("wulan", "kata-sandi-wulan-2024", "Wulan Sari", "agent")
SUPERVISOR = Account("agus", "kata-sandi-agus-2024", "Agus Prasetyo", "supervisor")

# Notifications the page made, recorded: headless Chromium shows none.
RECORD_NOTIFICATIONS = """
(() => {
  window.__notifications = [];
  const Real = window.Notification;
  class Recorded extends Real {
    constructor(title, options) {
      super(title, options);
      window.__notifications.push({ title, body: options && options.body });
    }
  }
  Object.defineProperty(Recorded, "permission", { get: () => Real.permission });
  Recorded.requestPermission = (...args) => Real.requestPermission(...args);
  window.Notification = Recorded;
})();
"""


@pytest.fixture(scope="module")
def accounts(gateway: Gateway) -> None:
    """This module's own accounts in the running gateway's database (general team)."""

    async def create() -> None:
        engine = create_engine(gateway.settings)
        try:
            async with create_sessionmaker(engine)() as session:
                for account in (AGENT, SUPERVISOR):
                    await create_agent(
                        session, username=account.username, password=account.password,
                        display_name=account.display_name, role=account.role, teams=["general", "police"],
                    )  # fmt: skip
        finally:
            await engine.dispose()

    run_async(create())


@pytest.fixture
def new_page(browser: Browser, accounts: None) -> Iterator[Callable[..., Page]]:
    """Pages in fresh browser contexts; the test fails on any JavaScript error in them.
    `axe`: the page's Content-Security-Policy lets axe-core's injected script run."""
    contexts = []
    errors: list[str] = []

    def new(viewport: ViewportSize = DESKTOP, init_script: str | None = None, axe: bool = False) -> Page:
        context = browser.new_context(viewport=viewport, locale="id-ID", bypass_csp=axe)
        contexts.append(context)
        if init_script:
            context.add_init_script(init_script)
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        return page

    try:
        yield new
    finally:
        for context in contexts:
            context.close()
    assert not errors, errors


def no_sideways_scroll(page: Page) -> None:
    width = page.viewport_size["width"] if page.viewport_size else 0
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def no_violations(page: Page) -> None:
    found = violations(page)
    assert not found, describe(found)


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390", "1366"])
def test_every_view_fits_and_passes_axe(
    new_page: Callable[..., Page],
    gateway_url: str,
    dialogue: FakeRasa,  # noqa: F811
    viewport: ViewportSize,
) -> None:
    size = viewport["width"]
    page = new_page(viewport, axe=True)
    page.goto(f"{gateway_url}/console")
    expect(page.get_by_role("button", name="Masuk")).to_be_visible()
    no_violations(page)
    log_in(page, gateway_url, SUPERVISOR)

    # Every control of the top bar on screen: "Keluar" and the Supervisor tab were cut off.
    for control in (
        page.get_by_role("button", name="Keluar"),
        page.get_by_role("link", name="Supervisor"),
        page.get_by_role("link", name="Bantu penelepon"),
        page.get_by_role("radio", name="Tersedia"),
    ):
        expect(control).to_be_in_viewport()
    no_sideways_scroll(page)
    no_violations(page)
    screenshot(page, f"console-queue-{size}.png")

    # A citizen waits; the supervisor takes the conversation: it comes into view.
    citizen = new_page(PHONE)
    ask_for_a_person(citizen, gateway_url)
    queue_cards(page).get_by_role("button", name="Ambil").click()
    expect(page.get_by_role("heading", name="Warga · Web · Layanan umum")).to_be_in_viewport()
    expect(page.get_by_role("textbox", name="Balasan untuk warga")).to_be_focused()
    no_sideways_scroll(page)
    no_violations(page)
    screenshot(page, f"console-conversation-{size}.png")

    # The confirmation dialog itself.
    page.get_by_role("button", name="Kembalikan ke bot").click()
    expect(page.get_by_role("dialog", name="Kembalikan ke Asisten Warga?")).to_be_visible()
    no_violations(page)
    screenshot(page, f"console-confirm-{size}.png")
    page.keyboard.press("Escape")  # cancelled: nothing happens
    expect(page.get_by_role("dialog")).to_be_hidden()
    expect(page.get_by_role("button", name="Kembalikan ke bot")).to_be_focused()
    expect(page.locator("#mine-list > li")).to_have_count(1)
    page.get_by_role("button", name="Kembalikan ke bot").click()
    confirm(page, "Ya, kembalikan")
    expect(page.locator("#mine-list > li")).to_have_count(0)

    # The alerts' settings.
    page.locator("#alerts summary").click()
    expect(page.get_by_label("Bunyikan suara")).to_be_visible()
    no_sideways_scroll(page)
    no_violations(page)
    page.locator("#alerts summary").click()

    page.get_by_role("link", name="Bantu penelepon").click()
    expect(page.get_by_label("Alasan pencarian (wajib)")).to_be_visible()
    no_sideways_scroll(page)
    no_violations(page)
    page.get_by_label("Alasan pencarian (wajib)").fill("Penelepon menanyakan menu layanan")
    page.get_by_role("button", name="Mulai sesi").click()
    caller = page.get_by_role("textbox", name="Ucapan penelepon")
    caller.fill("halo")
    caller.press("Enter")
    expect(page.locator("#understood")).to_contain_text("Menyapa")
    no_sideways_scroll(page)
    no_violations(page)
    screenshot(page, f"console-assist-{size}.png")
    page.get_by_role("button", name="Akhiri sesi").click()

    page.get_by_role("link", name="Supervisor").click()
    expect(page.get_by_role("heading", name="Ringkasan hari ini")).to_be_visible()
    expect(page.get_by_role("table", name="Kepuasan per tim")).to_be_visible()
    no_sideways_scroll(page)
    no_violations(page)
    screenshot(page, f"console-supervisor-{size}.png")


def test_close_asks_in_indonesian_and_the_citizen_rates_it(
    new_page: Callable[..., Page],
    gateway_url: str,
    dialogue: FakeRasa,  # noqa: F811
) -> None:
    agent = new_page()
    log_in(agent, gateway_url, AGENT)
    citizen = new_page(PHONE)
    ask_for_a_person(citizen, gateway_url)
    queue_cards(agent).get_by_role("button", name="Ambil").click()
    expect(messages_in(citizen).last).to_contain_text(f"{AGENT.sender_name} telah bergabung")

    # No disposition: the console says so in Indonesian, not the browser in English.
    agent.get_by_role("button", name="Tutup").click()
    disposition = agent.get_by_label("Hasil")
    expect(agent.locator("#close-error")).to_have_text("Pilih hasil percakapan sebelum menutup.")
    expect(disposition).to_be_focused()
    expect(disposition).to_have_attribute("aria-invalid", "true")
    assert agent.evaluate("document.querySelector('#close-disposition').validationMessage") == ""
    expect(agent.get_by_role("dialog")).to_be_hidden()
    screenshot(agent, "console-close-missing-disposition.png")

    disposition.select_option(label="Perlu tindak lanjut")
    expect(agent.locator("#close-error")).to_have_text("")
    agent.get_by_role("button", name="Tutup").click()
    dialog = agent.get_by_role("dialog", name="Tutup percakapan?")
    expect(dialog).to_contain_text("Hasil: Perlu tindak lanjut.")
    screenshot(agent, "console-close-confirm.png")
    confirm(agent, "Ya, tutup")
    expect(agent.get_by_text("Belum ada percakapan dipilih")).to_be_visible()

    # The citizen reads that the matter stays open, with a ticket, then the survey.
    notice = messages_in(citizen).nth(-2)
    expect(notice).to_contain_text("belum selesai dan tetap terbuka")
    expect(notice).to_contain_text(re.compile(r"Nomor tiket Anda: TKT-\d{4}-\d{6}"))
    survey = messages_in(citizen).last
    expect(survey).to_contain_text(SURVEY_QUESTION)
    screenshot(citizen, "console-survey-citizen.png")
    survey.get_by_role("button", name="5 · Sangat puas").click()
    expect(messages_in(citizen).last).to_contain_text("Terima kasih atas penilaian Anda (5 dari 5)")
    say(citizen, "Petugasnya cepat dan jelas.")
    expect(messages_in(citizen).last).to_contain_text("Terima kasih atas masukan Anda.")
    screenshot(citizen, "console-survey-citizen-done.png")

    supervisor = new_page()
    log_in(supervisor, gateway_url, SUPERVISOR, available=False)
    supervisor.get_by_role("link", name="Supervisor").click()
    by_agent = supervisor.get_by_role("table", name="Kepuasan per petugas")
    expect(by_agent.get_by_role("row", name=re.compile(AGENT.display_name))).to_contain_text("5,0")
    expect(supervisor.locator("#surveys-comments")).to_contain_text("Petugasnya cepat dan jelas.")
    history = supervisor.get_by_role("table", name="Percakapan hari ini")
    expect(history).to_contain_text("Perlu tindak lanjut")
    supervisor.get_by_role("region", name="Kepuasan per petugas").scroll_into_view_if_needed()
    screenshot(supervisor, "console-supervisor-surveys.png")


def test_a_new_chat_rings_and_notifies_unless_switched_off(
    new_page: Callable[..., Page],
    gateway_url: str,
    dialogue: FakeRasa,  # noqa: F811
) -> None:
    agent = new_page(DESKTOP, init_script=RECORD_NOTIFICATIONS)
    agent.context.grant_permissions(["notifications"], origin=gateway_url)
    log_in(agent, gateway_url, AGENT)
    agent.locator("#alerts summary").click()
    sound, desktop = agent.get_by_label("Bunyikan suara"), agent.get_by_label("Tampilkan notifikasi desktop")
    expect(sound).to_be_checked()  # on unless switched off
    expect(desktop).not_to_be_checked()  # asks the browser's permission first
    desktop.check()
    expect(agent.locator("#alert-desktop-hint")).to_have_text("Notifikasi desktop aktif.")
    screenshot(agent, "console-alerts-settings.png")

    citizen = new_page(PHONE)
    ask_for_a_person(citizen, gateway_url)
    expect(queue_cards(agent)).to_have_count(1)
    expect(agent.locator("body")).to_have_attribute("data-last-alert", "sound desktop")
    [shown] = agent.evaluate("window.__notifications")
    assert shown["title"] == "1 warga baru menunggu"
    assert shown["body"].startswith("Layanan umum")

    # Switched off, both stay off, after a reload too (kept per agent in this browser).
    sound.uncheck()
    desktop.uncheck()
    agent.reload()
    expect(agent.locator("#connection")).to_have_text("Terhubung")
    agent.locator("#alerts summary").click()
    expect(agent.get_by_label("Bunyikan suara")).not_to_be_checked()
    expect(agent.get_by_label("Tampilkan notifikasi desktop")).not_to_be_checked()
    queue_cards(agent).get_by_role("button", name="Ambil").click()
    confirm_close = agent.get_by_label("Hasil")
    confirm_close.select_option(label="Selesai")
    agent.get_by_role("button", name="Tutup").click()
    confirm(agent, "Ya, tutup")

    other = new_page(PHONE)
    ask_for_a_person(other, gateway_url)
    expect(queue_cards(agent)).to_have_count(1)
    expect(agent.locator("body")).to_have_attribute("data-last-alert", "none")
    assert agent.evaluate("window.__notifications") == []
    queue_cards(agent).get_by_role("button", name="Ambil").click()
    agent.get_by_label("Hasil").select_option(label="Selesai")
    agent.get_by_role("button", name="Tutup").click()
    confirm(agent, "Ya, tutup")


def test_typing_both_ways_and_read_state_on_the_web(
    new_page: Callable[..., Page],
    gateway_url: str,
    dialogue: FakeRasa,  # noqa: F811
) -> None:
    agent = new_page()
    log_in(agent, gateway_url, AGENT)
    citizen = new_page(PHONE)
    ask_for_a_person(citizen, gateway_url)
    queue_cards(agent).get_by_role("button", name="Ambil").click()
    expect(messages_in(citizen).last).to_contain_text(f"{AGENT.sender_name} telah bergabung")

    # The agent writes: the citizen sees a person typing, then the message, then it is read.
    reply = agent.get_by_role("textbox", name="Balasan untuk warga")
    reply.press_sequentially("Baik, saya", delay=20)
    expect(citizen.get_by_text("Petugas sedang mengetik…")).to_be_visible()
    screenshot(citizen, "console-typing-citizen-sees-agent.png")
    reply.press_sequentially(" periksa dulu.", delay=20)
    reply.press("Enter")
    expect(messages_in(citizen).last).to_contain_text("Baik, saya periksa dulu.")
    expect(citizen.get_by_text("Petugas sedang mengetik…")).to_be_hidden()
    mine = agent.get_by_role("log", name="Transkrip percakapan").locator(".turn--agent").last
    expect(mine.locator(".turn__status")).to_have_text("✓✓ Dibaca", timeout=10_000)

    # The citizen writes back: the agent sees it coming.
    composer = citizen.get_by_role("textbox", name="Pesan Anda")
    composer.press_sequentially("Terima kasih", delay=20)
    expect(agent.get_by_role("status").filter(has_text="Warga sedang mengetik…")).to_be_visible()
    screenshot(agent, "console-typing-agent-sees-citizen.png")
    composer.press("Enter")
    expect(agent.get_by_text("Warga sedang mengetik…")).to_be_hidden()

    agent.get_by_label("Hasil").select_option(label="Selesai")
    agent.get_by_role("button", name="Tutup").click()
    confirm(agent, "Ya, tutup")
