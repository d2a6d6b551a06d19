"""The console's history in headless Chromium: a waiting conversation previewed before "Ambil",
the citizen's earlier contacts beside the open conversation, the history searched by ticket
number, a row of the supervisor's "Percakapan hari ini" opened, and the audit log filtered and
exported as CSV. Screenshots go to var/screenshots/console-history-*.png."""

from __future__ import annotations

import csv
import io
import random
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
from playwright.sync_api import Browser, Locator, Page, ViewportSize, expect

from api.callcenter.accounts import create_agent
from api.db import create_engine, create_sessionmaker
from api.identity import sessions
from api.models import Author, Conversation, Direction, HandledBy, Handoff, HandoffState, Message, utcnow
from tests.browser.accessibility import violations
from tests.browser.conftest import PHONE, Gateway, screenshot
from tests.browser.test_call_center import (
    Account,
    ask_for_a_person,
    close_as,
    dialogue,
    log_in,
    queue_cards,
    run_async,
    transcript,
)
from tests.browser.test_widget import say

__all__ = ["dialogue"]  # the fixture, shared with the call-center tests

DESKTOP: ViewportSize = {"width": 1366, "height": 768}
AGENT = Account("rina", "kata-sandi-rina-2024", "Rina Marlina", "agent")
SUPERVISOR = Account("yusuf", "kata-sandi-yusuf-2024", "Yusuf Hakim", "supervisor")
PAST_WORDS = "Bulan lalu saya sudah lapor KTP hilang."
NOW_WORDS = "Saya mau menanyakan lagi soal KTP saya."


@dataclass(frozen=True)
class Citizen:
    """A citizen with a past conversation (closed, with a ticket) and one waiting now, both
    verified with the same NIK."""

    ticket: str
    past: uuid.UUID
    now: uuid.UUID


@pytest.fixture(scope="module")
def accounts(gateway: Gateway) -> None:
    async def create() -> None:
        engine = create_engine(gateway.settings)
        try:
            async with create_sessionmaker(engine)() as session:
                for account in (AGENT, SUPERVISOR):
                    await create_agent(
                        session, username=account.username, password=account.password,
                        display_name=account.display_name, role=account.role, teams=["general"],
                    )  # fmt: skip
        finally:
            await engine.dispose()

    run_async(create())


def seed_citizen(gateway: Gateway) -> Citizen:
    """What a citizen's two web conversations leave in the database (their webhooks and
    verification are tested elsewhere)."""
    nik = "317401" + str(random.randrange(10**9, 10**10))
    ticket = f"TKT-{utcnow().year}-{random.randrange(10**8, 10**9)}"

    async def create() -> Citizen:
        engine = create_engine(gateway.settings)
        now = utcnow()
        try:
            async with create_sessionmaker(engine)() as session:
                past = Conversation(channel="web", created_at=now - timedelta(days=20))
                current = Conversation(channel="web", handled_by=HandledBy.AGENT)
                session.add_all([past, current])
                await session.flush()
                for conversation, words, at in (
                    (past, PAST_WORDS, past.created_at),
                    (current, NOW_WORDS, now),
                ):
                    session.add(
                        Message(
                            conversation_id=conversation.id, direction=Direction.IN, author=Author.CITIZEN,
                            text=words, created_at=at,
                        )
                    )  # fmt: skip
                session.add_all(
                    [
                        Handoff(
                            conversation_id=past.id, state=HandoffState.CLOSED, reason="citizen_request",
                            team="general", requested_at=past.created_at, queued_at=past.created_at,
                            closed_at=past.created_at, disposition="follow_up", case_number=ticket,
                        ),
                        Handoff(
                            conversation_id=current.id, state=HandoffState.QUEUED, reason="citizen_request",
                            team="general", requested_at=now, queued_at=now,
                        ),
                    ]
                )  # fmt: skip
                await session.commit()
                for conversation in (past, current):
                    await sessions.bind(session, conversation.id, nik, "otp")
                return Citizen(ticket, past.id, current.id)
        finally:
            await engine.dispose()

    return run_async(create())


@pytest.fixture
def new_page(browser: Browser, accounts: None) -> Iterator[Callable[..., Page]]:
    contexts = []
    errors: list[str] = []

    def new(viewport: ViewportSize = DESKTOP) -> Page:
        # bypass_csp: axe-core is injected as an inline script, which the console's CSP refuses.
        context = browser.new_context(
            viewport=viewport, locale="id-ID", accept_downloads=True, bypass_csp=True
        )
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        return page

    try:
        yield new
    finally:
        for context in contexts:
            context.close()
    assert not errors, errors


def reader(page: Page) -> Locator:
    return page.get_by_role("dialog")


