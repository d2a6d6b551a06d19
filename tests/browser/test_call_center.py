"""The call center in headless Chromium: a citizen in the web widget asks for a person, an
agent takes the conversation in the console (/console), answers and hands it back to the
bot; the supervisor's page; agent-assist for a phone caller. Screenshots of each step go to
var/screenshots/call-center-*.png."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Callable, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

import pytest
from playwright.sync_api import Browser, Locator, Page, Route, ViewportSize, expect

from api.callcenter.accounts import create_agent
from api.db import create_engine, create_sessionmaker
from tests.api.fake_rasa import FakeRasa
from tests.browser.conftest import PHONE, Gateway, screenshot
from tests.browser.dialogue import (
    GREETING_TEXT,
    HUMAN_BUTTON,
    MENU,
    PURPOSE_QUESTION,
    RESUME_TEXT,
    CallCenterDialogue,
    understood,
)
from tests.browser.test_widget import REFUSE_WEBSOCKETS, messages_in, say, sent_to_rasa

DESKTOP: ViewportSize = {"width": 1366, "height": 768}
SURVEY_QUESTION = "Seberapa puas Bapak/Ibu dengan layanan petugas kami?"
T = TypeVar("T")


@dataclass(frozen=True)
class Account:
    username: str
    password: str
    display_name: str
    role: str

    @property
    def sender_name(self) -> str:
        return f"{self.display_name} (Petugas)"


AGENT = Account("sari", "kata-sandi-sari-2024", "Sari Wulandari", "agent")
SUPERVISOR = Account("budi", "kata-sandi-budi-2024", "Budi Santoso", "supervisor")


def run_async(coroutine: Coroutine[Any, Any, T]) -> T:
    """Runs `coroutine` on its own loop in another thread: Playwright's sync API holds this
    thread's event loop."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def create_accounts(gateway: Gateway, *accounts: tuple[Account, list[str]]) -> None:
    """Console accounts (with their teams) in the running gateway's database. Each module
    uses accounts of its own: the gateway is the session's, and an agent's open
    conversations would carry over."""

    async def create() -> None:
        engine = create_engine(gateway.settings)
        try:
            async with create_sessionmaker(engine)() as session:
                for account, teams in accounts:
                    await create_agent(
                        session, username=account.username, password=account.password,
                        display_name=account.display_name, role=account.role, teams=teams,
                    )  # fmt: skip
        finally:
            await engine.dispose()

    run_async(create())


@pytest.fixture(scope="module")
def accounts(gateway: Gateway) -> None:
    create_accounts(gateway, (AGENT, ["general", "police"]), (SUPERVISOR, ["general"]))


@pytest.fixture
def dialogue(fake_rasa: FakeRasa) -> FakeRasa:
    """The call-center dialogue; the tracker reports what the NLU made of the latest message."""
    script = CallCenterDialogue()

    def respond(request: dict[str, Any]) -> list[dict[str, Any]]:
        fake_rasa.latest_message = understood(request["message"])
        return script(request)

    fake_rasa.respond = respond
    return fake_rasa


@pytest.fixture
def new_page(browser: Browser, accounts: None) -> Iterator[Callable[..., Page]]:
    """Pages in fresh browser contexts (own cookies and storage); the test fails on any
    JavaScript error in them."""
    contexts = []
    errors: list[str] = []

    def new(viewport: ViewportSize = DESKTOP, init_script: str | None = None) -> Page:
        context = browser.new_context(viewport=viewport, locale="id-ID")
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


def log_in(page: Page, gateway_url: str, account: Account, *, available: bool = True) -> None:
    page.goto(f"{gateway_url}/console")
    page.get_by_label("Nama pengguna").fill(account.username)
    page.get_by_label("Kata sandi").fill(account.password)
    page.get_by_role("button", name="Masuk").click()
    expect(page.get_by_text(account.display_name, exact=True)).to_be_visible()
    expect(page.locator("#connection")).to_have_text("Terhubung")  # the console's socket
    available_radio = page.get_by_role("radio", name="Tersedia")
    # Agents start "away" (nobody is routed to them before they say so); the status stays.
    if available and not available_radio.is_checked():
        with page.expect_response(re.compile(r"/console/api/me/status$")) as response:
            available_radio.check()
        assert response.value.ok


def wait_until(page: Page, condition: Callable[[], bool], timeout: float = 5.0) -> None:
    """Lets the page run (and its routes answer) until `condition` holds."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        page.wait_for_timeout(50)


def queue_cards(page: Page) -> Locator:
    return page.locator("#queue-list > li")


def transcript(page: Page) -> Locator:
    return page.get_by_role("log", name="Transkrip percakapan")


def confirm(page: Page, action: str) -> None:
    """Answers the console's confirmation dialog with `action` ("Ya, tutup", ...)."""
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("button", name="Batal")).to_be_focused()  # the safe choice first
    dialog.get_by_role("button", name=action).click()
    expect(dialog).to_be_hidden()


def close_as(page: Page, disposition: str) -> None:
    """Closes the open conversation with `disposition`, confirmed."""
    page.get_by_label("Hasil").select_option(label=disposition)
    page.get_by_role("button", name="Tutup").click()
    confirm(page, "Ya, tutup")


def ask_for_a_person(citizen: Page, gateway_url: str) -> None:
    citizen.goto(f"{gateway_url}/")
    say(citizen, "halo")
    expect(messages_in(citizen).last).to_contain_text(GREETING_TEXT)
    citizen.get_by_role("button", name=HUMAN_BUTTON["title"]).click()
    expect(messages_in(citizen).last).to_contain_text("Posisi antrean Anda: 1")