def test_preview_a_waiting_conversation_then_claim_it(
    new_page: Callable[..., Page], gateway_url: str, dialogue: object
) -> None:
    agent = new_page()
    log_in(agent, gateway_url, AGENT)
    citizen = new_page(PHONE)
    ask_for_a_person(citizen, gateway_url)
    say(citizen, "Saya ingin menanyakan SKCK yang belum jadi.")

    card = queue_cards(agent)
    expect(card).to_have_count(1)
    card.get_by_role("button", name="Lihat").click()
    shown = reader(agent)
    expect(shown).to_be_visible()
    expect(shown.get_by_role("heading")).to_have_text(
        re.compile(r"^Pratinjau percakapan · Web · Layanan umum")
    )
    expect(shown.get_by_role("list", name="Transkrip percakapan")).to_contain_text(
        "Saya ingin menanyakan SKCK yang belum jadi."
    )
    expect(queue_cards(agent)).to_have_count(1)  # still waiting: a preview claims nothing
    assert violations(agent, include="#reader") == []
    screenshot(agent, "console-history-1-preview.png")

    shown.get_by_role("button", name="Ambil percakapan").click()
    expect(shown).to_be_hidden()
    expect(agent.get_by_role("heading", name="Warga · Web · Layanan umum")).to_be_visible()
    expect(transcript(agent).locator(".turn--citizen").last).to_contain_text("SKCK yang belum jadi")
    close_as(agent, "Selesai")
    expect(agent.locator("#mine-list > li")).to_have_count(0)


def test_earlier_contacts_search_and_the_audit_log(
    new_page: Callable[..., Page], gateway_url: str, dialogue: object, gateway: Gateway
) -> None:
    citizen = seed_citizen(gateway)
    agent = new_page()
    log_in(agent, gateway_url, AGENT)
    card = queue_cards(agent).filter(has_text=NOW_WORDS)
    card.get_by_role("button", name="Ambil").click()
    expect(agent.get_by_role("heading", name="Warga · Web · Layanan umum")).to_be_visible()

    # Beside the open conversation: the same verified person's earlier conversation.
    earlier = agent.locator("#earlier > li")
    expect(earlier).to_have_count(1)
    expect(earlier).to_contain_text("NIK terverifikasi yang sama")
    expect(earlier).to_contain_text(citizen.ticket)
    expect(earlier).to_contain_text("Perlu tindak lanjut")
    assert violations(agent, include="#earlier") == []
    screenshot(agent, "console-history-2-earlier-contacts.png")
    earlier.get_by_role("button").click()
    shown = reader(agent)
    expect(shown.get_by_role("list", name="Transkrip percakapan")).to_contain_text(PAST_WORDS)
    expect(shown).to_contain_text(f"Tiket {citizen.ticket}")
    screenshot(agent, "console-history-3-earlier-conversation.png")
    agent.keyboard.press("Escape")
    expect(shown).to_be_hidden()

    # The history: by ticket number; a number it cannot read gets a clear message.
    agent.get_by_role("link", name="Riwayat").click()
    box = agent.get_by_label("Nomor tiket/kasus, nomor telepon, atau NIK")
    box.fill("halo petugas")
    agent.get_by_role("button", name="Cari").click()
    expect(agent.get_by_role("alert")).to_have_text(
        "Masukkan nomor tiket atau kasus, nomor telepon, atau NIK (16 digit)."
    )
    box.fill(citizen.ticket.lower())
    agent.get_by_role("button", name="Cari").click()
    results = agent.get_by_role("table", name="Riwayat percakapan ditemukan").locator("tbody tr")
    expect(results).to_have_count(1)
    expect(results).to_contain_text("Perlu tindak lanjut")
    assert violations(agent, include="#view-history") == []
    screenshot(agent, "console-history-4-search.png")
    results.get_by_role("button").click()
    expect(reader(agent).get_by_role("list", name="Transkrip percakapan")).to_contain_text(PAST_WORDS)
    agent.get_by_role("button", name="Tutup", exact=True).last.click()

    # The supervisor: a row of today's conversations opens it; the audit log, filtered, as CSV.
    supervisor = new_page()
    log_in(supervisor, gateway_url, SUPERVISOR, available=False)
    supervisor.get_by_role("link", name="Supervisor").click()
    today = supervisor.get_by_role("table", name="Percakapan hari ini")
    today.locator("tbody tr").first.get_by_role("button").click()
    expect(reader(supervisor)).to_be_visible()
    expect(reader(supervisor).get_by_role("list", name="Transkrip percakapan")).not_to_be_empty()
    supervisor.keyboard.press("Escape")

    supervisor.get_by_label("Petugas", exact=True).select_option(label=AGENT.display_name)
    supervisor.locator("#audit-form").get_by_role("button", name="Terapkan").click()
    audit = supervisor.get_by_role("table", name="Log audit").locator("tbody tr")
    # One search: the refused one searched nothing.
    expect(audit.filter(has_text="Mencari riwayat percakapan")).to_have_count(1)
    expect(audit.filter(has_text="Membuka riwayat percakapan")).not_to_have_count(0)
    expect(audit.first).to_contain_text(AGENT.display_name)
    rows_text = " ".join(audit.all_inner_texts())
    assert "console" not in rows_text and "/api/" not in rows_text
    assert violations(supervisor, include='section[aria-labelledby="audit-title"]') == []
    supervisor.get_by_role("table", name="Log audit").scroll_into_view_if_needed()
    screenshot(supervisor, "console-history-5-audit-log.png")
    with supervisor.expect_download() as download:
        supervisor.get_by_role("button", name="Unduh CSV").click()
    path = download.value.path()
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    assert rows[0][:3] == ["Waktu", "Petugas", "Tindakan"]
    assert {row[1] for row in rows[1:]} == {AGENT.display_name}
    assert any(row[2] == "Mencari riwayat percakapan" for row in rows[1:])