def test_citizen_agent_and_back_to_the_bot(
    new_page: Callable[..., Page], gateway_url: str, dialogue: FakeRasa
) -> None:
    agent = new_page()
    log_in(agent, gateway_url, AGENT)
    expect(queue_cards(agent)).to_have_count(0)

    citizen = new_page(PHONE)
    ask_for_a_person(citizen, gateway_url)
    notice = messages_in(citizen).last
    expect(notice).to_have_class(re.compile(r"aw-msg--system"))
    expect(notice.get_by_role("button", name="Batal menunggu")).to_be_enabled()
    screenshot(citizen, "call-center-1-citizen-waiting.png")

    # The queue changes live (the console's socket): the newcomer, with what they said last.
    card = queue_cards(agent)
    expect(card).to_have_count(1)
    expect(card).to_contain_text("#1")
    expect(card).to_contain_text("Layanan umum")
    expect(card).to_contain_text("Permintaan warga")
    expect(card).to_contain_text(HUMAN_BUTTON["title"])
    screenshot(agent, "call-center-2-console-queue.png")

    card.get_by_role("button", name="Ambil").click()
    expect(agent.get_by_role("heading", name="Warga · Web · Layanan umum")).to_be_visible()
    expect(transcript(agent).locator(".turn--bot").first).to_contain_text(GREETING_TEXT)
    expect(transcript(agent).locator(".turn--system").first).to_contain_text("Posisi antrean Anda: 1")
    expect(agent.locator("#mine-list > li")).to_have_count(1)
    expect(queue_cards(agent)).to_have_count(0)
    expect(messages_in(citizen).last).to_contain_text(f"{AGENT.sender_name} telah bergabung")

    # A canned reply fills the composer; the agent sends it with Enter.
    agent.get_by_label("Balasan cepat").select_option(label="Salam pembuka")
    agent.get_by_role("button", name="Sisipkan").click()
    composer = agent.get_by_role("textbox", name="Balasan untuk warga")
    expect(composer).to_have_value(re.compile(r"^Selamat datang di layanan Asisten Warga"))
    expect(composer).to_be_focused()
    composer.press("Enter")
    expect(composer).to_have_value("")
    reply = messages_in(citizen).last
    expect(reply).to_contain_text("Selamat datang di layanan Asisten Warga")
    expect(reply.locator(".aw-sender")).to_have_text(AGENT.sender_name)
    expect(transcript(agent).locator(".turn--agent").last).to_contain_text(AGENT.sender_name)
    screenshot(citizen, "call-center-3-citizen-agent-reply.png")

    # The citizen's answer reaches the agent, not the bot.
    say(citizen, "Saya ingin menanyakan SKCK yang belum jadi.")
    expect(transcript(agent).locator(".turn--citizen").last).to_contain_text(
        "Saya ingin menanyakan SKCK yang belum jadi."
    )
    agent.get_by_label("Catatan baru").fill("Warga menunggu SKCK sejak minggu lalu.")
    agent.get_by_role("button", name="Simpan catatan").click()
    expect(agent.locator("#notes")).to_contain_text("Warga menunggu SKCK sejak minggu lalu.")
    screenshot(agent, "call-center-4-console-conversation.png")
    # Usable on a 1024-pixel screen: nothing sticks out sideways, the controls stay in view.
    agent.set_viewport_size({"width": 1024, "height": 768})
    assert agent.evaluate("document.documentElement.scrollWidth") <= 1024
    for name in ("Kembalikan ke bot", "Tutup", "Kirim", "Simpan catatan"):
        expect(agent.get_by_role("button", name=name)).to_be_in_viewport()
    screenshot(agent, "call-center-4-console-conversation-1024.png")
    agent.set_viewport_size(DESKTOP)

    agent.get_by_role("button", name="Kembalikan ke bot").click()
    confirm(agent, "Ya, kembalikan")
    expect(messages_in(citizen).last).to_contain_text(RESUME_TEXT)
    expect(citizen.get_by_role("button", name="Menu utama")).to_be_enabled()
    expect(agent.get_by_text("Belum ada percakapan dipilih")).to_be_visible()
    expect(agent.locator("#mine-list > li")).to_have_count(0)
    screenshot(citizen, "call-center-5-citizen-back-with-bot.png")

    # Every message once, the internal note never.
    texts = messages_in(citizen).all_inner_texts()
    assert sum("Selamat datang di layanan" in text for text in texts) == 1
    assert not any("Warga menunggu SKCK" in text for text in texts)
    assert sent_to_rasa(dialogue) == ["halo", HUMAN_BUTTON["payload"], "/handoff_returned"]

    # The history after a reload: the agent's name stays on the reply.
    citizen.reload()
    expect(messages_in(citizen).last).to_contain_text(RESUME_TEXT)
    expect(citizen.locator(".aw-sender")).to_have_text(AGENT.sender_name)


def test_agent_reply_reaches_the_widget_without_websockets(
    new_page: Callable[..., Page], gateway_url: str, dialogue: FakeRasa
) -> None:
    agent = new_page()
    log_in(agent, gateway_url, AGENT)
    citizen = new_page(PHONE, init_script=REFUSE_WEBSOCKETS)
    ask_for_a_person(citizen, gateway_url)

    queue_cards(agent).get_by_role("button", name="Ambil").click()
    composer = agent.get_by_role("textbox", name="Balasan untuk warga")
    composer.fill("Baik, saya bantu periksa.")
    agent.get_by_role("button", name="Kirim").click()
    # Polled every 3 s on the HTTP fallback.
    expect(messages_in(citizen).last).to_contain_text("Baik, saya bantu periksa.", timeout=10_000)
    expect(messages_in(citizen).last.locator(".aw-sender")).to_have_text(AGENT.sender_name)

    close_as(agent, "Selesai")
    closed = "Percakapan dengan petugas telah selesai"
    expect(messages_in(citizen).last).to_contain_text(SURVEY_QUESTION, timeout=10_000)
    expect(messages_in(citizen).nth(-2)).to_contain_text(closed)
    texts = messages_in(citizen).all_inner_texts()
    assert sum("Baik, saya bantu periksa." in text for text in texts) == 1


def test_launcher_marks_what_arrives_while_closed(
    new_page: Callable[..., Page], gateway_url: str, host_site_url: str, dialogue: FakeRasa
) -> None:
    agent = new_page()
    log_in(agent, gateway_url, AGENT)
    citizen = new_page({"width": 1280, "height": 800})
    citizen.goto(f"{host_site_url}/layanan")  # another site, the widget behind its launcher
    launcher = citizen.get_by_role("button", name="Tanya Asisten Warga")
    launcher.click()
    say(citizen, "halo")
    citizen.get_by_role("button", name=HUMAN_BUTTON["title"]).click()
    expect(messages_in(citizen).last).to_contain_text("Posisi antrean Anda: 1")
    citizen.keyboard.press("Escape")

    queue_cards(agent).get_by_role("button", name="Ambil").click()
    expect(citizen.get_by_role("button", name="Tanya Asisten Warga (ada pesan baru)")).to_be_visible()
    launcher.click()
    expect(messages_in(citizen).last).to_contain_text(f"{AGENT.sender_name} telah bergabung")
    expect(citizen.get_by_role("button", name="Tanya Asisten Warga (ada pesan baru)")).to_have_count(0)

    close_as(agent, "Selesai")
    expect(messages_in(citizen).last).to_contain_text(SURVEY_QUESTION)
    expect(messages_in(citizen).nth(-2)).to_contain_text("Percakapan dengan petugas telah selesai")


def test_claimed_by_someone_else(new_page: Callable[..., Page], gateway_url: str, dialogue: FakeRasa) -> None:
    agent, supervisor = new_page(), new_page()
    log_in(agent, gateway_url, AGENT)
    log_in(supervisor, gateway_url, SUPERVISOR, available=False)
    citizen = new_page(PHONE)
    ask_for_a_person(citizen, gateway_url)
    expect(queue_cards(agent)).to_have_count(1)
    expect(queue_cards(supervisor)).to_have_count(1)

    # The supervisor's console still shows the conversation when the agent takes it: its
    # refetches get the queue as it was, until the supervisor clicks.
    stale_queue = supervisor.request.get(f"{gateway_url}/console/api/handoffs?scope=queue").text()
    stale_fetches: list[str] = []

    def serve_stale(route: Route) -> None:
        stale_fetches.append(route.request.url)
        route.fulfill(status=200, content_type="application/json", body=stale_queue)

    supervisor.route(re.compile(r"/console/api/handoffs\?scope=queue$"), serve_stale)
    queue_cards(agent).get_by_role("button", name="Ambil").click()
    expect(agent.locator("#mine-list > li")).to_have_count(1)
    wait_until(supervisor, lambda: len(stale_fetches) > 0)  # heard of the claim
    supervisor.unroute_all()
    queue_cards(supervisor).get_by_role("button", name="Ambil").click()
    expect(supervisor.get_by_role("alert")).to_contain_text("Percakapan ini sudah diambil petugas lain.")
    expect(queue_cards(supervisor)).to_have_count(0)  # refetched
    expect(supervisor.get_by_text("Belum ada percakapan dipilih")).to_be_visible()

    close_as(agent, "Selesai")
    expect(agent.locator("#mine-list > li")).to_have_count(0)


def test_supervisor_view_is_for_supervisors_only(
    new_page: Callable[..., Page], gateway_url: str, dialogue: FakeRasa
) -> None:
    agent = new_page()
    log_in(agent, gateway_url, AGENT, available=False)
    expect(agent.get_by_role("link", name="Supervisor")).to_be_hidden()
    assert agent.request.get(f"{gateway_url}/console/api/supervisor/overview").status == 403
    assert agent.request.get(f"{gateway_url}/console/api/supervisor/audit").status == 403
    agent.goto(f"{gateway_url}/console#supervisor")  # typed by hand: the queue instead
    expect(agent.get_by_role("heading", name=re.compile("^Antrean"))).to_be_visible()
    expect(agent.get_by_role("heading", name="Ringkasan hari ini")).to_be_hidden()

    supervisor = new_page()
    log_in(supervisor, gateway_url, SUPERVISOR, available=False)
    supervisor.get_by_role("link", name="Supervisor").click()
    expect(supervisor.get_by_role("heading", name="Ringkasan hari ini")).to_be_visible()
    counters = supervisor.get_by_role("list", name="Angka hari ini").get_by_role("listitem")
    expect(counters).to_have_count(4)
    expect(counters.nth(3)).to_contain_text("Rata-rata menunggu")
    load = supervisor.get_by_role("table", name="Beban petugas")
    expect(load.get_by_role("row", name=re.compile(AGENT.display_name))).to_contain_text("Daring")
    expect(supervisor.get_by_role("table", name="Percakapan hari ini")).to_be_visible()
    expect(supervisor.get_by_role("table", name="Log audit")).to_be_visible()
    screenshot(supervisor, "call-center-6-supervisor.png")

    supervisor.get_by_role("button", name="Keluar").click()
    expect(supervisor.get_by_role("button", name="Masuk")).to_be_visible()
    assert supervisor.request.get(f"{gateway_url}/console/api/me").status == 401


def test_agent_assist_for_a_phone_caller(
    new_page: Callable[..., Page], gateway_url: str, dialogue: FakeRasa
) -> None:
    agent = new_page()
    log_in(agent, gateway_url, AGENT, available=False)
    agent.get_by_role("link", name="Bantu penelepon").click()

    reason = agent.get_by_label("Alasan pencarian (wajib)")
    agent.get_by_role("button", name="Mulai sesi").click()
    expect(agent.get_by_role("alert")).to_have_text("Tuliskan alasan minimal 5 karakter.")
    expect(reason).to_be_focused()
    reason.fill("Penelepon menanyakan syarat SKCK")
    agent.get_by_role("button", name="Mulai sesi").click()

    caller = agent.get_by_role("textbox", name="Ucapan penelepon")
    caller.fill("halo")
    caller.press("Enter")
    turns = agent.get_by_role("log", name="Transkrip penelepon").get_by_role("listitem")
    expect(turns.last).to_contain_text(GREETING_TEXT)
    understood = agent.locator("#understood")
    expect(understood).to_contain_text("Menyapa")  # the question in words, not `greet`
    expect(understood).to_contain_text("97%")

    # The reply's buttons are the caller's choices: a click sends the button like the widget.
    turns.last.get_by_role("button", name="SIM & SKCK").click()
    expect(turns.last).to_contain_text("Layanan kepolisian apa yang Anda perlukan?")
    expect(understood).to_contain_text("Meminta menu layanan")
    expect(understood).to_contain_text("100%")
    expect(understood.get_by_role("table")).to_contain_text("Kepolisian (SIM, SKCK)")
    expect(understood).not_to_contain_text("ask_menu")
    expect(understood).not_to_contain_text("null")  # the absent parts are left out
    turns.last.get_by_role("button", name="Buat SKCK").click()
    expect(turns.last).to_contain_text(PURPOSE_QUESTION)
    expect(turns.nth(-2)).to_contain_text("Buat SKCK")
    expect(agent.get_by_role("button", name="SIM & SKCK")).to_be_disabled()
    screenshot(agent, "call-center-7-assist.png")
    assert sent_to_rasa(dialogue) == ["halo", MENU[2]["payload"], "/skck_apply"]

    # A reload keeps the session and its transcript.
    agent.reload()
    expect(turns.last).to_contain_text(PURPOSE_QUESTION)
    agent.get_by_role("button", name="Akhiri sesi").click()
    expect(agent.get_by_label("Alasan pencarian (wajib)")).to_be_visible()
